// Compile benchmark: synthetic projects of 100, 1k and 10k models, each also generated as the
// equivalent dbt project, measured round by round in one run (a new process each time):
//   cold        `sluice compile`, target/ and .sluice/ (the caches) removed first
//   dbt parse   dbt 2 (the Rust engine, `dbt parse`) on the dbt project, its target/ removed first
//   sluice/dbt  `sluice compile` cold on that same dbt project (sluice reads dbt projects)
//   no change   `sluice compile` again with nothing changed (caches and target/ kept)
//   --version   `sluice --version`, the process start
// plus an in-process breakdown by phase and, for the largest size, a CPU profile of a cold compile.
// Targets (issue 16): no change ≤ 0.15 s at 100 models and ≤ 0.4 s at 10k; cold ≤ 1.0× dbt 2's
// parse at 100, ≤ 0.5× at 1k, ≤ 0.35× at 10k. dbt 2 comes from BENCH_DBT (a `dbt` binary) or
// the venv bench/out/dbt2-venv (`pip install --only-binary=:all: "dbt==2.0.0rc196"`); without it
// the dbt columns stay empty. BENCH_BASE_CLI names another build of sluice (bin/sluice.js of an
// older tree) to measure cold and no-change alongside, round by round.
import { existsSync, readdirSync, rmSync } from "node:fs";
import { loadavg } from "node:os";
import { join, relative } from "node:path";
import { generateProject } from "./generate.js";
import {
  CLI,
  ensureBuilt,
  fmt,
  log,
  median,
  OUT,
  REPO,
  report,
  sluice,
  summariseProfile as summarise,
  table,
  timed,
} from "../lib.js";

const SIZES = (process.env.BENCH_COMPILE_SIZES ?? "100,1000,10000").split(",").map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const NO_CHANGE_TARGET_MS: Record<number, number> = { 100: 150, 10000: 400 };
const DBT_RATIO_TARGET: Record<number, number> = { 100: 1.0, 1000: 0.5, 10000: 0.35 };
const DBT = process.env.BENCH_DBT ?? join(OUT, "dbt2-venv", "bin", "dbt");
const haveDbt = existsSync(DBT);
const BASE = process.env.BENCH_BASE_CLI;
const base = (args: string[]) => timed(process.execPath, [BASE!, ...args]);
if (!haveDbt) log(`no dbt 2 at ${DBT}: the dbt columns stay empty`);

const clean = (dir: string) => {
  for (const d of ["target", ".sluice", "logs"]) rmSync(join(dir, d), { recursive: true, force: true });
};
const dbtParse = (dir: string) => {
  const r = timed(DBT, ["parse", "--profiles-dir", dir, "--project-dir", dir], { cwd: dir });
  if (!/Finished 'parse' successfully/.test(r.stdout + r.stderr))
    throw new Error(`dbt parse did not succeed in ${dir}:\n${(r.stdout + r.stderr).slice(-3000)}`);
  return r;
};

