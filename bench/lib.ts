// Shared helpers for the benchmark scripts: spawning the built CLI with timing and peak RSS,
// medians, copying the example project, and writing results under bench/out/.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const OUT = join(REPO, "bench", "out");
export const CLI = join(REPO, "bin", "sluice.js");
const GNU_TIME = "/usr/bin/time";

export interface Timed {
  wallMs: number;
  /** Peak resident set of the child process in MB (GNU time), when available. */
  maxRssMb: number | null;
  /** User + system CPU time of the child (GNU time), when available: steadier than wall on a busy machine. */
  cpuMs: number | null;
  stdout: string;
  stderr: string;
  status: number | null;
}

/** Runs a command to completion, timing its wall clock and (through GNU time) its CPU and peak RSS. */
export function timed(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; allowFail?: boolean } = {},
): Timed {
  const useTime = existsSync(GNU_TIME);
  const rssFile = join(OUT, `.rss-${process.pid}`);
  mkdirSync(OUT, { recursive: true });
  const [c, a] = useTime ? [GNU_TIME, ["-f", "%M %U %S", "-o", rssFile, cmd, ...args]] : [cmd, args];
  const started = process.hrtime.bigint();
  const r = spawnSync(c, a, {
    cwd: opts.cwd ?? REPO,
    env: { ...process.env, CI: "1", ...opts.env },
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  let maxRssMb: number | null = null;
  let cpuMs: number | null = null;
  if (useTime && existsSync(rssFile)) {
    const [kb, user, sys] = readFileSync(rssFile, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
    if (Number.isFinite(kb)) maxRssMb = kb! / 1024;
    if (Number.isFinite(user) && Number.isFinite(sys)) cpuMs = (user! + sys!) * 1000;
    rmSync(rssFile, { force: true });
  }
  if (r.status !== 0 && !opts.allowFail) {
    throw new Error(
      `${cmd} ${args.join(" ")} exited ${r.status}\n${r.stdout?.slice(-4000)}\n${r.stderr?.slice(-4000)}`,
    );
  }
  return { wallMs, maxRssMb, cpuMs, stdout: r.stdout ?? "", stderr: r.stderr ?? "", status: r.status };
}

/** Runs the built CLI (`node bin/sluice.js ...`). */
export function sluice(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; allowFail?: boolean } = {},
): Timed {
  return timed(process.execPath, [CLI, ...args], opts);
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Builds dist/ once, so the CLI measured is the current source. */
export function ensureBuilt(): void {
  if (process.env.BENCH_SKIP_BUILD) return;
  timed("npm", ["run", "build", "--silent"]);
}

/** Copies the example project (CoolWearPT) at the repository root into a fresh folder. */
export function copyExample(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const p of ["project.yml", "profiles.yml", "models", "macros", "seeds", "data_tests"]) {
    if (existsSync(join(REPO, p))) cpSync(join(REPO, p), join(dir, p), { recursive: true });
  }
}

export function machine(): string {
  const c = cpus();
  return `${c.length} cores (${c[0]?.model.trim() ?? "unknown cpu"}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${process.platform}`;
}

/** Writes results JSON and a markdown table under bench/out/<name>/. */
export function report(name: string, data: unknown, markdown: string): void {
  const dir = join(OUT, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "results.json"),
    JSON.stringify({ date: new Date().toISOString(), machine: machine(), ...(data as object) }, null, 2),
  );
  writeFileSync(join(dir, "results.md"), markdown);
  process.stdout.write(`\n${markdown}\n`);
}

export function table(head: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

export const fmt = {
  s: (ms: number) => `${(ms / 1000).toFixed(2)} s`,
  x: (r: number) => `${r.toFixed(2)}×`,
  mb: (mb: number | null) => (mb === null ? "n/a" : `${mb.toFixed(0)} MB`),
  n: (n: number) => n.toLocaleString("en-US"),
};

export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** Self time per function and per file from a V8 .cpuprofile. */
export function summariseProfile(path: string): {
  functions: [string, number][];
  files: [string, number][];
  totalMs: number;
} {
  const prof = JSON.parse(readFileSync(path, "utf8")) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  prof.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0) / 1000);
  });
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  let total = 0;
  for (const [id, ms] of self) {
    const n = byId.get(id)!;
    const url = n.callFrame.url.replace(/^file:\/\//, "");
    const short = url
      ? url.includes("node_modules/")
        ? url.slice(url.lastIndexOf("node_modules/") + 13)
        : relative(REPO, url)
      : "(native)";
    const key = `${n.callFrame.functionName || "(anonymous)"} ${short}${url ? `:${n.callFrame.lineNumber + 1}` : ""}`;
    fn.set(key, (fn.get(key) ?? 0) + ms);
    const f = url
      ? url.includes("node_modules/")
        ? `${short
            .split("/")
            .slice(0, short.startsWith("@") ? 2 : 1)
            .join("/")} (dep)`
        : short
      : n.callFrame.functionName || "(native)";
    file.set(f, (file.get(f) ?? 0) + ms);
    total += ms;
  }
  const top = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, 12);
  return { functions: top(fn), files: top(file), totalMs: total };
}
