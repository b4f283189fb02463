// The change window of a tracked source, as compiled for each compute engine: a derived table that
// the model reads exactly as it read the table. Written bare, `{{ source() }}` gets the table's
// name as its alias (PostgreSQL before 16, MySQL, SQL Server and Hive refuse a derived table with
// none, and `sales.amount` must still resolve); written with the model's own alias, it gets no
// second one. Compile needs no connection, so no server is involved.
import { afterEach, describe, expect, it } from "vitest";
import { compileProject } from "../../src/compiler/compile.js";
import type { ModelNode } from "../../src/manifest/types.js";
import { loadProject } from "../../src/project/load.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";
import { trackedSalesSources } from "../helpers/tracked-sales.js";

let project: TempProject | undefined;
afterEach(() => project?.remove());

function changesSql(source: string, from = "{{ source('app', 'sales') }}"): string {
  project?.remove(); // a test may compile several, and afterEach removes only the last
  project = tempProject({
    "profiles.yml": `targets:\n  dev:\n    connections:\n      src: ${source}\n      lake: { type: duckdb, path: ":memory:" }\n`,
    "models/sources.yml": trackedSalesSources(),
    "models/hist.sql": `{{ config(materialized='incremental', connection='lake', compute='src', partition_by='ym', unique_key='sale_id') }}
select sale_id, ym from ${from}`,
  });
  const { manifest } = compileProject(loadProject({ projectDir: project.dir }));
  return (manifest.nodes["model.hist"] as ModelNode).lineage!.changesSql;
}

const ENGINES = [
  ["postgres", `{ type: postgres, host: db, database: shop }`, `"sales"`],
  ["mysql", `{ type: mysql, host: db, database: shop }`, "`sales`"],
  ["sqlserver", `{ type: sqlserver, host: db, database: shop }`, `[sales]`],
  ["hive", `{ type: hive, host: localhost }`, "`sales`"],
  ["duckdb", `{ type: duckdb, path: ":memory:" }`, `"sales"`],
] as const;

describe("the change window of a tracked source", () => {
  it.each(ENGINES)("is a derived table named after the table on %s", (_, source, name) => {
    const sql = changesSql(source);
    expect(sql).toMatch(/from \(select \* from .*sales.* where .* > .*\) as /);
    expect(sql.endsWith(`) as ${name}`)).toBe(true);
  });

  it.each(ENGINES)("keeps the model's own alias and adds none on %s", (_, source) => {
    for (const [from, ending] of [
      ["{{ source('app', 'sales') }} s", ") s"],
      ["{{ source('app', 'sales') }} as s", ") as s"],
      ["{{ source('app', 'sales') }} /* the sales */ s", ") /* the sales */ s"],
      ["{{ source('app', 'sales') }}\n  \"s\"", ')\n  "s"'],
    ] as const) {
      expect(changesSql(source, from).endsWith(ending), from).toBe(true);
    }
  });

  it("names the table when what follows is SQL, not an alias", () => {
    const duckdb = ENGINES[4][1];
    for (const tail of [
      "where sale_id > 0",
      "\n-- a comment\nwhere true",
      "order by 1",
      "limit 5",
      "union all select 1, 2",
    ]) {
      expect(changesSql(duckdb, `{{ source('app', 'sales') }} ${tail}`), tail).toContain(
        `) as "sales" ${tail}`,
      );
    }
  });
});
