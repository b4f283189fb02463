// What `plan` reads, opened so that nothing of the project changes: the embedded DuckDB files and
// the ledger are read from copies in a temporary folder outside the project, servers are only
// queried, and the run lock is waited for but never taken.
//
// Why copies rather than read-only attaches: opening a DuckDB file replays a WAL a killed build left
// (a write), the embedded lake re-points its views after the project moved (a write), and a file
// that does not exist yet cannot be attached read-only at all. A copy lets every reader behave as in
// a build, and the copy is thrown away. Copies are reflinks where the file system can make them.
import { constants, copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, isAbsolute, join, resolve } from "node:path";
import { openConnections, type Connections } from "../adapters/index.js";
import { Ledger } from "../ledger/ledger.js";
import { RunLock } from "../ledger/run-lock.js";
import type { Project } from "../project/load.js";
import type { ConnectionConfig } from "../project/connection-schema.js";
import type { TargetConfig } from "../project/schema.js";
import type { Cancellation } from "./cancellation.js";
import { statePaths } from "./workspace.js";

export interface PlanWorkspace {
  connections: Connections;
  ledger: Ledger;
  close(): Promise<void>;
}

/** Copies of DuckDB files (with their WAL) in one temporary folder, removed together. */
export class FileSnapshot {
  readonly dir = mkdtempSync(join(tmpdir(), "sluice-plan-"));
  private readonly copies = new Map<string, string>();

  /** The copy of `file` (made on first request); a file that does not exist maps to a fresh name. */
  copyOf(file: string): string {
    const original = resolve(file);
    let copy = this.copies.get(original);
    if (copy) return copy;
    copy = join(this.dir, `${this.copies.size}-${basename(original)}`);
    for (const suffix of ["", ".wal"]) {
      if (existsSync(original + suffix))
        copyFileSync(original + suffix, copy + suffix, constants.COPYFILE_FICLONE);
    }
    this.copies.set(original, copy);
    return copy;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Waits up to `lockWaitMs` for a running build (a build's files are not to be read half-written),
 * then opens the target's connections and the ledger on copies. Throws LockHeldError after the wait.
 */
export async function openPlanWorkspace(
  project: Project,
  options: { runId: string; lockWaitMs: number; cancellation?: Cancellation },
): Promise<PlanWorkspace> {
  const { cancellation } = options;
  if (project.target.ledger.connection) {
    throw new Error(
      `ledger.connection is set to '${project.target.ledger.connection}', but a ledger on a connection is not supported yet; remove it to use the embedded ledger`,
    );
  }
  const paths = statePaths(project);
  await RunLock.waitUntilFree(paths.lock, { waitMs: options.lockWaitMs, signal: cancellation?.signal });
  const snapshot = new FileSnapshot();
  let ledger: Ledger | undefined;
  try {
    ledger = await Ledger.open(snapshot.copyOf(paths.ledger));
    const target = snapshotTarget(project.target, project.dir, snapshot);
    // The snapshot folder stands in for the project folder, so DuckDB's spill files go there too.
    const connections = failingOpenNamed(
      await openConnections(target, snapshot.dir, options.runId),
      cancellation?.signal,
    );
    // A cancelled plan interrupts the statement it waits for and opens no further session.
    const stopCancelling = cancellation?.onCancel(() => void connections.cancel());
    const opened = ledger;
    return {
      connections,
      ledger: opened,
      async close() {
        stopCancelling?.();
        try {
          await connections.close();
          await opened.close();
        } finally {
          snapshot.remove();
        }
      },
    };
  } catch (e) {
    await ledger?.close();
    snapshot.remove();
    throw e;
  }
}

/** A connection whose engine could not be reached (or refused the session): nothing was planned. */
export class UnreachableConnectionError extends Error {
  constructor(
    readonly connection: string,
    readonly reason: string,
  ) {
    super(`connection '${connection}' cannot be reached: ${reason}`);
    this.name = "UnreachableConnectionError";
  }
}

/**
 * Connections whose session opening fails with UnreachableConnectionError, so the command can name
 * the connection and where it points; a failing query on an open session is left as it is. Once
 * `signal` aborts, no session opens any more.
 */
function failingOpenNamed(connections: Connections, signal: AbortSignal | undefined): Connections {
  return {
    ...connections,
    async withSession(name, work) {
      signal?.throwIfAborted();
      const adapter = connections.get(name);
      const session = await adapter.open().catch((e: unknown) => {
        const reason = (e instanceof Error ? e.message : String(e)).split("\n")[0]!.replace(/\.$/, "");
        throw new UnreachableConnectionError(name, reason);
      });
      try {
        return await work(session, adapter);
      } finally {
        await session.close();
      }
    },
  };
}

/**
 * The target with every DuckDB file replaced by its copy and every path made absolute. A lake root
 * that does not exist yet becomes an empty folder of the snapshot: a lake never built has no tables.
 */
export function snapshotTarget(
  target: TargetConfig,
  projectDir: string,
  snapshot: FileSnapshot,
): TargetConfig {
  const connections: Record<string, ConnectionConfig> = {};
  for (const [name, config] of Object.entries(target.connections)) {
    if (config.type !== "duckdb" || config.path === ":memory:") {
      connections[name] = config;
      continue;
    }
    const absolute = (p: string) => (isAbsolute(p) ? p : join(projectDir, p));
    const lakeRoot = config.lake_root === undefined ? undefined : absolute(config.lake_root);
    connections[name] = {
      ...config,
      path: snapshot.copyOf(absolute(config.path)),
      ...(lakeRoot === undefined
        ? {}
        : { lake_root: existsSync(lakeRoot) ? lakeRoot : join(snapshot.dir, `lake-${name}`) }),
    };
  }
  return { ...target, connections };
}
