// The SQL Server adapter: sessions over `mssql`, writes built by sqlserver-sql.ts, introspection.
import { SessionSlots } from "../session-slots.js";
import { batchRows } from "../batch.js";
import {
  temporaryName,
  type Adapter,
  type Introspector,
  type RelationName,
  type Row,
  type RowBatch,
  type Session,
  type WriteMode,
  type WriteResult,
} from "../contract.js";
import type { SqlServerConnection } from "../../project/connection-schema.js";
import { SQL_SERVER_CAPABILITIES } from "./sqlserver-capabilities.js";
import { SqlServerSession, type SessionOptions } from "./sqlserver-connection.js";
import { sqlServerDialect } from "./sqlserver-dialect.js";
import { SqlServerIntrospector } from "./sqlserver-introspector.js";
import {
  appendSql,
  createSchemaSql,
  createStagingTableSql,
  createViewSql,
  deleteInsertSql,
  deletePartitionsSql,
  dropRelationSql,
  EmptyPartitionSetError,
  keepPartitionsSql,
  mergeSql,
  replacePartitionsSql,
  selectIntoSql,
  stagedSelectSql,
  swapTableSql,
} from "./sqlserver-sql.js";

export interface SqlServerAdapterOptions {
  /** Goes into temporary relation names so two runs never collide; random when not given. */
  runId?: string;
  /** First retry waits up to this long, doubling each time (default 200 ms). */
  retryBaseDelayMs?: number;
}

export class SqlServerAdapter implements Adapter {
  readonly type = "sqlserver" as const;
  readonly capabilities = SQL_SERVER_CAPABILITIES;
  readonly dialect = sqlServerDialect;
  readonly defaultSchema: string;
  readonly defaultDatabase: string | undefined;
  private readonly runId: string;
  private readonly sessionOptions: SessionOptions;
  private readonly slots: SessionSlots<SqlServerSession>;

