// Sessions on MySQL/MariaDB through `mysql2`: one connection per session, rows streamed out with
// backpressure (the driver stops reading the socket while a batch is being consumed), rows
// bulk-loaded through LOAD DATA LOCAL INFILE from a stream sluice writes as it reads, or through
// multi-row INSERTs. Both hold one batch at a time.
import { once } from "node:events";
import { Readable } from "node:stream";
import mysql from "mysql2";
import type { FieldPacket, ResultSetHeader } from "mysql2";
import type { Column, Row, RowBatch, Session, WriteResult } from "../contract.js";
import { batchWithExactTimestamps } from "../exact-text.js";
import type { MySqlConnection } from "../../project/connection-schema.js";
import { mysqlDialect } from "./mysql-dialect.js";
import { cellDecoder, describeField, loadText, valuesLists } from "./mysql-values.js";

/** Text of one LOAD DATA chunk: well under max_allowed_packet (16 MB by default). */
const LOAD_CHUNK_CHARS = 1 << 20;

export function connectionOptions(config: MySqlConnection): mysql.ConnectionOptions {
  return {
    host: config.host,
    port: config.port,
    database: config.database,
    user: config.user,
    password: config.password,
    ssl: config.ssl ? { rejectUnauthorized: true } : undefined,
    connectTimeout: config.connect_timeout_ms,
    // Atomic blocks are several statements in one round trip.
    multipleStatements: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    // JSON as the server's text: parsed, it is a JS object in a text column and lands on another
    // engine as "[object Object]". MariaDB's JSON is LONGTEXT, but the driver learns of it from
    // MariaDB's extended column metadata and parses it too.
    jsonStrings: true,
    charset: "utf8mb4_bin",
    flags: ["+LOCAL_FILES"],
  };
}

/**
 * Session settings: UTC; backslash escapes on, which mysqlDialect's literals assume; and `||` as
 * the SQL standard's string concatenation (PIPES_AS_CONCAT), as on every other engine sluice runs
 * models on. Without it `first || ' ' || last` is a logical OR and yields 0 for every row: wrong
 * data, not an error.
 */
const SESSION_SETUP =
  "SET time_zone = '+00:00', sql_mode = CONCAT(" +
  "REPLACE(REPLACE(@@sql_mode, 'NO_BACKSLASH_ESCAPES', ''), 'ANSI_QUOTES', ''), ',PIPES_AS_CONCAT')";

export class MySqlSession implements Session {
  private inTransaction = false;
  private closed = false;
  private broken: Error | null = null;

  private constructor(
    private readonly connection: mysql.Connection,
    private readonly config: MySqlConnection,
    private readonly onClose: () => void,
  ) {
    // A dropped socket surfaces here as well as in the pending query; without a listener it would
    // crash the process instead of failing the step.
    connection.on("error", (error: Error) => {
      this.broken ??= error;
    });
  }

  static async open(config: MySqlConnection, onClose: () => void): Promise<MySqlSession> {
    const connection = mysql.createConnection(connectionOptions(config));
    try {
      await connection.promise().connect();
      await connection.promise().query(SESSION_SETUP);
    } catch (error) {
      connection.destroy();
      throw new Error(
        `Cannot connect to MySQL at ${config.host}:${config.port} ` +
          `(database ${config.database}): ${(error as Error).message}`,
        { cause: error },
      );
    }
    return new MySqlSession(connection, config, onClose);
  }

  private usable(): void {
    if (this.closed) throw new Error("This MySQL session is closed; open a new one");
    if (this.broken) throw new Error(`The MySQL connection was lost: ${this.broken.message}`);
  }

  /**
   * Runs SQL text (one statement or several). An atomic block's own START TRANSACTION/COMMIT are
   * left out inside an open transaction; when a block fails on its own, the session rolls it back.
   */
  async execute(sql: string): Promise<WriteResult> {
    this.usable();
    const text = this.inTransaction ? withoutOwnTransaction(sql) : sql;
    try {
      const [result] = await this.connection.promise().query(text);
      const headers = (Array.isArray(result) ? result : [result]) as ResultSetHeader[];
      const counted =
        sql.startsWith("START TRANSACTION;") && headers.length >= 2 ? headers.at(-2) : headers.at(-1);
      return { rowsAffected: counted?.affectedRows ?? null };
    } catch (error) {
      if (!this.inTransaction && !this.broken)
        await this.connection
          .promise()
          .query("ROLLBACK")
          .catch(() => undefined);
      throw error;
    }
  }

  async query(sql: string): Promise<{ columns: Column[]; rows: Row[] }> {
    this.usable();
    const [rows, fields] = await this.connection.promise().query({ sql, rowsAsArray: true });
    const columns = (fields ?? []).map((f) => describeField(f, mysqlDialect));
    const decoders = columns.map((c) => cellDecoder(c.type));
    const timestamps = columns.map((c) => c.type.kind === "timestamp");
    return {
      columns,
      rows: (rows as unknown[][]).map((row) =>
        row.map((v, c) =>
          timestamps[c] && typeof v === "string" ? new Date(`${v.replace(" ", "T")}Z`) : decoders[c]!(v),
        ),
      ),
    };
  }

