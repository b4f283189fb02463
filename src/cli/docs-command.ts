// `sluice docs generate` and `sluice docs serve`: the lineage docs site under <target_path>/docs/.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import type { Manifest } from "../manifest/types.js";
import type { Project } from "../project/load.js";
import { runCancellable } from "./cancellable.js";
import { emitEvent } from "./log-events.js";
import {
  addCommonOptions,
  compileProjectCached,
  loadFromOptions,
  UsageError,
  type CommonOptions,
} from "./options.js";

export function registerDocsCommands(program: Command, setExit: (code: number) => void): void {
  const docs = program.command("docs").description("the lineage docs site: generate it, or serve it locally");

  addCommonOptions(
    docs.command("generate").description("compile the project and write the docs site to target/docs/"),
  )
    .option("--offline", "open no connection: document the declared and compiled columns only")
    .action(async (o: CommonOptions & { offline?: boolean }) => {
      let written = false;
      const cancelled = await runCancellable(
        () =>
          written
            ? "the docs site was written before the signal was handled"
            : "docs generate stopped before writing the site; target/docs/ is as it was",
        async (cancellation) => {
          const dir = await generate(o, cancellation.signal);
          written = true;
          say(o, `Wrote the docs site to ${dir}/ (open index.html, or run sluice docs serve)`);
        },
      );
      setExit(cancelled ?? 0);
    });

  addCommonOptions(
    docs.command("serve").description("serve target/docs/ on this machine, generating it first if missing"),
  )
    .option("--port <n>", "port to listen on", (v) => port(v), 8080)
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .action(async (o: CommonOptions & { port: number; host: string }) => {
      const project = await loadFromOptions(o);
      let dir = join(project.dir, project.config.target_path, "docs");
      if (!existsSync(join(dir, "index.html"))) dir = await generate(o);
      const { serveDocs } = await import("../docs/serve.js");
      const { url } = await serveDocs({ dir, host: o.host, port: o.port });
      process.stdout.write(`Serving the docs site at ${url} (Ctrl+C to stop)\n`);
      setExit(0);
    });
}

/**
 * Compiles the project and writes its docs site; returns the site's folder. The Columns tables show
 * what the engines hold unless `offline`; connections that could not be read are named on stdout.
 * Once `signal` aborts, it stops before the site is written.
 */
async function generate(o: CommonOptions & { offline?: boolean }, signal?: AbortSignal): Promise<string> {
  const project = await loadFromOptions(o, true);
  const { manifest, warnings } = await compileProjectCached(project);
  for (const w of warnings) process.stderr.write(`${w.file}:${w.line}:${w.column} warning: ${w.message}\n`);
  const { generateDocs } = await import("../docs/generate.js");
  const { relationsToDescribe } = await import("../docs/catalog.js");
  signal?.throwIfAborted();
  let engine = null;
  if (!o.offline) {
    const { readEngineCatalog } = await import("../runner/catalog.js");
    const { newRunId } = await import("../runner/run-id.js");
    engine = await readEngineCatalog(project, relationsToDescribe(manifest), newRunId());
    for (const c of engine.read) say(o, `Catalog: read columns and types from ${c}`);
    for (const u of engine.unread)
      say(o, `Catalog: ${u.connection} not read (${u.why}); its columns are the declared ones`);
    for (const e of engine.errors)
      process.stderr.write(`Catalog: could not describe ${e.node}: ${e.message}\n`);
  }
  signal?.throwIfAborted();
  const partitions = await partitionFreshness(project, manifest);
  signal?.throwIfAborted();
  const site = await generateDocs(manifest, join(project.dir, project.config.target_path), {
    partitions,
    engine,
    ...(signal ? { signal } : {}),
  });
  return site.dir;
}

/** Each lineage model's partitions as the ledger last recorded them; null when no ledger exists yet. */
async function partitionFreshness(
  project: Project,
  manifest: Manifest,
): Promise<Record<
  string,
  { partition: string; loadedAt: string; rows: number; watermark: string | null }[]
> | null> {
  const { statePaths } = await import("../runner/workspace.js");
  const paths = statePaths(project);
  if (!existsSync(paths.ledger)) return null;
  const { RunLock } = await import("../ledger/run-lock.js");
  // The ledger file is the running build's while one runs; the docs then go without freshness, and
  // also when a build took the lock while the copy was read (a newer generation than `seen`).
  const seen = RunLock.generation(paths.lock);
  if (RunLock.holder(paths.lock)) return null;
  const { Ledger } = await import("../ledger/ledger.js");
  const { FileSnapshot } = await import("../runner/plan-workspace.js");
  // Read from a copy: opening the file itself would bring its tables up to date (a write).
  const snapshot = new FileSnapshot();
  const ledger = await Ledger.open(snapshot.copyOf(paths.ledger)).catch(() => undefined);
  if (!ledger) {
    snapshot.remove();
    return null;
  }
  try {
    const out: Record<
      string,
      { partition: string; loadedAt: string; rows: number; watermark: string | null }[]
    > = {};
    for (const node of Object.values(manifest.nodes)) {
      if (node.kind !== "model" || !node.lineage) continue;
      out[node.id] = (await ledger.partitions(node.id)).map((p) => ({
        partition: p.partition.join("/"),
        loadedAt: p.loadedAt,
        rows: p.rows,
        watermark: p.watermark,
      }));
    }
    return RunLock.generation(paths.lock) === seen ? out : null;
  } catch (e) {
    // A copy taken while a build wrote the ledger may not even open or read: not an error of docs.
    if (RunLock.generation(paths.lock) !== seen) return null;
    throw e;
  } finally {
    await ledger.close();
    snapshot.remove();
  }
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new UsageError(`--port must be a whole number from 0 to 65535, got '${value}'`);
  return n;
}

/** A line of progress on stdout: text, or under `--log-format json` an `info` event. */
function say(o: CommonOptions, message: string): void {
  if (o.logFormat === "json") emitEvent("info", { message });
  else process.stdout.write(`${message}\n`);
}
