// A DuckDB database file as a connection: tables, views and every write mode, each atomic.
import type { Adapter, RelationName, RowBatch, Session, WriteMode, WriteResult } from "../contract.js";
import { temporaryName } from "../contract.js";
import { DUCKDB_CAPABILITIES } from "./duckdb-capabilities.js";
import type { DuckDbEngine } from "./duckdb-connection.js";
import { duckdbDialect, nativeType } from "./duckdb-dialect.js";
import { DuckDbIntrospector } from "./duckdb-introspector.js";
import * as sql from "./duckdb-sql.js";
import { withStagedRows } from "./duckdb-staging.js";
import { stagingType } from "./duckdb-values.js";

export class DuckDbAdapter implements Adapter {
  readonly type = "duckdb" as const;
  readonly capabilities = DUCKDB_CAPABILITIES;
  readonly dialect = duckdbDialect;
  /** Schemas this adapter has created or found, as their CREATE SCHEMA IF NOT EXISTS statements. */
  private readonly ensured = new Set<string>();

  constructor(
    readonly connectionName: string,
    private readonly engine: DuckDbEngine,
    private readonly path: string,
    readonly defaultSchema: string,
    protected readonly runId: string,
  ) {}

  get defaultDatabase(): string {
    return this.connectionName;
  }

  async open(): Promise<Session> {
    await this.engine.attach(this.connectionName, this.path);
    // Unqualified names in hooks and operations mean this connection's database.
    return this.engine.open({ catalog: this.connectionName, schema: this.defaultSchema });
  }

  introspector(session: Session): DuckDbIntrospector {
    return new DuckDbIntrospector(session, this.connectionName);
  }

  async version(session: Session): Promise<string> {
    const { rows } = await session.query("SELECT version()");
    return `DuckDB ${String(rows[0]?.[0])}`;
  }

  async ensureSchema(session: Session, schema: string, database?: string): Promise<void> {
    const statement = sql.createSchema(schema, database ?? this.connectionName);
    // Every model's step asks, and the lake's write asks again; one run creates a schema once.
    // (A hook that drops a schema this run created makes the next write fail, naming it.)
    if (this.ensured.has(statement)) return;
    await session.execute(statement);
    this.ensured.add(statement);
  }

  async createView(session: Session, rel: RelationName, selectSql: string): Promise<void> {
    const kind = await this.introspector(session).relationKind(rel);
    await session.transaction(async () => {
      if (kind === "table") await session.execute(sql.dropTable(rel));
      await session.execute(sql.createOrReplaceView(rel, selectSql));
    });
  }

  async write(session: Session, rel: RelationName, selectSql: string, mode: WriteMode): Promise<WriteResult> {
    if (mode.kind === "partitions" && mode.partitions.length === 0) {
      throw new Error(`refusing to overwrite ${this.dialect.relation(rel)} with an empty partition set`);
    }
    const introspector = this.introspector(session);
    const kind = await introspector.relationKind(rel);
    if (mode.kind === "replace" || kind !== "table")
      return this.replace(
        session,
        rel,
        mode.kind === "partitions"
          ? sql.selectPartitions(selectSql, mode.partitionBy, mode.partitions)
          : selectSql,
        kind,
      );
    if (mode.kind === "append") return session.execute(sql.insertByName(rel, selectSql));

    // Upserts and partition overwrites: stage the new rows, then delete and insert in one transaction.
    const staging = temporaryName(rel, "stg", this.runId, this.capabilities.maxIdentifierLength);
    const stagedSql =
      mode.kind === "partitions"
        ? sql.selectPartitions(selectSql, mode.partitionBy, mode.partitions)
        : selectSql;
    await session.execute(sql.createTableAs(staging, stagedSql));
    try {
      return await session.transaction(async () => {
        if (mode.kind === "partitions")
          await session.execute(sql.deletePartitions(rel, mode.partitionBy, mode.partitions));
        else await session.execute(sql.deleteMatching(rel, staging, mode.uniqueKey));
        return session.execute(sql.insertByName(rel, `SELECT * FROM ${this.dialect.relation(staging)}`));
      });
    } finally {
      await session.execute(sql.dropTable(staging));
    }
  }

  async load(
    session: Session,
    rel: RelationName,
    batches: AsyncIterable<RowBatch>,
    mode: WriteMode,
  ): Promise<WriteResult> {
    const staging = temporaryName(rel, "stg", this.runId, this.capabilities.maxIdentifierLength);
    const existing = mode.kind === "replace" ? await this.introspector(session).relationKind(rel) : null;
    return withStagedRows(
      session,
      staging,
      this.connectionName,
      batches,
      this.dialect.relation(rel),
      (selectSql, columns) => {
        // A whole-table replace whose columns were staged in their real types: the staging table,
        // built beside the table, is the new table; swap it in rather than copy it once more.
        const asIs = columns.every((c) => stagingType(c.type).toString() === nativeType(c.type));
        if (mode.kind === "replace" && !mode.partitionBy?.length && asIs)
          return this.swapIn(session, staging, rel, existing);
        return this.write(session, rel, selectSql, mode);
      },
    );
  }

  async dropRelation(session: Session, rel: RelationName): Promise<void> {
    const kind = await this.introspector(session).relationKind(rel);
    if (kind === "view") await session.execute(sql.dropView(rel));
    if (kind === "table") await session.execute(sql.dropTable(rel));
  }

  async close(): Promise<void> {
    // The engine is shared by every DuckDB connection of the target; the target closes it.
  }

  /** Builds beside the table, then swaps it in. */
  private async replace(
    session: Session,
    rel: RelationName,
    selectSql: string,
    existing: "table" | "view" | null,
  ): Promise<WriteResult> {
    const tmp = temporaryName(rel, "tmp", this.runId, this.capabilities.maxIdentifierLength);
    await session.execute(sql.createTableAs(tmp, selectSql));
    return this.swapIn(session, tmp, rel, existing);
  }

  /**
   * Puts the table `built` (beside `rel`) in its place in
   * one transaction: readers see old or new, never neither.
   */
  private async swapIn(
    session: Session,
    built: RelationName,
    rel: RelationName,
    existing: "table" | "view" | null,
  ): Promise<WriteResult> {
    try {
      const { rows } = await session.query(`SELECT count(*) FROM ${this.dialect.relation(built)}`);
      await session.transaction(async () => {
        if (existing === "table") await session.execute(sql.dropTable(rel));
        if (existing === "view") await session.execute(sql.dropView(rel));
        await session.execute(sql.renameTable(built, rel.name));
      });
      return { rowsAffected: Number(rows[0]?.[0] ?? 0) };
    } catch (e) {
      await session.execute(sql.dropTable(built)).catch(() => undefined);
      throw e;
    }
  }
}
