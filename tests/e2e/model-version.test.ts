import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sluice } from "../helpers/cli.js";
import { executeOnDuckDb, queryDuckDb } from "../helpers/duckdb.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";
import { trackedSalesSources } from "../helpers/tracked-sales.js";

// A changed var() is a new version of every model whose SQL renders it: a lineage model is rebuilt
// in full (not just its dirty partitions, which would mix the old and new logic) and a table that
// last succeeded is not skipped as unchanged.
let project: TempProject;

beforeAll(() => {
  project = tempProject({
    "profiles.yml": `targets:
  dev:
    connections:
      src: { type: duckdb, path: .sluice/src.duckdb }
      lake: { type: duckdb, path: .sluice/lake.duckdb }
`,
    "models/sources.yml": trackedSalesSources(),
    "models/hist.sql": `{{ config(materialized='incremental', connection='lake', compute='src', partition_by='ym', unique_key='sale_id') }}
select sale_id, amount * {{ var('factor', 1) }} as amount, year(sale_date) * 100 + month(sale_date) as ym from {{ source('app', 'sales') }}`,
    "models/label.sql": `{{ config(materialized='table', connection='lake') }}
select '{{ var('label', 'plain') }}' as label`,
  });
});
afterAll(() => project.remove());

const onSource = (sql: string) => executeOnDuckDb(join(project.dir, ".sluice/src.duckdb"), "src", sql);
const lake = async (sql: string) =>
  (await queryDuckDb({ lake: join(project.dir, ".sluice/lake.duckdb") }, sql)).map((r) =>
    Object.values(r).join(" "),
  );
const run = (...args: string[]) => sluice([...args, "--project-dir", project.dir]);

describe("a changed var()", () => {
  it("rebuilds the lineage model in full and does not skip the table", async () => {
    await onSource(`create schema app;
      create table app.sales (sale_id int, sale_date date, amount int, updated_at bigint);
      create table app.removed (sale_id int, removed_at bigint, ym int);
      insert into app.sales values (1, date '2026-01-05', 10, 1), (2, date '2026-02-05', 20, 1)`);
    expect(run("build").code).toBe(0);
    expect(run("plan").stdout).toMatch(/skip\s+model\.label: unchanged/);
    // One partition changes at the same time: with the old version it alone would be rebuilt.
    await onSource(`update app.sales set amount = 11, updated_at = 2 where sale_id = 1`);
    const vars = ["--vars", "{factor: 3, label: fancy}"];
    const plan = run("plan", ...vars);
    expect(plan.stdout).toMatch(
      /build_table\s+model\.hist: model changed \(version \w+ → \w+\): rebuilt in full/,
    );
    expect(plan.stdout).toMatch(/build_table\s+model\.label: table rebuilt in full/);
    const build = run("build", ...vars);
    expect(build.code, build.stdout + build.stderr).toBe(0);
    expect(await lake("select sale_id, amount from lake.main.hist order by sale_id")).toEqual([
      "1 33",
      "2 60",
    ]);
    expect(await lake("select label from lake.main.label")).toEqual(["fancy"]);
    expect(run("plan", ...vars).stdout).toMatch(/model\.hist: no changes/);
  });
});
