import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describePartitions } from "../../src/planner/lineage.js";
import { sluice } from "../helpers/cli.js";
import { TEST_CLOCK } from "../helpers/clock.js";
import { queryDuckDb } from "../helpers/duckdb.js";
import { exampleProject, type TempProject } from "../helpers/temp-project.js";

// Builds the example project (CoolWearPT) with the real binary, then checks the lake and mart
// against SQL written here, independently of the models, straight on the DuckDB files.
let project: TempProject;
const files = () => ({
  source: join(project.dir, ".sluice/dev/source.duckdb"),
  lake: join(project.dir, ".sluice/dev/lake.duckdb"),
  mart: join(project.dir, ".sluice/dev/mart.duckdb"),
});

beforeAll(() => {
  project = exampleProject();
});
afterAll(() => project.remove());

async function expectMartMatchesSource(): Promise<void> {
  const expected = await queryDuckDb(
    { source: files().source },
    `select c.country, extract(year from s.sale_date) * 100 + extract(month from s.sale_date) as year_month,
            count(*) as sales, sum(s.quantity)::bigint as units, sum(s.quantity * s.unit_price)::varchar as revenue
     from source.production.sales s join source.production.clients c using (client_id)
     group by all order by all`,
  );
  const actual = await queryDuckDb(
    { mart: files().mart },
    `select country, year_month, sales, units::bigint as units, revenue::varchar as revenue from mart.main.sales_by_country_month order by all`,
  );
  expect(actual).toEqual(expected);
}

async function expectLakeMatchesSource(): Promise<void> {
  const expected = await queryDuckDb(
    { source: files().source },
    `select s.sale_id, s.quantity, extract(year from s.sale_date) * 100 + extract(month from s.sale_date) as year_month, c.country, p.category
     from source.production.sales s join source.production.clients c using (client_id) join source.production.products p using (product_id)
     order by s.sale_id`,
  );
  const actual = await queryDuckDb(
    { lake: files().lake },
    "select sale_id, quantity, year_month, country, category from lake.main.sales_history order by sale_id",
  );
  expect(actual.length).toBe(expected.length);
  expect(actual).toEqual(expected);
}

