// `sluice debug`: opens each connection of the target and asks its engine for its version.
// DuckDB files are opened as copies (plan-workspace.ts's FileSnapshot), never the files themselves:
// a build that starts while debug runs must find its files free, and a check must not write (a
// WAL replayed, a view re-pointed, a database file created).
import { openConnections } from "../adapters/index.js";
import type { Project } from "../project/load.js";
import { FileSnapshot, pauseForTests, snapshotTarget } from "./plan-workspace.js";

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
  const snapshot = new FileSnapshot();
  let connections: Awaited<ReturnType<typeof openConnections>>;
  try {
    const target = snapshotTarget(project.target, project.dir, snapshot);
    connections = await openConnections(target, snapshot.dir, runId);
  } catch (e) {
    snapshot.remove();
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
        const version = await connections.withSession(adapter.connectionName, async (session) => {
          const found = await adapter.version(session);
          if (adapter.type === "duckdb") await pauseForTests(undefined, PAUSE_IN_DUCKDB_SESSION);
          return found;
        });
        checks.push({ ...base, ok: true, version });
      } catch (e) {
        checks.push({ ...base, ok: false, error: redact(e) });
      }
    }
  } finally {
    try {
      await connections.close();
    } finally {
      snapshot.remove();
    }
  }
  return checks;
}

/**
 * Test hook, used only by tests/e2e/debug-and-paths.test.ts: with this variable naming a file, debug
 * waits (up to a minute) with its first DuckDB session open until the file exists, so a test can run
 * a build while debug has a DuckDB connection open.
 */
const PAUSE_IN_DUCKDB_SESSION = "SLUICE_TEST_PAUSE_IN_DEBUG_DUCKDB_SESSION";
