// Build benchmark: the example project (CoolWearPT, dev target: DuckDB source file, Parquet lake,
// DuckDB mart file) at 1M and 10M source sales. The source is generated once per size (not timed
// in the build). Each round resets the lake, mart and ledger and then times, as separate processes:
//   A  `sluice build --exclude resource_type:test`  (seed + 3 models, no data tests)
//   D  bench/build/direct.mjs: the same compiled SQL straight through DuckDB (see that file)
//   B  `sluice build`                                (seed + 3 models + 21 data tests)
// Ratio A/D is the overhead figure (target ≤ 1.15×); B shows what the tests add. A's fixed phases
// (run_results.json `phasesMs`) say where the rest of the gap goes.
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import {
  copyExample,
  ensureBuilt,
  fmt,
  log,
  median,
  OUT,
  REPO,
  report,
  sluice,
  table,
  timed,
} from "../lib.js";

const SIZES = (process.env.BENCH_BUILD_SIZES ?? "1000000,10000000").split(",").map(Number);
const runsFor = (n: number) => Number(process.env.BENCH_RUNS ?? (n >= 10_000_000 ? 2 : 3));

function resetTarget(dir: string): void {
  const dev = join(dir, ".sluice", "dev");
  for (const f of existsSync(dev) ? readdirSync(dev) : [])
    if (f !== "source.duckdb") rmSync(join(dev, f), { recursive: true, force: true });
}

interface NodeTiming {
  node: string;
  elapsedMs: number;
  rowsAffected?: number | null;
}

const TARGET = 1.15;

ensureBuilt();
const load = [loadavg()[0]!];
const results: Record<string, unknown>[] = [];
for (const n of SIZES) {
  const dir = join(OUT, "build", `n${n}`);
  const vars = ["--vars", `{coolwear_sales: ${n}}`];
  copyExample(dir);
  const gen = sluice([
    "run-operation",
    "coolwear_generate",
    "--connection",
    "source",
    "--args",
    `{sales: ${n}}`,
    "--project-dir",
    dir,
    ...vars,
  ]);
  log(`generated ${n} sales in ${fmt.s(gen.wallMs)}`);
  sluice(["compile", "--project-dir", dir, ...vars]);
  // What the build's on_run_start hook costs once the source exists (it is in A and B, not in D).
  const hook = sluice([
    "run-operation",
    "coolwear_generate",
    "--connection",
    "source",
    "--args",
    `{sales: ${n}}`,
    "--project-dir",
    dir,
    ...vars,
  ]);
  const a: number[] = [];
  const b: number[] = [];
  const d: number[] = [];
  const rssA: number[] = [];
  const rssD: number[] = [];
  let nodesA: NodeTiming[] = [];
  let phasesA: Record<string, number> = {};
  let phasesD: Record<string, number> = {};
  for (let i = 0; i < runsFor(n); i++) {
    resetTarget(dir);
    const ra = sluice(["build", "--exclude", "resource_type:test", "--project-dir", dir, ...vars]);
    a.push(ra.wallMs);
    if (ra.maxRssMb !== null) rssA.push(ra.maxRssMb);
    const runA = JSON.parse(readFileSync(join(dir, "target", "run_results.json"), "utf8")) as {
      results: NodeTiming[];
      phasesMs?: Record<string, number>;
    };
    nodesA = runA.results.map((r) => ({
      node: r.node,
      elapsedMs: r.elapsedMs,
      rowsAffected: r.rowsAffected,
    }));
    phasesA = runA.phasesMs ?? {};
    resetTarget(dir);
    const rd = timed(process.execPath, [join(REPO, "bench", "build", "direct.mjs"), dir]);
    d.push(rd.wallMs);
    if (rd.maxRssMb !== null) rssD.push(rd.maxRssMb);
    phasesD = JSON.parse(rd.stdout.trim());
    resetTarget(dir);
    const rb = sluice(["build", "--project-dir", dir, ...vars]);
    b.push(rb.wallMs);
    log(
      `${n}: sluice (no tests) ${fmt.s(ra.wallMs)}, direct ${fmt.s(rd.wallMs)}, sluice build ${fmt.s(rb.wallMs)}`,
    );
  }
  load.push(loadavg()[0]!);
  results.push({
    sales: n,
    generateMs: gen.wallMs,
    hookOnExistingSourceMs: hook.wallMs,
    sluiceNoTestsMs: a,
    directMs: d,
    sluiceBuildMs: b,
    median: { sluiceNoTests: median(a), direct: median(d), sluiceBuild: median(b) },
    peakRssMb: {
      sluiceNoTests: rssA.length ? median(rssA) : null,
      direct: rssD.length ? median(rssD) : null,
    },
    sluiceNodesLastRun: nodesA,
    sluicePhasesLastRunMs: phasesA,
    directPhasesLastRunMs: phasesD,
  });
}

