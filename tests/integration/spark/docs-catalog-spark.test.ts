// `sluice docs generate` on the example project with its lake on a real Spark Thrift Server: the
// catalog reads the lake's columns and types through Spark's DESCRIBE and counts its rows there,
// checked against the source the lake was built from. Runs when SLUICE_TEST_SPARK=host:port is
// set (.ci/run starts a server); skipped otherwise.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sluice } from "../../helpers/cli.js";
import { queryDuckDb } from "../../helpers/duckdb.js";
import { exampleProject, type TempProject } from "../../helpers/temp-project.js";

const endpoint = process.env["SLUICE_TEST_SPARK"];
const suite = endpoint ? describe : describe.skip;
if (!endpoint) console.log("skipped: no Spark Thrift Server (set SLUICE_TEST_SPARK)");

type Catalog = {
  read: string[];
  unread: { connection: string; why: string }[];
  errors: { node: string; message: string }[];
  nodes: Record<
    string,
    {
      connection: string;
      from: string;
      why: string | null;
      columns: { name: string; type: string }[];
      rows: number | null;
    }
  >;
};

suite("docs catalog on a Spark lake", () => {
  let project: TempProject;
  const env = () => ({ SLUICE_SPARK_PORT: endpoint!.split(":")[1] ?? "10000" });
  const run = (args: string[]) =>
    sluice([...args, "--project-dir", project.dir, "--target", "spark"], { env: env() });

  beforeAll(() => {
    project = exampleProject();
    // A Hive database of this run's own, so reruns and other suites never collide.
    const profiles = join(project.dir, "profiles.yml");
    writeFileSync(
      profiles,
      readFileSync(profiles, "utf8").replace(
        "database: coolwear\n        auth: nosasl",
        `database: coolwear_docs_${process.pid}\n        auth: nosasl`,
      ),
    );
  });
  afterAll(() => project.remove());

  it("reads the lake's columns and types from Spark and counts its rows there", async () => {
    // The lake's model, the seed its tests read and its sources only: the CLI helper gives a command two minutes, and a
    // loaded Spark server takes most of that for one table.
    const build = run(["build", "--select", "sales_history", "countries", "--vars", "{coolwear_sales: 300}"]);
    expect(build.code, build.stdout + build.stderr).toBe(0);
    const generate = run(["docs", "generate"]);
    expect(generate.code, generate.stdout + generate.stderr).toBe(0);
    const catalog = JSON.parse(readFileSync(join(project.dir, "target/catalog.json"), "utf8")) as Catalog;
    expect(catalog.read.sort()).toEqual(["lake", "mart", "source"]);
    expect(catalog.unread).toEqual([]);
    expect(catalog.errors).toEqual([]);

    const history = catalog.nodes["model.sales_history"]!;
    expect(history.connection).toBe("lake");
    expect(history.from).toBe("engine");
    // Spark's own names and types, in the model's order (the partition column last, as selected).
    expect(history.columns.map((c) => c.name)).toEqual([
      "sale_id",
      "sale_date",
      "quantity",
      "unit_price",
      "revenue",
      "update_date",
      "client_id",
      "client_name",
      "country",
      "product_id",
      "product_name",
      "category",
      "year_month",
    ]);
    // As the adapter spells Spark's types (upper case).
    const types = Object.fromEntries(history.columns.map((c) => [c.name, c.type.toLowerCase()]));
    expect(types["sale_date"]).toBe("date");
    expect(types["client_name"]).toBe("string");
    expect(types["year_month"]).toMatch(/^(int|bigint)$/);

    // Every sale with its client and product is one row of the lake's history.
    const [expected] = await queryDuckDb(
      { source: join(project.dir, ".sluice/spark/source.duckdb") },
      `select count(*)::integer as n from source.production.sales s
       join source.production.clients c on c.client_id = s.client_id
       join source.production.products p on p.product_id = s.product_id`,
    );
    expect((expected as { n: number }).n).toBeGreaterThan(0);
    expect(history.rows).toBe((expected as { n: number }).n);
  }, 600_000);
});
