// One transfer case in its own process, so its peak RSS is its own. Plain JavaScript on the built
// dist/ (what `sluice` itself runs), so no TypeScript loader sits in the measured process:
//   node bench/transfer/case.mjs <case>[:<memory_limit>] <rows> <workDir>
// A `:<memory_limit>` suffix (e.g. duck_load:128MB) runs a sluice case with the DuckDB memory_limit
// a profile would set.
// Prints one JSON line: { case, rows, opMs, maxRssMb }. `opMs` times only the transfer itself
// (instance creation, ATTACH and session opening are outside it). Cases:
//   generate      creates <workDir>/src.duckdb with main.t (int, bigint, decimal(18,2), varchar, date, timestamp)
//   native_copy   baseline: COPY (SELECT * FROM src.main.t) TO one Parquet file, plain @duckdb/node-api
//   native_ctas   baseline: CREATE TABLE dst.main.t AS SELECT * FROM src.main.t, plain @duckdb/node-api
//   lake_write    sluice lake adapter write(): the SELECT runs in DuckDB, COPY to the Parquet lake + commit
//   lake_load     sluice lake adapter load() fed by another session's stream(): rows pass through Node
//   duck_write    sluice DuckDB adapter write() ({kind: replace}): in-engine CREATE TABLE AS + swap
//   duck_load     sluice DuckDB adapter load() fed by another session's stream(): rows pass through Node
//   stream_only   only the reading half of the *_load cases: iterate stream() and drop the rows
//   spark_stage   sluice Hive adapter load() into Spark with stage_dir, fed by a DuckDB stream (needs SLUICE_TEST_SPARK=host:port)
//   spark_insert  the same without stage_dir (batched INSERT ... VALUES), first 20,000 rows only
import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { DuckDbEngine, createDuckDbAdapter } from "../../dist/adapters/duckdb/index.js";
import { DuckDbConnection, HiveConnection } from "../../dist/project/connection-schema.js";

const [caseArg, rowsText, workArg] = process.argv.slice(2);
const [which, memoryLimit] = caseArg.split(":");
const rows = Number(rowsText);
const work = resolve(workArg);
const srcFile = join(work, "src.duckdb");
const q = (s) => `'${s.replace(/'/g, "''")}'`;
const SELECT = `SELECT * FROM "src"."main"."t"`;
const SPARK_INSERT_ROWS = 20_000;
const rel = { schema: "main", name: "t" };

async function native(run, attachDst) {
  const instance = await DuckDBInstance.create(":memory:", {
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
  });
  const con = await instance.connect();
  await con.run(`ATTACH ${q(srcFile)} AS src (READ_ONLY)`);
  if (attachDst) await con.run(`ATTACH ${q(join(work, "dst_native.duckdb"))} AS dst`);
  const t = performance.now();
  await run(con);
  const ms = performance.now() - t;
  con.closeSync();
  instance.closeSync();
  return ms;
}

async function viaSluice(kind, run) {
  const engine = new DuckDbEngine(benchEngineSettings());
  const src = createDuckDbAdapter(
    "src",
    DuckDbConnection.parse({ type: "duckdb", path: srcFile }),
    engine,
    work,
    "bench",
  );
  const target = createDuckDbAdapter(
    "dst",
    DuckDbConnection.parse(
      kind === "lake"
        ? { type: "duckdb", path: join(work, "lake.duckdb"), lake_root: join(work, "lake") }
        : { type: "duckdb", path: join(work, "dst_sluice.duckdb") },
    ),
    engine,
    work,
    "bench",
  );
  const t = performance.now();
  await run(target, src);
  const ms = performance.now() - t;
  await target.close();
  await engine.close();
  return ms;
}

async function load(target, src, select = SELECT, into = rel) {
  const session = await target.open();
  const reader = await src.open();
  await target.load(session, into, reader.stream(select), { kind: "replace" });
  await reader.close();
  await session.close();
}

