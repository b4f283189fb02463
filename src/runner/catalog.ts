// Reads the columns and types that each documented relation has on its engine, for the docs catalog
// (dbt's catalog.json), and the row counts of those that hold data (tables, incremental models,
// seeds, sources; never views, whose count would run their query): the adapters' own introspection
// and a count(*), one session per connection, never while a
// build holds the run lock, and embedded files read from copies, so generating the docs writes
// nothing outside target/. What cannot be read is reported with why, never guessed.
import { existsSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { openConnections } from "../adapters/index.js";
import type { RelationName } from "../adapters/contract.js";
import { RunLock } from "../ledger/run-lock.js";
import { FileSnapshot, pauseForTests, snapshotTarget } from "./plan-workspace.js";
import type { ConnectionConfig } from "../project/connection-schema.js";
import type { Project } from "../project/load.js";
import { statePaths } from "./workspace.js";

/** One relation to describe: the node it documents, where it lives and its name there. */
export interface RelationToDescribe {
  node: string;
  connection: string;
  relation: RelationName;
  /** Count its rows: it holds data (not a view, whose count(*) would run the view's query). */
  countRows: boolean;
}

export interface EngineCatalog {
  /** When the engines were read. */
  readAt: string;
  /** Node id → its relation's columns as the engine has them, in order; absent when not there. */
  relations: Record<string, { name: string; type: string }[]>;
  /** Node id → its relation's row count by count(*), for the relations asked to count that exist. */
  rows: Record<string, number>;
  /** Connections that were read. */
  read: string[];
  /** Connections that were not read, each with why. */
  unread: { connection: string; why: string }[];
  /** Relations the engine refused to describe (other than by not having them), with its message. */
  errors: { node: string; message: string }[];
}

/**
 * Describes `relations` on the connections of `project`'s target that can be read now. A DuckDB
 * file that does not exist yet is left alone, since opening it would create it; so is every
 * connection while a build holds the run lock.
 */
export async function readEngineCatalog(
  project: Project,
  relations: RelationToDescribe[],
  runId: string,
  now: () => Date = () => new Date(),
): Promise<EngineCatalog> {
  const out: EngineCatalog = {
    readAt: now().toISOString(),
    relations: {},
    rows: {},
    read: [],
    unread: [],
    errors: [],
  };
  const wanted = new Set(relations.map((r) => r.connection));
  const connections = Object.fromEntries(
    Object.entries(project.target.connections).filter(([name]) => wanted.has(name)),
  );
  for (const [name, config] of Object.entries(connections)) {
    if (config.type !== "duckdb") continue;
    const why =
      config.path === ":memory:"
        ? "an in-memory DuckDB database keeps nothing between commands"
        : existsSync(duckdbPath(project.dir, config.path))
          ? null
          : `not built yet: ${config.path} does not exist`;
    if (why) {
      out.unread.push({ connection: name, why });
      delete connections[name];
    }
  }
  for (const name of wanted)
    if (!project.target.connections[name])
      out.unread.push({ connection: name, why: `not a connection of target ${project.targetName}` });
  if (Object.keys(connections).length === 0) return out;

  // Read like plan reads: never while a build writes, never by taking the lock (a write), and the
  // embedded files from copies, since opening a DuckDB file can replay its WAL.
  const lock = statePaths(project).lock;
  // Read before the holder check: a build that takes the lock after it leaves a newer generation.
  const seen = RunLock.generation(lock);
  const holder = RunLock.holder(lock);
  if (holder) {
    const h = holder;
    const why =
      `a build holds the run lock (${h.command} run ${h.runId}, pid ${h.pid} on ${h.host}); not ` + `opened`;
    for (const name of Object.keys(connections)) out.unread.push({ connection: name, why });
    return out;
  }
  await pauseForTests();
  const read = await describeOnCopies(project, connections, relations, runId, out);
  if (RunLock.generation(lock) === seen) return read;
  // A build took the lock while the copies were made or read: they may be half-written.
  const why = "a build took the run lock while its files were read; not used";
  return {
    ...out,
    relations: {},
    read: [],
    errors: [],
    unread: [...out.unread, ...Object.keys(connections).map((connection) => ({ connection, why }))],
  };
}

/** Describes `relations` on copies of `connections`' files, adding what it finds to `out`. */
async function describeOnCopies(
  project: Project,
  connections: Record<string, ConnectionConfig>,
  relations: RelationToDescribe[],
  runId: string,
  out: EngineCatalog,
): Promise<EngineCatalog> {
  const redact = (e: unknown) => project.secrets.redact(e instanceof Error ? e.message : String(e));
  const snapshot = new FileSnapshot();
  try {
    let opened: Awaited<ReturnType<typeof openConnections>>;
    try {
      const target = snapshotTarget({ ...project.target, connections }, project.dir, snapshot);
      opened = await openConnections(target, snapshot.dir, runId);
    } catch (e) {
      for (const name of Object.keys(connections)) out.unread.push({ connection: name, why: redact(e) });
      return out;
    }
    try {
      for (const name of Object.keys(connections)) {
        const mine = relations.filter((r) => r.connection === name);
        try {
          await opened.withSession(name, async (session, adapter) => {
            const introspector = adapter.introspector(session);
            for (const r of mine) {
              try {
                const columns = await introspector.columns(r.relation);
                // No columns: the engine has no such relation (DuckDB and SQL Server answer so).
                if (columns.length === 0) continue;
                out.relations[r.node] = columns.map((c) => ({ name: c.name, type: c.nativeType }));
                // Exact, and cheap where it matters most: DuckDB counts a table from its row groups
                // and a Parquet lake view from the files' footers; Spark counts Parquet the same way.
                if (r.countRows) {
                  const counted = await session.query(
                    `SELECT COUNT(*) AS row_count FROM ${adapter.dialect.relation(r.relation)}`,
                  );
                  const n = Number(counted.rows[0]?.[0]);
                  if (Number.isSafeInteger(n) && n >= 0) out.rows[r.node] = n;
                  else
                    out.errors.push({
                      node: r.node,
                      message: `count(*) returned ${String(counted.rows[0]?.[0])}`,
                    });
                }
              } catch (e) {
                const message = redact(e);
                // Hive and Spark refuse to describe a table they do not have: not built, not broken.
                if (!/not found|does not exist|doesn't exist|no such/i.test(message))
                  out.errors.push({ node: r.node, message });
              }
            }
          });
          out.read.push(name);
        } catch (e) {
          out.unread.push({ connection: name, why: `could not connect: ${redact(e)}` });
        }
      }
    } finally {
      await opened.close();
    }
  } finally {
    snapshot.remove();
  }
  return out;
}

/** Where the DuckDB adapter puts a connection's file (adapters/duckdb/index.ts). */
function duckdbPath(projectDir: string, path: string): string {
  return isAbsolute(path) ? path : join(projectDir, path);
}
