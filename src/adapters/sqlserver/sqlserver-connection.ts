// Sessions on SQL Server through `mssql` (tedious): one pinned connection per session, T-SQL sent as
// SQL batches, rows streamed out with backpressure, rows bulk-loaded in bounded chunks, retries.
//
// Why a pool of size 1 per session: `mssql` hands each request any free pooled connection, and
// `query()` goes through sp_executesql. A session needs one physical connection so that its batches,
// its transaction and its session settings stay together; with max 1 every request lands on it.
import sql from "mssql";
import { batchFromRows, batchRows } from "../batch.js";
import type { Column, Row, RowBatch, Session, WriteResult } from "../contract.js";
import type { SqlServerConnection } from "../../project/connection-schema.js";
import { sqlServerDialect } from "./sqlserver-dialect.js";
import { backoffMs, isRetryable, withRetry, type RetryPolicy, type WorkKind } from "./sqlserver-retry.js";
import {
  describeResultSql,
  exactDecimalSelectSql,
  needsTextTransport,
  type DescribedColumn,
} from "./sqlserver-sql.js";
import { decodeValue, describeColumn, type DriverColumn } from "./sqlserver-values.js";

export interface SessionOptions {
  retry: RetryPolicy;
  /** Rows per bulk-load chunk: the most rows a load holds in memory at once. */
  bulkChunkRows: number;
}

/** The `mssql` pool config for one session's pinned connection. */
export function mssqlConfig(config: SqlServerConnection): sql.config {
  return {
    server: config.host,
    port: config.port,
    database: config.database,
    user: config.user,
    password: config.password,
    connectionTimeout: config.connect_timeout_ms,
    requestTimeout: config.request_timeout_ms,
    pool: { min: 0, max: 1, idleTimeoutMillis: 30_000 },
    // Checks the socket instead of sending `SELECT 1` through sp_executesql before every request.
    validateConnection: "socket",
    arrayRowMode: true,
    options: {
      encrypt: config.encrypt,
      trustServerCertificate: config.trust_server_certificate,
      // Dates are read and written as UTC, as the contract's CellValue requires.
      useUTC: true,
      // SET XACT_ABORT ON for the whole session: any error rolls back the open transaction.
      abortTransactionOnError: true,
      appName: "sluice",
    },
  };
}

export class SqlServerSession implements Session {
  private transactionInProgress: sql.Transaction | null = null;
  private closed = false;
  /** The request sent last, for cancel(): a session runs one request at a time. */
  private latest: sql.Request | undefined;

  private constructor(
    private readonly pool: sql.ConnectionPool,
    private readonly options: SessionOptions,
    private readonly onClose: () => void,
  ) {}

  static async open(
    config: SqlServerConnection,
    options: SessionOptions,
    onClose: () => void,
  ): Promise<SqlServerSession> {
    const pool = await withRetry(options.retry, { inTransaction: false, kind: "read" }, async () => {
      const candidate = new sql.ConnectionPool(mssqlConfig(config));
      try {
        return await candidate.connect();
      } catch (error) {
        await candidate.close().catch(() => undefined);
        throw error;
      }
    });
    return new SqlServerSession(pool, options, onClose);
  }

  /** Sends an attention for the running request; tedious then fails it with ECANCEL. */
  async cancel(): Promise<void> {
    if (!this.closed) this.latest?.cancel();
  }

  get inTransaction(): boolean {
    return this.transactionInProgress !== null;
  }

  /** A request on the pinned connection, inside the open transaction if there is one. */
  private request(): sql.Request {
    if (this.closed) throw new Error("This SQL Server session is closed; open a new one");
    const request = this.transactionInProgress
      ? new sql.Request(this.transactionInProgress)
      : new sql.Request(this.pool);
    request.arrayRowMode = true;
    this.latest = request;
    return request;
  }

  private retrying<T>(kind: WorkKind, work: () => Promise<T>): Promise<T> {
    return withRetry(this.options.retry, { inTransaction: this.inTransaction, kind }, work);
  }

  /** Sends T-SQL as one SQL batch (never sp_executesql) and returns each statement's row count. */
  async batch(text: string): Promise<number[]> {
    const result = await this.retrying("write", () => this.request().batch(text));
    return result.rowsAffected;
  }

