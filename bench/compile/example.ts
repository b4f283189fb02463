// The example project's fixed costs, as new processes: a `sluice build` with nothing changed
// (everything built once before), and `sluice plan` after one model changed (a comment appended to
// a mart model, different each round, so the plan has one model to rebuild). Targets (issue 16):
// both ≤ 0.5 s. BENCH_EXAMPLE_SALES source sales (default 1,000,000), generated once, not timed.
// BENCH_BASE_CLI names an older build of sluice to time the same two commands with, each round.
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { copyExample, ensureBuilt, fmt, log, median, OUT, report, sluice, table, timed } from "../lib.js";

const SALES = Number(process.env.BENCH_EXAMPLE_SALES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TARGET_MS = 500;
const BASE = process.env.BENCH_BASE_CLI;

ensureBuilt();
const dir = join(OUT, "compile", "example");
const vars = ["--vars", `{coolwear_sales: ${SALES}}`, "--project-dir", dir];
copyExample(dir);
const first = sluice(["build", ...vars]);
log(`first build with ${fmt.n(SALES)} sales: ${fmt.s(first.wallMs)}`);
// A second build settles what the first one leaves to do (nothing should be left; this makes sure).
sluice(["build", ...vars]);
const mart = join(dir, "models", "marts", "daily_category_revenue.sql");
const original = readFileSync(mart, "utf8");
const build: number[] = [];
const plan: number[] = [];
const loads: number[] = [];
const baseBuild: number[] = [];
const basePlan: number[] = [];
// CPU (user + sys, GNU time; NaN where it is missing): wall moves with the load, CPU far less.
const cpu = {
  build: [] as number[],
  plan: [] as number[],
  baseBuild: [] as number[],
  basePlan: [] as number[],
};
const cpuOf = (t: { cpuMs: number | null }) => t.cpuMs ?? Number.NaN;
let planOut = "";
for (let i = 0; i < RUNS; i++) {
  loads.push(loadavg()[0]!);
  writeFileSync(mart, original);
  const b = sluice(["build", ...vars]);
  build.push(b.wallMs);
  cpu.build.push(cpuOf(b));
  appendFileSync(mart, `\n-- changed in round ${i + 1}\n`);
  const p = sluice(["plan", ...vars]);
  plan.push(p.wallMs);
  cpu.plan.push(cpuOf(p));
  planOut = p.stdout;
  if (BASE) {
    writeFileSync(mart, original);
    const bb = timed(process.execPath, [BASE, "build", ...vars]);
    baseBuild.push(bb.wallMs);
    cpu.baseBuild.push(cpuOf(bb));
    appendFileSync(mart, `\n-- changed again in round ${i + 1}\n`);
    const bp = timed(process.execPath, [BASE, "plan", ...vars]);
    basePlan.push(bp.wallMs);
    cpu.basePlan.push(cpuOf(bp));
  }
  const both = (wall: number, cpuMs: number) => `${fmt.s(wall)} (CPU ${fmt.s(cpuMs)})`;
  log(
    `round ${i + 1}: no-change build ${both(build[i]!, cpu.build[i]!)}, plan after a change ` +
      `${both(plan[i]!, cpu.plan[i]!)} (load ${loads[i]!.toFixed(1)})` +
      (BASE
        ? `; base: build ${both(baseBuild[i]!, cpu.baseBuild[i]!)}, plan ${both(basePlan[i]!, cpu.basePlan[i]!)}`
        : ""),
  );
}
writeFileSync(mart, original);
const verdict = (ms: number) => (ms <= TARGET_MS ? "met" : `missed by ${fmt.x(ms / TARGET_MS)}`);
const runs = (xs: number[]) => xs.map((w) => (w / 1000).toFixed(2)).join(", ");
const md = table(
  [
    "example project",
    "wall, median (rounds)",
    "older build, same rounds",
    "CPU, median: now / older",
    "target",
    "load average (per round)",
  ],
  [
    [
      `\`sluice build\`, nothing changed (${fmt.n(SALES)} sales)`,
      `${fmt.s(median(build))} (${runs(build)})`,
      BASE ? `${fmt.s(median(baseBuild))} (${runs(baseBuild)})` : "—",
      `${fmt.s(median(cpu.build))} / ${BASE ? fmt.s(median(cpu.baseBuild)) : "—"}`,
      `≤ 0.50 s: ${verdict(median(build))}`,
      loads.map((l) => l.toFixed(1)).join(", "),
    ],
    [
      "`sluice plan` after one model changed",
      `${fmt.s(median(plan))} (${runs(plan)})`,
      BASE ? `${fmt.s(median(basePlan))} (${runs(basePlan)})` : "—",
      `${fmt.s(median(cpu.plan))} / ${BASE ? fmt.s(median(cpu.basePlan)) : "—"}`,
      `≤ 0.50 s: ${verdict(median(plan))}`,
      "",
    ],
  ],
);
report(
  "compile-example",
  {
    runs: RUNS,
    sales: SALES,
    buildMs: build,
    planMs: plan,
    baseBuildMs: baseBuild,
    basePlanMs: basePlan,
    cpuMs: cpu,
    loads,
    planOut,
  },
  md,
);
