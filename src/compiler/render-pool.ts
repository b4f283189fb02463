// Renders models on two threads: the compile's own and the worker that generated template code.
// A job carries everything its render reads (the relations its refs and sources name, this, target,
// is_incremental per variant), so the worker needs no graph. Both threads take jobs from one shared
// counter; a job that fails anywhere is left to the compile, which renders it again in graph order
// and reports the error exactly as if no worker had been involved.
import { receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import { lookUpEnvVar, lookUpVar, type RenderScope } from "./environment.js";

/** One model to render: its generated code and what its context functions return. */
export interface RenderJob {
  path: string;
  code: string;
  /** ref name → relation as SQL, for every model or seed the model depends on. */
  refs: Record<string, string>;
  /** `source\0table` → relation as SQL. */
  sources: Record<string, string>;
  self: string;
  target: Record<string, unknown>;
  /** is_incremental() of each variant, in the order the compile renders them. */
  incremental: boolean[];
  /** The model's resolved config in dbt's keys, for config.get(). */
  modelConfig: Record<string, unknown>;
}

/** What every job of one compile shares. */
export interface RenderContext {
  vars: Record<string, unknown>;
  env: Record<string, string | undefined>;
  /** Environment variables that feed credentials; env_var() refuses them (and SLUICE_ENV_SECRET_*). */
  secretEnv: string[];
}

/**
 * The trimmed SQL of each variant and the environment variables the render read (their values,
 * null when unset), or null when the job must be rendered by the compile.
 */
export type RenderOutput = { sql: string[]; env: Record<string, string | null> } | null;

/** Shared slots: the next job to take, and whether the worker has posted its outputs. */
export const NEXT_JOB = 0;
export const WORKER_DONE = 1;

/** Jobs taken at once: few enough to keep both threads busy to the end. */
const CHUNK = 8;

/**
 * The scope a job's template sees; anything the job does not carry throws, so the compile redoes it.
 * Every env_var() read lands in `envRead`, so a cached render can tell when it no longer holds.
 */
export function jobScope(
  job: RenderJob,
  context: RenderContext,
  incremental: boolean,
  envRead: Record<string, string | null> = {},
): RenderScope {
  return {
    ref: (name) => {
      const relation = job.refs[name];
      if (relation === undefined) throw new Error(`ref('${name}') is not a dependency`);
      return relation;
    },
    source: (source, table) => {
      const relation = job.sources[`${source}\0${table}`];
      if (relation === undefined) throw new Error(`source('${source}', '${table}') is not a dependency`);
      return relation;
    },
    config: () => undefined,
    var: (name, fallback) => lookUpVar(context.vars, name, fallback),
    envVar: (name, fallback) => {
      envRead[name] = context.env[name] ?? null;
      return lookUpEnvVar(context.env, name, fallback, context.secretEnv);
    },
    isIncremental: incremental,
    self: job.self,
    target: job.target,
    modelConfig: job.modelConfig,
  };
}

/** Renders every variant of a job, or null if any of them throws. */
export function renderJob(
  job: RenderJob,
  context: RenderContext,
  render: (scope: RenderScope) => string,
): RenderOutput {
  try {
    const env: Record<string, string | null> = {};
    const sql = job.incremental.map((incremental) => render(jobScope(job, context, incremental, env)).trim());
    return { sql, env };
  } catch {
    return null;
  }
}

/** Takes jobs from the shared counter until none are left; returns the outputs by job index. */
export function takeJobs(
  slots: Int32Array,
  count: number,
  run: (index: number) => RenderOutput,
): [number, RenderOutput][] {
  return takeShared(slots, NEXT_JOB, CHUNK, count, run);
}

/**
 * Work shared between threads: each takes the next `chunk` indexes below `count` from the counter
 * in `slot` until none are left, and returns what `run` gave for the indexes it took.
 */
export function takeShared<T>(
  slots: Int32Array,
  slot: number,
  chunk: number,
  count: number,
  run: (index: number) => T,
): [number, T][] {
  const done: [number, T][] = [];
  for (;;) {
    const start = Atomics.add(slots, slot, chunk);
    if (start >= count) return done;
    for (let i = start; i < Math.min(start + chunk, count); i++) done.push([i, run(i)]);
  }
}

/**
 * The main thread's end of a render: waits for the worker's outputs without leaving the event loop's turn.
 */
export function awaitWorkerOutputs(
  slots: Int32Array,
  port: MessagePort,
  timeoutMs: number,
): [number, RenderOutput][] | undefined {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const message = receiveMessageOnPort(port);
    if (message) return message.message as [number, RenderOutput][];
    const left = deadline - Date.now();
    if (left <= 0) return undefined;
    Atomics.wait(slots, WORKER_DONE, 0, Math.min(left, 50));
  }
}