ensureBuilt();
const dbtVersion = haveDbt ? timed(DBT, ["--version"]).stdout.trim() : null;
const results: Record<string, unknown>[] = [];
let profile: ReturnType<typeof summarise> | undefined;
for (const n of SIZES) {
  const dir = join(OUT, "compile", `p${n}`);
  const dbtDir = join(OUT, "compile", `dbt${n}`);
  const gen = generateProject(dir, n);
  generateProject(dbtDir, n, "dbt");
  log(`generated ${n} models in ${relative(REPO, dir)} and ${relative(REPO, dbtDir)}`);
  // A compile does not trust a file modified less than 2 s before it (compile-fingerprint.ts):
  // a project's files are older than that, freshly generated ones are not yet.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2_500);
  // One warm-up each to fill the OS file cache (the processes themselves are always cold).
  sluice(["compile", "--project-dir", dir]);
  sluice(["compile", "--project-dir", dbtDir]);
  if (haveDbt) dbtParse(dbtDir);
  const cold: number[] = [];
  const noChange: number[] = [];
  const dbt: number[] = [];
  const onDbt: number[] = [];
  const version: number[] = [];
  const baseCold: number[] = [];
  const baseNoChange: number[] = [];
  const baseVersion: number[] = [];
  const rss: number[] = [];
  // CPU (user + sys) of the same processes: the machine is shared, and CPU moves less with load.
  const cpu = { cold: [] as number[], noChange: [] as number[], version: [] as number[] };
  const baseCpu = { cold: [] as number[], noChange: [] as number[], version: [] as number[] };
  const cpuOf = <T extends { cpuMs: number | null }>(t: T, into: number[]): T => {
    if (t.cpuMs !== null) into.push(t.cpuMs);
    return t;
  };
  // The machine is shared: the 1-minute load average at the start of each round says how much.
  const loads: number[] = [];
  let summary = "";
  for (let i = 0; i < RUNS; i++) {
    loads.push(loadavg()[0]!);
    clean(dir);
    const r = cpuOf(sluice(["compile", "--project-dir", dir]), cpu.cold);
    cold.push(r.wallMs);
    if (r.maxRssMb !== null) rss.push(r.maxRssMb);
    summary = r.stdout.trim();
    if (haveDbt) {
      clean(dbtDir);
      dbt.push(dbtParse(dbtDir).wallMs);
    }
    clean(dbtDir);
    onDbt.push(sluice(["compile", "--project-dir", dbtDir]).wallMs);
    noChange.push(cpuOf(sluice(["compile", "--project-dir", dir]), cpu.noChange).wallMs);
    version.push(cpuOf(timed(process.execPath, [CLI, "--version"]), cpu.version).wallMs);
    if (BASE) {
      clean(dir);
      baseCold.push(cpuOf(base(["compile", "--project-dir", dir]), baseCpu.cold).wallMs);
      baseNoChange.push(cpuOf(base(["compile", "--project-dir", dir]), baseCpu.noChange).wallMs);
      baseVersion.push(cpuOf(base(["--version"]), baseCpu.version).wallMs);
    }
    log(
      `${n} models, round ${i + 1}: cold ${fmt.s(cold[i]!)}, dbt parse ${haveDbt ? fmt.s(dbt[i]!) : "—"}, ` +
        `sluice on the dbt project ${fmt.s(onDbt[i]!)}, no change ${fmt.s(noChange[i]!)}, ` +
        `--version ${fmt.s(version[i]!)}` +
        (BASE
          ? `; base: cold ${fmt.s(baseCold[i]!)}, no change ${fmt.s(baseNoChange[i]!)}, --version ${fmt.s(baseVersion[i]!)}`
          : "") +
        ` (${summary}; load average ${loads[i]!.toFixed(1)})`,
    );
  }
  const phases: { loadMs: number; compileMs: number; writeMs: number }[] = [];
  // One in-process breakdown per size: the rounds above are the measurement, this says where it goes.
  for (let i = 0; i < 1; i++) {
    rmSync(join(dir, "target"), { recursive: true, force: true });
    const r = timed(process.execPath, [
      "--import",
      "tsx",
      join(REPO, "bench", "compile", "inprocess.ts"),
      dir,
    ]);
    phases.push(JSON.parse(r.stdout.trim().split("\n").pop()!));
  }
  results.push({
    models: n,
    generated: gen,
    summary,
    coldMs: cold,
    noChangeMs: noChange,
    dbtParseMs: dbt,
    sluiceOnDbtProjectMs: onDbt,
    versionMs: version,
    base: BASE ? { coldMs: baseCold, noChangeMs: baseNoChange, versionMs: baseVersion } : null,
    cpuMs: cpu,
    baseCpuMs: BASE ? baseCpu : null,
    loadAverage1m: loads,
    medianMaxRssMb: rss.length ? median(rss) : null,
    phasesMs: {
      load: median(phases.map((p) => p.loadMs)),
      compile: median(phases.map((p) => p.compileMs)),
      write: median(phases.map((p) => p.writeMs)),
    },
  });
  if (n === Math.max(...SIZES)) {
    const profDir = join(OUT, "compile", "profile");
    rmSync(profDir, { recursive: true, force: true });
    clean(dir);
    timed(process.execPath, ["--cpu-prof", "--cpu-prof-dir", profDir, CLI, "compile", "--project-dir", dir]);
    const file = readdirSync(profDir).find((f) => f.endsWith(".cpuprofile"));
    if (file) profile = summarise(join(profDir, file));
  }
}

