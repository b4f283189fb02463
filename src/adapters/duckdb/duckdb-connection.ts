// The embedded DuckDB engine of a target and its sessions. Every DuckDB connection of a target is
// a database file attached to one in-process instance under its connection name, so SQL on one
// can read the others directly (the compiler relies on this; see compiler/relations.ts).
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import type { Column, Row, RowBatch, Session, WriteResult } from "../contract.js";
import { logicalType } from "./duckdb-dialect.js";
import { batchRows, sliceBatch } from "../batch.js";
import { CHUNK_ROWS, readChunk } from "./duckdb-values.js";

export class DuckDbEngine {
  private instance: Promise<DuckDBInstance> | undefined;
  private readonly registered = new Map<string, string>();
  private readonly attached = new Map<string, Promise<void>>();
  private readonly sessions = new Set<DuckDbSession>();

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

  async open(): Promise<DuckDbSession> {
    await this.attachRegistered();
    return this.connect();
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
              `ATTACH IF NOT EXISTS ${path === ":memory:" ? "':memory:'" : `'${path.replace(/'/g, "''")}'`} AS "${name.replace(/"/g, '""')}"`,
            );
          } finally {
            await session.close();
          }
        })(),
      );
    }
    return Promise.all(this.attached.values()).then(() => undefined);
  }

  private async connect(): Promise<DuckDbSession> {
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
    const connection = await (await this.instance).connect();
    // Every session in UTC, whatever the machine's zone: the text of a TIMESTAMPTZ (a partition
    // value, a key) and every zone-dependent result are then the same in every build, so a build
    // from cron in UTC and one from Tokyo replace the same partitions.
    await connection.run("SET TimeZone = 'UTC'");
    const session = new DuckDbSession(connection, () => this.sessions.delete(session));
    this.sessions.add(session);
    return session;
  }

  async close(): Promise<void> {
    for (const s of [...this.sessions]) await s.close();
    if (this.instance) (await this.instance).closeSync();
    this.instance = undefined;
    this.attached.clear();
  }
}

export class DuckDbSession implements Session {
  private closed = false;

  constructor(
    readonly connection: DuckDBConnection,
    private readonly onClose: () => void,
  ) {}

  async execute(sql: string): Promise<WriteResult> {
    const result = await this.connection.run(sql);
    const changed = result.rowsChanged;
    return { rowsAffected: typeof changed === "number" ? changed : null };
  }

  async query(sql: string): Promise<{ columns: Column[]; rows: Row[] }> {
    const columns: Column[] = [];
    const rows: Row[] = [];
    for await (const batch of this.stream(sql)) {
      if (columns.length === 0) columns.push(...batch.columns);
      for (const row of batchRows(batch)) rows.push(row);
    }
    return { columns, rows };
  }

  /** One batch per DuckDB data chunk (2,048 rows), split further when `batchSize` is smaller. */
  async *stream(sql: string, batchSize = CHUNK_ROWS): AsyncIterable<RowBatch> {
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
      await this.connection.run("ROLLBACK").catch(() => undefined);
      throw e;
    }
  }

  async cancel(): Promise<void> {
    // An interrupt with nothing running is a no-op: it does not poison the next statement.
    if (!this.closed) this.connection.interrupt();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.connection.closeSync();
    this.onClose();
  }
}

function column(name: string, nativeType: string): Column {
  return { name, nativeType, type: logicalType(nativeType) };
}
