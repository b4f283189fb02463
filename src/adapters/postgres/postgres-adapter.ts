// The PostgreSQL adapter: sessions over `pg`, writes built by postgres-sql.ts, introspection.
import { SessionSlots } from "../session-slots.js";
import {
  temporaryName,
  type Adapter,
  type Introspector,
  type RelationKind,
  type RelationName,
  type RowBatch,
  type Session,
  type WriteMode,
  type WriteResult,
} from "../contract.js";
import type { PostgresConnection } from "../../project/connection-schema.js";
import { POSTGRES_CAPABILITIES } from "./postgres-capabilities.js";
import { PostgresSession } from "./postgres-connection.js";
import { postgresDialect } from "./postgres-dialect.js";
import { PostgresIntrospector } from "./postgres-introspector.js";
import {
  appendSql,
  copyFromStdinSql,
  createSchemaSql,
  createStagingTableSql,
  createTableAsSql,
  createViewSql,
  deleteInsertSql,
  deletePartitionsSql,
  dropRelationSql,
  EmptyPartitionSetError,
  keepPartitionsSql,
  mergeSql,
  replacePartitionsSql,
  swapTableSql,
} from "./postgres-sql.js";

export interface PostgresAdapterOptions {
  /** Goes into temporary relation names so two runs never collide; random when not given. */
  runId?: string;
}

type IncrementalMode = Exclude<WriteMode, { kind: "replace" }>;

export class PostgresAdapter implements Adapter {
  readonly type = "postgres" as const;
  readonly capabilities = POSTGRES_CAPABILITIES;
  readonly dialect = postgresDialect;
  readonly defaultSchema: string;
  readonly defaultDatabase = undefined;
  private readonly runId: string;
  private readonly slots: SessionSlots<PostgresSession>;

  constructor(
    readonly connectionName: string,
    private readonly config: PostgresConnection,
    options: PostgresAdapterOptions = {},
  ) {
    this.defaultSchema = config.schema;
    this.runId = options.runId ?? `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    this.slots = new SessionSlots(config.pool_max);
  }

  /** Opens a session on its own connection; waits while `pool_max` sessions are open. */
  async open(): Promise<Session> {
    return this.slots.acquire((onClose) => PostgresSession.open(this.config, onClose));
  }

  introspector(session: Session): Introspector {
    return new PostgresIntrospector(own(session));
  }

  async version(session: Session): Promise<string> {
    const { rows } = await own(session).query("SELECT version()");
    return String(rows[0]?.[0] ?? "unknown");
  }

  async ensureSchema(session: Session, schema: string): Promise<void> {
    await own(session).execute(createSchemaSql(schema));
  }

  async createView(session: Session, rel: RelationName, selectSql: string): Promise<void> {
    const s = own(session);
    await s.execute(createViewSql(rel, selectSql, await this.kindOf(s, rel)));
  }

  async write(session: Session, rel: RelationName, selectSql: string, mode: WriteMode): Promise<WriteResult> {
    const s = own(session);
    refuseEmptyPartitionSet(rel, mode);
    const built = this.temporary(rel, mode.kind === "replace" ? "stg" : "tmp");
    try {
      const { rowsAffected } = await s.execute(createTableAsSql(built, selectSql));
      return await this.landBuilt(s, rel, built, mode, rowsAffected);
    } finally {
      await s.execute(dropRelationSql(built, "table")).catch(() => undefined);
    }
  }

  /**
   * Lands rows from another engine: COPY FROM STDIN into a staging table of the rows' own types,
   * one batch in flight at a time, then applies `mode` from it as `write` does.
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
      await s.execute(createStagingTableSql(staging, columns));
      const loaded = await s.copyIn(copyFromStdinSql(staging, columns), withFirst(first.value, iterator));
      await this.landBuilt(s, rel, staging, mode, loaded);
      return { rowsAffected: loaded };
    } finally {
      await s.execute(dropRelationSql(staging, "table")).catch(() => undefined);
    }
  }

  /** Puts a fully built table `built` where `rel` is, the way `mode` says. `built` is consumed or left to drop. */
  private async landBuilt(
    s: PostgresSession,
    rel: RelationName,
    built: RelationName,
    mode: WriteMode,
    rows: number | null,
  ): Promise<WriteResult> {
    const existing = await this.kindOf(s, rel);
    if (mode.kind === "replace") {
      await s.execute(
        swapTableSql({ target: rel, staging: built, old: this.temporary(rel, "old"), existing }),
      );
      return { rowsAffected: rows };
    }
    if (existing === "view") {
      throw new Error(
        `${this.dialect.relation(rel)} is a view, so rows cannot be written into it incrementally; rebuild it with --full-refresh.`,
      );
    }
    if (existing === null) {
      // First build: the new rows are the whole table, so swap them in (only the named partitions).
      if (mode.kind === "partitions")
        await s.execute(keepPartitionsSql(built, mode.partitionBy, mode.partitions));
      await s.execute(
        swapTableSql({ target: rel, staging: built, old: this.temporary(rel, "old"), existing }),
      );
      return { rowsAffected: rows };
    }
    const columns = (await this.introspector(s).columns(built)).map((c) => c.name);
    return s.execute(incrementalSql(rel, built, columns, mode));
  }

  /** A load whose source yielded no batch at all: no columns are known, so nothing can be created. */
  private async loadNothing(s: PostgresSession, rel: RelationName, mode: WriteMode): Promise<WriteResult> {
    if (mode.kind === "replace") {
      throw new Error(
        `Cannot replace ${this.dialect.relation(rel)}: the rows to load came with no column description. The source must yield at least one (possibly empty) batch.`,
      );
    }
    if (mode.kind === "partitions" && (await this.kindOf(s, rel)) === "table") {
      await s.execute(deletePartitionsSql(rel, mode.partitionBy, mode.partitions));
    }
    return { rowsAffected: 0 };
  }

  async dropRelation(session: Session, rel: RelationName): Promise<void> {
    const s = own(session);
    const kind = await this.kindOf(s, rel);
    if (kind) await s.execute(dropRelationSql(rel, kind));
  }

  async close(): Promise<void> {
    await this.slots.closeAll();
  }

  private kindOf(s: PostgresSession, rel: RelationName): Promise<RelationKind | null> {
    return this.introspector(s).relationKind(rel);
  }

  private temporary(rel: RelationName, purpose: "tmp" | "stg" | "old"): RelationName {
    return temporaryName(rel, purpose, this.runId, this.capabilities.maxIdentifierLength);
  }
}

function incrementalSql(
  rel: RelationName,
  built: RelationName,
  columns: string[],
  mode: IncrementalMode,
): string {
  switch (mode.kind) {
    case "append":
      return appendSql(rel, built, columns);
    case "merge":
      return mergeSql(rel, built, columns, mode.uniqueKey);
    case "delete+insert":
      return deleteInsertSql(rel, built, columns, mode.uniqueKey);
    case "partitions":
      return replacePartitionsSql(rel, built, columns, mode.partitionBy, mode.partitions);
  }
}

function own(session: Session): PostgresSession {
  if (!(session instanceof PostgresSession))
    throw new Error("The PostgreSQL adapter was handed a session of another engine");
  return session;
}

function refuseEmptyPartitionSet(rel: RelationName, mode: WriteMode): void {
  if (mode.kind === "partitions" && mode.partitions.length === 0) throw new EmptyPartitionSetError(rel);
}

async function* withFirst(first: RowBatch, rest: AsyncIterator<RowBatch>): AsyncIterable<RowBatch> {
  yield first;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}