const runs = (xs: number[]) => xs.map((w) => (w / 1000).toFixed(2)).join(", ");
const verdict = (ratio: number) => (ratio <= 1 ? "met" : `missed by ${fmt.x(ratio)}`);
const rows = results.map((r) => {
  const n = r.models as number;
  const cold = r.coldMs as number[];
  const dbt = r.dbtParseMs as number[];
  const noChange = r.noChangeMs as number[];
  const p = r.phasesMs as { load: number; compile: number; write: number };
  // Ratio per round (both measured back to back), then the median of those.
  const ratios = dbt.map((d, i) => cold[i]! / d);
  const ratio = ratios.length ? median(ratios) : null;
  const targets: string[] = [];
  const nc = NO_CHANGE_TARGET_MS[n];
  if (nc) targets.push(`no change ≤ ${fmt.s(nc)}: ${verdict(median(noChange) / nc)}`);
  const rt = DBT_RATIO_TARGET[n];
  if (rt && ratio !== null) targets.push(`cold ≤ ${rt}× dbt: ${verdict(ratio / rt)}`);
  return [
    fmt.n(n),
    (r.summary as string).replace(/^Compiled /, "").replace(/ in .*$/, ""),
    `${fmt.s(median(cold))} (${runs(cold)})`,
    dbt.length ? `${fmt.s(median(dbt))} (${runs(dbt)})` : "—",
    ratio !== null ? `${fmt.x(ratio)} (${ratios.map((x) => x.toFixed(2)).join(", ")})` : "—",
    fmt.s(median(r.sluiceOnDbtProjectMs as number[])),
    `${fmt.s(median(noChange))} (${runs(noChange)})`,
    fmt.s(median(r.versionMs as number[])),
    `${fmt.s(p.load)} / ${fmt.s(p.compile)} / ${fmt.s(p.write)}`,
    fmt.mb(r.medianMaxRssMb as number | null),
    (r.loadAverage1m as number[]).map((l) => l.toFixed(1)).join(", "),
    targets.join("; "),
  ];
});
let md = `dbt: ${dbtVersion ?? "not installed"}; ${RUNS} rounds, medians (each round's figures in brackets).\n\n`;
md += table(
  [
    "models",
    "nodes",
    "`sluice compile` cold",
    "`dbt parse` (dbt 2) cold",
    "sluice / dbt (per round)",
    "sluice cold on the dbt project",
    "`sluice compile`, nothing changed",
    "`sluice --version`",
    "in-process load / compile / write (cold target)",
    "peak RSS (cold)",
    "load average (1 min, per round)",
    "targets",
  ],
  rows,
);
if (BASE) {
  md += `\n\nThe same rounds with the older build (${BASE}):\n\n`;
  md += table(
    [
      "models",
      "cold: before → now",
      "nothing changed: before → now",
      "`--version`: before → now",
      "CPU cold: before → now",
      "CPU nothing changed: before → now",
      "CPU `--version`: before → now",
    ],
    results.map((r) => {
      const b = r.base as { coldMs: number[]; noChangeMs: number[]; versionMs: number[] };
      type Cpu = { cold: number[]; noChange: number[]; version: number[] };
      const c = r.cpuMs as Cpu;
      const bc = r.baseCpuMs as Cpu;
      const pair = (before: number[], now: number[]) =>
        before.length && now.length
          ? `${fmt.s(median(before))} → ${fmt.s(median(now))} (${fmt.x(median(now) / median(before))})`
          : "—";
      return [
        fmt.n(r.models as number),
        pair(b.coldMs, r.coldMs as number[]),
        pair(b.noChangeMs, r.noChangeMs as number[]),
        pair(b.versionMs, r.versionMs as number[]),
        pair(bc.cold, c.cold),
        pair(bc.noChange, c.noChange),
        pair(bc.version, c.version),
      ];
    }),
  );
}
if (profile) {
  md += `\n\nCPU profile of one cold compile at ${fmt.n(Math.max(...SIZES))} models (self time, ${fmt.s(profile.totalMs)} sampled):\n\n`;
  md += table(
    ["function (file:line)", "self ms"],
    profile.functions.map(([k, v]) => [`\`${k}\``, v.toFixed(0)]),
  );
  md += `\n\n${table(
    ["file / package", "self ms"],
    profile.files.map(([k, v]) => [`\`${k}\``, v.toFixed(0)]),
  )}`;
}
report("compile", { runs: RUNS, dbt: dbtVersion, results, profile }, md);