  constructor(
    readonly connectionName: string,
    private readonly config: SqlServerConnection,
    options: SqlServerAdapterOptions = {},
  ) {
    this.defaultSchema = config.schema;
    this.defaultDatabase = config.database;
    this.runId = options.runId ?? `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    this.sessionOptions = {
      retry: { maxRetries: config.max_retries, baseDelayMs: options.retryBaseDelayMs ?? 200 },
      bulkChunkRows: config.bulk_chunk_rows,
    };
    this.slots = new SessionSlots(config.pool_max);
  }

  /** Opens a session on its own connection; waits while `pool_max` sessions are open. */
  async open(): Promise<Session> {
    return this.slots.acquire((onClose) => SqlServerSession.open(this.config, this.sessionOptions, onClose));
  }

  introspector(session: Session): Introspector {
    return new SqlServerIntrospector(own(session));
  }

  async version(session: Session): Promise<string> {
    const rows = await own(session).queryPlain("SELECT @@VERSION;");
    return String(rows[0]?.[0] ?? "unknown");
  }

  async ensureSchema(session: Session, schema: string, database?: string): Promise<void> {
    await own(session).batch(createSchemaSql(schema, database));
  }

  async createView(session: Session, rel: RelationName, selectSql: string): Promise<void> {
    const s = own(session);
    const kind = await this.introspector(s).relationKind(rel);
    await s.batch(createViewSql(rel, selectSql, kind === "table"));
  }

  async write(session: Session, rel: RelationName, selectSql: string, mode: WriteMode): Promise<WriteResult> {
    const s = own(session);
    refuseEmptyPartitionSet(rel, mode);
    return mode.kind === "replace"
      ? this.replaceTable(s, rel, selectSql)
      : this.writeIncremental(s, rel, selectSql, mode);
  }

  /** Builds the new table beside the target, then swaps it in atomically. */
  private async replaceTable(
    s: SqlServerSession,
    rel: RelationName,
    selectSql: string,
  ): Promise<WriteResult> {
    const staging = this.temporary(rel, "stg");
    const old = this.temporary(rel, "old");
    try {
      const counts = await s.batch(selectIntoSql(staging, selectSql));
      await s.batch(swapTableSql({ target: rel, staging, old }));
      return { rowsAffected: counts.at(-1) ?? null };
    } catch (error) {
      await s.batch(dropRelationSql(staging)).catch(() => undefined);
      throw error;
    }
  }

  private async writeIncremental(
    s: SqlServerSession,
    rel: RelationName,
    selectSql: string,
    mode: Exclude<WriteMode, { kind: "replace" }>,
  ): Promise<WriteResult> {
    const tmp = this.temporary(rel, "tmp");
    try {
      const built = await s.batch(selectIntoSql(tmp, selectSql));
      const introspector = this.introspector(s);
      const kind = await introspector.relationKind(rel);
      if (kind === "view") {
        throw new Error(
          `${this.dialect.relation(rel)} is a view, so rows cannot be ` +
            `written into it incrementally; rebuild it with --full-refresh.`,
        );
      }
      if (kind === null) {
        // First build: the new rows are the whole table, so swap them in (only the named partitions).
        if (mode.kind === "partitions")
          await s.batch(keepPartitionsSql(tmp, mode.partitionBy, mode.partitions));
        await s.batch(swapTableSql({ target: rel, staging: tmp, old: this.temporary(rel, "old") }));
        return { rowsAffected: built.at(-1) ?? null };
      }
      const columns = (await introspector.columns(tmp)).map((c) => c.name);
      const text =
        mode.kind === "append"
          ? appendSql(rel, tmp, columns)
          : mode.kind === "merge"
            ? mergeSql(rel, tmp, columns, mode.uniqueKey)
            : mode.kind === "delete+insert"
              ? deleteInsertSql(rel, tmp, columns, mode.uniqueKey)
              : replacePartitionsSql(rel, tmp, columns, mode.partitionBy, mode.partitions);
      const counts = await s.batch(text);
      return { rowsAffected: counts.at(-1) ?? null };
    } finally {
      await s.batch(dropRelationSql(tmp)).catch(() => undefined);
    }
  }

  /**
   * Bulk-loads rows from another engine into a staging table (decimals as text, so no digit is lost),
   * in chunks of `bulk_chunk_rows`, then applies `mode` from it with the real column types.
   */
  async load(
    session: Session,
    rel: RelationName,
    batches: AsyncIterable<RowBatch>,
    mode: WriteMode,
  ): Promise<WriteResult> {
    const s = own(session);
    refuseEmptyPartitionSet(rel, mode);
    const iterator = batches[Symbol.asyncIterator]();
    const first = await iterator.next();
    if (first.done) return this.loadNothing(s, rel, mode);
    const columns = first.value.columns;
    const staging = this.temporary(rel, "stg");
    try {
      await s.batch(createStagingTableSql(staging, columns));
      const loaded = await s.bulkLoad(
        this.dialect.relation(staging),
        columns,
        restOfRows(first.value, iterator),
      );
      await this.write(s, rel, stagedSelectSql(staging, columns), mode);
      return { rowsAffected: loaded };
    } finally {
      await s.batch(dropRelationSql(staging)).catch(() => undefined);
    }
  }

  /** A load whose source yielded no batch at all: no columns are known, so nothing can be created. */
  private async loadNothing(s: SqlServerSession, rel: RelationName, mode: WriteMode): Promise<WriteResult> {
    if (mode.kind === "replace") {
      throw new Error(
        `Cannot replace ${this.dialect.relation(rel)}: the rows to load came with no ` +
          `column description. The source must yield at least one (possibly empty) batch.`,
      );
    }
    if (mode.kind === "partitions" && (await this.introspector(s).relationKind(rel)) === "table") {
      await s.batch(deletePartitionsSql(rel, mode.partitionBy, mode.partitions));
    }
    return { rowsAffected: 0 };
  }

  async dropRelation(session: Session, rel: RelationName): Promise<void> {
    await own(session).batch(dropRelationSql(rel));
  }

  async close(): Promise<void> {
    await this.slots.closeAll();
  }

  private temporary(rel: RelationName, purpose: "tmp" | "stg" | "old"): RelationName {
    return temporaryName(rel, purpose, this.runId, this.capabilities.maxIdentifierLength);
  }
}

function own(session: Session): SqlServerSession {
  if (!(session instanceof SqlServerSession))
    throw new Error("The SQL Server adapter was handed a session of another engine");
  return session;
}

function refuseEmptyPartitionSet(rel: RelationName, mode: WriteMode): void {
  if (mode.kind === "partitions" && mode.partitions.length === 0)
    throw new EmptyPartitionSetError(sqlServerDialect.relation(rel));
}

async function* restOfRows(first: RowBatch, rest: AsyncIterator<RowBatch>): AsyncIterable<Row[]> {
  yield batchRows(first);
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield batchRows(next.value);
}
