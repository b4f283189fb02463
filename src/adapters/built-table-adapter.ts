// The write path the PostgreSQL and MySQL adapters share: every write first builds a complete table
// beside its target (CREATE TABLE AS on the engine, or a staging table the engine's bulk path
// fills with rows from another engine), then lands it the way the write mode says: swapped in
// whole, appended, merged, or as named partitions. Each engine brings its statements (its *-sql.ts)
// and its sessions; how atomic each step is, is said there.
import {
  type Adapter,
  type Capabilities,
  type Column,
  type Dialect,
  type Introspector,
  type PartitionValue,
  type RelationKind,
  type RelationName,
  type RowBatch,
  type Session,
  temporaryName,
  type WriteMode,
  type WriteResult,
} from "./contract.js";
import { SessionSlots } from "./session-slots.js";
import { EmptyPartitionSetError } from "./table-writes-sql.js";

export type IncrementalMode = Exclude<WriteMode, { kind: "replace" }>;

/** The statements of one engine that the shared write path runs. */
export interface BuiltTableStatements {
  createSchemaSql(schema: string): string;
  createTableAsSql(into: RelationName, selectSql: string): string;
  createStagingTableSql(rel: RelationName, columns: Column[]): string;
  dropRelationSql(rel: RelationName, kind: RelationKind): string;
  /** Puts `staging` where `target` is; the old contents go to `old` and are dropped. */
  swapTableSql(names: {
    target: RelationName;
    staging: RelationName;
    old: RelationName;
    existing: RelationKind | null;
  }): string | string[];
  keepPartitionsSql(rel: RelationName, partitionBy: string[], partitions: PartitionValue[]): string;
  deletePartitionsSql(rel: RelationName, partitionBy: string[], partitions: PartitionValue[]): string;
  /** Applies an incremental mode from the built table `built` to the existing table `rel`. */
  incrementalSql(rel: RelationName, built: RelationName, columns: string[], mode: IncrementalMode): string;
}

/** What the shared path needs of an engine's session. */
export interface BuiltTableSession extends Session {
  execute(sql: string): Promise<WriteResult>;
}

export abstract class BuiltTableAdapter<S extends BuiltTableSession> implements Adapter {
  abstract readonly type: "postgres" | "mysql";
  abstract readonly capabilities: Capabilities;
  abstract readonly dialect: Dialect;
  readonly defaultDatabase = undefined;
  protected readonly runId: string;
  private readonly slots: SessionSlots<S>;

