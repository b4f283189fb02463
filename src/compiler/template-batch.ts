// Generates code for many templates at once, the way a large project needs it: from a cache keyed by
// each template's content hash, and what is not cached split between this thread and a worker thread
// (parse and code generation are pure, so they parallelise; 2 cores halve the cold cost).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { hash } from "../manifest/checksum.js";
import { SLUICE_VERSION } from "../version.js";
import { tryGenerateTemplateCode, type TemplateCode, type TemplateCodeError } from "./template-code.js";

/** Below this many uncached templates a worker costs more to start than it saves. */
const WORKER_THRESHOLD = 400;

export type TemplateResult = TemplateCode | TemplateCodeError;

export async function generateAll(templates: { path: string; text: string }[], cacheFile: string | undefined): Promise<Map<string, TemplateResult>> {
  const cache = readCache(cacheFile);
  const keys = templates.map((t) => hash(`${SLUICE_VERSION}\0${t.path}\0${t.text}`));
  const results = new Map<string, TemplateResult>();
  const missing: { path: string; text: string; key: string }[] = [];
  templates.forEach((t, i) => {
    const cached = cache.get(keys[i]!);
    if (cached) results.set(t.path, cached);
    else missing.push({ ...t, key: keys[i]! });
  });
  const workerFile = fileURLToPath(new URL("./template-worker.js", import.meta.url));
  // Workers run compiled JavaScript only; under a TypeScript test runner everything runs here.
  const useWorker = missing.length >= WORKER_THRESHOLD && availableParallelism() > 1 && existsSync(workerFile);
  const split = useWorker ? Math.floor(missing.length / 2) : 0;
  const offloaded = missing.slice(0, split);
  const pending = useWorker ? runWorker(workerFile, offloaded) : Promise.resolve([]);
  for (const t of missing.slice(split)) results.set(t.path, tryGenerateTemplateCode(t.path, t.text));
  (await pending).forEach((r, i) => results.set(offloaded[i]!.path, r));

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
}

function runWorker(file: string, templates: { path: string; text: string }[]): Promise<TemplateResult[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(file, { workerData: templates.map(({ path, text }) => ({ path, text })) });
    worker.once("message", (r: TemplateResult[]) => {
      resolve(r);
      void worker.terminate();
    });
    worker.once("error", reject);
  });
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