describe("example project on embedded DuckDB", () => {
  it("builds end to end and every test passes", () => {
    const run = sluice(["build", "--project-dir", project.dir, "--vars", "{coolwear_sales: 3000}"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Done in [\d.]+s\. PASS \d+ WARN 0 ERROR 0 SKIP 0 UNCHANGED 0 TOTAL \d+/);
    expect(run.stdout).not.toMatch(/^\s*\d+\/\d+ ERROR/m);
  });

  it("lands in the mart exactly the aggregates of the source", async () => {
    await expectMartMatchesSource();
  });

  it("computes the daily category report with average and median", async () => {
    const expected = await queryDuckDb(
      { source: files().source },
      `select s.sale_date::varchar as day, p.category, count(*) as sales,
              round(avg(s.quantity * s.unit_price), 6) as avg_revenue, round(median(s.quantity * s.unit_price), 6) as median_revenue
       from source.production.sales s join source.production.products p using (product_id)
       group by all order by all limit 50`,
    );
    const actual = await queryDuckDb(
      { mart: files().mart },
      `select sale_date::varchar as day, category, sales, round(avg_revenue, 6) as avg_revenue, round(median_revenue, 6) as median_revenue
       from mart.main.daily_category_revenue order by all limit 50`,
    );
    expect(actual).toEqual(expected);
  });

  it("keeps in the lake exactly what the model's SQL gives on the source", async () => {
    await expectLakeMatchesSource();
  });

  it("follows the source after the generator inserts, updates and deletes sales", async () => {
    const mutate = sluice([
      "run-operation",
      "coolwear_mutate",
      "--connection",
      "source",
      "--args",
      "{seed: 7, new_sales: 50, updated_sales: 40, deleted_sales: 10}",
      "--project-dir",
      project.dir,
    ]);
    expect(mutate.code).toBe(0);
    const removed = await queryDuckDb(
      { source: files().source },
      "select count(*)::int as n from source.production.removed",
    );
    expect(removed).toEqual([{ n: 10 }]);
    // New sales are dated by the pinned clock, not by the day the tests run.
    const newest = await queryDuckDb(
      { source: files().source },
      "select max(sale_date)::varchar as day from source.production.sales",
    );
    expect(newest).toEqual([{ day: TEST_CLOCK.slice(0, 10) }]);
    const run = sluice(["build", "--project-dir", project.dir]);
    expect(run.code).toBe(0);
    await expectLakeMatchesSource();
    await expectMartMatchesSource();
  });

  it("writes the manifest, compiled SQL and run results", async () => {
    const { readFileSync } = await import("node:fs");
    const manifest = JSON.parse(readFileSync(join(project.dir, "target/manifest.json"), "utf8"));
    expect(manifest.manifestVersion).toBe(1);
    expect(manifest.nodes["model.sales_history"].config).toMatchObject({
      connection: "lake",
      compute: "source",
      partitionBy: ["year_month"],
    });
    const compiled = readFileSync(join(project.dir, "target/compiled/models/lake/sales_history.sql"), "utf8");
    expect(compiled).toContain('from "source"."production"."sales" s');
    const results = JSON.parse(readFileSync(join(project.dir, "target/run_results.json"), "utf8"));
    expect(results.success).toBe(true);
    // Where the fixed cost of the run went, phase by phase, in whole milliseconds.
    for (const phase of [
      "start",
      "compile",
      "lock",
      "ledger_open",
      "on_run_start",
      "plan",
      "steps",
      "ledger_close",
    ])
      expect(Number.isInteger(results.phasesMs[phase]), phase).toBe(true);
    // The build after the mutation replaced only the months the changes touched.
    const history = results.results.find((r: { node: string }) => r.node === "model.sales_history");
    expect(history.action).toBe("replace_partitions");
    // The wording follows the number of months touched ("partitions a, b" or "7 partitions (a … b)").
    const months = `rebuild ${describePartitions(history.partitions)} of sales_history: `;
    expect(history.reason.startsWith(months), history.reason).toBe(true);
    expect(history.reason.slice(months.length)).toMatch(
      /^\d+ inserted or updated and 10 deleted rows in production\.sales since /,
    );
    expect(history.partitions.length).toBeGreaterThan(0);
    expect(history.partitions.length).toBeLessThan(10);
    // The mart grouped by year_month recomputed just those months (and still matches the source,
    // checked after the mutation above); the one grouped by day was rebuilt.
    const mart = (id: string) => results.results.find((r: { node: string }) => r.node === id);
    expect(mart("model.sales_by_country_month")).toMatchObject({
      action: "replace_partitions",
      partitions: history.partitions,
    });
    expect(mart("model.daily_category_revenue").action).toBe("build_table");
    // Its reconcile test profiled just the partitions the build replaced, on the lake and the source.
    const reconcile = results.results.find(
      (r: { node: string }) => r.node === "test.reconcile_sales_history",
    );
    expect(reconcile).toMatchObject({
      status: "pass",
      message: `checked the ${history.partitions.length} partitions this build replaced`,
    });
  });

  it("fails the reconcile test when the mart drifts from the lake", async () => {
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const instance = await DuckDBInstance.create(files().mart);
    const c = await instance.connect();
    await c.run(
      "update main.sales_by_country_month set revenue = revenue + 1 where year_month = (select min(year_month) from main.sales_by_country_month) and country = 'PT'",
    );
    c.closeSync();
    instance.closeSync();
    const run = sluice(["test", "--project-dir", project.dir, "--select", "sales_by_country_month"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /ERROR\s+run_test test\.reconcile_sales_by_country_month .*1 partition differs between mart and lake/,
    );
    // The table's SQL and inputs did not change, so a build leaves it (and its failing test tells why);
    // --full-refresh rebuilds it from the lake.
    expect(
      sluice(["build", "--project-dir", project.dir, "--select", "sales_by_country_month"]).stdout,
    ).toMatch(/UNCHANGED skip model\.sales_by_country_month .*unchanged/);
    expect(
      sluice(["build", "--project-dir", project.dir, "--select", "sales_by_country_month", "--full-refresh"])
        .code,
    ).toBe(0);
  });
});
