// Ctrl-C and SIGTERM for the commands that are not a run (plan, ledger, run-operation, docs
// generate): the first signal cancels the command's work through runner/cancellation.ts, which then
// closes what it opened (lock, engines, temporary copies) on its usual way out; a second exits at once.
import { Cancellation, cancelOnSignals, SIGNAL_EXIT } from "../runner/cancellation.js";

/**
 * Runs `work` with the signals cancelling it. Returns null when no signal came; otherwise prints
 * `Cancelled by SIGINT: <what()>` and returns 130 or 143, also when `work` failed because it was
 * cancelled (an interrupted query, an aborted lock wait). A failure before any signal is rethrown.
 */
export async function runCancellable(
  what: () => string,
  work: (cancellation: Cancellation) => Promise<void>,
): Promise<number | null> {
  const cancellation = new Cancellation();
  const restore = cancelOnSignals(cancellation, (m) => process.stderr.write(`${m}\n`));
  try {
    await work(cancellation);
  } catch (e) {
    if (!cancellation.by) throw e;
  } finally {
    restore();
  }
  if (!cancellation.by) return null;
  process.stderr.write(`Cancelled by ${cancellation.by}: ${what()}\n`);
  return SIGNAL_EXIT[cancellation.by];
}
