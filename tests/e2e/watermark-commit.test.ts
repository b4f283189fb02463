import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sluice } from "../helpers/cli.js";
import { executeOnDuckDb } from "../helpers/duckdb.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";
import { trackedSalesSources } from "../helpers/tracked-sales.js";

// A lineage model's watermarks commit only after its error-severity tests ran and passed.
// `sluice run` runs those tests for the lineage models it writes (and says so); a build that
// excludes one does not advance the watermarks (and says so), so the next build loads the window
// again. The steps run in order, each on the state the one before left.
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
select sale_id, amount, year(sale_date) * 100 + month(sale_date) as ym from {{ source('app', 'sales') }}`,
    "models/hist.yml": `models:
  - name: hist
    columns:
      - name: amount
        tests:
          - expression: { expression: ">= 0" }
`,
  });
});
afterAll(() => project.remove());

const onSource = (sql: string) => executeOnDuckDb(join(project.dir, ".sluice/src.duckdb"), "src", sql);
const run = (...args: string[]) => sluice([...args, "--project-dir", project.dir]);

describe("watermarks and blocking tests", () => {
  it("builds first", async () => {
    await onSource(`create schema app;
      create table app.sales (sale_id int, sale_date date, amount int, updated_at bigint);
      create table app.removed (sale_id int, removed_at bigint, ym int);
      insert into app.sales values (1, date '2026-01-05', 10, 1), (2, date '2026-02-05', 20, 1)`);
    expect(run("build").code).toBe(0);
  });

  it("sluice run runs the lineage model's blocking test, says why, and then advances the watermark", async () => {
    await onSource("update app.sales set amount = 11, updated_at = 2 where sale_id = 1");
    const result = run("run");
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/expression_hist_amount/);
    const results = run("plan");
    expect(results.stdout).toMatch(/model\.hist: no changes in app\.sales since 2/);
  });

  it("a build excluding that test does not advance the watermark, says so, and the next build loads the window again", async () => {
    await onSource("update app.sales set amount = 21, updated_at = 3 where sale_id = 2");
    const plan = run("plan", "--exclude", "expression_hist_amount");
    expect(plan.stdout).toMatch(
      /model\.hist: rebuild partition 202602 of hist: .*; watermarks not advanced: its error test expression_hist_amount is not part of this run/,
    );
    const build = run("build", "--exclude", "expression_hist_amount");
    expect(build.code, build.stdout + build.stderr).toBe(0);
    expect(build.stdout).toMatch(/hist: watermarks not advanced/);
    expect(run("plan").stdout).toMatch(
      /model\.hist: rebuild partition 202602 of hist: 1 inserted or updated and 0 deleted rows in app\.sales since 2/,
    );
    expect(run("build").code).toBe(0);
    expect(run("plan").stdout).toMatch(/model\.hist: no changes in app\.sales since 3/);
  });

  it("sluice run with a failing blocking test exits 1 and keeps the watermark", async () => {
    await onSource("update app.sales set amount = -5, updated_at = 4 where sale_id = 1");
    const result = run("run");
    expect(result.code, result.stdout).toBe(1);
    expect(run("plan").stdout).toMatch(
      /model\.hist: rebuild partition 202601 of hist: 1 inserted or updated and 0 deleted rows in app\.sales since 3/,
    );
  });
});
