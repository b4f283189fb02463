// The example project with its lake on a real Spark Thrift Server: `sluice build --target spark`,
// then a mutation of the source and an incremental build that replaces only the touched months.
// Runs when SLUICE_TEST_SPARK=host:port is set (.ci/run starts a server); skipped otherwise.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describePartitions } from "../../../src/planner/lineage.js";
import type { Plan } from "../../../src/planner/plan.js";
import { sluice } from "../../helpers/cli.js";
import { queryDuckDb } from "../../helpers/duckdb.js";
import { exampleProject, type TempProject } from "../../helpers/temp-project.js";

const endpoint = process.env["SLUICE_TEST_SPARK"];
const suite = endpoint ? describe : describe.skip;
if (!endpoint) console.log("skipped: no Spark Thrift Server (set SLUICE_TEST_SPARK)");

suite("example project on a Spark lake", () => {
  let project: TempProject;
  const env = () => ({ SLUICE_SPARK_PORT: endpoint!.split(":")[1] ?? "10000" });
  const run = (args: string[]) =>
    sluice([...args, "--project-dir", project.dir, "--target", "spark"], { env: env() });

  beforeAll(() => {
    project = exampleProject();
    // Each run gets its own Hive database, so reruns and other suites never collide.
    const database = `coolwear_ci_${process.pid}`;
    const { readFileSync, writeFileSync } = require("node:fs") as typeof import("node:fs");
    const profiles = join(project.dir, "profiles.yml");
    writeFileSync(
      profiles,
      readFileSync(profiles, "utf8").replace(
        "database: coolwear\n        auth: nosasl",
        `database: ${database}\n        auth: nosasl`,
      ),
    );
  });
  afterAll(() => project.remove());

  async function expectMartMatchesSource(): Promise<void> {
    const dir = join(project.dir, ".sluice/spark");
    const expected = await queryDuckDb(
      { source: join(dir, "source.duckdb") },
      `select c.country, extract(year from s.sale_date) * 100 + extract(month from s.sale_date) as year_month, count(*) as sales
       from source.production.sales s join source.production.clients c using (client_id) group by all order by all`,
    );
    const actual = await queryDuckDb(
      { mart: join(dir, "mart.duckdb") },
      "select country, year_month::bigint as year_month, sales::bigint as sales from mart.main.sales_by_country_month order by all",
    );
    expect(actual).toEqual(expected);
  }

  it("builds the three-connection example with every test passing", async () => {
    const result = run(["build", "--vars", "{coolwear_sales: 2000}"]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    await expectMartMatchesSource();
  }, 300_000);

  it("replaces only the months the source changes touched", async () => {
    expect(
      run([
        "run-operation",
        "coolwear_mutate",
        "--connection",
        "source",
        "--args",
        "{seed: 4, new_sales: 30, updated_sales: 20, deleted_sales: 5}",
      ]).code,
    ).toBe(0);
    const plan = run(["plan", "--select", "sales_history", "--json"]);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    const step = (JSON.parse(plan.stdout) as Plan).steps.find((s) => s.node === "model.sales_history")!;
    expect(step.action).toBe("replace_partitions");
    const partitions = step.write?.kind === "partitions" ? step.write.partitions : [];
    expect(partitions.length).toBeGreaterThan(0);
    // The wording follows the number of months touched ("partitions a, b" or "7 partitions (a … b)").
    const months = `rebuild ${describePartitions(partitions)} of sales_history: `;
    expect(step.reason.startsWith(months), step.reason).toBe(true);
    expect(step.reason).toMatch(/ 5 deleted rows in production\.sales since /);
    const result = run(["build"]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/PASS +replace_partitions model\.sales_history \d+ rows \d+ partitions?/);
    await expectMartMatchesSource();
    const again = run(["build", "--select", "sales_history"]);
    expect(again.stdout).toMatch(/UNCHANGED skip model\.sales_history .* no changes in production\.sales/);
  }, 300_000);
});
