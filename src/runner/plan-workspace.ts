// What `plan` and `ledger show` read, opened so that nothing of the project changes: the embedded
// DuckDB files and the ledger are read from copies in a temporary folder outside the project,
// servers are only queried, and the run lock is waited for but never taken.
//
// Why copies rather than read-only attaches: opening a DuckDB file replays a WAL a killed build left
// (a write), the embedded lake re-points its views after the project moved (a write), and a file
// that does not exist yet cannot be attached read-only at all. A copy lets every reader behave as in
// a build, and the copy is thrown away. Copies are reflinks where the file system can make them.
import { constants, copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { tmpdir } from "node:os";
import { basename, isAbsolute, join, resolve } from "node:path";
import { openConnections, type Connections } from "../adapters/index.js";
import { Ledger } from "../ledger/ledger.js";
import { BuildDuringReadError, LockHeldError, RunLock } from "../ledger/run-lock.js";
import type { Project } from "../project/load.js";
import type { ConnectionConfig } from "../project/connection-schema.js";
import type { TargetConfig } from "../project/schema.js";
import { UnreachableConnectionError } from "../planner/unreachable.js";
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

export interface ReadOptions {
  /** How long to wait for a running build, in milliseconds, over all attempts. */
  lockWaitMs: number;
  cancellation?: Cancellation;
  /** Told when a read is thrown away because a build took the lock meanwhile. */
  notice?: (message: string) => void;
}

/** How often a read is tried before giving up on builds that keep starting during it. */
const READ_ATTEMPTS = 3;

/**
 * Runs `read` while no build holds the run lock, and keeps its result only when no build took the
 * lock before `read` ended: each take creates a newer lock generation, so an unchanged generation
 * proves that no build wrote the files `read` copied or the lake files it queried. Otherwise the
 * result (or the error a half-written copy gave) is thrown away and `read` runs again once the lock
 * is free, up to READ_ATTEMPTS times in all; waits share `lockWaitMs`. Throws LockHeldError when
 * a build still holds the lock as the wait runs out, BuildDuringReadError when attempts run out.
 */
export async function readWhileNoBuild<T>(
  project: Project,
  command: string,
  options: ReadOptions,
  read: () => Promise<T>,
): Promise<T> {
  const { lock } = statePaths(project);
  const notice = options.notice ?? ((m: string) => process.stderr.write(`${m}\n`));
  const deadline = Date.now() + options.lockWaitMs;
  const signal = options.cancellation?.signal;
  for (let attempt = 1; attempt <= READ_ATTEMPTS; attempt++) {
    const seen = await RunLock.waitUntilFree(lock, { waitMs: Math.max(0, deadline - Date.now()), signal });
    await pauseForTests(signal);
    let result: { value: T } | { error: unknown };
    try {
      result = { value: await read() };
    } catch (e) {
      result = { error: e };
    }
    const now = RunLock.generation(lock);
    if (now === seen) {
      if ("error" in result) throw result.error;
      return result.value;
    }
    signal?.throwIfAborted();
    const holder = RunLock.holder(lock);
    const who = holder
      ? `${holder.command} run ${holder.runId}, pid ${holder.pid} on ${holder.host}`
      : "a build";
    notice(
      `${who} took the run lock ${lock} while ${command} read; what ` +
        `was read is thrown away and read again once the lock is free`,
    );
  }
  // A build that holds the lock now is named, with the same exit code as a held lock at the start.
  const holder = RunLock.holder(lock);
  if (holder) throw new LockHeldError(holder, lock);
  throw new BuildDuringReadError(command, lock, READ_ATTEMPTS);
}

/**
 * Test hook, used only by tests/e2e/read-during-build.test.ts: with SLUICE_TEST_PAUSE_AFTER_LOCK_CHECK
 * naming a file, a read (plan, ledger show, the docs catalog) says so on stderr after its lock check
 * and waits (up to a minute) until that file exists, so a test can start a build inside the window
 * between the check and the copies.
 */
export async function pauseForTests(
  signal?: AbortSignal,
  variable = "SLUICE_TEST_PAUSE_AFTER_LOCK_CHECK",
): Promise<void> {
  const file = process.env[variable];
  if (!file) return;
  const what = variable === "SLUICE_TEST_PAUSE_AFTER_LOCK_CHECK" ? "the run lock was free" : variable;
  process.stderr.write(`test pause: ${what}; waiting for ${file}\n`);
  const until = Date.now() + 60_000;
  while (!existsSync(file) && Date.now() < until) await sleep(20, undefined, { signal });
}

/**
 * Opens the target's connections and the ledger on copies. Call it inside readWhileNoBuild, which
 * waits for a running build (a build's files are not to be read half-written).
 */
export async function openPlanWorkspace(
  project: Project,
  options: { runId: string; cancellation?: Cancellation },
): Promise<PlanWorkspace> {
  const { cancellation } = options;
  refuseLedgerConnection(project);
  const paths = statePaths(project);
  const snapshot = new FileSnapshot();
  let ledger: Ledger | undefined;
  try {
    ledger = await Ledger.open(snapshot.copyOf(paths.ledger));
    const target = quickToGiveUp(snapshotTarget(project.target, project.dir, snapshot));
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

/** The ledger, opened on a copy, for `ledger show`; call it inside readWhileNoBuild. */
export async function openLedgerCopy(project: Project): Promise<{ ledger: Ledger; close(): Promise<void> }> {
  refuseLedgerConnection(project);
  const snapshot = new FileSnapshot();
  try {
    const ledger = await Ledger.open(snapshot.copyOf(statePaths(project).ledger));
    return {
      ledger,
      async close() {
        try {
          await ledger.close();
        } finally {
          snapshot.remove();
        }
      },
    };
  } catch (e) {
    snapshot.remove();
    throw e;
  }
}

function refuseLedgerConnection(project: Project): void {
  if (project.target.ledger.connection) {
    throw new Error(
      `ledger.connection is set to '${project.target.ledger.connection}', but a ledger ` +
        `on a connection is not supported yet; remove it to use the embedded ledger`,
    );
  }
}

/**
 * Connections whose session opening fails with UnreachableConnectionError, so the command can name
 * the connection and where it points; a failing query on an open session is left as it is. Once
 * `signal` aborts, no session opens any more.
 */
function failingOpenNamed(connections: Connections, signal: AbortSignal | undefined): Connections {
  // A connection that failed once is not tried again: every later step that needs it fails at
  // once with the same reason, so an offline plan waits one connect timeout per connection.
  const failed = new Map<string, UnreachableConnectionError>();
  return {
    ...connections,
    async withSession(name, work) {
      signal?.throwIfAborted();
      const known = failed.get(name);
      if (known) throw known;
      const adapter = connections.get(name);
      const session = await adapter.open().catch((e: unknown) => {
        signal?.throwIfAborted();
        const reason = (e instanceof Error ? e.message : String(e)).split("\n")[0]!.replace(/\.$/, "");
        const error = new UnreachableConnectionError(name, reason);
        failed.set(name, error);
        throw error;
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

/** The longest a read-only command waits for a server to accept a session, in milliseconds. */
export const PLAN_CONNECT_TIMEOUT_MS = 5000;

/**
 * The target with every server's connect timeout cut to PLAN_CONNECT_TIMEOUT_MS (or less, if the
 * profile says less) and SQL Server's connect retries off: a plan only reads, so a server that does
 * not answer is reported as unreachable instead of holding the plan for its build-time patience
 * (SQL Server's 15 s, tried 4 times).
 */
export function quickToGiveUp(target: TargetConfig): TargetConfig {
  const connections: Record<string, ConnectionConfig> = {};
  for (const [name, config] of Object.entries(target.connections)) {
    if (config.type === "duckdb") {
      connections[name] = config;
      continue;
    }
    const connect_timeout_ms = Math.min(config.connect_timeout_ms, PLAN_CONNECT_TIMEOUT_MS);
    connections[name] =
      config.type === "sqlserver"
        ? { ...config, connect_timeout_ms, max_retries: 0 }
        : { ...config, connect_timeout_ms };
  }
  return { ...target, connections };
}
