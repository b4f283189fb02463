// Transfer benchmark: rows/s and peak RSS for moving N rows (1M, 10M; int, bigint, decimal(18,2),
// varchar, date, timestamp) through sluice's adapters, each case in its own process (see case.mjs),
// against DuckDB's own COPY / CREATE TABLE AS in the same run. Peak RSS is the child's, from GNU
// time when installed (else the child's own process.resourceUsage().maxRSS).
// Targets: ≥ 0.8× native when both sides are DuckDB; ≥ 1M rows/s through Node streaming; peak RSS < 256 MB.
import { loadavg } from "node:os";
import { join } from "node:path";
import { readdirSync, rmSync } from "node:fs";
import { ensureBuilt, fmt, log, median, OUT, REPO, report, summariseProfile, table, timed } from "../lib.js";

const SIZES = (process.env.BENCH_TRANSFER_SIZES ?? "1000000,10000000").split(",").map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const spark = process.env.SLUICE_TEST_SPARK;
/** DuckDB memory_limit for the capped variants of the streaming cases (a profile's `memory_limit`). */
const CAP = process.env.BENCH_TRANSFER_MEMORY_LIMIT ?? "32MB";
const CASES = [
  "native_copy",
  "lake_write",
  "lake_load",
  `lake_load:${CAP}`,
  "native_ctas",
  "duck_write",
  "duck_load",
  `duck_load:${CAP}`,
  "stream_only",
  ...(spark ? ["spark_stage", "spark_insert"] : []),
];
const BASELINE: Record<string, string> = {
  lake_write: "native_copy",
  lake_load: "native_copy",
  duck_write: "native_ctas",
  duck_load: "native_ctas",
  stream_only: "native_ctas",
  spark_stage: "native_copy",
  spark_insert: "native_copy",
};
const baselineOf = (c: string) => BASELINE[c.split(":")[0]!];
const RSS_TARGET = 256;

function runCase(name: string, rows: number, work: string): { opMs: number; rssMb: number; moved: number } {
  const r = timed(process.execPath, [join(REPO, "bench", "transfer", "case.mjs"), name, String(rows), work]);
  const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as {
    opMs: number;
    maxRssMb: number;
    moved?: number;
  };
  return { opMs: out.opMs, rssMb: r.maxRssMb ?? out.maxRssMb, moved: out.moved ?? rows };
}

ensureBuilt();
if (!spark) log("SLUICE_TEST_SPARK is not set: skipping DuckDB → Spark");
const load = [loadavg()[0]!];
const results: { rows: number; moved: number; case: string; opMs: number[]; rssMb: number[] }[] = [];
for (const n of SIZES) {
  const work = join(OUT, "transfer", `n${n}`);
  runCase("generate", n, work);
  for (let i = 0; i < (n >= 10_000_000 ? 1 : RUNS); i++) {
    for (const c of CASES) {
      const r = runCase(c, n, work);
      let entry = results.find((x) => x.rows === n && x.case === c);
      if (!entry) results.push((entry = { rows: n, moved: r.moved, case: c, opMs: [], rssMb: [] }));
      entry.opMs.push(r.opMs);
      entry.rssMb.push(r.rssMb);
      log(
        `${n} ${c}: ${fmt.s(r.opMs)} for ${fmt.n(r.moved)} rows, ${fmt.n(Math.round(r.moved / (r.opMs / 1000)))} rows/s, peak RSS ${fmt.mb(r.rssMb)}`,
      );
    }
  }
  load.push(loadavg()[0]!);
}

// Where time goes on the Node path: one CPU profile of duck_load on the smallest size (main thread).
const profDir = join(OUT, "transfer", "profile");
rmSync(profDir, { recursive: true, force: true });
const smallest = Math.min(...SIZES);
timed(process.execPath, [
  "--cpu-prof",
  "--cpu-prof-dir",
  profDir,
  join(REPO, "bench", "transfer", "case.mjs"),
  "duck_load",
  String(smallest),
  join(OUT, "transfer", `n${smallest}`),
]);
const profiles = readdirSync(profDir)
  .filter((f) => f.endsWith(".cpuprofile"))
  .map((f) => summariseProfile(join(profDir, f)));
const profile = profiles.sort((a, b) => b.totalMs - a.totalMs)[0];

const LABEL: Record<string, string> = {
  native_copy: "baseline: DuckDB COPY → Parquet file",
  lake_write: "(a) lake adapter write(): in-engine COPY → lake",
  lake_load: "(a) lake adapter load(): stream through Node → lake",
  native_ctas: "baseline: DuckDB CREATE TABLE AS (file → file)",
  duck_write: "(b) DuckDB adapter write(): in-engine",
  duck_load: "(b) DuckDB adapter load(): stream through Node",
  stream_only: "read half only: stream() → discard",
  spark_stage: "(c) Hive adapter load() into Spark, stage_dir (Parquet files)",
  spark_insert: "(c) Hive adapter load() into Spark, INSERT … VALUES (first 20,000 rows)",
};
const rowsOut = results.map((r) => {
  const ms = median(r.opMs);
  const base = baselineOf(r.case)
    ? results.find((x) => x.rows === r.rows && x.case === baselineOf(r.case))
    : undefined;
  const rss = Math.max(...r.rssMb);
  const throughput = r.moved / (ms / 1000);
  const targets: string[] = [];
  const ratio = base && r.moved === r.rows ? median(base.opMs) / ms : undefined;
  if (ratio !== undefined && (r.case === "duck_write" || r.case === "lake_write"))
    targets.push(ratio >= 0.8 ? "≥0.8× met" : "≥0.8× missed");
  if (/_load|spark_|stream_only/.test(r.case))
    targets.push(throughput >= 1e6 ? "≥1M rows/s met" : "≥1M rows/s missed");
  targets.push(rss < RSS_TARGET ? "RSS met" : "RSS missed");
  const [name, cap] = r.case.split(":");
  return [
    fmt.n(r.rows),
    `${LABEL[name!] ?? name}${cap ? `, DuckDB memory_limit ${cap}` : ""}`,
    fmt.s(ms),
    fmt.n(Math.round(throughput)),
    ratio === undefined ? "—" : fmt.x(ratio),
    fmt.mb(rss),
    targets.join(", "),
  ];
});
let md = table(
  ["rows", "path", "median time", "rows/s", "speed vs baseline", "peak RSS (max of runs)", "targets"],
  rowsOut,
);
md += `\n\nSpeed vs baseline = baseline time / path time (1.00× = as fast as DuckDB alone). ${spark ? "" : "DuckDB → Spark skipped: SLUICE_TEST_SPARK is not set. "}Load average (1 min): ${load.map((l) => l.toFixed(2)).join(" → ")}.`;
if (profile) {
  md += `\n\nCPU profile of the main thread during duck_load of ${fmt.n(smallest)} rows (self time; "(idle)" = waiting on DuckDB's own threads, e.g. fetchChunk):\n\n`;
  md += table(
    ["function (file:line)", "self ms"],
    profile.functions.slice(0, 10).map(([k, v]) => [`\`${k}\``, v.toFixed(0)]),
  );
}
report("transfer", { runs: RUNS, results, loadavg: load, sparkSkipped: !spark, profile }, md);
