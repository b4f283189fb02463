import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sluice } from "../helpers/cli.js";
import { executeOnDuckDb } from "../helpers/duckdb.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";

// Rows a change window can never see are reported: a NULL update stamp, and a stamp after the
// source's own clock (it becomes the watermark, so later rows with true stamps fall below it).
// A warning in plan and in the run summary by default; `stamp_problems: error` fails the plan.
let project: TempProject;
const sources = (policy: string) => `sources:
  - name: app
    connection: src
    schema: app
    tables:
      - name: sales
        change_tracking: { updated_at: updated_at${policy} }
`;

beforeAll(() => {
  project = tempProject({
    "profiles.yml":
      "targets:\n  dev:\n    connections:\n      src: { type: duckdb, path: .sluice/src.duckdb }\n",
    "models/sources.yml": sources(""),
    "models/hist.sql": `{{ config(materialized='incremental', partition_by='ym', unique_key='sale_id') }}
select sale_id, year(sale_date) * 100 + month(sale_date) as ym from {{ source('app', 'sales') }}`,
  });
});
afterAll(() => project.remove());

const run = (...args: string[]) => sluice([...args, "--project-dir", project.dir]);

describe("rows no change window can see", () => {
  it("are reported in plan and in the run summary, as warnings", async () => {
    await executeOnDuckDb(
      join(project.dir, ".sluice/src.duckdb"),
      "src",
      `create schema app;
      create table app.sales (sale_id int, sale_date date, updated_at timestamp);
      insert into app.sales values (1, date '2026-01-05', timestamp '2026-01-05 10:00:00'), (2, date '2026-02-05', null),
        (3, date '2026-03-05', timestamp '2999-01-01 00:00:00')`,
    );
    expect(run("build").code).toBe(0);
    const plan = run("plan");
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(
      /model\.hist: no changes in app\.sales since 2999-01-01 00:00:00; warning: 1 row of app\.sales has a NULL update stamp and is never loaded incrementally; warning: 1 row of app\.sales is stamped after the source's clock \(watermark 2999-01-01 00:00:00\)/,
    );
    const build = run("build");
    expect(build.code).toBe(0);
    expect(build.stdout).toMatch(/warning: model\.hist: 1 row of app\.sales has a NULL update stamp/);
    expect(build.stdout).toMatch(
      /warning: model\.hist: 1 row of app\.sales is stamped after the source's clock/,
    );
  });

  it("fail the plan when the source says stamp_problems: error", () => {
    project.write("models/sources.yml", sources(", stamp_problems: error"));
    const plan = run("plan");
    expect(plan.code).not.toBe(0);
    expect(plan.stderr + plan.stdout).toMatch(
      /app\.sales has stamp_problems: error, so hist is not planned \(fix the stamps, or set stamp_problems: warn\)/,
    );
  });
});
