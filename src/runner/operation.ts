// `sluice run-operation`: runs the statements a macro renders on one connection of the target.
import { openConnections } from "../adapters/index.js";
import { renderOperation } from "../compiler/render.js";
import type { Project } from "../project/load.js";
import { RunLock } from "../ledger/run-lock.js";
import { splitStatements } from "./statements.js";
import { statePaths } from "./workspace.js";

/**
 * Renders `macro` with `args` for `connection` and runs its statements there, holding the run lock
 * (an operation writes to the target's engines as a build does); returns how many ran.
 */
export async function runOperation(
  project: Project,
  macro: string,
  args: Record<string, unknown>,
  connection: string,
  runId: string,
  lockWaitMs = 0,
): Promise<number> {
  const sql = renderOperation(project, macro, args, connection);
  const lock = await RunLock.acquire(statePaths(project).lock, {
    runId,
    command: "run-operation",
    waitMs: lockWaitMs,
  });
  const connections = await openConnections(project.target, project.dir, runId).catch((e: unknown) => {
    lock.release();
    throw e;
  });
  try {
    const statements = splitStatements(sql);
    await connections.withSession(connection, async (session) => {
      for (const statement of statements) await session.execute(statement);
    });
    return statements.length;
  } finally {
    try {
      await connections.close();
    } finally {
      lock.release();
    }
  }
}