  /** Reads the result as a row stream; the driver pauses the socket while rows wait to be read. */
  async *stream(sql: string, batchSize = this.config.fetch_rows): AsyncIterable<RowBatch> {
    this.usable();
    const query = this.connection.query({ sql, rowsAsArray: true });
    const rows = query.stream({ highWaterMark: batchSize });
    let columns: Column[] | null = null;
    let decoders: Array<(v: unknown) => unknown> = [];
    rows.on("fields", (fields: FieldPacket[]) => {
      columns = fields.map((f) => describeField(f, mysqlDialect));
      decoders = columns.map((c) => (c.type.kind === "timestamp" ? (v: unknown) => v : cellDecoder(c.type)));
    });
    // mysql2 reports a dropped socket on the connection only, and leaves the row stream waiting
    // for rows that never come: fail the stream with the connection's error instead.
    const lost = (error?: Error) =>
      rows.destroy(error ?? new Error("The MySQL connection was closed mid-stream"));
    this.connection.once("error", lost);
    this.connection.once("end", lost);
    let batch: Row[] = [];
    let yielded = false;
    try {
      for await (const raw of rows as AsyncIterable<unknown[]>) {
        batch.push(raw.map((v, c) => decoders[c]!(v)) as Row);
        if (batch.length >= batchSize) {
          yield batchWithExactTimestamps(columns!, batch);
          yielded = true;
          batch = [];
        }
      }
      if (batch.length > 0 || !yielded) yield batchWithExactTimestamps(columns ?? [], batch);
    } finally {
      this.connection.removeListener("error", lost);
      this.connection.removeListener("end", lost);
      // A reader that stops early leaves rows unread: destroying the stream resumes the socket so
      // the driver drains them, and the connection stays usable.
      if (!rows.destroyed) rows.destroy();
    }
  }

  /**
   * LOAD DATA LOCAL INFILE of every batch. The server asks for the "file" and the driver streams it
   * from a Readable that writes one chunk at a time, waiting while the socket has unsent bytes.
   * LOCAL turns data errors into warnings, so any warning fails the load. Returns rows loaded.
   */
  async loadData(loadSql: string, batches: AsyncIterable<RowBatch>): Promise<number> {
    this.usable();
    const socket = (
      this.connection as unknown as { stream: NodeJS.WritableStream & { writableNeedDrain: boolean } }
    ).stream;
    async function* chunks(): AsyncIterable<Buffer> {
      for await (const batch of batches) {
        const text = loadText(batch);
        for (let at = 0; at < text.length; ) {
          let end = Math.min(text.length, at + LOAD_CHUNK_CHARS);
          // A chunk ends at a line end, so no character is split across two packets.
          if (end < text.length) end = text.lastIndexOf("\n", end - 1) + 1 || end;
          if (socket.writableNeedDrain) await once(socket, "drain");
          yield Buffer.from(text.slice(at, end), "utf8");
          at = end;
        }
      }
    }
    const [result] = await this.connection
      .promise()
      .query({ sql: loadSql, infileStreamFactory: () => Readable.from(chunks()) });
    const header = result as ResultSetHeader;
    if (header.warningStatus > 0) await this.failOnWarnings("LOAD DATA");
    return header.affectedRows;
  }

  /** Multi-row INSERTs of `insert_batch_rows` rows each. Returns rows inserted. */
  async insertRows(head: string, batches: AsyncIterable<RowBatch>): Promise<number> {
    this.usable();
    let rows = 0;
    for await (const batch of batches) {
      const lists = valuesLists(batch);
      for (let at = 0; at < lists.length; at += this.config.insert_batch_rows) {
        const [result] = await this.connection
          .promise()
          .query(`${head}${lists.slice(at, at + this.config.insert_batch_rows).join(",\n")};`);
        const header = result as ResultSetHeader;
        if (header.warningStatus > 0) await this.failOnWarnings("INSERT");
        rows += header.affectedRows;
      }
    }
    return rows;
  }

  private async failOnWarnings(what: string): Promise<never> {
    const [warnings] = await this.connection
      .promise()
      .query({ sql: "SHOW WARNINGS LIMIT 5", rowsAsArray: true });
    const text = (warnings as unknown[][])
      .map((w) => `${String(w[0])} ${String(w[1])}: ${String(w[2])}`)
      .join("; ");
    throw new Error(
      `${what} changed values on their way into MySQL (${text}); ` +
        `nothing was written to the target. Check the column types.`,
    );
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    this.usable();
    if (this.inTransaction)
      throw new Error("A MySQL session runs one transaction at a time; this one is already in one");
    await this.connection.promise().query("START TRANSACTION");
    this.inTransaction = true;
    try {
      const result = await work();
      await this.connection.promise().query("COMMIT");
      return result;
    } catch (error) {
      if (!this.broken)
        await this.connection
          .promise()
          .query("ROLLBACK")
          .catch(() => undefined);
      throw error;
    } finally {
      this.inTransaction = false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.broken) this.connection.destroy();
      else await this.connection.promise().end();
    } catch {
      this.connection.destroy();
    } finally {
      this.onClose();
    }
  }
}

/** The statements of an atomic block without its START TRANSACTION and COMMIT lines. */
export function withoutOwnTransaction(sql: string): string {
  const lines = sql.split("\n");
  if (lines[0] === "START TRANSACTION;" && lines.at(-1) === "COMMIT;") return lines.slice(1, -1).join("\n");
  return sql;
}
