import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sluice } from "../helpers/cli.js";
import { executeOnDuckDb, queryDuckDb } from "../helpers/duckdb.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";
import { trackedSalesSources } from "../helpers/tracked-sales.js";

// Inputs of a lineage model other than its tracked source, and models downstream of it: a seed it
// joins is watched (a changed CSV rebuilds it in full), and a downstream insert_overwrite model
// inherits the replaced partitions only when its partition column is the upstream's passed
// through; one holding other values under that name is rebuilt in full, saying why.
let project: TempProject;

beforeAll(() => {
  project = tempProject({
    "profiles.yml": `targets:
  dev:
    connections:
      src: { type: duckdb, path: .sluice/src.duckdb }
`,
    "models/sources.yml": trackedSalesSources(),
    "seeds/regions.csv": "region_id,region\n1,north\n2,south\n",
    "models/hist.sql": `{{ config(materialized='incremental', partition_by='ym', unique_key='sale_id', full_rebuild_share=1) }}
select s.sale_id, s.amount, r.region, year(s.sale_date) * 100 + month(s.sale_date) as ym
from {{ source('app', 'sales') }} s join {{ ref('regions') }} r on r.region_id = s.region_id`,
    "models/hist_copy.sql": `{{ config(materialized='incremental', partition_by='ym') }}
select h.sale_id, h.amount, h.ym from {{ ref('hist') }} h
{% if is_incremental() %}where false{% endif %}`,
    "models/yearly.sql": `{{ config(materialized='incremental', partition_by='ym') }}
select cast(floor(h.ym / 100) as int) as ym, sum(h.amount) as total from {{ ref('hist') }} h group by 1
{% if is_incremental() %}having false{% endif %}`,
  });
});
afterAll(() => project.remove());

const onSource = (sql: string) => executeOnDuckDb(join(project.dir, ".sluice/src.duckdb"), "src", sql);
const db = async (sql: string) =>
  (await queryDuckDb({ src: join(project.dir, ".sluice/src.duckdb") }, sql)).map((r) =>
    Object.values(r).join(" "),
  );
const run = (...args: string[]) => sluice([...args, "--project-dir", project.dir]);

describe("what a lineage model reads besides its tracked source, and what reads it", () => {
  it("builds first", async () => {
    await onSource(`create schema app;
      create table app.sales (sale_id int, region_id int, sale_date date, amount int, updated_at bigint);
      create table app.removed (sale_id int, removed_at bigint, ym int);
      insert into app.sales values (1, 1, date '2025-12-05', 10, 1), (2, 2, date '2026-02-05', 20, 1), (3, 1, date '2026-03-05', 30, 1)`);
    const build = run("build");
    expect(build.code, build.stdout + build.stderr).toBe(0);
  });

  it("rebuilds the lineage model in full when the seed it joins changes", () => {
    project.write("seeds/regions.csv", "region_id,region\n1,north\n2,east\n");
    const plan = run("plan");
    expect(plan.stdout).toMatch(
      /build_table\s+model\.hist: seed regions is written in this build, and it has no change tracking: rebuilt in full/,
    );
    expect(run("build").code).toBe(0);
  });

  it("lets a pass-through copy inherit the partitions and rebuilds a roll-up reusing the column name in full", async () => {
    expect(await db("select sale_id, region from src.main.hist order by 1")).toEqual([
      "1 north",
      "2 east",
      "3 north",
    ]);
    await onSource("update app.sales set amount = 25, updated_at = 2 where sale_id = 2");
    const plan = run("plan");
    expect(plan.stdout).toMatch(/replace_partitions\s+model\.hist: rebuild partition 202602 of hist/);
    expect(plan.stdout).toMatch(/replace_partitions\s+model\.hist_copy: inherits partition 202602 from hist/);
    expect(plan.stdout).toMatch(
      /build_table\s+model\.yearly: models\/yearly\.sql: cannot inherit the partitions replaced in hist: its column ym is not hist\.ym passed through; rebuilt in full/,
    );
    const build = run("build");
    expect(build.code, build.stdout + build.stderr).toBe(0);
    expect(await db("select ym, total from src.main.yearly order by 1")).toEqual(["2025 10", "2026 55"]);
    expect(await db("select sale_id, amount from src.main.hist_copy order by 1")).toEqual([
      "1 10",
      "2 25",
      "3 30",
    ]);
  });
});
