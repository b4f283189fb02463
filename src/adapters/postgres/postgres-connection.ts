// Sessions on PostgreSQL through `pg`: one client (one server backend) per session, rows streamed
// out through a server-side cursor (`pg-cursor`, `fetch_rows` at a time), rows bulk-loaded through
// COPY FROM STDIN (`pg-copy-streams`) with backpressure, so both hold one batch at a time.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import Cursor from "pg-cursor";
import { from as copyFrom } from "pg-copy-streams";
import type { Column, Row, RowBatch, Session, WriteResult } from "../contract.js";
import { batchWithExactTimestamps } from "../exact-text.js";
import type { PostgresConnection } from "../../project/connection-schema.js";
import { postgresDialect } from "./postgres-dialect.js";
import { copyText, describeField, exactTypes, queryRows } from "./postgres-values.js";

/** The `pg` client config of one session; TimeZone=UTC so timestamps read and compare as UTC. */
export function clientConfig(config: PostgresConnection): pg.ClientConfig {
  return {
    host: config.host,
    port: config.port,
    database: config.database,
    user: config.user,
    password: config.password,
    ssl: config.ssl ? { rejectUnauthorized: true } : false,
    connectionTimeoutMillis: config.connect_timeout_ms,
    application_name: "sluice",
    options: "-c TimeZone=UTC -c DateStyle=ISO",
    types: exactTypes,
  };
}

export class PostgresSession implements Session {
  private inTransaction = false;
  private closed = false;
  /** The error that broke the connection, if one did: every later call fails with it. */
  private broken: Error | null = null;

  private constructor(
    private readonly client: pg.Client,
    private readonly fetchRows: number,
    private readonly onClose: () => void,
  ) {
    // A dropped socket surfaces here as well as in the pending query; without a listener it would
    // crash the process instead of failing the step.
    client.on("error", (error) => {
      this.broken ??= error;
    });
  }

  static async open(config: PostgresConnection, onClose: () => void): Promise<PostgresSession> {
    const client = new pg.Client(clientConfig(config));
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw new Error(
        `Cannot connect to PostgreSQL at ${config.host}:${config.port}` +
          ` (database ${config.database}): ${(error as Error).message}`,
        { cause: error },
      );
    }
    return new PostgresSession(client, config.fetch_rows, onClose);
  }

  private usable(): void {
    if (this.closed) throw new Error("This PostgreSQL session is closed; open a new one");
    if (this.broken) throw new Error(`The PostgreSQL connection was lost: ${this.broken.message}`);
  }

  /**
   * Runs SQL text (one statement or several). An atomic block's own BEGIN/COMMIT are left out
   * inside an open transaction, whose commit then covers it; when a block fails on its own, the
   * session rolls it back so it is usable again.
   */
  async execute(sql: string): Promise<WriteResult> {
    this.usable();
    const text = this.inTransaction ? withoutOwnTransaction(sql) : sql;
    try {
      const result = (await this.client.query({ text, types: exactTypes })) as
        | pg.QueryResult
        | pg.QueryResult[];
      const last = Array.isArray(result)
        ? result.filter((r) => r.command !== "BEGIN" && r.command !== "COMMIT").at(-1)
        : result;
      return { rowsAffected: last?.rowCount ?? null };
    } catch (error) {
      if (!this.inTransaction && !this.broken) await this.client.query("ROLLBACK").catch(() => undefined);
      throw error;
    }
  }

  async query(sql: string): Promise<{ columns: Column[]; rows: Row[] }> {
    this.usable();
    const result = await this.client.query({ text: sql, rowMode: "array", types: exactTypes });
    const last = Array.isArray(result) ? (result as pg.QueryResult[]).at(-1)! : result;
    const columns = last.fields.map((f) => describeField(f, postgresDialect));
    return { columns, rows: queryRows(columns, last.rows as unknown[][]) };
  }

  /** Reads through a cursor, `batchSize` rows per round trip; the server holds the rest. */
  async *stream(sql: string, batchSize = this.fetchRows): AsyncIterable<RowBatch> {
    this.usable();
    const cursor = this.client.query(new Cursor(sql, [], { rowMode: "array", types: exactTypes }));
    let columns: Column[] | null = null;
    let done = false;
    try {
      for (;;) {
        const { rows, fields } = await read(cursor, batchSize);
        columns ??= fields.map((f) => describeField(f, postgresDialect));
        if (rows.length === 0) {
          // An empty result still yields one batch, so the reader learns the columns.
          if (!done) yield batchWithExactTimestamps(columns, []);
          break;
        }
        done = true;
        yield batchWithExactTimestamps(columns, rows as Row[]);
        if (rows.length < batchSize) break;
      }
    } finally {
      if (!this.broken) await closeCursor(cursor);
    }
  }

  /** COPY FROM STDIN of every batch, one batch's text in flight at a time. Returns rows copied. */
  async copyIn(copySql: string, batches: AsyncIterable<RowBatch>): Promise<number> {
    this.usable();
    let rows = 0;
    async function* text(): AsyncIterable<string> {
      for await (const batch of batches) {
        rows += batch.rowCount;
        if (batch.rowCount > 0) yield copyText(batch);
      }
    }
    await pipeline(
      Readable.from(text(), { objectMode: false, highWaterMark: 1 }),
      this.client.query(copyFrom(copySql)),
    );
    return rows;
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    this.usable();
    if (this.inTransaction)
      throw new Error("A PostgreSQL session runs one transaction at a time; this one is already in one");
    await this.client.query("BEGIN");
    this.inTransaction = true;
    try {
      const result = await work();
      await this.client.query("COMMIT");
      return result;
    } catch (error) {
      if (!this.broken) await this.client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      this.inTransaction = false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.client.end();
    } catch {
      // A connection that is already gone has nothing left to end.
    } finally {
      this.onClose();
    }
  }
}

interface CursorPage {
  rows: unknown[];
  fields: pg.FieldDef[];
}

function read(cursor: Cursor, rows: number): Promise<CursorPage> {
  return new Promise((resolve, reject) => {
    cursor.read(rows, (error, page, result) =>
      error ? reject(error) : resolve({ rows: page, fields: (result as pg.QueryResult).fields ?? [] }),
    );
  });
}

function closeCursor(cursor: Cursor): Promise<void> {
  return new Promise((resolve) => cursor.close(() => resolve()));
}

/** The statements of an atomic block without its BEGIN and COMMIT lines. */
export function withoutOwnTransaction(sql: string): string {
  const lines = sql.split("\n");
  if (lines[0] === "BEGIN;" && lines.at(-1) === "COMMIT;") return lines.slice(1, -1).join("\n");
  return sql;
}
