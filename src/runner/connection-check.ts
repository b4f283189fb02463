// `sluice debug`: opens each connection of the target and asks its engine for its version.
import { openConnections } from "../adapters/index.js";
import type { Project } from "../project/load.js";

export type ConnectionCheck = { name: string; type: string } & (
  | { ok: true; version: string }
  | { ok: false; error: string }
  /** Left alone on purpose, e.g. a DuckDB file a running build has open. */
  | { ok: null; skipped: string }
);

/**
 * One result per connection, in the target's order; a failure is reported, not thrown, so all are
 * tried. Connections of the types in `leaveAlone` are listed but not opened.
 */
export async function checkConnections(
  project: Project,
  runId: string,
  leaveAlone: { types: string[]; why: string } = { types: [], why: "" },
): Promise<ConnectionCheck[]> {
  const redact = (e: unknown) => project.secrets.redact(e instanceof Error ? e.message : String(e));
  let connections: Awaited<ReturnType<typeof openConnections>>;
  try {
    connections = await openConnections(project.target, project.dir, runId);
  } catch (e) {
    return [{ name: project.targetName, type: "target", ok: false, error: redact(e) }];
  }
  const checks: ConnectionCheck[] = [];
  try {
    for (const adapter of connections.all()) {
      const base = { name: adapter.connectionName, type: adapter.type };
      if (leaveAlone.types.includes(adapter.type)) {
        checks.push({ ...base, ok: null, skipped: leaveAlone.why });
        continue;
      }
      try {
        const version = await connections.withSession(adapter.connectionName, (session) =>
          adapter.version(session),
        );
        checks.push({ ...base, ok: true, version });
      } catch (e) {
        checks.push({ ...base, ok: false, error: redact(e) });
      }
    }
  } finally {
    await connections.close();
  }
  return checks;
}
