// Embedded databases that belong to no target: the ledger's file and a scratch database for staging
// seeds. The one place outside an engine's folder that constructs the embedded engine for them, so
// the ledger and the runner reach it through the adapters, as they reach a target's connections.
import type { Session } from "./contract.js";
import { DuckDbEngine } from "./duckdb/index.js";

/** A session on an embedded database of its own; `close` closes the session and the database. */
export interface EmbeddedDatabase {
  session: Session;
  close(): Promise<void>;
}

/** The embedded database in the file at `path`, attached under `name`, on one thread. */
export async function openEmbeddedFile(name: string, path: string): Promise<EmbeddedDatabase> {
  // One thread: the ledger's statements touch a few rows each, where a second thread costs more
  // in hand-offs than it saves.
  const engine = new DuckDbEngine({ threads: 1 });
  try {
    await engine.attach(name, path);
    return { session: await engine.open(), close: () => engine.close() };
  } catch (e) {
    await engine.close();
    throw e;
  }
}

/** A throwaway in-memory database on one thread: a place to read and type rows before they load. */
export async function openScratchDatabase(): Promise<EmbeddedDatabase> {
  const engine = new DuckDbEngine({ threads: 1 });
  try {
    return { session: await engine.open(), close: () => engine.close() };
  } catch (e) {
    await engine.close();
    throw e;
  }
}
