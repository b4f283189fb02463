// `sluice compile`: nothing is loaded when nothing changed since the last compile (the record of
// compiler/compile-fingerprint.ts says so), and the compiler itself is imported only when it runs,
// so that answer costs a process start and a look at the files.
import { join, resolve } from "node:path";
import {
  type CompiledSummary,
  type CompileOptionsKey,
  forgetCompile,
  recordCompile,
  unchangedCompile,
} from "../compiler/compile-fingerprint.js";
import type { Manifest } from "../manifest/types.js";
import { diagnosticEvent, emitEvent } from "./log-events.js";
import { checkLogFormat, type CommonOptions, loadFromOptions } from "./options.js";

function compileKey(o: CommonOptions): CompileOptionsKey {
  return {
    projectDir: resolve(o.projectDir),
    profilesDir: o.profilesDir === undefined ? undefined : resolve(o.profilesDir),
    target: o.target,
    vars: o.vars,
  };
}

/**
 * The manifest the last `sluice compile` wrote, when its record says nothing it read has changed
 * since (it keeps manifest.json's own stamp too, so this is the file that compile wrote); else
 * undefined, and the command loads and compiles. For commands that only read the manifest (`ls`).
 */
export async function unchangedManifest(o: CommonOptions): Promise<Manifest | undefined> {
  checkLogFormat(o);
  const key = compileKey(o);
  if (!unchangedCompile(key)) return undefined;
  const { readManifest } = await import("../manifest/io.js");
  try {
    return readManifest(join(key.projectDir, "target", "manifest.json"));
  } catch {
    return undefined;
  }
}

export async function compileCommand(o: CommonOptions, started = Date.now()): Promise<void> {
  checkLogFormat(o);
  const key = compileKey(o);
  let compiled = unchangedCompile(key);
  let targetPath = "target";
  if (!compiled) {
    // A compile that fails, or writes other output, must not leave the last record behind it.
    forgetCompile(key.projectDir);
    const project = await loadFromOptions(o, true);
    const { compileProjectCached } = await import("../compiler/compile.js");
    const { writeManifest } = await import("../manifest/io.js");
    const { manifest, warnings } = await compileProjectCached(project);
    targetPath = project.config.target_path;
    await writeManifest(join(project.dir, targetPath), manifest);
    const counts = new Map<string, number>();
    for (const n of Object.values(manifest.nodes)) counts.set(n.kind, (counts.get(n.kind) ?? 0) + 1);
    const summary = [...counts].map(([k, n]) => `${n} ${k}${n === 1 ? "" : "s"}`).join(", ");
    // Kept redacted: the record is a file, and printed again without the project's secrets at hand.
    const redact = (s: string) => project.secrets.redact(s);
    compiled = { summary, warnings: warnings.map((w) => ({ ...w, message: redact(w.message) })) };
    recordCompile(project, key, compiled, started);
  }
  report(o, compiled, `Compiled ${compiled.summary} in ${Date.now() - started} ms to ${targetPath}/`);
}

function report(o: CommonOptions, { warnings }: CompiledSummary, done: string): void {
  if (o.logFormat === "json") {
    for (const w of warnings) emitEvent("warning", { kind: "project", ...diagnosticEvent(w) });
    emitEvent("info", { message: done });
    return;
  }
  for (const w of warnings) process.stderr.write(`${w.file}:${w.line}:${w.column} warning: ${w.message}\n`);
  process.stdout.write(`${done}\n`);
}