  async execute(text: string): Promise<WriteResult> {
    const counts = await this.batch(text);
    return { rowsAffected: counts.length === 0 ? null : counts.reduce((a, b) => a + b, 0) };
  }

  async query(text: string): Promise<{ columns: Column[]; rows: Row[] }> {
    let columns: Column[] = [];
    const rows: Row[] = [];
    for await (const batch of this.stream(text)) {
      columns = batch.columns;
      rows.push(...batchRows(batch));
    }
    return { columns, rows };
  }

  /** Runs a query of sluice's own whose columns need no exact-decimal treatment. */
  async queryPlain(text: string): Promise<Row[]> {
    const rows: Row[] = [];
    for await (const batch of this.streamOnce(text, 10_000, new Map())) rows.push(...batchRows(batch));
    return rows;
  }

  async *stream(text: string, batchSize = 10_000): AsyncIterable<RowBatch> {
    const { sqlText, textColumns } = await this.exactDecimalQuery(text);
    for (let attempt = 0; ; attempt++) {
      let yielded = false;
      try {
        for await (const batch of this.streamOnce(sqlText, batchSize, textColumns)) {
          yielded = true;
          yield batch;
        }
        return;
      } catch (error) {
        // Once rows went to the caller a retry would repeat them; before that, a read is safe to redo.
        const ctx = { inTransaction: this.inTransaction, kind: "read" as const };
        if (yielded || attempt >= this.options.retry.maxRetries || !isRetryable(error, ctx)) throw error;
        await new Promise((resolve) =>
          setTimeout(resolve, backoffMs(attempt, this.options.retry.baseDelayMs)),
        );
      }
    }
  }

  /**
   * tedious reads DECIMAL into a JS number. Asks the server for the result's shape first and, when a
   * column is wider than a double holds exactly, wraps the query to CAST those columns to VARCHAR.
   */
  private async exactDecimalQuery(
    text: string,
  ): Promise<{ sqlText: string; textColumns: Map<string, DescribedColumn> }> {
    let described: DescribedColumn[];
    try {
      const rows = await this.queryPlain(describeResultSql(text));
      described = rows.map(([name, systemTypeName, precision, scale]) => ({
        name: typeof name === "string" ? name : null,
        systemTypeName: String(systemTypeName ?? ""),
        precision: Number(precision ?? 0),
        scale: Number(scale ?? 0),
      }));
    } catch {
      // The server could not describe it (temp tables, dynamic SQL): run it as is; wide decimals are
      // then refused row by row in decodeValue rather than returned with lost digits.
      return { sqlText: text, textColumns: new Map() };
    }
    const wrapped = exactDecimalSelectSql(text, described);
    if (wrapped === null) return { sqlText: text, textColumns: new Map() };
    const textColumns = new Map(described.filter(needsTextTransport).map((c) => [c.name ?? "", c]));
    return { sqlText: wrapped, textColumns };
  }