  protected constructor(
    readonly connectionName: string,
    readonly defaultSchema: string,
    poolMax: number,
    runId: string | undefined,
    private readonly statements: BuiltTableStatements,
  ) {
    this.runId = runId ?? `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    this.slots = new SessionSlots(poolMax);
  }

  /** Connects one session; `onClose` frees its slot when it closes. */
  protected abstract connect(onClose: () => void): Promise<S>;
  /** The session as this engine's own, refusing another engine's. */
  protected abstract own(session: Session): S;
  /** Fills `staging` (created with the rows' own types) from `rows`; returns the rows loaded. */
  protected abstract bulkLoad(
    s: S,
    staging: RelationName,
    columns: Column[],
    rows: AsyncIterable<RowBatch>,
  ): Promise<number>;
  abstract introspector(session: Session): Introspector;
  abstract version(session: Session): Promise<string>;
  abstract createView(session: Session, rel: RelationName, selectSql: string): Promise<void>;

  /** Opens a session on its own connection; waits while `pool_max` sessions are open. */
  async open(): Promise<Session> {
    return this.slots.acquire((onClose) => this.connect(onClose));
  }

  async ensureSchema(session: Session, schema: string): Promise<void> {
    await this.own(session).execute(this.statements.createSchemaSql(schema));
  }

  async write(session: Session, rel: RelationName, selectSql: string, mode: WriteMode): Promise<WriteResult> {
    const s = this.own(session);
    this.refuseEmptyPartitionSet(rel, mode);
    const built = this.temporary(rel, mode.kind === "replace" ? "stg" : "tmp");
    try {
      const { rowsAffected } = await s.execute(this.statements.createTableAsSql(built, selectSql));
      return await this.landBuilt(s, rel, built, mode, rowsAffected);
    } finally {
      await s.execute(this.statements.dropRelationSql(built, "table")).catch(() => undefined);
    }
  }

  /**
   * Lands rows from another engine: the engine's bulk path fills a staging table of the rows' own
   * types, one batch in flight at a time, then `mode` is applied from it as `write` does.
   */
  async load(
    session: Session,
    rel: RelationName,
    batches: AsyncIterable<RowBatch>,
    mode: WriteMode,
  ): Promise<WriteResult> {
    const s = this.own(session);
    this.refuseEmptyPartitionSet(rel, mode);
    const iterator = batches[Symbol.asyncIterator]();
    const first = await iterator.next();
    if (first.done) return this.loadNothing(s, rel, mode);
    const columns = first.value.columns;
    const staging = this.temporary(rel, "stg");
    try {
      await s.execute(this.statements.createStagingTableSql(staging, columns));
      const loaded = await this.bulkLoad(s, staging, columns, withFirst(first.value, iterator));
      await this.landBuilt(s, rel, staging, mode, loaded);
      return { rowsAffected: loaded };
    } finally {
      await s.execute(this.statements.dropRelationSql(staging, "table")).catch(() => undefined);
    }
  }

  async dropRelation(session: Session, rel: RelationName): Promise<void> {
    const s = this.own(session);
    const kind = await this.kindOf(s, rel);
    if (kind) await s.execute(this.statements.dropRelationSql(rel, kind));
  }

  async close(): Promise<void> {
    await this.slots.closeAll();
  }

  protected kindOf(s: S, rel: RelationName): Promise<RelationKind | null> {
    return this.introspector(s).relationKind(rel);
  }

  protected temporary(rel: RelationName, purpose: "tmp" | "stg" | "old"): RelationName {
    return temporaryName(rel, purpose, this.runId, this.capabilities.maxIdentifierLength);
  }

  /**
   * Puts a fully built table `built` where `rel` is, the
   * way `mode` says. `built` is consumed or left to drop.
   */
  private async landBuilt(
    s: S,
    rel: RelationName,
    built: RelationName,
    mode: WriteMode,
    rows: number | null,
  ): Promise<WriteResult> {
    const existing = await this.kindOf(s, rel);
    const swap = async (): Promise<WriteResult> => {
      const names = { target: rel, staging: built, old: this.temporary(rel, "old"), existing };
      for (const sql of [this.statements.swapTableSql(names)].flat()) await s.execute(sql);
      return { rowsAffected: rows };
    };
    if (mode.kind === "replace") return swap();
    if (existing === "view") {
      throw new Error(
        `${this.dialect.relation(rel)} is a view, so rows cannot be written into it incrementally; ` +
          "rebuild it with --full-refresh.",
      );
    }
    if (existing === null) {
      // First build: the new rows are the whole table, so swap them in (only the named partitions).
      if (mode.kind === "partitions")
        await s.execute(this.statements.keepPartitionsSql(built, mode.partitionBy, mode.partitions));
      return swap();
    }
    const columns = (await this.introspector(s).columns(built)).map((c) => c.name);
    return s.execute(this.statements.incrementalSql(rel, built, columns, mode));
  }

  /** A load whose source yielded no batch at all: no columns are known, so nothing can be created. */
  private async loadNothing(s: S, rel: RelationName, mode: WriteMode): Promise<WriteResult> {
    if (mode.kind === "replace") {
      throw new Error(
        `Cannot replace ${this.dialect.relation(rel)}: the rows to load came with no column description. ` +
          "The source must yield at least one (possibly empty) batch.",
      );
    }
    if (mode.kind === "partitions" && (await this.kindOf(s, rel)) === "table") {
      await s.execute(this.statements.deletePartitionsSql(rel, mode.partitionBy, mode.partitions));
    }
    return { rowsAffected: 0 };
  }

  private refuseEmptyPartitionSet(rel: RelationName, mode: WriteMode): void {
    if (mode.kind === "partitions" && mode.partitions.length === 0)
      throw new EmptyPartitionSetError(this.dialect.relation(rel));
  }
}

async function* withFirst(first: RowBatch, rest: AsyncIterator<RowBatch>): AsyncIterable<RowBatch> {
  yield first;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}
