import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sluice } from "../helpers/cli.js";
import { executeOnDuckDb, queryDuckDb } from "../helpers/duckdb.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";

// A lineage model that names its source's columns by the table (`sales.amount`, no alias of its
// own) reads the change window as it read the table: the incremental build replaces partitions
// instead of failing with a binder error the full build never had.
let project: TempProject;

beforeAll(() => {
  project = tempProject({
    "profiles.yml": `targets:
  dev:
    connections:
      src: { type: duckdb, path: .sluice/src.duckdb }
      lake: { type: duckdb, path: .sluice/lake.duckdb }
`,
    "models/sources.yml": `sources:
  - name: app
    connection: src
    schema: app
    tables:
      - name: sales
        change_tracking: { updated_at: updated_at }
`,
    "models/by_table_name.sql": `{{ config(materialized='incremental', connection='lake', compute='src', partition_by='ym', unique_key='sale_id') }}
select sales.sale_id, sales.amount, sales.ym from {{ source('app', 'sales') }}
where sales.amount > 0`,
  });
});
afterAll(() => project.remove());

const onSource = (sql: string) => executeOnDuckDb(join(project.dir, ".sluice/src.duckdb"), "src", sql);
const lake = async (sql: string) =>
  (await queryDuckDb({ lake: join(project.dir, ".sluice/lake.duckdb") }, sql)).map((r) =>
    Object.values(r).join(" "),
  );
const run = (...args: string[]) => sluice([...args, "--project-dir", project.dir]);

describe("a lineage model naming columns by its source table", () => {
  it("builds, then replaces only the changed partition", async () => {
    await onSource(`create schema app;
      create table app.sales (sale_id int, amount int, ym int, updated_at bigint);
      insert into app.sales values (1, 10, 202601, 1), (2, 20, 202602, 1)`);
    const first = run("build");
    expect(first.code, first.stdout + first.stderr).toBe(0);

    await onSource(`update app.sales set amount = 15, updated_at = 2 where sale_id = 1`);
    const plan = run("plan");
    expect(plan.stdout, plan.stderr).toMatch(
      /replace_partitions model\.by_table_name: rebuild partition 202601 /,
    );
    expect(plan.stdout).not.toMatch(/202602/);
    const second = run("build");
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(await lake("select sale_id, amount, ym from lake.main.by_table_name order by 1")).toEqual([
      "1 15 202601",
      "2 20 202602",
    ]);
  });
});
