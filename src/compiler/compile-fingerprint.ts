// A compile with nothing changed does not happen: after a compile, target/cache/inputs.json keeps
// what it depended on, and the next compile compares that before loading anything. Kept:
//   - the options (project and profiles folder, target, --vars), the working folder, sluice's own
//     code (the file and build it runs from) and a SHA-256 of the whole environment (env_var()
//     and profiles.yml may read any variable; a hash, so no value is written down);
//   - every file the load read or looked for, and every folder it listed with everything under it
//     (project/input-files.ts), each by size, modification and change time (to the nanosecond) and
//     inode, as git's index does; a file modified less than RACY_MS before the compile started
//     could change again within one clock tick unseen, so it is kept as never matching;
//   - what the compile wrote: manifest.json by the same stamp, and the names under
//     target/compiled/ (a full compile rewrites a compiled file only when it is missing);
//   - the summary line and the warnings, printed again as they were.
// The shell's own `_` (the program it runs) and OLDPWD are left out of the environment's hash unless
// a project text or YAML file names one in quotes; a name env_var() builds out of pieces is not seen.
// A project whose text names anything that differs from one compile to the next (run_started_at,
// invocation_id, the `modules` of dbt's context, which has datetime.now) is not kept, nor is one
// with load or compile errors (the next compile must report them again), nor one whose target_path
// is not `target` (the file has to be found before project.yml is read).
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Diagnostic } from "../project/diagnostics.js";
import type { Project } from "../project/load.js";
import { SLUICE_VERSION } from "../version.js";

/** Bumped when what the file holds changes; a file of another format is not used. */
const FORMAT = 1;
/** Coarser than any file system's time stamps that sluice runs on (ext4 and APFS tick in ms; FAT in 2 s). */
const RACY_MS = 2_000;
const RACY = "racy";

export interface CompileOptionsKey {
  projectDir: string;
  profilesDir?: string;
  target?: string;
  vars?: string;
}

export interface CompiledSummary {
  /** e.g. "20 sources, 100 models, 80 tests" */
  summary: string;
  warnings: Diagnostic[];
}

interface Recorded extends CompiledSummary {
  format: number;
  key: string;
  /** Environment variables left out of the key. */
  unread: string[];
  files: Record<string, string | null>;
  folders: Record<string, Record<string, string> | null>;
  /** Folders the compile wrote, by the names under them. */
  outputs: Record<string, string[] | null>;
}

export function fingerprintFile(projectDir: string): string {
  return join(projectDir, "target", "cache", "inputs.json");
}

/** What the last compile printed, when nothing it depended on has changed since; else undefined. */
export function unchangedCompile(options: CompileOptionsKey, env = process.env): CompiledSummary | undefined {
  let recorded: Recorded;
  try {
    recorded = JSON.parse(readFileSync(fingerprintFile(options.projectDir), "utf8")) as Recorded;
  } catch {
    return undefined;
  }
  if (recorded?.format !== FORMAT || !Array.isArray(recorded.unread)) return undefined;
  if (recorded.key !== keyOf(options, env, recorded.unread)) return undefined;
  for (const [path, stamp] of Object.entries(recorded.files))
    if (stampOf(path, 0) !== stamp) return undefined;
  for (const [path, entries] of Object.entries(recorded.folders))
    if (!sameFolder(path, entries)) return undefined;
  for (const [path, names] of Object.entries(recorded.outputs))
    if (JSON.stringify(listOf(path)) !== JSON.stringify(names)) return undefined;
  return { summary: recorded.summary, warnings: recorded.warnings };
}

/** Removes the record, before a compile that may fail or change anything. */
export function forgetCompile(projectDir: string): void {
  rmSync(fingerprintFile(projectDir), { force: true });
}

/**
 * Keeps what a compile that succeeded and wrote its outputs depended on (see the file's first
 * comment), unless the project cannot be kept. `startedMs` is when the compile began reading.
 */
