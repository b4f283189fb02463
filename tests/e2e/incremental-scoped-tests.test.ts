import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sluice } from "../helpers/cli.js";
import { executeOnDuckDb } from "../helpers/duckdb.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";
import { trackedSalesSources } from "../helpers/tracked-sales.js";

// Data tests in a build that replaced some partitions read only those partitions (unique: the keys
// found there, over the whole table), and say so; bad rows landing in a rebuilt partition still
// fail them. The steps run in order, each building on the state the one before left.
let project: TempProject;
let clock = 10;

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
select sale_id, receipt, status, amount, year(sale_date) * 100 + month(sale_date) as ym
from {{ source('app', 'sales') }}`,
    "models/hist_copy.sql": `{{ config(materialized='incremental', connection='lake', partition_by='ym', strategy='insert_overwrite') }}
select sale_id, amount, ym from {{ ref('hist') }}
{% if is_incremental() %}where false{% endif %}`,
    "models/schema.yml": `models:
  - name: hist
    columns:
      - name: sale_id
        tests: [unique, not_null]
      - name: receipt
        tests: [unique]
      - name: status
        tests:
          - accepted_values: { values: [ok, late] }
    tests:
      - row_count: { min: 1 }
  - name: hist_copy
    columns:
      - name: sale_id
        tests: [unique]
