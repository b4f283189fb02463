// `sluice run-operation`: runs the statements a macro renders on one connection of the target.
import { openConnections } from "../adapters/index.js";
import { renderOperation } from "../compiler/render.js";
import type { Project } from "../project/load.js";
import { RunLock } from "../ledger/run-lock.js";
import type { Cancellation } from "./cancellation.js";
import { splitStatements } from "./statements.js";
import { statePaths } from "./workspace.js";

export interface OperationOptions {
  runId: string;
  /** How long to wait for another run holding the lock, in milliseconds; 0 refuses at once. */
  lockWaitMs?: number;
  /** Stops the lock wait, interrupts the running statement and starts no further one. */
  cancellation?: Cancellation;
  /** Told once the lock is held and the statements are about to run. */
  starting?: (statements: number) => void;
  /** Told after each statement that ran to its end. */
  ran?: (done: number) => void;
}

/**
 * Renders `macro` with `args` for `connection` and runs its statements there, holding the run lock
 * (an operation writes to the target's engines as a build does); returns how many ran.
 */
export async function runOperation(
  project: Project,
  macro: string,
  args: Record<string, unknown>,
  connection: string,
  options: OperationOptions,
): Promise<number> {
  const { runId, cancellation } = options;
  const sql = renderOperation(project, macro, args, connection);
  const lock = await RunLock.acquire(statePaths(project).lock, {
    runId,
    command: "run-operation",
    waitMs: options.lockWaitMs ?? 0,
    signal: cancellation?.signal,
  });
  const connections = await openConnections(project.target, project.dir, runId).catch((e: unknown) => {
    lock.release();
    throw e;
  });
  const stopCancelling = cancellation?.onCancel(() => void connections.cancel());
  try {
    const statements = splitStatements(sql);
    options.starting?.(statements.length);
    let done = 0;
    await connections.withSession(connection, async (session) => {
      for (const statement of statements) {
        cancellation?.signal.throwIfAborted();
        await session.execute(statement);
        options.ran?.((done += 1));
      }
    });
    return statements.length;
  } finally {
    stopCancelling?.();
    try {
      await connections.close();
    } finally {
      lock.release();
    }
  }
}
