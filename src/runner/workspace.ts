// What a command that reads or writes the target needs open: the run lock (one writer per project
// and target), the ledger and the target's connections — opened in that order, closed in reverse.
import { hostname } from "node:os";
import { join } from "node:path";
import { describeEndpoint } from "../project/endpoint.js";
import { openConnections, type Connections } from "../adapters/index.js";
import { Ledger } from "../ledger/ledger.js";
import { RunLock } from "../ledger/run-lock.js";
import { UnreachableConnectionError } from "../planner/unreachable.js";
import type { Project } from "../project/load.js";
import { PhaseClock } from "./phase-clock.js";

export interface Workspace {
  runId: string;
  connections: Connections;
  ledger: Ledger;
  close(status: "success" | "failed" | "cancelled"): Promise<void>;
}

export interface WorkspaceOptions {
  runId: string;
  command: string;
  /** How long to wait for another build holding the lock, in milliseconds. */
  lockWaitMs: number;
  /** Where the lock, ledger and connection times go (run_results.json's `phasesMs`). */
  clock?: PhaseClock;
}

export function statePaths(project: Project): { ledger: string; lock: string } {
  const dir = join(project.dir, project.config.state_path, project.targetName);
  return { ledger: join(dir, "ledger.duckdb"), lock: join(dir, "run.lock") };
}

export async function openWorkspace(project: Project, options: WorkspaceOptions): Promise<Workspace> {
  if (project.target.ledger.connection) {
    throw new Error(
      `ledger.connection is set to '${project.target.ledger.connection}', but a ledger ` +
        `on a connection is not supported yet; remove it to use the embedded ledger`,
    );
  }
  const paths = statePaths(project);
  const clock = options.clock ?? new PhaseClock();
  const lock = await clock.time("lock", () =>
    RunLock.acquire(paths.lock, {
      runId: options.runId,
      command: options.command,
      waitMs: options.lockWaitMs,
    }),
  );
  let ledger: Ledger | undefined;
  try {
    ledger = await clock.time("ledger_open", () => Ledger.open(paths.ledger, lock));
    const started = ledger;
    await clock.time("ledger_open", () =>
      started.runStarted({
        runId: options.runId,
        target: project.targetName,
        command: options.command,
        host: hostname(),
        pid: process.pid,
      }),
    );
    const engines = await clock.time("connections_open", () =>
      openConnections(project.target, project.dir, options.runId),
    );
    const connections = serverOpenNamed(engines, project);
    const opened = ledger;
    return {
      runId: options.runId,
      connections,
      ledger: opened,
      async close(status) {
        try {
          await clock.time("connections_close", () => connections.close());
          await clock.time("ledger_close", async () => {
            await opened.runFinished(options.runId, status);
            await opened.close();
          });
        } finally {
          const begin = performance.now();
          lock.release();
          clock.add("lock", performance.now() - begin);
        }
      },
    };
  } catch (e) {
    await ledger?.close();
    lock.release();
    throw e;
  }
}

/**
 * A server connection whose session cannot be opened fails naming the connection and where it
 * points, not with the driver's message alone (which names a host, not which of the target's
 * connections it is); a failing query on an open session is left as it is. DuckDB files are not
 * servers: their errors already name the file.
 */
function serverOpenNamed(connections: Connections, project: Project): Connections {
  return {
    ...connections,
    withSession(name, work) {
      const config = project.target.connections[name];
      if (!config || config.type === "duckdb") return connections.withSession(name, work);
      let opened = false;
      return connections
        .withSession(name, (session, adapter) => {
          opened = true;
          return work(session, adapter);
        })
        .catch((e: unknown) => {
          if (opened) throw e;
          // Whole: a driver's hint on a later line is kept (plan's undecided steps keep one line).
          const reason = (e instanceof Error ? e.message : String(e)).trim().replace(/\.$/, "");
          const where = `${config.type}: ${describeEndpoint(config)}`;
          throw new UnreachableConnectionError(name, reason, where, { cause: e });
        });
    },
  };
}