export function recordCompile(
  project: Project,
  options: CompileOptionsKey,
  compiled: CompiledSummary,
  startedMs: number,
  env = process.env,
): void {
  if (!project.inputs || project.config.target_path !== "target" || project.loadErrors?.length) return;
  const texts = projectTexts(project);
  if (texts.some((t) => EACH_COMPILE.test(t))) return;
  // The YAML files read (profiles.yml may call env_var()), as written, not as rendered.
  for (const file of project.inputs.files) {
    if (!/\.ya?ml$/.test(file)) continue;
    try {
      texts.push(readFileSync(file, "utf8"));
    } catch {
      // Looked for and not there: nothing in it names a variable.
    }
  }
  const unread = SHELL_NAMES.filter(
    (name) => !texts.some((t) => t.includes(`'${name}'`) || t.includes(`"${name}"`)),
  );
  const racyFrom = startedMs - RACY_MS;
  const folders: Recorded["folders"] = {};
  for (const folder of project.inputs.folders) folders[folder] = folderStamps(folder, racyFrom);
  const files: Recorded["files"] = {};
  const underFolder = (path: string) =>
    [...project.inputs!.folders].some((f) => path !== f && path.startsWith(f + sep));
  for (const file of project.inputs.files) if (!underFolder(file)) files[file] = stampOf(file, racyFrom);
  const target = join(project.dir, "target");
  files[join(target, "manifest.json")] = stampOf(join(target, "manifest.json"), 0);
  const outputs = { [join(target, "compiled")]: listOf(join(target, "compiled")) };
  const key = keyOf(options, env, unread);
  const recorded: Recorded = { format: FORMAT, key, unread, files, folders, outputs, ...compiled };
  const file = fingerprintFile(project.dir);
  try {
    mkdirSync(dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(recorded));
    renameSync(temp, file);
  } catch {
    // Not kept (a read-only target/): the next compile only does its work again.
  }
}

/** Names in a project's text whose value differs between two compiles of the same files. */
const EACH_COMPILE = /run_started_at|invocation_id|SLUICE_RUN_STARTED_AT|SLUICE_INVOCATION_ID|\bmodules\b/;

/** Set by the shell for each command it runs, or each `cd`: see the file's first comment. */
const SHELL_NAMES = ["_", "OLDPWD"];

function projectTexts(project: Project): string[] {
  return [
    ...project.models.map((m) => m.text),
    ...project.macros.map((m) => m.text),
    ...project.singularTests.map((t) => t.text),
    ...project.properties.map((p) => p.text),
    JSON.stringify(project.config),
    JSON.stringify(project.dbt ?? null),
    JSON.stringify(project.target),
  ];
}

function keyOf(options: CompileOptionsKey, env: NodeJS.ProcessEnv, unread: string[]): string {
  const code = fileURLToPath(import.meta.url);
  const environment = Object.entries(env)
    .filter(([name, v]) => v !== undefined && !unread.includes(name))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash("sha256")
    .update(
      JSON.stringify({
        sluice: SLUICE_VERSION,
        code: [code, stampOf(code, 0)],
        projectDir: options.projectDir,
        // A relative path in the environment (DBT_PROFILES_DIR=.) is read from here.
        cwd: process.cwd(),
        profilesDir: options.profilesDir ?? null,
        target: options.target ?? null,
        vars: options.vars ?? null,
        environment,
      }),
    )
    .digest("hex");
}

/**
 * Size, times and inode of a path; null when it does not exist; RACY when modified at or after
 * `racyFrom` (0: never). Only the modification time counts for that: a write sets it with the
 * change time, and a copy that keeps an older one (cp -p, tar) changes the change time kept here.
 */
function stampOf(path: string, racyFrom: number): string | null {
  const s = statSync(path, { bigint: true, throwIfNoEntry: false });
  if (!s) return null;
  if (racyFrom > 0 && Number(s.mtimeMs) >= racyFrom) return RACY;
  return `${s.size}:${s.mtimeNs}:${s.ctimeNs}:${s.ino}`;
}

/**
 * Every path under a folder, as Node's recursive readdirSync lists it for the load (through
 * links to folders too), sorted; null when the folder cannot be read. Walked by hand: on Node 20
 * the recursive readdirSync takes five times as long.
 */
function listOf(folder: string): string[] | null {
  const out: string[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = prefix + entry.name;
      out.push(path);
      const isFolder =
        entry.isDirectory() ||
        (entry.isSymbolicLink() && statSync(join(dir, entry.name), { throwIfNoEntry: false })?.isDirectory());
      if (isFolder) walk(join(dir, entry.name), path + sep);
    }
  };
  try {
    walk(folder, "");
  } catch {
    return null;
  }
  return out.sort();
}

function folderStamps(folder: string, racyFrom: number): Record<string, string> | null {
  const entries = listOf(folder);
  if (!entries) return null;
  const out: Record<string, string> = {};
  for (const entry of entries) out[entry] = stampOf(join(folder, entry), racyFrom) ?? "gone";
  return out;
}

function sameFolder(folder: string, recorded: Record<string, string> | null): boolean {
  const entries = listOf(folder);
  if (!entries || !recorded) return entries === recorded;
  if (entries.length !== Object.keys(recorded).length) return false;
  for (const entry of entries) if (recorded[entry] !== stampOf(join(folder, entry), 0)) return false;
  return true;
}
