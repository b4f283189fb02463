// What one sequence of the incremental-equals-full property costs (tests/property/sequence-run.ts),
// in this process: CPU seconds (every thread, DuckDB's included) and wall per sequence, and the
// statements sent to DuckDB per build (each call of the driver's run or stream, so a text of
// several statements counts once). To compare two commits, run it in a worktree of each, in turn.
//
//   npx tsx bench/property/run.ts      BENCH_PROPERTY_SEEDS=1-20  BENCH_RUNS=1
//
// Sequences that spawn CLI builds (spawnsTz) are left out: they measure process start-up instead.
import { DuckDBConnection } from "@duckdb/node-api";
import { runSequence, spawnsTz } from "../../tests/property/sequence-run.js";
import { loadavg } from "node:os";
import { report, table } from "../lib.js";

/** Builds per sequence: the first, then one per step (sequence-run.ts's STEPS = 3). */
const BUILDS = 4;

let statements = 0;
const driver = DuckDBConnection.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
for (const method of ["run", "stream"]) {
  const original = driver[method]!;
  driver[method] = function (this: unknown, ...args: unknown[]) {
    statements += 1;
    return original.apply(this, args);
  };
}

function seeds(): number[] {
  const [from, to] = (process.env["BENCH_PROPERTY_SEEDS"] ?? "1-20").split("-").map(Number);
  const out: number[] = [];
  for (let s = from!; s <= (to ?? from!); s++) if (!spawnsTz(s)) out.push(s);
  return out;
}

const runs = Number(process.env["BENCH_RUNS"] ?? 1);
const chosen = seeds();
const rounds = [];
for (let run = 1; run <= runs; run++) {
  const load = loadavg()[0]!;
  statements = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (const seed of chosen) await runSequence(seed);
  const used = process.cpuUsage(cpu);
  const round = {
    run,
    load: Number(load.toFixed(1)),
    sequences: chosen.length,
    cpuSecondsPerSequence: Number(((used.user + used.system) / 1e6 / chosen.length).toFixed(3)),
    wallSecondsPerSequence: Number(((performance.now() - started) / 1000 / chosen.length).toFixed(3)),
    statementsPerBuild: Number((statements / chosen.length / BUILDS).toFixed(1)),
  };
  rounds.push(round);
  console.log(JSON.stringify(round));
}
const markdown = table(
  ["run", "load", "sequences", "CPU-s / sequence", "wall-s / sequence", "statements / build"],
  rounds.map((r) => [
    r.run,
    r.load,
    r.sequences,
    r.cpuSecondsPerSequence,
    r.wallSecondsPerSequence,
    r.statementsPerBuild,
  ]),
);
report("property", { seeds: chosen, rounds }, markdown);
