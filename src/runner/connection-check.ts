// `sluice debug`: opens each connection of the target and asks its engine for its version.
import { openConnections } from "../adapters/index.js";
import type { Project } from "../project/load.js";

export type ConnectionCheck = { name: string; type: string } & (
  | { ok: true; version: string }
  | { ok: false; error: string }
);

/** One result per connection, in the target's order; a failure is reported, not thrown, so all are tried. */
export async function checkConnections(project: Project, runId: string): Promise<ConnectionCheck[]> {
  const connections = await openConnections(project.target, project.dir, runId);
  const checks: ConnectionCheck[] = [];
  try {
    for (const adapter of connections.all()) {
      const base = { name: adapter.connectionName, type: adapter.type };
      try {
        const version = await connections.withSession(adapter.connectionName, (session) => adapter.version(session));
        checks.push({ ...base, ok: true, version });
      } catch (e) {
        checks.push({ ...base, ok: false, error: project.secrets.redact(e instanceof Error ? e.message : String(e)) });
      }
    }
  } finally {
    await connections.close();
  }
  return checks;
}
