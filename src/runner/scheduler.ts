// Runs plan steps in dependency order on up to `threads` at once. A step whose upstream failed is
// skipped (and says which step failed); warnings do not block. Once `signal` aborts, no step starts:
// the running ones finish (or fail, being cancelled) and every waiting one is "not_started".

import type { StepOutcome, StepStatus } from "../manifest/run-results.js";

export type { StepOutcome, StepStatus };

export interface SchedulableStep {
  node: string;
  after: string[];
}

/** Statuses that let downstream steps go on. */
export const PASSING: ReadonlySet<StepStatus> = new Set(["success", "pass", "warn"]);

export async function schedule<S extends SchedulableStep>(
  steps: S[],
  threads: number,
  run: (step: S) => Promise<StepOutcome>,
  skipped: (step: S, because: string) => void,
  stop?: { signal: AbortSignal; notStarted: (step: S) => void },
): Promise<Map<string, StepOutcome>> {
  const outcomes = new Map<string, StepOutcome>();
  const known = new Set(steps.map((s) => s.node));
  const waiting = new Set(steps);
  const running = new Set<Promise<void>>();

  const ready = (s: S) => s.after.every((a) => !known.has(a) || outcomes.has(a));
  const blocker = (s: S) => s.after.find((a) => known.has(a) && !PASSING.has(outcomes.get(a)!.status));

  while (waiting.size > 0 || running.size > 0) {
    if (stop?.signal.aborted && waiting.size > 0) {
      for (const step of waiting) {
        outcomes.set(step.node, { status: "not_started", message: "not started: the run was cancelled" });
        stop.notStarted(step);
      }
      waiting.clear();
      continue;
    }
    let progressed = false;
    for (const step of [...waiting]) {
      if (!ready(step)) continue;
      const failed = blocker(step);
      if (failed !== undefined) {
        waiting.delete(step);
        const message =
          `skipped: upstream ${failed}` +
          ` ${outcomes.get(failed)!.status === "skipped" ? "was skipped" : "failed"}`;
        outcomes.set(step.node, { status: "skipped", message });
        skipped(step, failed);
        progressed = true;
        continue;
      }
      if (running.size >= threads) break;
      waiting.delete(step);
      progressed = true;
      const task: Promise<void> = run(step)
        .catch((e: unknown) => ({
          status: "error" as const,
          message: e instanceof Error ? e.message : String(e),
        }))
        .then((outcome) => {
          outcomes.set(step.node, outcome);
          running.delete(task);
        });
      running.add(task);
    }
    if (!progressed || running.size >= threads || waiting.size === 0) {
      if (running.size === 0) {
        if (waiting.size > 0 && !progressed)
          throw new Error(`steps wait on each other: ${[...waiting].map((s) => s.node).join(", ")}`);
        continue;
      }
      await Promise.race(running);
    }
  }
  return outcomes;
}
