// The wall time of each fixed phase of a run (start-up, compile, lock, ledger, connections, hooks,
// plan, steps, ledger commit, close), written to run_results.json so the fixed cost per run can
// be measured and attributed without a profiler.

/** Milliseconds per phase, in the order the phases first ran; a phase timed twice adds up. */
export class PhaseClock {
  private readonly phases = new Map<string, number>();

  /** Times `work` as phase `name`; the time counts even when it throws. */
  async time<T>(name: string, work: () => Promise<T> | T): Promise<T> {
    const begin = performance.now();
    try {
      return await work();
    } finally {
      this.add(name, performance.now() - begin);
    }
  }

  add(name: string, ms: number): void {
    this.phases.set(name, (this.phases.get(name) ?? 0) + ms);
  }

  /** Whole milliseconds per phase, as run_results.json keeps them. */
  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.phases].map(([name, ms]) => [name, Math.round(ms)]));
  }
}
