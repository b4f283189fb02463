// Generates code for many templates at once, the way a large project needs it: from a cache keyed by
// each template's content hash, and what is not cached shared between this thread and a worker
// thread (parse and code generation are pure, so they parallelise; 2 cores halve the cold cost).
// Both threads take templates from one shared counter, so the worker's start-up and whatever else
// this thread does meanwhile never leave one of them idle. The worker stays to render models.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { MessageChannel, Worker } from "node:worker_threads";
import { hash } from "../manifest/checksum.js";
import { SLUICE_VERSION } from "../version.js";
import { JINJA_COMPAT_VERSION } from "./jinja-compat.js";
import { SCAN_VERSION } from "./scan.js";
import {
  awaitWorkerOutputs,
  takeJobs,
  takeShared,
  type RenderContext,
  type RenderJob,
  type RenderOutput,
} from "./render-pool.js";
import { tryGenerateTemplateCode, type TemplateCode, type TemplateCodeError } from "./template-code.js";

/** Below this many dynamic templates a worker costs more to start than it saves. */
const WORKER_THRESHOLD = 400;
/** Templates taken from the shared counter at once. */
const CHUNK = 16;
/** Slot of the shared counter holding the next template to generate (render-pool.ts uses 0 and 1). */
const NEXT_TEMPLATE = 2;
/** How long a compile waits for a worker's renders before doing them itself. */
const RENDER_TIMEOUT_MS = 120_000;

export type TemplateResult = TemplateCode | TemplateCodeError;

/** Renders jobs on this thread and the worker at once; see render-pool.ts. */
export interface RenderPool {
  /**
   * Outputs by job index; `here` renders a job on this thread, after `meanwhile` (work only this
   * thread can do) while the worker starts on the jobs. Synchronous, as the compile is; once only.
   */
  render(
    macros: { path: string; text: string }[],
    context: RenderContext,
    jobs: RenderJob[],
    here: (index: number) => RenderOutput,
    meanwhile: () => void,
  ): RenderOutput[];
}

/** Template generation under way: the worker (if any) starts at once, this thread joins in `results`. */
export interface TemplateGeneration {
  results(): Promise<Map<string, TemplateResult>>;
  /** The worker, to render with once code is generated; undefined when there is none. */
  renderPool: RenderPool | undefined;
  /** Stops the worker. */
  close(): void;
}

/**
 * Starts generating code for `templates` (from the cache where it has them); with many dynamic
 * templates to generate, or to render (the render cache holds `rendersCached` renders, fewer than
 * half their number), a worker starts at once and stays to render. Call `results`, then `close`.
 */
export function startGenerating(
  templates: { path: string; text: string }[],
  cacheFile: string | undefined,
  rendersCached = 0,
): TemplateGeneration {
  const cache = readCache(cacheFile);
  const keys = templates.map((t) =>
    hash(`${SLUICE_VERSION}\0${JINJA_COMPAT_VERSION}\0${SCAN_VERSION}\0${t.path}\0${t.text}`),
  );
  const results = new Map<string, TemplateResult>();
  const missing: { path: string; text: string }[] = [];
  templates.forEach((t, i) => {
    const cached = cache.get(keys[i]!);
    if (cached) results.set(t.path, cached);
    else missing.push({ path: t.path, text: t.text });
  });
  const workerFile = fileURLToPath(new URL("./template-worker.js", import.meta.url));
  // Workers run compiled JavaScript only; under a TypeScript test runner everything runs here.
  // With nothing to generate and the renders cached, there is nothing to share with a worker.
  const useWorker =
    templates.length >= WORKER_THRESHOLD &&
    (missing.length >= WORKER_THRESHOLD || rendersCached < templates.length / 2) &&
    availableParallelism() > 1 &&
    existsSync(workerFile);
  const slots = new Int32Array(new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT));
  const worker = useWorker
    ? new Worker(workerFile, { workerData: { templates: missing, slots: slots.buffer } })
    : undefined;
  let failed = false;
  const generated = worker
    ? new Promise<[number, TemplateResult][]>((resolve, reject) => {
        worker.once("message", (r: [number, TemplateResult][]) => {
          // Idle from here until it is sent models to render: it must not keep the process alive.
          worker.unref();
          resolve(r);
        });
        worker.once("error", (e) => {
          failed = true;
          reject(e);
        });
      })
    : Promise.resolve([]);

  return {
    renderPool: worker ? workerPool(worker, slots, () => failed) : undefined,
    close: () => void worker?.terminate(),
    results: async () => {
      const here = takeTemplates(slots, missing.length, (i) =>
        tryGenerateTemplateCode(missing[i]!.path, missing[i]!.text),
      );
      for (const [i, r] of [...here, ...(await generated)]) results.set(missing[i]!.path, r);
      if (cacheFile && missing.length > 0) {
        const next: Record<string, TemplateCode> = {};
        templates.forEach((t, i) => {
          const r = results.get(t.path);
          if (r && !("error" in r)) next[keys[i]!] = r;
        });
        mkdirSync(dirname(cacheFile), { recursive: true });
        writeFileSync(cacheFile, JSON.stringify(next));
      }
      return results;
    },
  };
}

/** Generates templates taken from the shared counter until none are left; results by index. */
export function takeTemplates(
  slots: Int32Array,
  count: number,
  generate: (index: number) => TemplateResult,
): [number, TemplateResult][] {
  return takeShared(slots, NEXT_TEMPLATE, CHUNK, count, generate);
}

function workerPool(worker: Worker, slots: Int32Array, failed: () => boolean): RenderPool {
  return {
    render(macros, context, jobs, here, meanwhile) {
      const outputs: RenderOutput[] = jobs.map(() => null);
      const { port1, port2 } = new MessageChannel();
      try {
        if (failed()) throw new Error("the worker has stopped");
        worker.postMessage({ port: port2, macros, context, jobs }, [port2]);
      } catch {
        // Nothing to share with (or values that cannot cross threads): the compile renders alone.
        port1.close();
        meanwhile();
        return outputs;
      }
      meanwhile();
      for (const [i, out] of takeJobs(slots, jobs.length, here)) outputs[i] = out;
      // Jobs the worker took but did not report in time stay null: the compile renders them itself.
      for (const [i, out] of awaitWorkerOutputs(slots, port1, RENDER_TIMEOUT_MS) ?? []) outputs[i] = out;
      port1.close();
      return outputs;
    },
  };
}

function readCache(file: string | undefined): Map<string, TemplateCode> {
  if (!file || !existsSync(file)) return new Map();
  try {
    return new Map(Object.entries(JSON.parse(readFileSync(file, "utf8")) as Record<string, TemplateCode>));
  } catch {
    // A cache that cannot be read is rebuilt.
    return new Map();
  }
}