`,
  });
});
afterAll(() => project.remove());

const onSource = (sql: string) => executeOnDuckDb(join(project.dir, ".sluice/src.duckdb"), "src", sql);

interface Result {
  node: string;
  status: string;
  reason: string;
  message?: string;
  failures?: number;
  scope?: { model: string; partitions: string[][] };
  sample?: { columns: string[]; rows: unknown[][] };
}
const results = (): Map<string, Result> =>
  new Map(
    (
      JSON.parse(readFileSync(join(project.dir, "target/run_results.json"), "utf8")) as { results: Result[] }
    ).results.map((r) => [r.node, r]),
  );
const run = (...args: string[]) => sluice([...args, "--project-dir", project.dir]);

describe("data tests in an incremental build", () => {
  it("test whole tables in the first build", async () => {
    await onSource(`create schema app;
      create table app.sales (sale_id int, receipt varchar, status varchar, amount int, sale_date date, updated_at bigint);
      create table app.removed (sale_id int, removed_at bigint, ym int);
      insert into app.sales values (1, 'r1', 'ok', 10, date '2026-01-05', 1), (2, 'r2', 'ok', 20, date '2026-02-05', 1), (3, 'r3', 'ok', 30, date '2026-03-05', 1), (4, 'r4', 'late', 40, date '2026-03-06', 1)`);
    const build = run("build");
    expect(build.code, build.stdout + build.stderr).toBe(0);
    for (const r of results().values()) expect(r.scope, r.node).toBeUndefined();
  });

  it("narrows the tests of the replaced partitions, downstream too, and says so in plan, output and run results", async () => {
    await onSource(`update app.sales set amount = 11, updated_at = ${++clock} where sale_id = 1`);
    const plan = run("plan");
    expect(plan.stdout).toMatch(
      /run_test +test\.unique_hist_sale_id: error test on partition 202601 of hist, the rows this build replaces/,
    );
    expect(plan.stdout).toMatch(
      /run_test +test\.unique_hist_copy_sale_id: error test on partition 202601 of hist_copy/,
    );
    expect(plan.stdout).toMatch(
      /run_test +test\.row_count_hist: error test over the whole table: row_count tests are not narrowed to partitions\n/,
    );
    const build = run("build");
    expect(build.code, build.stdout + build.stderr).toBe(0);
    expect(build.stdout).toMatch(
      /PASS +run_test test\.not_null_hist_sale_id .* — on partition 202601 of hist/,
    );
    const r = results();
    for (const id of [
      "test.unique_hist_sale_id",
      "test.not_null_hist_sale_id",
      "test.accepted_values_hist_status",
    ])
      expect(r.get(id)?.scope, id).toEqual({ model: "model.hist", partitions: [["202601"]] });
    expect(r.get("test.unique_hist_copy_sale_id")?.scope).toEqual({
      model: "model.hist_copy",
      partitions: [["202601"]],
    });
    expect(r.get("test.row_count_hist")?.scope).toBeUndefined();
  });

  it("fails on a NULL, a bad value, and a key duplicated across a rebuilt and an untouched partition", async () => {
    // Receipt r3 already sits in March, which this build leaves alone (it is not the model's unique_key,
    // so nothing dirties March); the new sale with the same receipt lands in January.
    await onSource(
      `insert into app.sales values (8, 'r3', 'ok', 31, date '2026-01-07', ${++clock}), (null, 'r9', 'ok', 50, date '2026-01-08', ${clock}), (5, 'r5', 'lost', 60, date '2026-01-09', ${clock})`,
    );
    const build = run("build");
    expect(build.code).toBe(1);
    const r = results();
    expect(r.get("model.hist")).toMatchObject({ partitions: [["202601"]] });
    const unique = r.get("test.unique_hist_receipt")!;
    expect(unique).toMatchObject({
      status: "fail",
      failures: 1,
      message: "1 failing row on partition 202601 of hist",
      scope: { model: "model.hist", partitions: [["202601"]] },
    });
    expect(unique.sample).toEqual({ columns: ["receipt", "n_records"], rows: [["r3", "2"]] });
    expect(r.get("test.unique_hist_sale_id")).toMatchObject({
      status: "pass",
      failures: 0,
      scope: { partitions: [["202601"]] },
    });
    expect(r.get("test.not_null_hist_sale_id")).toMatchObject({
      status: "fail",
      failures: 1,
      message: "1 failing row on partition 202601 of hist",
    });
    expect(r.get("test.accepted_values_hist_status")).toMatchObject({
      status: "fail",
      failures: 1,
      sample: { columns: ["value_field", "n_records"], rows: [["lost", "1"]] },
    });
    expect(build.stdout).toMatch(
      /ERROR +run_test test\.unique_hist_receipt .* — 1 failing row on partition 202601 of hist\n +receipt \| n_records\n +r3 \| 2/,
    );
  });

  it("tests whole tables with sluice test, and after a failure until the test passes again", async () => {
    const test = run("test");
    expect(test.code).toBe(1);
    expect(results().get("test.unique_hist_receipt")).toMatchObject({
      failures: 1,
      message: "1 failing row",
    });
    for (const r of results().values()) expect(r.scope, r.node).toBeUndefined();

    await onSource(`update app.sales set receipt = 'r8', updated_at = ${++clock} where sale_id = 8;
      update app.sales set sale_id = 7, updated_at = ${clock} where sale_id is null;
      update app.sales set status = 'ok', updated_at = ${clock} where sale_id = 5`);
    const fixed = run("build");
    expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
    expect(results().get("test.unique_hist_receipt")).toMatchObject({
      status: "pass",
      reason: "error test over the whole table: it did not pass last time (fail)",
    });
    expect(results().get("test.unique_hist_receipt")?.scope).toBeUndefined();

    await onSource(`update app.sales set amount = 21, updated_at = ${++clock} where sale_id = 2`);
    const again = run("build", "--log-format", "json");
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(results().get("test.unique_hist_receipt")?.scope).toEqual({
      model: "model.hist",
      partitions: [["202602"]],
    });
    const ended = again.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { event: string; node?: string; scope?: unknown })
      .find((e) => e.event === "node_end" && e.node === "test.unique_hist_receipt");
    expect(ended?.scope).toEqual({ model: "model.hist", partitions: [["202602"]] });
  });

  it("tests whole tables in a full refresh", () => {
    const build = run("build", "--full-refresh");
    expect(build.code, build.stdout + build.stderr).toBe(0);
    for (const r of results().values()) expect(r.scope, r.node).toBeUndefined();
  });
});