const rows = results.map((r) => {
  const m = r.median as { sluiceNoTests: number; direct: number; sluiceBuild: number };
  const rss = r.peakRssMb as { sluiceNoTests: number | null; direct: number | null };
  return [
    fmt.n(r.sales as number),
    fmt.s(m.direct),
    fmt.s(m.sluiceNoTests),
    fmt.x(m.sluiceNoTests / m.direct),
    m.sluiceNoTests / m.direct <= TARGET ? "met" : `missed by ${fmt.x(m.sluiceNoTests / m.direct / TARGET)}`,
    fmt.s(m.sluiceBuild),
    fmt.x(m.sluiceBuild / m.direct),
    `${fmt.mb(rss.direct)} / ${fmt.mb(rss.sluiceNoTests)}`,
    `${(r.directMs as number[]).length}`,
  ];
});
let md = table(
  [
    "source sales",
    "direct DuckDB (D)",
    "sluice, no tests (A)",
    "A / D",
    `≤ ${TARGET}×`,
    "sluice build + 21 tests (B)",
    "B / D",
    "peak RSS D / A",
    "rounds",
  ],
  rows,
);
md +=
  "\n\nWhere the time goes (last round): sluice per-node elapsed from run_results.json vs the direct script's phases.\n\n";
md += table(
  [
    "source sales",
    "sluice: sales_history",
    "sluice: countries seed",
    "sluice: marts (each)",
    "direct: sales_history",
    "direct: seed",
    "direct: marts (both)",
    "hook on existing source (own process)",
  ],
  results.map((r) => {
    const nodes = r.sluiceNodesLastRun as NodeTiming[];
    const ms = (id: string) => nodes.find((x) => x.node === id)?.elapsedMs ?? NaN;
    const p = r.directPhasesLastRunMs as Record<string, number>;
    return [
      fmt.n(r.sales as number),
      fmt.s(ms("model.sales_history")),
      fmt.s(ms("seed.countries")),
      `${fmt.s(ms("model.sales_by_country_month"))}, ${fmt.s(ms("model.daily_category_revenue"))}`,
      fmt.s(p.sales_history ?? NaN),
      fmt.s(p.seed_countries ?? NaN),
      fmt.s(p.marts ?? NaN),
      fmt.s(r.hookOnExistingSourceMs as number),
    ];
  }),
);
md += "\n\nFixed phases of the last sluice run without tests (ms, run_results.json phasesMs):\n\n";
const phaseNames = [
  ...new Set(results.flatMap((r) => Object.keys(r.sluicePhasesLastRunMs as Record<string, number>))),
];
md += table(
  ["source sales", ...phaseNames],
  results.map((r) => [
    fmt.n(r.sales as number),
    ...phaseNames.map((p) => `${(r.sluicePhasesLastRunMs as Record<string, number>)[p] ?? ""}`),
  ]),
);
md += `\n\nLoad average (1 min) during the run: ${load.map((l) => l.toFixed(2)).join(" → ")}.`;
report("build", { results, loadavg: load }, md);
