import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sluice } from "../helpers/cli.js";
import { executeOnDuckDb, queryDuckDb } from "../helpers/duckdb.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";

// Models at the edges of the incremental contract, built for real: a renamed text key that looks
// like a number, over a source with no deletes table, is found where it lived when its row moves;
// an aggregating lineage model over a source with a deletes table is rebuilt in full, saying why.
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
      - name: items
        change_tracking: { updated_at: updated_at }
      - name: sales
        change_tracking:
          updated_at: updated_at
          deletes: { table: removed, key: sale_id, deleted_at: removed_at, partition_columns: [ym] }
      - name: removed
`,
    "models/items_hist.sql": `{{ config(materialized='incremental', connection='lake', compute='src', partition_by='ym', unique_key='item', full_rebuild_share=1) }}
select i.code as item, i.qty, year(i.day) * 100 + month(i.day) as ym from {{ source('app', 'items') }} i`,
    "models/monthly.sql": `{{ config(materialized='incremental', connection='lake', compute='src', partition_by='ym') }}
select year(sale_date) * 100 + month(sale_date) as ym, count(*) as n, sum(amount) as total
from {{ source('app', 'sales') }}
group by 1`,
  });
});
afterAll(() => project.remove());

const onSource = (sql: string) => executeOnDuckDb(join(project.dir, ".sluice/src.duckdb"), "src", sql);
const lake = async (sql: string) =>
  (await queryDuckDb({ lake: join(project.dir, ".sluice/lake.duckdb") }, sql)).map((r) =>
    Object.values(r).join(" "),
  );
const run = (...args: string[]) => sluice([...args, "--project-dir", project.dir]);

describe("models at the edges of the incremental contract", () => {
  it("build first", async () => {
    await onSource(`create schema app;
      create table app.items (code varchar, qty int, day date, updated_at bigint);
      create table app.sales (sale_id int, sale_date date, amount int, updated_at bigint);
      create table app.removed (sale_id int, removed_at bigint, ym int);
      insert into app.items values ('007', 1, date '2026-01-05', 1), ('7', 2, date '2026-01-06', 1), ('A-1', 3, date '2026-03-01', 1);
      insert into app.sales values (1, date '2026-01-05', 10, 1), (2, date '2026-02-05', 20, 1)`);
    const build = run("build");
    expect(build.code, build.stdout + build.stderr).toBe(0);
  });

  it("finds a moved row by its renamed text key, zeros kept, and leaves no copy behind", async () => {
    await onSource(`update app.items set day = date '2026-02-10', updated_at = 2 where code = '007'`);
    const plan = run("plan");
    expect(plan.stdout, plan.stderr).toMatch(
      /model\.items_hist: rebuild partitions 202601, 202602 of items_hist: 1 inserted or updated/,
    );
    expect(run("build").code).toBe(0);
    expect(await lake("select item, qty, ym from lake.main.items_hist order by item")).toEqual([
      "007 1 202602",
      "7 2 202601",
      "A-1 3 202603",
    ]);
  });

  it("rebuilds an aggregating lineage model in full, naming the GROUP BY, and its table equals a full build", async () => {
    await onSource(`insert into app.removed values (1, 3, 202601); delete from app.sales where sale_id = 1;
      update app.sales set sale_date = date '2026-03-01', amount = 25, updated_at = 3 where sale_id = 2`);
    const plan = run("plan");
    expect(plan.stdout).toMatch(
      /build_table\s+model\.monthly: models\/monthly\.sql:4: GROUP BY makes a row depend on rows of other partitions: rebuilt in full/,
    );
    const build = run("build");
    expect(build.code, build.stdout + build.stderr).toBe(0);
    expect(await lake("select ym, n, total from lake.main.monthly order by ym")).toEqual(["202603 1 25"]);
  });
});