  /** One streamed execution: pauses the driver when a full batch waits, resumes when it is taken. */
  private async *streamOnce(
    text: string,
    batchSize: number,
    textColumns: Map<string, DescribedColumn>,
  ): AsyncGenerator<RowBatch> {
    const request = this.request();
    request.stream = true;
    let columns: Column[] = [];
    let driverColumns: DriverColumn[] = [];
    let rows: Row[] = [];
    const ready: RowBatch[] = [];
    let finished = false;
    let failure: unknown = null;
    let paused = false;
    let yieldedBatches = 0;
    let wake: (() => void) | null = null;
    const notify = (): void => {
      const w = wake;
      wake = null;
      w?.();
    };
    const flush = (): void => {
      if (rows.length > 0) ready.push(batchFromRows(columns, rows));
      rows = [];
    };
    request.on("recordset", (meta: unknown) => {
      flush();
      driverColumns = Array.isArray(meta)
        ? (meta as DriverColumn[])
        : Object.values(meta as Record<string, DriverColumn>);
      columns = driverColumns.map((c) => describeColumn(c, textColumns.get(c.name), sqlServerDialect));
      notify();
    });
    request.on("row", (values: unknown[]) => {
      rows.push(
        values.map((v, i) => decodeValue(v, driverColumns[i], textColumns.has(driverColumns[i]?.name ?? ""))),
      );
      if (rows.length >= batchSize) {
        flush();
        if (!paused) {
          request.pause();
          paused = true;
        }
        notify();
      }
    });
    request.on("error", (error: unknown) => {
      failure ??= error;
      notify();
    });
    request.on("done", () => {
      finished = true;
      flush();
      notify();
    });
    request.batch(text, () => undefined);
    try {
      for (;;) {
        const next = ready.shift();
        if (next) {
          yieldedBatches += 1;
          yield next;
          continue;
        }
        if (failure) throw failure;
        if (finished) {
          // An empty result still says what its columns are, which a load needs to create its table.
          if (yieldedBatches === 0 && columns.length > 0) yield batchFromRows(columns, []);
          return;
        }
        if (paused) {
          paused = false;
          request.resume();
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    } finally {
      if (!finished) request.cancel();
    }
  }

  /**
   * Bulk-loads rows into an existing table through tedious' bulk load, one `mssql` Table per chunk of
   * `bulkChunkRows` rows, so at most one chunk is held in memory. Returns the rows loaded.
   */
  async bulkLoad(tablePath: string, columns: Column[], rows: AsyncIterable<Row[]>): Promise<number> {
    let chunk: Row[] = [];
    let loaded = 0;
    const send = async (): Promise<void> => {
      const pending = chunk;
      chunk = [];
      if (pending.length === 0) return;
      await this.retrying("write", () => this.request().bulk(bulkTable(tablePath, columns, pending)));
      loaded += pending.length;
    };
    for await (const part of rows) {
      for (const row of part) {
        chunk.push(row);
        if (chunk.length >= this.options.bulkChunkRows) await send();
      }
    }
    await send();
    return loaded;
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    // A nested call joins the transaction already open: SQL Server has no true nested transactions.
    if (this.transactionInProgress) return work();
    const transaction = new sql.Transaction(this.pool);
    await this.retrying("read", () => transaction.begin());
    this.transactionInProgress = transaction;
    try {
      const result = await work();
      await transaction.commit();
      return result;
    } catch (error) {
      // XACT_ABORT or a deadlock may have rolled it back already; the original error is what matters.
      await transaction.rollback().catch(() => undefined);
      throw error;
    } finally {
      this.transactionInProgress = null;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.transactionInProgress) await this.transactionInProgress.rollback().catch(() => undefined);
    this.closed = true;
    try {
      await this.pool.close();
    } finally {
      this.onClose();
    }
  }
}

/** The `mssql` column type a staging column is bulk-loaded as (decimals travel as text). */
function bulkType(column: Column): sql.ISqlType {
  const t = column.type;
  switch (t.kind) {
    case "boolean":
      return sql.Bit();
    case "integer":
      return t.bits === 64 ? sql.BigInt() : t.bits === 32 ? sql.Int() : sql.SmallInt();
    case "decimal":
      return sql.NVarChar(64);
    case "float":
      return t.bits === 32 ? sql.Real() : sql.Float();
    case "string":
      return t.length !== undefined && t.length <= 4000
        ? sql.NVarChar(Math.max(1, t.length))
        : sql.NVarChar(sql.MAX);
    case "date":
      return sql.Date();
    case "timestamp":
      return sql.DateTime2(6);
    case "binary":
      return sql.VarBinary(sql.MAX);
  }
}

type BulkCell = string | number | boolean | Date | Buffer | null;

function bulkValue(value: Row[number], column: Column): BulkCell {
  if (value === null || value === undefined) return null;
  switch (column.type.kind) {
    case "integer":
      // tedious writes BIGINT from a JS bigint exactly; smaller integers are plain numbers.
      return (column.type.bits === 64
        ? BigInt(value as bigint | number | string)
        : Number(value)) as unknown as BulkCell;
    case "decimal":
    case "string":
      return typeof value === "string" ? value : String(value);
    case "binary":
      return Buffer.from(value as Uint8Array);
    case "date":
      return typeof value === "string" ? value : (value as Date).toISOString().slice(0, 10);
    default:
      return value as BulkCell;
  }
}

function bulkTable(tablePath: string, columns: Column[], rows: Row[]): sql.Table {
  const table = new sql.Table(tablePath);
  table.create = false;
  for (const c of columns) table.columns.add(c.name, bulkType(c), { nullable: true });
  for (const row of rows) table.rows.add(...row.map((v, i) => bulkValue(v, columns[i] as Column)));
  return table;
}
