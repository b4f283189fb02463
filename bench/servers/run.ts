// Server adapters benchmark: rows/s read and loaded by the PostgreSQL and MySQL adapters against
// each server's own bulk tool in the same run (psql \copy; the mariadb client's LOAD DATA and a
// --quick SELECT), on N rows of INTEGER, BIGINT, DECIMAL(18,2), VARCHAR, DATE, TIMESTAMP. Needs
// SLUICE_TEST_POSTGRES and/or SLUICE_TEST_MYSQL (npm run pg:start / mariadb:start print them).
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import type { Adapter, Column, LogicalType, RowBatch } from "../../src/adapters/contract.js";
import { createMySqlAdapter } from "../../src/adapters/mysql/index.js";
import { loadText } from "../../src/adapters/mysql/mysql-values.js";
import { createPostgresAdapter } from "../../src/adapters/postgres/index.js";
import { copyText } from "../../src/adapters/postgres/postgres-values.js";
import { mysqlConfig, postgresConfig } from "../../tests/integration/servers.js";
import { fmt, log, median, OUT, report, table, timed } from "../lib.js";

const ROWS = Number(process.env.BENCH_SERVER_ROWS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const BATCH = 10_000;
const SCHEMA = "sluice_bench";

const col = (name: string, type: LogicalType): Column => ({ name, type, nativeType: "" });
const COLUMNS = [
  col("id", { kind: "integer", bits: 32 }),
  col("big", { kind: "integer", bits: 64 }),
  col("amount", { kind: "decimal", precision: 18, scale: 2 }),
  col("customer", { kind: "string" }),
  col("day", { kind: "date" }),
  col("at", { kind: "timestamp" }),
];

/** The rows in the typed form another engine (DuckDB) hands over, generated once before timing. */
function generate(): RowBatch[] {
  const out: RowBatch[] = [];
  for (let start = 0; start < ROWS; start += BATCH) {
    const n = Math.min(BATCH, ROWS - start);
    const id = new Int32Array(n),
      big = new BigInt64Array(n),
      amount = new BigInt64Array(n),
      day = new Int32Array(n),
      at = new BigInt64Array(n);
    const customer: string[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const k = start + i;
      id[i] = k;
      big[i] = BigInt(k) * 1_000_003n;
      amount[i] = BigInt((k * 7919) % 10_000_000);
      customer[i] = `customer_${k % 100_000}`;
      day[i] = 19_000 + (k % 1500);
      at[i] = 1_700_000_000_000_000n + BigInt(k) * 1_000_001n;
    }
    out.push({
      columns: COLUMNS,
      rowCount: n,
      vectors: [
        { encoding: "int32", values: id },
        { encoding: "int64", values: big },
        { encoding: "int64", values: amount },
        { encoding: "cells", values: customer },
        { encoding: "int32", values: day },
        { encoding: "int64", values: at },
      ],
    });
  }
  return out;
}

async function* replay(batches: RowBatch[]): AsyncIterable<RowBatch> {
  yield* batches;
}

interface Engine {
  name: string;
  adapters: { label: string; adapter: () => Adapter }[];
  /** The text the server's own loader reads, from the same rows. */
  fileText(batch: RowBatch): string;
  nativeLoad(file: string, table: string): void;
  nativeRead(table: string): void;
}

const results: { engine: string; case: string; ms: number[] }[] = [];
function record(engine: string, name: string, ms: number): void {
  let entry = results.find((r) => r.engine === engine && r.case === name);
  if (!entry) results.push((entry = { engine, case: name, ms: [] }));
  entry.ms.push(ms);
  log(`${engine} ${name}: ${fmt.s(ms)}, ${fmt.n(Math.round(ROWS / (ms / 1000)))} rows/s`);
}

async function timedMs(work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function bench(engine: Engine, batches: RowBatch[]): Promise<void> {
  mkdirSync(join(OUT, "servers"), { recursive: true });
  const file = join(OUT, "servers", `${engine.name}.tsv`);
  writeFileSync(file, batches.map((b) => engine.fileText(b)).join(""));
  const main = engine.adapters[0]!.adapter();
  const session = await main.open();
  await main.ensureSchema(session, SCHEMA);
  const q = (name: string) => main.dialect.relation({ schema: SCHEMA, name });
  const defs = COLUMNS.map(
    (c) => `${main.dialect.quoteIdentifier(c.name)} ${main.dialect.nativeType(c.type)}`,
  ).join(", ");
  for (let run = 0; run < RUNS; run++) {
    await main.dropRelation(session, { schema: SCHEMA, name: "t_native" });
    await session.execute(`CREATE TABLE ${q("t_native")} (${defs})`);
    const started = process.hrtime.bigint();
    engine.nativeLoad(file, `${SCHEMA}.t_native`);
    record(engine.name, "load: server's own tool", Number(process.hrtime.bigint() - started) / 1e6);
    for (const { label, adapter } of engine.adapters) {
      const a = adapter();
      const s = await a.open();
      record(
        engine.name,
        `load: ${label}`,
        await timedMs(() =>
          a.load(s, { schema: SCHEMA, name: "t_adapter" }, replay(batches), { kind: "replace" }),
        ),
      );
      await s.close();
      await a.close();
    }
    const count = Number((await session.query(`SELECT COUNT(*) FROM ${q("t_adapter")}`)).rows[0]?.[0]);
    if (count !== ROWS) throw new Error(`${engine.name}: the adapter loaded ${count} rows, not ${ROWS}`);
    const readStarted = process.hrtime.bigint();
    engine.nativeRead(`${SCHEMA}.t_native`);
    record(engine.name, "read: server's own tool", Number(process.hrtime.bigint() - readStarted) / 1e6);
    let seen = 0;
    record(
      engine.name,
      "read: adapter stream()",
      await timedMs(async () => {
        for await (const b of session.stream(`SELECT * FROM ${q("t_adapter")}`, BATCH)) seen += b.rowCount;
      }),
    );
    if (seen !== ROWS) throw new Error(`${engine.name}: the adapter read ${seen} rows, not ${ROWS}`);
  }
  await session.execute(
    engine.name === "postgres" ? `DROP SCHEMA ${SCHEMA} CASCADE` : `DROP DATABASE ${SCHEMA}`,
  );
  await session.close();
  await main.close();
}

const engines: Engine[] = [];
const pgUrl = process.env.SLUICE_TEST_POSTGRES;
if (pgUrl) {
  const config = postgresConfig(pgUrl);
  const psql = (command: string) =>
    timed(
      "psql",
      [
        "-X",
        "-q",
        "-h",
        config.host,
        "-p",
        String(config.port),
        "-U",
        config.user ?? "postgres",
        "-d",
        config.database,
        "-c",
        command,
      ],
      {
        env: { PGPASSWORD: config.password ?? "" },
      },
    );
  engines.push({
    name: "postgres",
    adapters: [
      { label: "adapter load() (COPY FROM STDIN)", adapter: () => createPostgresAdapter("bench", config) },
    ],
    fileText: copyText,
    nativeLoad: (file, t) => psql(`\\copy ${t} FROM '${file}'`),
    nativeRead: (t) => psql(`\\copy (SELECT * FROM ${t}) TO '/dev/null'`),
  });
} else log("SLUICE_TEST_POSTGRES is not set: skipping PostgreSQL");
const myUrl = process.env.SLUICE_TEST_MYSQL;
if (myUrl) {
  const config = mysqlConfig(myUrl);
  const client = (args: string[]) =>
    timed("mariadb", [
      "-h",
      config.host,
      "-P",
      String(config.port),
      `-u${config.user ?? "root"}`,
      `-p${config.password ?? ""}`,
      ...args,
    ]);
  engines.push({
    name: "mysql",
    adapters: [
      {
        label: "adapter load() (LOAD DATA LOCAL INFILE)",
        adapter: () => createMySqlAdapter("bench", config),
      },
      {
        label: "adapter load() (bulk_load: insert)",
        adapter: () => createMySqlAdapter("bench", { ...config, bulk_load: "insert" }),
      },
    ],
    fileText: loadText,
    nativeLoad: (file, t) =>
      client([
        "--local-infile=1",
        "-e",
        `LOAD DATA LOCAL INFILE '${file}' INTO TABLE ${t} FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n'`,
      ]),
    nativeRead: (t) => client(["--quick", "--batch", "-e", `SELECT * FROM ${t}`]),
  });
} else log("SLUICE_TEST_MYSQL is not set: skipping MySQL");

const load = [loadavg()[0]!];
const batches = generate();
for (const engine of engines) {
  await bench(engine, batches);
  load.push(loadavg()[0]!);
}
const rows = results.map((r) => {
  const base = results.find(
    (b) => b.engine === r.engine && b.case === `${r.case.split(":")[0]}: server's own tool`,
  )!;
  return [
    r.engine,
    r.case,
    fmt.s(median(r.ms)),
    fmt.n(Math.round(ROWS / (median(r.ms) / 1000))),
    fmt.x(median(base.ms) / median(r.ms)),
  ];
});
report(
  "servers",
  { rows: ROWS, runs: RUNS, loadAverage: load, peakRssMb: process.resourceUsage().maxRSS / 1024, results },
  `${fmt.n(ROWS)} rows, median of ${RUNS} runs, 1-minute load average ${load.map((l) => l.toFixed(1)).join(" → ")}, ` +
    `peak RSS of the bench process ${fmt.mb(process.resourceUsage().maxRSS / 1024)} (holds the generated rows)\n\n` +
    table(["server", "case", "time", "rows/s", "vs own tool"], rows),
);
