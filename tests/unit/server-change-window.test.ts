// The change window of a tracked source, as compiled for each compute engine: PostgreSQL and MySQL
// refuse a derived table without an alias, so there it takes the table's name; the other engines'
// SQL is unchanged. Compile needs no connection, so no server is involved.
import { afterEach, describe, expect, it } from "vitest";
import { compileProject } from "../../src/compiler/compile.js";
import type { ModelNode } from "../../src/manifest/types.js";
import { loadProject } from "../../src/project/load.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";
import { trackedSalesSources } from "../helpers/tracked-sales.js";

let project: TempProject | undefined;
afterEach(() => project?.remove());

function changesSql(source: string): string {
  project = tempProject({
    "profiles.yml": `targets:\n  dev:\n    connections:\n      src: ${source}\n      lake: { type: duckdb, path: ":memory:" }\n`,
    "models/sources.yml": trackedSalesSources(),
    "models/hist.sql": `{{ config(materialized='incremental', connection='lake', compute='src', partition_by='ym', unique_key='sale_id') }}
select sale_id, ym from {{ source('app', 'sales') }}`,
  });
  const { manifest } = compileProject(loadProject({ projectDir: project.dir }));
  return (manifest.nodes["model.hist"] as ModelNode).lineage!.changesSql;
}

describe("the change window of a tracked source", () => {
  it.each([
    [
      "postgres",
      `{ type: postgres, host: db, database: shop }`,
      /from \(select \* from "app"\."sales" where "updated_at" > .*\) as "sales"$/,
    ],
    [
      "mysql",
      `{ type: mysql, host: db, database: shop }`,
      /from \(select \* from `app`\.`sales` where `updated_at` > .*\) as `sales`$/,
    ],
    [
      "duckdb",
      `{ type: duckdb, path: ":memory:" }`,
      /from \(select \* from "src"\."app"\."sales" where "updated_at" > [^)]*\)$/,
    ],
  ])("is a derived table %s accepts", (_, source, expected) => {
    expect(changesSql(source)).toMatch(expected);
  });
});
