// `sluice run-operation`: runs the statements a macro renders on one connection of the target.
import { openConnections } from "../adapters/index.js";
import { renderOperation } from "../compiler/render.js";
import type { Project } from "../project/load.js";
import { splitStatements } from "./run.js";

/** Renders `macro` with `args` for `connection` and runs its statements there; returns how many ran. */
export async function runOperation(
  project: Project,
  macro: string,
  args: Record<string, unknown>,
  connection: string,
  runId: string,
): Promise<number> {
  const sql = renderOperation(project, macro, args, connection);
  const connections = await openConnections(project.target, project.dir, runId);
  try {
    const statements = splitStatements(sql);
    await connections.withSession(connection, async (session) => {
      for (const statement of statements) await session.execute(statement);
    });
    return statements.length;
  } finally {
    await connections.close();
  }
}
