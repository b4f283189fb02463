// Opens the connections of a target as adapters. The only place that picks an engine by type;
// drivers for SQL Server, Hive, PostgreSQL and MySQL load only when a target uses them.
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { TargetConfig } from "../project/schema.js";
import type { Adapter, Session } from "./contract.js";
import { createDuckDbAdapter, DuckDbEngine } from "./duckdb/index.js";
import { adapterWithFaultInjection } from "./fault-injection.js";
import { adapterWithSerialSessions } from "./serial-session.js";
import { StatementTracker } from "./statement-tracker.js";

export interface Connections {
  get(name: string): Adapter;
  all(): Adapter[];
  /** Runs `work` on a session of connection `name`, closing the session whatever happens. */
  withSession<T>(name: string, work: (session: Session, adapter: Adapter) => Promise<T>): Promise<T>;
  /**
   * Cancels the run's engine work: interrupts every statement running on this target's sessions,
   * and any statement started afterwards once it has run a few seconds (clean-up gets to finish).
   */
  cancel(): Promise<void>;
  close(): Promise<void>;
}

export async function openConnections(
  target: TargetConfig,
  projectDir: string,
  runId: string,
): Promise<Connections> {
  const adapters = new Map<string, Adapter>();
  // One embedded instance per target, so DuckDB connections read each other's relations.
  // The instance's settings come from the first DuckDB connection that sets each one.
  const duckdb = Object.values(target.connections).flatMap((c) => (c.type === "duckdb" ? [c] : []));
  // Spill files of this run, removed when it closes its connections.
  const tempDirectory = join(projectDir, ".sluice", "tmp", runId);
  const engine = new DuckDbEngine({
    tempDirectory,
    threads: duckdb.find((c) => c.threads !== undefined)?.threads,
    memoryLimit: duckdb.find((c) => c.memory_limit !== undefined)?.memory_limit,
  });
  for (const [name, config] of Object.entries(target.connections)) {
    switch (config.type) {
      case "duckdb":
        adapters.set(name, createDuckDbAdapter(name, config, engine, projectDir, runId));
        break;
      case "sqlserver": {
        const { createSqlServerAdapter } = await import("./sqlserver/index.js");
        adapters.set(name, createSqlServerAdapter(name, config));
        break;
      }
      case "hive": {
        const { createHiveAdapter } = await import("./hive/index.js");
        adapters.set(name, createHiveAdapter(name, config));
        break;
      }
      case "postgres": {
        const { createPostgresAdapter } = await import("./postgres/index.js");
        adapters.set(name, createPostgresAdapter(name, config, { runId }));
        break;
      }
      case "mysql": {
        const { createMySqlAdapter } = await import("./mysql/index.js");
        adapters.set(name, createMySqlAdapter(name, config, { runId }));
        break;
      }
    }
  }
  const tracker = new StatementTracker();
  // The tracker sits next to the engine's session, so it sees the statement that runs, not one
  // still waiting its turn in the serial queue.
  for (const [name, adapter] of adapters) {
    adapters.set(name, adapterWithSerialSessions(tracker.adapter(adapterWithFaultInjection(adapter))));
  }
  const get = (name: string): Adapter => {
    const adapter = adapters.get(name);
    if (!adapter) throw new Error(`connection '${name}' is not part of this target`);
    return adapter;
  };
  return {
    get,
    all: () => [...adapters.values()],
    async withSession(name, work) {
      const adapter = get(name);
      const session = await adapter.open();
      try {
        return await work(session, adapter);
      } finally {
        await session.close();
      }
    },
    cancel: () => tracker.cancel(),
    async close() {
      tracker.stop();
      for (const a of adapters.values()) await a.close();
      await engine.close();
      await rm(tempDirectory, { recursive: true, force: true });
    },
  };
}
