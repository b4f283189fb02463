// The lake adapter for Hive and the Spark Thrift Server: turns sluice's write modes into sequences
// of HiveQL statements that never expose half a write, and lands rows computed on other engines.
import {
  temporaryName,
  type Adapter,
  type Column,
  type LogicalType,
  type PartitionValue,
  type RelationName,
  type Row,
  type RowBatch,
  type Session,
  type WriteMode,
  type WriteResult,
} from "../contract.js";
import type { HiveConnection } from "../../project/connection-schema.js";
import { batchRows } from "../batch.js";
import { hiveCapabilities } from "./hive-capabilities.js";
import { type HiveSession, openHiveSession } from "./hive-connection.js";
import { hiveDialect } from "./hive-dialect.js";
import { HiveIntrospector } from "./hive-introspector.js";
import { assertStageDir, stageDirOf, withParquetStage, type StageDir } from "./hive-parquet-stage.js";
import * as sql from "./hive-sql.js";

export class HiveAdapter implements Adapter {
  readonly type = "hive" as const;
  readonly capabilities = hiveCapabilities;
  readonly dialect = hiveDialect;
  readonly defaultSchema: string;
  /** Hive names relations `database.table` only; sluice's schema is the Hive database. */
  readonly defaultDatabase = undefined;
  private readonly sessions = new Set<HiveSession>();
  /** Part of every temporary name, so two builds on one lake never collide. Hive lowercases names. */
  private readonly runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`;

  constructor(
    readonly connectionName: string,
    private readonly config: HiveConnection,
  ) {
    this.defaultSchema = config.database;
  }

  async open(): Promise<Session> {
    const session = await openHiveSession(this.config, (closed) => this.sessions.delete(closed));
    this.sessions.add(session);
    return session;
  }

  introspector(session: Session): HiveIntrospector {
    return new HiveIntrospector(session);
  }

  async version(session: Session): Promise<string> {
    const { rows } = await session.query("SELECT version()");
    return `HiveServer2 ${String(rows[0]?.[0] ?? "unknown")}`;
  }

  async ensureSchema(session: Session, schema: string): Promise<void> {
    await session.execute(sql.createSchema(this.dialect, schema));
  }

  async createView(session: Session, rel: RelationName, selectSql: string): Promise<void> {
    if ((await this.introspector(session).relationKind(rel)) === "table") {
      await session.execute(sql.dropTable(this.dialect, rel));
    }
    await session.execute(sql.createView(this.dialect, rel, selectSql));
  }

  async write(session: Session, rel: RelationName, selectSql: string, mode: WriteMode): Promise<WriteResult> {
    switch (mode.kind) {
      case "replace":
        await this.replace(session, rel, selectSql, mode.partitionBy ?? []);
        return { rowsAffected: null };
      case "append":
        await this.append(session, rel, selectSql);
        return { rowsAffected: null };
      case "merge":
      case "delete+insert":
      case "partitions": {
        if (mode.kind === "partitions")
          sql.assertPartitionSet(this.dialect, rel, mode.partitionBy, mode.partitions);
        // Merge reads the new rows twice and a partition overwrite once per partition: stage them
        // once so the query runs once and every statement sees the same rows.
        const filtered =
          mode.kind === "partitions"
            ? `SELECT * FROM (\n${selectSql.trim()}\n) AS q\nWHERE ` +
              `${sql.partitionFilter(this.dialect, "q", mode.partitionBy, mode.partitions)}`
            : selectSql;
        const staging = this.temporary(rel, "stg");
        try {
          await session.execute(sql.createTableAs(this.dialect, staging, filtered));
          await this.applyFromStaging(session, rel, staging, mode);
        } finally {
          await session.execute(sql.dropTable(this.dialect, staging)).catch(() => undefined);
        }
        return { rowsAffected: null };
      }
    }
  }

  /**
   * Lands rows computed on another engine in a staging relation, then applies the mode from it as
   * `write` does. Which way the rows travel depends on the connection's `stage_dir`:
   * - set: as Parquet files in that directory, which the server reads directly (shared storage);
   *   0.1–0.2M rows/s into Spark on a 2-core machine.
   * - not set: as multi-row INSERT ... VALUES through the Thrift connection, the only way in that
   *   needs no storage shared with the server (no HDFS or object-store access); about 1k rows/s.
   * Either way memory holds a bounded number of rows.
   */
  async load(
    session: Session,
    rel: RelationName,
    batches: AsyncIterable<RowBatch>,
    mode: WriteMode,
  ): Promise<WriteResult> {
    if (mode.kind === "partitions")
      sql.assertPartitionSet(this.dialect, rel, mode.partitionBy, mode.partitions);
    const stage = stageDirOf(this.config.stage_dir);
    return stage
      ? this.loadThroughFiles(session, rel, batches, mode, stage)
      : this.loadThroughInserts(session, rel, batches, mode);
  }

  /** Stages the rows as Parquet files in the shared `stage`; see hive-parquet-stage.ts. */
  private async loadThroughFiles(
    session: Session,
    rel: RelationName,
    batches: AsyncIterable<RowBatch>,
    mode: WriteMode,
    stage: StageDir,
  ): Promise<WriteResult> {
    assertStageDir(stage);
    const rows = await readAhead(batches);
    if (!rows) return this.loadNothing(session, rel, mode);
    const names = { files: this.temporary(rel, "stg"), view: this.temporary(rel, "stg") };
    return withParquetStage(
      session,
      this.dialect,
      stage,
      names,
      rows,
      this.dialect.relation(rel),
      async (staging, count) => {
        await this.applyFromStaging(session, rel, staging, mode);
        return { rowsAffected: count };
      },
    );
  }

  /**
   * Stages the rows through INSERT ... VALUES of `insert_batch_rows` rows each into a staging
   * table, holding one statement's rows at a time.
   */
  private async loadThroughInserts(
    session: Session,
    rel: RelationName,
    batches: AsyncIterable<RowBatch>,
    mode: WriteMode,
  ): Promise<WriteResult> {
    const staging = this.temporary(rel, "stg");
    let created = false;
    try {
      let types: LogicalType[] = [];
      let pending: Row[] = [];
      let total = 0;
      const flush = async () => {
        if (pending.length === 0) return;
        await session.execute(sql.insertValues(this.dialect, staging, types, pending));
        total += pending.length;
        pending = [];
      };
      for await (const batch of batches) {
        if (!created) {
          await session.execute(
            sql.createTable(
              this.dialect,
              staging,
              batch.columns.map((c) => this.columnSpec(c)),
            ),
          );
          created = true;
          types = batch.columns.map((c) => c.type);
        }
        for (const row of batchRows(batch)) {
          pending.push(row);
          if (pending.length >= this.config.insert_batch_rows) await flush();
        }
      }
      await flush();
      if (!created) return await this.loadNothing(session, rel, mode);
      await this.applyFromStaging(session, rel, staging, mode);
      return { rowsAffected: total };
    } finally {
      if (created) await session.execute(sql.dropTable(this.dialect, staging)).catch(() => undefined);
    }
  }

  /**
   * A load that brought no batch at all: an empty staging table takes the target's shape, so the
   * mode still applies (a replace empties the table, a partition overwrite empties the named
   * partitions). With no target table there are no columns to create one from.
   */
  private async loadNothing(session: Session, rel: RelationName, mode: WriteMode): Promise<WriteResult> {
    if ((await this.introspector(session).relationKind(rel)) !== "table") {
      if (mode.kind === "append" || mode.kind === "merge" || mode.kind === "delete+insert")
        return { rowsAffected: 0 };
      throw new Error(
        `cannot create ${this.dialect.relation(rel)} from a load with no batches: its columns are unknown`,
      );
    }
    const staging = this.temporary(rel, "stg");
    try {
      await session.execute(
        `CREATE TABLE ${this.dialect.relation(staging)} LIKE ${this.dialect.relation(rel)}`,
      );
      await this.applyFromStaging(session, rel, staging, mode);
      return { rowsAffected: 0 };
    } finally {
      await session.execute(sql.dropTable(this.dialect, staging)).catch(() => undefined);
    }
  }

  async dropRelation(session: Session, rel: RelationName): Promise<void> {
    const kind = await this.introspector(session).relationKind(rel);
    if (kind === "view") await session.execute(sql.dropView(this.dialect, rel));
    if (kind === "table") await session.execute(sql.dropTable(this.dialect, rel));
  }

  async close(): Promise<void> {
    await Promise.all([...this.sessions].map((s) => s.close()));
    this.sessions.clear();
  }

  private async applyFromStaging(
    session: Session,
    rel: RelationName,
    staging: RelationName,
    mode: WriteMode,
  ): Promise<void> {
    const fromStaging = `SELECT * FROM ${this.dialect.relation(staging)}`;
    const partitionBy = mode.kind === "replace" || mode.kind === "partitions" ? (mode.partitionBy ?? []) : [];
    if (partitionBy.length > 0) {
      const { rows } = await session.query(sql.ambiguousPartitionValues(this.dialect, staging, partitionBy));
      const row = rows[0];
      if (row) {
        const k = row.findIndex((v) => v !== null && sql.AMBIGUOUS_PARTITION_VALUES.includes(String(v)));
        throw new sql.AmbiguousPartitionValueError(
          this.dialect.relation(rel),
          partitionBy[k] ?? "?",
          String(row[k]),
        );
      }
    }
    switch (mode.kind) {
      case "replace":
        return this.replace(session, rel, fromStaging, mode.partitionBy ?? []);
      case "append":
        return this.append(session, rel, fromStaging);
      case "merge":
      case "delete+insert":
        return this.merge(session, rel, staging, mode.uniqueKey);
      case "partitions":
        return this.overwritePartitions(session, rel, staging, mode.partitionBy, mode.partitions);
    }
  }

  /**
   * Replaces the whole table by building it beside the target and swapping it in with renames.
   * Chosen over `INSERT OVERWRITE TABLE t SELECT ...` because that deletes the old files before the
   * job writes new ones on Spark (readers see an empty table for the whole job) and cannot change
   * the table's columns; a rename is a metastore update, so readers see the old table until the
   * swap and the new one after it, with a window of milliseconds between the two renames.
   */
  private async replace(
    session: Session,
    rel: RelationName,
    selectSql: string,
    partitionBy: string[],
  ): Promise<void> {
    const tmp = this.temporary(rel, "tmp");
    try {
      await this.buildTable(session, tmp, selectSql, partitionBy);
      await this.swapIn(session, tmp, rel);
    } catch (error) {
      await session.execute(sql.dropTable(this.dialect, tmp)).catch(() => undefined);
      throw error;
    }
  }

  private async buildTable(
    session: Session,
    rel: RelationName,
    selectSql: string,
    partitionBy: string[],
  ): Promise<void> {
    if (partitionBy.length === 0) {
      await session.execute(sql.createTableAs(this.dialect, rel, selectSql));
      return;
    }
    const { columns } = await session.query(`SELECT * FROM (\n${selectSql.trim()}\n) AS q\nLIMIT 0`);
    const { data, partitions } = this.splitColumns(rel, columns, partitionBy);
    await session.execute(sql.createTable(this.dialect, rel, data, partitions));
    // A dynamic-partition insert is safe here: the table was created empty a moment ago.
    await session.execute(
      sql.insertSelect(this.dialect, rel, {
        overwrite: true,
        columns: [...data, ...partitions].map((c) => c.name),
        partitionBy: partitions.map((c) => c.name),
        selectSql,
      }),
    );
  }

  private async swapIn(session: Session, tmp: RelationName, rel: RelationName): Promise<void> {
    const kind = await this.introspector(session).relationKind(rel);
    if (kind === "view") await session.execute(sql.dropView(this.dialect, rel));
    if (kind !== "table") {
      await session.execute(sql.renameTable(this.dialect, tmp, rel));
      return;
    }
    const old = this.temporary(rel, "old");
    await session.execute(sql.renameTable(this.dialect, rel, old));
    try {
      await session.execute(sql.renameTable(this.dialect, tmp, rel));
    } catch (error) {
      await session.execute(sql.renameTable(this.dialect, old, rel));
      throw error;
    }
    await session.execute(sql.dropTable(this.dialect, old));
  }

  private async append(session: Session, rel: RelationName, selectSql: string): Promise<void> {
    if ((await this.introspector(session).relationKind(rel)) !== "table") {
      return this.replace(session, rel, selectSql, []);
    }
    const introspector = this.introspector(session);
    const columns = await introspector.columns(rel);
    const partitionBy = await introspector.partitionColumns(rel);
    await session.execute(
      sql.insertSelect(this.dialect, rel, {
        overwrite: false,
        columns: columns.map((c) => c.name),
        partitionBy,
        selectSql,
      }),
    );
  }

  /**
   * Merge and delete+insert without ACID tables: the table's new content (old rows whose key is not
   * among the new rows, plus the new rows) is built beside it and swapped in, so readers see the
   * table before or after, never between the delete and the insert.
   */
  private async merge(
    session: Session,
    rel: RelationName,
    staging: RelationName,
    uniqueKey: string[],
  ): Promise<void> {
    if (uniqueKey.length === 0)
      throw new Error(`merge into ${this.dialect.relation(rel)} needs a unique_key`);
    const introspector = this.introspector(session);
    if ((await introspector.relationKind(rel)) !== "table") {
      return this.replace(session, rel, `SELECT * FROM ${this.dialect.relation(staging)}`, []);
    }
    const columns = (await introspector.columns(rel)).map((c) => c.name);
    const missing = uniqueKey.filter((k) => !columns.some((c) => c.toLowerCase() === k.toLowerCase()));
    if (missing.length > 0) {
      throw new Error(
        `unique_key column(s) ${missing.join(", ")} not found in ` +
          `${this.dialect.relation(rel)} (columns: ${columns.join(", ")})`,
      );
    }
    const partitionBy = await introspector.partitionColumns(rel);
    await this.replace(
      session,
      rel,
      sql.mergeSelect(this.dialect, rel, staging, { columns, uniqueKey }),
      partitionBy,
    );
  }

  private async overwritePartitions(
    session: Session,
    rel: RelationName,
    staging: RelationName,
    partitionBy: string[],
    partitions: PartitionValue[],
  ): Promise<void> {
    const introspector = this.introspector(session);
    if ((await introspector.relationKind(rel)) !== "table") {
      const { columns } = await session.query(`SELECT * FROM ${this.dialect.relation(staging)} LIMIT 0`);
      const split = this.splitColumns(rel, columns, partitionBy);
      await session.execute(sql.createTable(this.dialect, rel, split.data, split.partitions));
    }
    const tablePartitionBy = await introspector.partitionColumns(rel);
    if (
      tablePartitionBy.map((p) => p.toLowerCase()).join(",") !==
      partitionBy.map((p) => p.toLowerCase()).join(",")
    ) {
      throw new Error(
        `${this.dialect.relation(rel)} is partitioned by (${tablePartitionBy.join(", ") || "nothing"}), ` +
          `but the step overwrites partitions of (` +
          `${partitionBy.join(", ")}); run a full refresh to re-create it`,
      );
    }
    const partitionSet = new Set(tablePartitionBy.map((p) => p.toLowerCase()));
    const tableColumns = await introspector.columns(rel);
    const dataColumns = tableColumns.map((c) => c.name).filter((c) => !partitionSet.has(c.toLowerCase()));
    const types = tablePartitionBy.map(
      (p) => tableColumns.find((c) => c.name.toLowerCase() === p.toLowerCase())?.nativeType ?? "STRING",
    );
    partitions = await this.typedKeys(session, rel, tablePartitionBy, types, partitions);
    for (const statement of sql.overwritePartitions(this.dialect, rel, {
      dataColumns,
      partitionBy: tablePartitionBy,
      partitions,
      source: staging,
    })) {
      await session.execute(statement);
    }
    const present = new Set(
      (await session.query(sql.distinctPartitions(this.dialect, staging, tablePartitionBy))).rows.map((row) =>
        JSON.stringify(row.map((v) => (v === null ? null : String(v)))),
      ),
    );
    const emptied = partitions.filter((p) => !present.has(JSON.stringify(p)));
    if (emptied.length > 0)
      await session.execute(sql.dropPartitions(this.dialect, rel, tablePartitionBy, emptied));
  }

  /**
   * The partitions to replace as the table's own values print. The planner gathers them from two
   * engines (a TIMESTAMPTZ of a DuckDB source prints `… 00:30:00+00`, the same value read back
   * from the lake `… 00:30:00`): written as given, each spelling got its own INSERT OVERWRITE of
   * the one partition, and the one whose filter matched no row emptied it.
   */
  private async typedKeys(
    session: Session,
    rel: RelationName,
    partitionBy: string[],
    types: string[],
    partitions: PartitionValue[],
  ): Promise<PartitionValue[]> {
    if (partitions.length === 0 || types.every((t) => sql.TEXT_PARTITION_TYPES.test(t))) return partitions;
    const { rows } = await session.query(sql.typedPartitionKeys(this.dialect, types, partitions));
    return partitions.map((given, i) => {
      const typed = rows[i]!.slice(1).map((v) => (v === null ? null : String(v)));
      typed.forEach((v, k) => {
        if (v === null && given[k] != null)
          throw new Error(
            `cannot replace partition ${partitionBy[k]} = '${given[k]}' ` +
              `of ${this.dialect.relation(rel)}: it is not a ${types[k]}`,
          );
      });
      return typed;
    });
  }

  private splitColumns(
    rel: RelationName,
    columns: Column[],
    partitionBy: string[],
  ): { data: sql.ColumnSpec[]; partitions: sql.ColumnSpec[] } {
    const byName = new Map(columns.map((c) => [c.name.toLowerCase(), c]));
    const partitions = partitionBy.map((p) => {
      const column = byName.get(p.toLowerCase());
      if (!column) {
        throw new Error(
          `partition column '${p}' of ${this.dialect.relation(rel)} is not ` +
            `in the query's columns (${columns.map((c) => c.name).join(", ")})`,
        );
      }
      return this.columnSpec(column);
    });
    const partitionSet = new Set(partitionBy.map((p) => p.toLowerCase()));
    const data = columns
      .filter((c) => !partitionSet.has(c.name.toLowerCase()))
      .map((c) => this.columnSpec(c));
    return { data, partitions };
  }

  private columnSpec(column: Column): sql.ColumnSpec {
    return { name: column.name, nativeType: this.dialect.nativeType(column.type) };
  }

  private temporary(rel: RelationName, purpose: "tmp" | "stg" | "old"): RelationName {
    return temporaryName(rel, purpose, this.runId, this.capabilities.maxIdentifierLength);
  }
}

/**
 * `batches` with its first batch already read, or undefined when there is none. The rest is read
 * through the same iterator, so a consumer that stops early still closes the source.
 */
async function readAhead(batches: AsyncIterable<RowBatch>): Promise<AsyncIterable<RowBatch> | undefined> {
  const iterator = batches[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return undefined;
  return (async function* () {
    yield first.value;
    yield* { [Symbol.asyncIterator]: () => iterator };
  })();
}
