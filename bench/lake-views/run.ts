// What binding an embedded lake view costs as its live folders grow: a table partitioned into N
// partitions (one version folder each) written through the lake adapter, then the DESCRIBE of a
// query over its view, which binds the view as every model reading it does (and the lake's own
// DESCRIBE before each COPY). To compare two commits, run it in a worktree of each, in turn.
//
//   npx tsx bench/lake-views/run.ts      BENCH_FOLDERS=10,60,240  BENCH_BINDS=200
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDbEngine } from "../../src/adapters/duckdb/duckdb-connection.js";
import { DuckDbLakeAdapter } from "../../src/adapters/duckdb/duckdb-lake-adapter.js";
import { report, table } from "../lib.js";

const counts = (process.env["BENCH_FOLDERS"] ?? "10,60,240").split(",").map(Number);
const binds = Number(process.env["BENCH_BINDS"] ?? 200);
const rounds = [];
for (const folders of counts) {
  const dir = mkdtempSync(join(tmpdir(), "sluice-bench-lake-"));
  const engine = new DuckDbEngine({ threads: 1 });
  try {
    const lake = new DuckDbLakeAdapter(
      "lake",
      engine,
      join(dir, "lake.duckdb"),
      join(dir, "lake"),
      "main",
      "b1",
    );
    const session = await lake.open();
    await lake.ensureSchema(session, "lake");
    const rows =
      `SELECT i::BIGINT AS id, (i % ${folders})::INTEGER AS part, 'row ' || i AS note ` +
      `FROM range(${folders * 10}) t(i)`;
    const rel = { schema: "lake", name: "t" };
    await lake.write(session, rel, rows, { kind: "replace", partitionBy: ["part"] });
    const load = loadavg()[0]!;
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (let i = 0; i < binds; i++)
      await session.query(`DESCRIBE (SELECT * FROM "lake"."lake"."t" WHERE id > ${i})`);
    const used = process.cpuUsage(cpu);
    const round = {
      folders,
      load: Number(load.toFixed(1)),
      cpuMsPerBind: Number(((used.user + used.system) / 1000 / binds).toFixed(2)),
      wallMsPerBind: Number(((performance.now() - started) / binds).toFixed(2)),
    };
    rounds.push(round);
    console.log(JSON.stringify(round));
    await session.close();
    await lake.close();
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
report(
  "lake-views",
  { binds, rounds },
  table(
    ["live folders", "load", "CPU-ms / bind", "wall-ms / bind"],
    rounds.map((r) => [r.folders, r.load, r.cpuMsPerBind, r.wallMsPerBind]),
  ),
);