let opMs;
let extra = {};
switch (which) {
  case "generate": {
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    const instance = await DuckDBInstance.create(srcFile);
    const con = await instance.connect();
    const t = performance.now();
    await con.run(
      `CREATE TABLE t AS SELECT i::INTEGER AS i, (i * 7919)::BIGINT AS b, ((i % 1000000) / 100.0 + 0.01)::DECIMAL(18, 2) AS d, ` +
        `'customer_' || (i % 50000)::VARCHAR AS s, DATE '2020-01-01' + (i % 1500)::INTEGER AS dt, TIMESTAMP '2020-01-01' + to_seconds(i) AS ts FROM range(${rows}) r(i)`,
    );
    await con.run("CHECKPOINT");
    opMs = performance.now() - t;
    con.closeSync();
    instance.closeSync();
    break;
  }
  case "native_copy":
    rmSync(join(work, "native.parquet"), { force: true });
    opMs = await native(
      (con) => con.run(`COPY (${SELECT}) TO ${q(join(work, "native.parquet"))} (FORMAT parquet)`),
      false,
    );
    break;
  case "native_ctas":
    rmSync(join(work, "dst_native.duckdb"), { force: true });
    opMs = await native((con) => con.run(`CREATE TABLE dst.main.t AS ${SELECT}`), true);
    break;
  case "lake_write":
  case "lake_load":
    rmSync(join(work, "lake"), { recursive: true, force: true });
    rmSync(join(work, "lake.duckdb"), { force: true });
    rmSync(join(work, "lake.duckdb.wal"), { force: true });
    opMs = await viaSluice("lake", async (target, src) => {
      if (which === "lake_load") return load(target, src);
      const session = await target.open();
      await target.write(session, rel, SELECT, { kind: "replace" });
      await session.close();
    });
    break;
  case "duck_write":
  case "duck_load":
    rmSync(join(work, "dst_sluice.duckdb"), { force: true });
    rmSync(join(work, "dst_sluice.duckdb.wal"), { force: true });
    opMs = await viaSluice("duck", async (target, src) => {
      if (which === "duck_load") return load(target, src);
      const session = await target.open();
      await target.write(session, rel, SELECT, { kind: "replace" });
      await session.close();
    });
    break;
  case "stream_only":
    opMs = await viaSluice("duck", async (_target, src) => {
      const reader = await src.open();
      let n = 0;
      for await (const batch of reader.stream(SELECT)) n += batch.rowCount;
      await reader.close();
      extra = { counted: n };
    });
    break;
  case "spark_stage":
  case "spark_insert": {
    // Into Spark through the Hive adapter's load(): with stage_dir (Parquet files the server reads
    // from a shared folder), or through batched INSERT ... VALUES, which is slow enough that it
    // moves only the first SPARK_INSERT_ROWS rows.
    const [host, port] = (process.env.SLUICE_TEST_SPARK ?? "").split(":");
    const { createHiveAdapter } = await import("../../dist/adapters/hive/index.js");
    const stageDir = join(work, "spark-stage");
    mkdirSync(stageDir, { recursive: true });
    const staged = which === "spark_stage";
    const spark = createHiveAdapter(
      "spark",
      HiveConnection.parse({
        type: "hive",
        host,
        port: Number(port ?? 10000),
        database: "default",
        auth: "nosasl",
        ...(staged ? { stage_dir: stageDir } : {}),
      }),
    );
    const engine = new DuckDbEngine(benchEngineSettings());
    const src = createDuckDbAdapter(
      "src",
      DuckDbConnection.parse({ type: "duckdb", path: srcFile }),
      engine,
      work,
      "bench",
    );
    const moved = staged ? rows : Math.min(rows, SPARK_INSERT_ROWS);
    const t = performance.now();
    await load(spark, src, staged ? SELECT : `${SELECT} LIMIT ${moved}`, {
      schema: "default",
      name: "sluice_bench_t",
    });
    opMs = performance.now() - t;
    extra = { moved };
    await spark.close();
    await engine.close();
    break;
  }
  default:
    throw new Error(`unknown case ${which}`);
}
process.stdout.write(
  JSON.stringify({ case: caseArg, rows, opMs, maxRssMb: process.resourceUsage().maxRSS / 1024, ...extra }) +
    "\n",
);

/** DuckDB settings for the sluice cases, as a profile's `memory_limit` would give them. */
function benchEngineSettings() {
  return { tempDirectory: join(work, "tmp"), ...(memoryLimit ? { memoryLimit } : {}) };
}
