// The direct baseline for bench/build: the same compiled SQL as sluice, run straight through
// @duckdb/node-api with no sluice code. Plain JavaScript so it starts like `node bin/sluice.js`
// (no TypeScript loader). Usage: node direct.mjs <projectDir>
//
// It does what a build of the example must do, and nothing else:
//   1. one in-memory DuckDB instance (same settings as sluice), ATTACH source/lake/mart files
//   2. seed countries: COPY read_csv(seeds/countries.csv) TO <lake_root>/main/countries/data_0.parquet + a view
//   3. sales_history: COPY (<compiled SQL>) TO <lake_root>/main/sales_history (FORMAT parquet,
//      PARTITION_BY (year_month)) + a view over it with hive_partitioning and hive_types
//   4. the two marts at once (two connections): CREATE TABLE mart.main.<name> AS <compiled SQL>
import { mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";

const dir = resolve(process.argv[2]);
const manifest = JSON.parse(readFileSync(join(dir, "target", "manifest.json"), "utf8"));
const dev = join(dir, ".sluice", "dev");
const lakeRoot = join(dev, "lake");
const q = (s) => `'${s.replace(/'/g, "''")}'`;
const timings = {};
const t = async (name, work) => {
  const start = performance.now();
  await work();
  timings[name] = performance.now() - start;
};

const started = performance.now();
mkdirSync(join(lakeRoot, "main"), { recursive: true });
const instance = await DuckDBInstance.create(":memory:", {
  autoinstall_known_extensions: "false",
  autoload_known_extensions: "false",
});
const con = await instance.connect();
await t("attach", async () => {
  for (const name of ["source", "lake", "mart"])
    await con.run(`ATTACH ${q(join(dev, `${name}.duckdb`))} AS ${name}`);
});
await t("seed_countries", async () => {
  const file = join(lakeRoot, "main", "countries", "data_0.parquet");
  mkdirSync(join(lakeRoot, "main", "countries"), { recursive: true });
  await con.run(
    `COPY (select * from read_csv(${q(join(dir, "seeds", "countries.csv"))}, header = true, auto_detect = true)) TO ${q(file)} (FORMAT parquet)`,
  );
  await con.run(`CREATE OR REPLACE VIEW lake.main.countries AS SELECT * FROM read_parquet(${q(file)})`);
});
await t("sales_history", async () => {
  const sql = manifest.nodes["model.sales_history"].compiledSql;
  const out = join(lakeRoot, "main", "sales_history");
  await con.run(`COPY (\n${sql}\n) TO ${q(out)} (FORMAT parquet, PARTITION_BY (year_month))`);
  await con.run(
    `CREATE OR REPLACE VIEW lake.main.sales_history AS SELECT * FROM read_parquet(${q(`${out}/*/*.parquet`)}, hive_partitioning = true, hive_types = {'year_month': 'INTEGER'})`,
  );
});
await t("marts", async () => {
  await Promise.all(
    ["sales_by_country_month", "daily_category_revenue"].map(async (name) => {
      const c = await instance.connect();
      await c.run(`CREATE TABLE mart.main.${name} AS\n${manifest.nodes[`model.${name}`].compiledSql}`);
      c.closeSync();
    }),
  );
});
con.closeSync();
instance.closeSync();
timings.total = performance.now() - started;
process.stdout.write(`${JSON.stringify(timings)}\n`);
