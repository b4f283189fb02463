// Ctrl-C and SIGTERM for a run. The first signal cancels: no step starts any more, the engines'
// running statements are interrupted, and the run rolls back, cleans up, writes its results and
// releases the lock before it exits 130 (SIGINT) or 143 (SIGTERM). A second signal exits at once.
export type CancelSignal = "SIGINT" | "SIGTERM";

/** The shell's convention: 128 + the signal's number. */
export const SIGNAL_EXIT: Readonly<Record<CancelSignal, number>> = { SIGINT: 130, SIGTERM: 143 };

export class Cancellation {
  private readonly controller = new AbortController();
  private readonly listeners = new Set<() => void>();
  /** The signal that cancelled the run, once one has. */
  by: CancelSignal | undefined;

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get cancelled(): boolean {
    return this.by !== undefined;
  }

  /** Calls `listener` on cancellation (at once if already cancelled); returns its removal. */
  onCancel(listener: () => void): () => void {
    if (this.cancelled) listener();
    else this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  cancel(by: CancelSignal): void {
    if (this.by) return;
    this.by = by;
    this.controller.abort(by);
    for (const listener of [...this.listeners]) listener();
  }
}

/**
 * Cancels `cancellation` on the first SIGINT or SIGTERM and exits at once on the second, telling
 * the user through `say`. Returns a function that puts the default handlers back.
 */
export function cancelOnSignals(cancellation: Cancellation, say: (message: string) => void): () => void {
  const handle = (signal: CancelSignal) => {
    if (cancellation.cancelled) {
      say(`${signal} again: exiting at once; the next build takes over the lock and redoes unfinished work`);
      // process.exit() would wait for the engine's threads to finish their query; dying of the
      // signal itself (default handler) does not, and the shell still sees 128 + signal.
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      process.kill(process.pid, signal);
      return;
    }
    const again = signal === "SIGINT" ? "press Ctrl-C" : "send SIGTERM";
    say(
      `${signal}: cancelling. No new step starts and running ` +
        `queries are being cancelled; ${again} again to exit at once`,
    );
    cancellation.cancel(signal);
  };
  const onInt = () => handle("SIGINT");
  const onTerm = () => handle("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  return () => {
    // Once cancelled, the process is on its way out: a second signal in that tail still says
    // what it does and exits at once, rather than meeting the default handler silently.
    if (cancellation.cancelled) return;
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
  };
}
