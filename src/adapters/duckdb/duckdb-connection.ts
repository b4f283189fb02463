// The embedded DuckDB engine of a target and its sessions. Every DuckDB connection of a target is
// a database file attached to one in-process instance under its connection name, so SQL on one
// can read the others directly (the compiler relies on this; see compiler/relations.ts).
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import type { Column, Row, RowBatch, Session, WriteResult } from "../contract.js";
import { duckdbDialect, logicalType } from "./duckdb-dialect.js";
import { batchRows, sliceBatch } from "../batch.js";
import { CHUNK_ROWS, readChunk } from "./duckdb-values.js";

export class DuckDbEngine {
  private instance: Promise<DuckDBInstance> | undefined;
  private readonly registered = new Map<string, string>();
  private readonly attached = new Map<string, Promise<void>>();
  private readonly sessions = new Set<DuckDbSession>();
  /**
   * Connections of closed sessions, ready for the next: a build opens a session per step, test and
   * probe, and a fresh DuckDB connection (connect, zone, close) costs more than most of the
   * statements it then runs. Only a session that left no state behind comes back here, with the
   * `USE` it left in force.
   */
  private readonly idle: { connection: DuckDBConnection; using: string }[] = [];

  /**
   * `tempDirectory` is where DuckDB spills what does not fit in `memoryLimit` (staged rows, large
   * sorts and joins); DuckDB's own default is `.tmp` in whatever folder the process runs in.
   */
  constructor(
    private readonly settings: { threads?: number; memoryLimit?: string; tempDirectory?: string } = {},
  ) {}

  /**
   * Declares a database of the target. Every session attaches every declared database first, so SQL
   * on one connection can read another even when that connection was never opened itself.
   */
  register(name: string, path: string): void {
    this.registered.set(name, path);
  }

  /** Declares and attaches `path` under `name`; `:memory:` gives a throwaway database. */
  async attach(name: string, path: string): Promise<void> {
    this.register(name, path);
    await this.attachRegistered();
  }

  /**
   * A session; with `use`, unqualified names resolve to that catalog and schema. An idle
   * connection already there is preferred, so a reused session often needs no statement at all.
   */
  async open(use?: { catalog: string; schema: string }): Promise<DuckDbSession> {
    await this.attachRegistered();
    const session = await this.connect(use && useStatement(use.catalog, use.schema));
    if (use) await session.use(use.catalog, use.schema);
    return session;
  }

  private attachRegistered(): Promise<void> {
    const missing = [...this.registered].filter(([name]) => !this.attached.has(name));
    for (const [name, path] of missing) {
      this.attached.set(
        name,
        (async () => {
          if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
          const session = await this.connect();
          try {
            await session.execute(
              `ATTACH IF NOT ` +
                `EXISTS ${path === ":memory:" ? "':memory:'" : `'${path.replace(/'/g, "''")}'`}` +
                ` AS "${name.replace(/"/g, '""')}"`,
            );
          } finally {
            await session.close();
          }
        })(),
      );
    }
    return Promise.all(this.attached.values()).then(() => undefined);
  }

  private async connect(using = ""): Promise<DuckDbSession> {
    // DuckDB creates the spill folder itself, but not the folders above it.
    if (!this.instance && this.settings.tempDirectory)
      mkdirSync(dirname(this.settings.tempDirectory), { recursive: true });
    this.instance ??= DuckDBInstance.create(":memory:", {
      // The npm build bundles parquet, json and icu; never reach for the network at run time.
      autoinstall_known_extensions: "false",
      autoload_known_extensions: "false",
      ...(this.settings.threads ? { threads: String(this.settings.threads) } : {}),
      ...(this.settings.memoryLimit ? { memory_limit: this.settings.memoryLimit } : {}),
      ...(this.settings.tempDirectory ? { temp_directory: this.settings.tempDirectory } : {}),
    });
    const instance = this.instance;
    const at = this.idle.findIndex((c) => c.using === using);
    const reused = this.idle.splice(at < 0 ? -1 : at, 1)[0];
    let connection = reused?.connection;
    if (!connection) {
      connection = await (await instance).connect();
      // Every session in UTC, whatever the machine's zone: the text of a TIMESTAMPTZ (a partition
      // value, a key) and every zone-dependent result are then the same in every build, so a build
      // from cron in UTC and one from Tokyo replace the same partitions. (The setting cannot be
      // given to the instance: ICU is not loaded yet when its options are read.)
      await connection.run("SET TimeZone = 'UTC'");
    }
    const open = connection;
    const session = new DuckDbSession(open, reused?.using ?? "", (reusable, left) => {
      this.sessions.delete(session);
      if (reusable && this.instance === instance && this.idle.length < MAX_IDLE)
        this.idle.push({ connection: open, using: left });
      else open.closeSync();
    });
    this.sessions.add(session);
    return session;
  }

  async close(): Promise<void> {
    for (const s of [...this.sessions]) await s.close();
    for (const c of this.idle.splice(0)) c.connection.closeSync();
    if (this.instance) (await this.instance).closeSync();
    this.instance = undefined;
    this.attached.clear();
  }
}

/** Idle connections an engine keeps; more sessions than this at once is rare outside tests. */
const MAX_IDLE = 8;

