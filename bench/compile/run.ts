// Compile benchmark: synthetic projects of 1k and 10k models; cold `sluice compile` wall time
// (a new process each time, target/ and the template cache in .sluice/ removed first), warm wall
// time (cache and target/ kept, nothing changed), an in-process breakdown by phase, and for 10k
// models a CPU profile summarised by self time. Target: 10k models under 3 s wall, cold.
import { readdirSync, rmSync } from "node:fs";
import { loadavg } from "node:os";
import { join, relative } from "node:path";
import { generateProject } from "./generate.js";
import {
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
  CLI,
} from "../lib.js";

const SIZES = (process.env.BENCH_COMPILE_SIZES ?? "1000,10000").split(",").map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TARGET_MS = 3000;

ensureBuilt();
const results: Record<string, unknown>[] = [];
let profile: ReturnType<typeof summarise> | undefined;
for (const n of SIZES) {
  const dir = join(OUT, "compile", `p${n}`);
  const gen = generateProject(dir, n);
  log(`generated ${n} models in ${relative(REPO, dir)}`);
  // One warm-up to fill the OS file cache (the process itself is always cold).
  sluice(["compile", "--project-dir", dir]);
  const walls: number[] = [];
  const rss: number[] = [];
  // The machine is shared: the 1-minute load average before each cold run says how much.
  const loads: number[] = [];
  let summary = "";
  for (let i = 0; i < RUNS; i++) {
    rmSync(join(dir, "target"), { recursive: true, force: true });
    rmSync(join(dir, ".sluice"), { recursive: true, force: true });
    loads.push(loadavg()[0]!);
    const r = sluice(["compile", "--project-dir", dir]);
    walls.push(r.wallMs);
    if (r.maxRssMb !== null) rss.push(r.maxRssMb);
    summary = r.stdout.trim();
    log(`${n} models: ${fmt.s(r.wallMs)} (${summary}; load average ${loads[i]!.toFixed(1)})`);
  }
  const warm: number[] = [];
  for (let i = 0; i < RUNS; i++) warm.push(sluice(["compile", "--project-dir", dir]).wallMs);
  log(`${n} models warm: ${warm.map((w) => fmt.s(w)).join(", ")}`);
  const phases: { loadMs: number; compileMs: number; writeMs: number }[] = [];
  for (let i = 0; i < 3; i++) {
    rmSync(join(dir, "target"), { recursive: true, force: true });
    const r = timed(process.execPath, [
      "--import",
      "tsx",
      join(REPO, "bench", "compile", "inprocess.ts"),
      dir,
    ]);
    phases.push(JSON.parse(r.stdout.trim().split("\n").pop()!));
  }
  const noop = median([0, 1, 2].map(() => timed(process.execPath, [CLI, "--version"]).wallMs));
  results.push({
    models: n,
    generated: gen,
    summary,
    wallMs: walls,
    medianWallMs: median(walls),
    medianWarmWallMs: median(warm),
    loadAverage1m: loads,
    medianMaxRssMb: rss.length ? median(rss) : null,
    cliStartupMs: noop,
    phasesMs: {
      load: median(phases.map((p) => p.loadMs)),
      compile: median(phases.map((p) => p.compileMs)),
      write: median(phases.map((p) => p.writeMs)),
    },
  });
  if (n === Math.max(...SIZES)) {
    const profDir = join(OUT, "compile", "profile");
    rmSync(profDir, { recursive: true, force: true });
    rmSync(join(dir, "target"), { recursive: true, force: true });
    timed(process.execPath, ["--cpu-prof", "--cpu-prof-dir", profDir, CLI, "compile", "--project-dir", dir]);
    const file = readdirSync(profDir).find((f) => f.endsWith(".cpuprofile"));
    if (file) profile = summarise(join(profDir, file));
  }
}

const rows = results.map((r) => {
  const p = r.phasesMs as { load: number; compile: number; write: number };
  const g = r.generated as { staticModels: number; dynamicModels: number };
  return [
    fmt.n(r.models as number),
    `${g.staticModels} / ${g.dynamicModels}`,
    (r.summary as string).replace(/^Compiled /, "").replace(/ in .*$/, ""),
    fmt.s(r.medianWallMs as number),
    `${(r.wallMs as number[]).map((w) => (w / 1000).toFixed(2)).join(", ")}`,
    fmt.s(r.medianWarmWallMs as number),
    fmt.s(r.cliStartupMs as number),
    `${fmt.s(p.load)} / ${fmt.s(p.compile)} / ${fmt.s(p.write)}`,
    fmt.mb(r.medianMaxRssMb as number | null),
    median(r.loadAverage1m as number[]).toFixed(1),
    (r.models as number) >= 10000
      ? (r.medianWallMs as number) <= TARGET_MS
        ? "met (< 3 s)"
        : `missed (${fmt.x((r.medianWallMs as number) / TARGET_MS)} of 3 s)`
      : "",
  ];
});
let md = table(
  [
    "models",
    "static / dynamic",
    "nodes",
    "median wall (cold: no cache, no target)",
    "cold runs (s)",
    "median wall (warm: cache + target kept)",
    "`sluice --version` wall",
    "in-process load / compile / write",
    "peak RSS",
    "load average (1 min, cold runs)",
    "target",
  ],
  rows,
);
if (profile) {
  md += `\n\nCPU profile of one 10k-model compile (self time, ${fmt.s(profile.totalMs)} sampled):\n\n`;
  md += table(
    ["function (file:line)", "self ms"],
    profile.functions.map(([k, v]) => [`\`${k}\``, v.toFixed(0)]),
  );
  md +=
    "\n\n" +
    table(
      ["file / package", "self ms"],
      profile.files.map(([k, v]) => [`\`${k}\``, v.toFixed(0)]),
    );
}
report("compile", { runs: RUNS, results, profile }, md);
