// The MySQL/MariaDB adapter: sessions over `mysql2`, writes built by mysql-sql.ts, introspection.
// What it can and cannot do atomically is spelled out in mysql-capabilities.ts and mysql-sql.ts.
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
import type { MySqlConnection } from "../../project/connection-schema.js";
import { MYSQL_CAPABILITIES } from "./mysql-capabilities.js";
import { MySqlSession } from "./mysql-connection.js";
import { mysqlDialect } from "./mysql-dialect.js";
import { MySqlIntrospector } from "./mysql-introspector.js";
import {
  appendSql,
  createSchemaSql,
  createStagingTableSql,
  createTableAsSql,
  createViewSql,
  deleteInsertSql,
  deletePartitionsSql,
  dropRelationSql,
  EmptyPartitionSetError,
  insertValuesHead,
  keepPartitionsSql,
  loadDataSql,
  replacePartitionsSql,
  swapTableSql,
} from "./mysql-sql.js";

export interface MySqlAdapterOptions {
  /** Goes into temporary relation names so two runs never collide; random when not given. */
  runId?: string;
}

type IncrementalMode = Exclude<WriteMode, { kind: "replace" }>;

export class MySqlAdapter implements Adapter {
  readonly type = "mysql" as const;
  readonly capabilities = MYSQL_CAPABILITIES;
  readonly dialect = mysqlDialect;
  readonly defaultSchema: string;
  readonly defaultDatabase = undefined;
  private readonly runId: string;
  private readonly slots: SessionSlots<MySqlSession>;

  constructor(
    readonly connectionName: string,
    private readonly config: MySqlConnection,
    options: MySqlAdapterOptions = {},
  ) {
    this.defaultSchema = config.database;
    this.runId = options.runId ?? `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    this.slots = new SessionSlots(config.pool_max);
  }

  /** Opens a session on its own connection; waits while `pool_max` sessions are open. */
  async open(): Promise<Session> {
    return this.slots.acquire((onClose) => MySqlSession.open(this.config, onClose));
  }

  introspector(session: Session): Introspector {
    return new MySqlIntrospector(own(session));
  }

  async version(session: Session): Promise<string> {
    const { rows } = await own(session).query("SELECT VERSION()");
    return String(rows[0]?.[0] ?? "unknown");
  }

  async ensureSchema(session: Session, schema: string): Promise<void> {
    await own(session).execute(createSchemaSql(schema));
  }

  async createView(session: Session, rel: RelationName, selectSql: string): Promise<void> {
    const s = own(session);
    const statements = createViewSql(
      rel,
      selectSql,
      await this.kindOf(s, rel),
      this.temporary(rel, "tmp"),
      this.temporary(rel, "old"),
    );
    for (const sql of statements) await s.execute(sql);
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
   * Lands rows from another engine into a staging table of the rows' own types (LOAD DATA LOCAL
   * INFILE, or multi-row INSERTs when `bulk_load: insert`), then applies `mode` as `write` does.
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
      const rows = withFirst(first.value, iterator);
      const loaded =
        this.config.bulk_load === "local_infile"
          ? await s.loadData(loadDataSql(staging, columns, staging.name), rows)
          : await s.insertRows(insertValuesHead(staging, columns), rows);
      await this.landBuilt(s, rel, staging, mode, loaded);
      return { rowsAffected: loaded };
    } finally {
      await s.execute(dropRelationSql(staging, "table")).catch(() => undefined);
    }
  }

  /** Puts a fully built table `built` where `rel` is, the way `mode` says. */
  private async landBuilt(
    s: MySqlSession,
    rel: RelationName,
    built: RelationName,
    mode: WriteMode,
    rows: number | null,
  ): Promise<WriteResult> {
    const existing = await this.kindOf(s, rel);
    const swap = async (): Promise<WriteResult> => {
      for (const sql of swapTableSql({
        target: rel,
        staging: built,
        old: this.temporary(rel, "old"),
        existing,
      }))
        await s.execute(sql);
      return { rowsAffected: rows };
    };
    if (mode.kind === "replace") return swap();
    if (existing === "view") {
      throw new Error(
        `${this.dialect.relation(rel)} is a view, so rows cannot be written into it incrementally; rebuild it with --full-refresh.`,
      );
    }
    if (existing === null) {
      // First build: the new rows are the whole table, so swap them in (only the named partitions).
      if (mode.kind === "partitions")
        await s.execute(keepPartitionsSql(built, mode.partitionBy, mode.partitions));
      return swap();
    }
    const columns = (await this.introspector(s).columns(built)).map((c) => c.name);
    return s.execute(incrementalSql(rel, built, columns, mode));
  }

  /** A load whose source yielded no batch at all: no columns are known, so nothing can be created. */
  private async loadNothing(s: MySqlSession, rel: RelationName, mode: WriteMode): Promise<WriteResult> {
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

  private kindOf(s: MySqlSession, rel: RelationName): Promise<RelationKind | null> {
    return this.introspector(s).relationKind(rel);
  }

  private temporary(rel: RelationName, purpose: "tmp" | "stg" | "old"): RelationName {
    return temporaryName(rel, purpose, this.runId, this.capabilities.maxIdentifierLength);
  }
}

/** `merge` runs as delete+insert (no MERGE statement): same end table when every column is written. */
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
    case "delete+insert":
      return deleteInsertSql(rel, built, columns, mode.uniqueKey);
    case "partitions":
      return replacePartitionsSql(rel, built, columns, mode.partitionBy, mode.partitions);
  }
}

function own(session: Session): MySqlSession {
  if (!(session instanceof MySqlSession))
    throw new Error("The MySQL adapter was handed a session of another engine");
  return session;
}

function refuseEmptyPartitionSet(rel: RelationName, mode: WriteMode): void {
  if (mode.kind === "partitions" && mode.partitions.length === 0) throw new EmptyPartitionSetError(rel);
}

async function* withFirst(first: RowBatch, rest: AsyncIterator<RowBatch>): AsyncIterable<RowBatch> {
  yield first;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}