export class DuckDbSession implements Session {
  private closed = false;
  /** Set when the session may have changed its connection's state, so the connection is not reused. */
  private changedState = false;

  constructor(
    readonly connection: DuckDBConnection,
    /** The `USE` statement in force on the connection ("" when unknown or none). */
    private using: string,
    private readonly onClose: (reusable: boolean, using: string) => void,
  ) {}

  /** Makes `catalog.schema` where unqualified names resolve (a reused connection may already be there). */
  async use(catalog: string, schema: string): Promise<void> {
    const statement = useStatement(catalog, schema);
    if (statement === this.using) return;
    this.using = "";
    await this.connection.run(statement);
    this.using = statement;
  }

  async execute(sql: string): Promise<WriteResult> {
    this.notice(sql);
    const result = await this.connection.run(sql);
    const changed = result.rowsChanged;
    return { rowsAffected: typeof changed === "number" ? changed : null };
  }

  /** Marks the connection as not reusable when `sql` may change its state (see `changesSessionState`). */
  private notice(sql: string): void {
    if (!this.changedState && changesSessionState(sql)) {
      this.changedState = true;
      this.using = "";
    }
  }

  /**
   * All rows at once, materialised by DuckDB in one call: the caller keeps every row anyway, and
   * one trip to DuckDB's thread costs less than a stream's prepare, start and fetches.
   */
  async query(sql: string): Promise<{ columns: Column[]; rows: Row[] }> {
    this.notice(sql);
    const result = await this.connection.run(sql);
    const types = result.columnTypes();
    const columns = result.columnNames().map((name, i) => column(name, types[i]!.toString()));
    const rows: Row[] = [];
    for (let i = 0; i < result.chunkCount; i++) {
      const chunk = result.getChunk(i);
      const vectors = readChunk(chunk, columns, types);
      for (const row of batchRows({ columns, rowCount: chunk.rowCount, vectors })) rows.push(row);
    }
    return { columns, rows };
  }

  /** One batch per DuckDB data chunk (2,048 rows), split further when `batchSize` is smaller. */
  async *stream(sql: string, batchSize = CHUNK_ROWS): AsyncIterable<RowBatch> {
    this.notice(sql);
    const result = await this.connection.stream(sql);
    const types = result.columnTypes();
    const columns = result.columnNames().map((name, i) => column(name, types[i]!.toString()));
    let yielded = false;
    // The next chunk is always being fetched (on DuckDB's threads) while this one is converted and
    // consumed, so the engine and the reader work at the same time; one chunk ahead bounds memory.
    let next = result.fetchChunk();
    try {
      for (;;) {
        const chunk = await next;
        if (!chunk || chunk.rowCount === 0) break;
        next = result.fetchChunk();
        const batch: RowBatch = {
          columns,
          rowCount: chunk.rowCount,
          vectors: readChunk(chunk, columns, types),
        };
        for (let start = 0; start < batch.rowCount; start += batchSize) {
          yield start === 0 && batch.rowCount <= batchSize
            ? batch
            : sliceBatch(batch, start, Math.min(batch.rowCount, start + batchSize));
        }
        yielded = true;
      }
    } finally {
      // A reader that stops early leaves a fetch in flight; let it land before the session is reused.
      await next.catch(() => undefined);
    }
    // An empty result still yields one batch, so a reader always learns the columns.
    if (!yielded)
      yield { columns, rowCount: 0, vectors: columns.map(() => ({ encoding: "cells", values: [] })) };
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    await this.connection.run("BEGIN TRANSACTION");
    try {
      const result = await work();
      await this.connection.run("COMMIT");
      return result;
    } catch (e) {
      await this.connection.run("ROLLBACK").catch(() => {
        // The transaction may still be open: this connection must not serve another session.
        this.changedState = true;
      });
      throw e;
    }
  }

  async cancel(): Promise<void> {
    // An interrupt with nothing running is a no-op: it does not poison the next statement.
    if (this.closed) return;
    this.changedState = true;
    this.connection.interrupt();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClose(!this.changedState, this.using);
  }
}

const useStatement = (catalog: string, schema: string) =>
  `USE ${duckdbDialect.quoteIdentifier(catalog)}.${duckdbDialect.quoteIdentifier(schema)}`;

/** What SQL text holds apart from its literals, quoted names and comments. */
const NOT_CODE = /'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\//g;
/** Statements that change the connection rather than the data: its settings, transaction, temp objects. */
const SESSION_STATEMENT =
  /^\s*(?:set|reset|use|pragma|begin|start|commit|rollback|abort|end|prepare|deallocate|create\s+(?:or\s+replace\s+)?temp(?:orary)?)\b/i;

/**
 * True when `sql` holds a statement that may leave state on its connection (a setting, an open
 * transaction, a temporary table, a prepared statement). Errs towards true: the cost of a wrong
 * true is one fresh connection, of a wrong false a setting leaking into another model's session.
 */
export function changesSessionState(sql: string): boolean {
  return sql
    .replace(NOT_CODE, " ")
    .split(";")
    .some((statement) => SESSION_STATEMENT.test(statement));
}

function column(name: string, nativeType: string): Column {
  return { name, nativeType, type: logicalType(nativeType) };
}
