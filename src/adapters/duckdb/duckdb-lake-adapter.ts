// The embedded data lake: a DuckDB connection with `lake_root` keeps its tables as hive-partitioned
// Parquet under lake_root and exposes each as a view in its DuckDB catalog.
//
// Layout: `<lake_root>/<schema>/<table>/<p1>=<v1>[/<p2>=<v2>]/_v<runId>_<n>/*.parquet`, or
// `<lake_root>/<schema>/<table>/_v<runId>_<n>/` when unpartitioned. The `_v…` folder holds no `=`,
// so hive partition parsing ignores it. A partition may hold several live version folders (append).
//
// The metadata tables `"<conn>"."sluice_lake"."partitions"` (one row per live version folder: the
// partition values as a JSON array, the folder, its row count, the columns its files hold) and
// `"sluice_lake"."tables"` (columns, partition columns and their types) are the single source of
// truth for what is live. A view reads one file's schema when every live folder holds the table's
// columns, else every file's by name (`union_by_name`).
//
// A write: COPY the rows to `<table>/_staging_<run>_<n>` (PARTITION_BY when partitioned), move each
// produced partition's files into a new `_v…` folder inside its partition directory, then in ONE
// DuckDB transaction replace the metadata rows of exactly the partitions written and CREATE OR
// REPLACE the view over the live folders (`hive_types` keeps partition columns in their types).
// Readers therefore see the old or the new table, never a mix. Superseded folders are deleted when
// the adapter closes at the end of the run, not at commit: a query that bound the old view a moment
// before the commit may still be opening their files. A process that dies before the transaction
// (or before closing) leaves unreferenced `_v…` folders, which the next write of that table sweeps
// away; the table stays as it was.
//
// Write modes: replace rewrites every partition (partitions no longer produced disappear);
// partitions rewrites exactly the named ones (one that yields no rows disappears, an empty list is
// refused); append adds version folders next to the live ones; merge and delete+insert stage the new
// rows in a temporary table and rewrite the partitions they touch (the whole table when
// unpartitioned) as the existing rows without a matching key UNION ALL BY NAME the new rows.
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type {
  Adapter,
  PartitionValue,
  RelationName,
  RowBatch,
  Session,
  WriteMode,
  WriteResult,
} from "../contract.js";
import { temporaryName } from "../contract.js";
import { DUCKDB_CAPABILITIES } from "./duckdb-capabilities.js";
import { DuckDbAdapter } from "./duckdb-adapter.js";
import type { DuckDbEngine, DuckDbSession } from "./duckdb-connection.js";
import { duckdbDialect } from "./duckdb-dialect.js";
import { DuckDbIntrospector } from "./duckdb-introspector.js";
import {
  placeStagedFiles,
  removeFolders,
  stagedPartitionPaths,
  stagingName,
  sweepTable,
  tableDir,
  unusedVersion,
  type StagedFile,
} from "./duckdb-lake-files.js";
import { DuckDbLakeIntrospector } from "./duckdb-lake-introspector.js";
import { LakeMetadata } from "./duckdb-lake-metadata.js";
import * as lakeSql from "./duckdb-lake-sql.js";
import type { LakeColumn, LakeFolder, LakeTableDefinition } from "./duckdb-lake-sql.js";
import * as sql from "./duckdb-sql.js";
import { withStagedRows } from "./duckdb-staging.js";

export interface DuckDbLakeOptions {
  /**
   * Runs after the new version folders are in place, just
   * before the metadata transaction (a seam for crash tests).
   */
  beforeCommit?: (rel: RelationName) => Promise<void> | void;
  /** The clock that stamps metadata rows. */
  now?: () => Date;
}

/** How one rewrite lands: the partition columns, what the table was, and which live folders it supersedes. */
interface Rewrite {
  partitionBy: string[];
  previous: LakeTableDefinition | undefined;
  supersedes: (folder: LakeFolder) => boolean;
  /** Keep columns the previous definition had and the new rows lack (append and upserts). */
  keepColumns: boolean;
  /** Every live folder is superseded: the table is written anew, in the current layout. */
  whole: boolean;
}

export class DuckDbLakeAdapter implements Adapter {
  readonly type = "duckdb" as const;
  readonly capabilities = DUCKDB_CAPABILITIES;
  readonly dialect = duckdbDialect;
  /** The lake's catalog is a DuckDB database file; plain views and schemas are its business. */
  private readonly catalog: DuckDbAdapter;
  private metadataReady: Promise<void> | undefined;
  /** What the metadata tables say, read once at open and kept up to date by this adapter's commits. */
  private readonly metadata: LakeMetadata;
  private folderCounter = 0;
  /** Folders superseded by this adapter: in-flight readers may still open them, so they go at close(). */
  private readonly retired = new Set<string>();

  constructor(
    readonly connectionName: string,
    engine: DuckDbEngine,
    path: string,
    /** Absolute folder the Parquet tables live under. */
    private readonly lakeRoot: string,
    readonly defaultSchema: string,
    private readonly runId: string,
    private readonly options: DuckDbLakeOptions = {},
  ) {
    this.catalog = new DuckDbAdapter(connectionName, engine, path, defaultSchema, runId);
    this.metadata = new LakeMetadata(connectionName);
  }

  get defaultDatabase(): string {
    return this.connectionName;
  }

  async open(): Promise<Session> {
    const session = await this.catalog.open();
    try {
      await this.ensureMetadata(session);
    } catch (e) {
      await session.close();
      throw e;
    }
    return session;
  }

  introspector(session: Session): DuckDbLakeIntrospector {
    return new DuckDbLakeIntrospector(session, this.connectionName, this.metadata, () =>
      this.ensureMetadata(session),
    );
  }

  version(session: Session): Promise<string> {
    return this.catalog.version(session);
  }

  ensureSchema(session: Session, schema: string, database?: string): Promise<void> {
    return this.catalog.ensureSchema(session, schema, database);
  }

  async createView(session: Session, name: RelationName, selectSql: string): Promise<void> {
    const rel = this.qualified(name);
    await this.ensureMetadata(session);
    if (!(await this.metadata.definition(session, rel)))
      return this.catalog.createView(session, rel, selectSql);
    await this.forget(session, rel, sql.createOrReplaceView(rel, selectSql));
  }

  async dropRelation(session: Session, name: RelationName): Promise<void> {
    const rel = this.qualified(name);
    await this.ensureMetadata(session);
    if (!(await this.metadata.definition(session, rel))) return this.catalog.dropRelation(session, rel);
    await this.forget(session, rel, sql.dropView(rel));
  }

  async write(
    session: Session,
    name: RelationName,
    selectSql: string,
    mode: WriteMode,
  ): Promise<WriteResult> {
    const rel = this.qualified(name);
    if (mode.kind === "partitions" && mode.partitions.length === 0) {
      throw new Error(`refusing to overwrite ${this.dialect.relation(rel)} with an empty partition set`);
    }
    await this.ensureMetadata(session);
    await this.ensureSchema(session, rel.schema, rel.database);
    const previous = await this.metadata.definition(session, rel);

    if (!previous || mode.kind === "replace") {
      // A first write builds the whole table, whatever the mode (as for database files).
      const partitionBy =
        mode.kind === "replace" || mode.kind === "partitions" ? (mode.partitionBy ?? []) : [];
      const rows =
        mode.kind === "partitions"
          ? sql.selectPartitions(selectSql, mode.partitionBy, mode.partitions)
          : selectSql;
      return this.rewrite(session, rel, rows, {
        partitionBy,
        previous,
        supersedes: () => true,
        keepColumns: false,
        whole: true,
      });
    }
    switch (mode.kind) {
      case "partitions": {
        if (mode.partitionBy.join("\u0000") !== previous.partitionBy.join("\u0000")) {
          throw new Error(
            `cannot overwrite partitions (${mode.partitionBy.join(", ")}) of ` +
              `${this.dialect.relation(rel)}: the lake table is partitioned by (` +
              `${previous.partitionBy.join(", ")}); rebuild it with --full-refresh`,
          );
        }
        const partitions = await this.typedKeys(session, rel, previous, mode.partitions);
        const named = new Set(partitions.map((p) => keyId(p)));
        const rows = sql.selectPartitions(selectSql, mode.partitionBy, partitions);
        return this.rewrite(session, rel, rows, {
          partitionBy: previous.partitionBy,
          previous,
          supersedes: (f) => named.has(keyId(f.key)),
          keepColumns: false,
          whole: false,
        });
      }
      case "append":
        return this.rewrite(session, rel, selectSql, {
          partitionBy: previous.partitionBy,
          previous,
          supersedes: () => false,
          keepColumns: true,
          whole: false,
        });
      case "merge":
      case "delete+insert":
        return this.upsert(session, rel, selectSql, mode.uniqueKey, previous);
    }
  }

  async load(
    session: Session,
    name: RelationName,
    batches: AsyncIterable<RowBatch>,
    mode: WriteMode,
  ): Promise<WriteResult> {
    const rel = this.qualified(name);
    const staging = temporaryName(rel, "stg", this.runId, this.capabilities.maxIdentifierLength);
    await this.ensureSchema(session, rel.schema, rel.database);
    return withStagedRows(
      session,
      staging,
      this.connectionName,
      batches,
      this.dialect.relation(rel),
      (selectSql) => this.write(session, rel, selectSql, mode),
    );
  }

  /**
   * Deletes the folders this run superseded. The engine is shared
   * by every DuckDB connection of the target; the target closes it.
   */
  async close(): Promise<void> {
    const folders = [...this.retired];
    this.retired.clear();
    await removeFolders(this.lakeRoot, folders);
  }

  /** Makes a lake table something else (a view, or nothing) in one transaction, retiring all its folders. */
  private async forget(session: Session, rel: RelationName, replacement: string): Promise<void> {
    const folders = await this.metadata.folders(session, rel);
    await this.committing(session, async () => {
      await session.execute(oneText([...lakeSql.forgetTable(this.connectionName, rel), replacement]));
    });
    await this.metadata.forgotten(session, rel);
    for (const f of folders) this.retired.add(f.filesDir);
    await sweepTable(this.lakeRoot, tableDir(rel), this.retired);
  }

  /** Names in this lake's catalog always carry it: a schema may share the catalog's name (`lake.lake`). */
  private qualified(rel: RelationName): RelationName {
    return { ...rel, database: rel.database ?? this.connectionName };
  }

  /**
   * Creates the bookkeeping tables and re-points stale views, once per adapter; concurrent sessions
   * share the one attempt.
   */
  private ensureMetadata(session: Session): Promise<void> {
    this.metadataReady ??= (async () => {
      for (const statement of lakeSql.createMetadata(this.connectionName)) await session.execute(statement);
      await this.repointViews(session);
    })().catch((e: unknown) => {
      this.metadataReady = undefined;
      throw e;
    });
    return this.metadataReady;
  }

  /**
   * The metadata names files relative to the lake root, and a view must name them absolutely. A
   * project folder that was moved, copied or checked out elsewhere has views that read the old
   * place's files (or none): each view that does not name its live folders under this lake root is
   * rebuilt from the metadata, in one transaction. Views already right are left alone, so a
   * reader does not write.
   */
  private async repointViews(session: Session): Promise<void> {
    const root = this.lakeRoot.replace(/\\/g, "/");
    const stale: string[] = [];
    for (const { rel, definition, folders, viewSql } of (await this.metadata.all(session)).values()) {
      const current = viewSql ?? "";
      if (viewSql !== null && folders.every((f) => current.includes(lakeSql.folderGlob(root, f)))) continue;
      stale.push(lakeSql.createLakeView(rel, definition, folders, root));
    }
    if (stale.length === 0) return;
    await session.transaction(async () => {
      for (const statement of stale) await session.execute(statement);
    });
  }

  /**
   * Upsert on `uniqueKey`: the new rows go to a temporary table first, then the partitions they
   * touch are rewritten as the existing rows without a matching key plus the new rows.
   */
  private async upsert(
    session: Session,
    rel: RelationName,
    selectSql: string,
    uniqueKey: string[],
    previous: LakeTableDefinition,
  ): Promise<WriteResult> {
    const tempName = temporaryName(rel, "stg", this.runId, this.capabilities.maxIdentifierLength).name;
    const staged = lakeSql.tempRelation(tempName);
    await session.execute(lakeSql.createTempTable(tempName, selectSql));
    try {
      const { rows: counted } = await session.query(`SELECT count(*) FROM ${staged}`);
      const rowsAffected = Number(counted[0]?.[0] ?? 0);
      const { partitionBy } = previous;
      if (partitionBy.length === 0) {
        await this.rewrite(session, rel, lakeSql.upsertRows(rel, staged, uniqueKey, [], undefined), {
          partitionBy,
          previous,
          supersedes: () => true,
          keepColumns: true,
          whole: true,
        });
        return { rowsAffected };
      }
      const { rows } = await session.query(lakeSql.affectedPartitions(rel, staged, uniqueKey, partitionBy));
      const keys = rows.map((r) => r.map((v) => (v === null ? null : String(v))));
      if (keys.length === 0) return { rowsAffected: 0 };
      const affected = new Set(keys.map(keyId));
      await this.rewrite(session, rel, lakeSql.upsertRows(rel, staged, uniqueKey, partitionBy, keys), {
        partitionBy,
        previous,
        supersedes: (f) => affected.has(keyId(f.key)),
        keepColumns: true,
        whole: false,
      });
      return { rowsAffected };
    } finally {
      await session.execute(`DROP TABLE IF EXISTS ${staged}`);
    }
  }

  /**
   * The named partitions as the table's own values print (each cast to its column's type and back
   * to text), so `2024-1-1` supersedes the folder of `2024-01-01` instead of adding a second copy
   * of its rows beside it. A value that is not of its column's type is refused before any write.
   */
  private async typedKeys(
    session: Session,
    rel: RelationName,
    definition: LakeTableDefinition,
    partitions: PartitionValue[],
  ): Promise<PartitionValue[]> {
    const types = definition.partitionBy.map(
      (p) => definition.columns.find((c) => c.name === p)?.nativeType ?? "VARCHAR",
    );
    try {
      const { rows } = await session.query(lakeSql.typedPartitionKeys(types, partitions));
      return rows.map((r) => r.slice(1).map((v) => (v === null ? null : String(v))));
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      throw new Error(
        `cannot replace partitions of ${this.dialect.relation(rel)} (` +
          `${definition.partitionBy.join(", ")}: ${types.join(", ")}): ${reason}`,
      );
    }
  }

  /** Writes `rowsSql` as new version folders, commits them with the metadata and view, then sweeps. */
  private async rewrite(
    session: Session,
    rel: RelationName,
    rowsSql: string,
    how: Rewrite,
  ): Promise<WriteResult> {
    const asDescribed = await this.describe(session, rowsSql);
    const wide = asDescribed.filter((c) => lakeSql.WIDE_INTEGERS.has(c.nativeType)).map((c) => c.name);
    if (wide.length > 0) rowsSql = lakeSql.exactWideIntegers(rowsSql, wide);
    const described = asDescribed.map((c) =>
      wide.includes(c.name) ? { ...c, nativeType: lakeSql.EXACT_WIDE_INTEGER } : c,
    );
    const missing = how.partitionBy.filter((p) => !described.some((c) => c.name === p));
    if (missing.length > 0)
      throw new Error(
        `cannot partition ${this.dialect.relation(rel)} by ` +
          `${missing.join(", ")}: the model's SQL has no such column`,
      );
    // A rewrite of the whole table takes the current layout; a partial one keeps the table's own.
    const valuesInFiles = how.whole || how.previous?.valuesInFiles === true;
    const columns =
      how.keepColumns && how.previous ? mergeColumns(how.previous.columns, described) : described;
    const definition: LakeTableDefinition = { columns, partitionBy: how.partitionBy, valuesInFiles };

    const table = tableDir(rel);
    const tableAbs = join(this.lakeRoot, table);
    const stagingDir = join(tableAbs, stagingName(this.runId, ++this.folderCounter));
    await mkdir(stagingDir, { recursive: true });
    let added: Awaited<ReturnType<typeof placeStagedFiles>>;
    try {
      const files = await this.copy(session, rowsSql, stagingDir, how.partitionBy, valuesInFiles);
      const layout = { stagingDir, partitionBy: how.partitionBy, valuesInFiles };
      const version = unusedVersion(
        tableAbs,
        stagedPartitionPaths(layout, files),
        this.runId,
        this.folderCounter,
      );
      this.folderCounter = version.next;
      added = await placeStagedFiles({
        lakeRoot: this.lakeRoot,
        table,
        files,
        version: version.name,
        columns: described,
        ...layout,
      });
    } finally {
      // A failed or cancelled COPY leaves no staging folder behind.
      await rm(stagingDir, { recursive: true, force: true });
    }

    const existing = how.previous ? await this.metadata.folders(session, rel) : [];
    const superseded = existing.filter(how.supersedes);
    const live = [...existing.filter((f) => !how.supersedes(f)), ...added];
    const standing = how.previous
      ? "lake"
      : await new DuckDbIntrospector(session, this.connectionName).relationKind(rel);
    await this.options.beforeCommit?.(rel);
    const statements = lakeSql.commitStatements({
      catalog: this.connectionName,
      rel,
      definition,
      superseded,
      added,
      live,
      lakeRoot: this.lakeRoot.replace(/\\/g, "/"),
      writtenAt: (this.options.now ?? (() => new Date()))(),
      dropTable: standing === "table",
    });
    await this.committing(session, async () => {
      await session.execute(oneText(statements));
    });
    await this.metadata.committed(session, rel, definition, live);
    for (const f of superseded) this.retired.add(f.filesDir);
    await sweepTable(this.lakeRoot, table, new Set([...live.map((f) => f.filesDir), ...this.retired]));
    const perPartition = new Map<string, { partition: (string | null)[]; rows: number }>();
    for (const f of added) {
      const counted = perPartition.get(keyId(f.key)) ?? { partition: f.key, rows: 0 };
      counted.rows += f.rowCount;
      perPartition.set(keyId(f.key), counted);
    }
    return {
      rowsAffected: added.reduce((n, f) => n + f.rowCount, 0),
      // With values in the files, reads give back exactly the values the COPY reported.
      ...(how.partitionBy.length > 0 && valuesInFiles ? { partitionRows: [...perPartition.values()] } : {}),
    };
  }

  /** Runs one metadata transaction; after a failure what the metadata holds is read afresh. */
  private async committing(session: Session, work: () => Promise<void>): Promise<void> {
    try {
      await session.transaction(work);
    } catch (e) {
      this.metadata.reset();
      throw e;
    }
  }

  private async describe(session: Session, rowsSql: string): Promise<LakeColumn[]> {
    const { rows } = await session.query(lakeSql.describe(rowsSql));
    return rows.map((r) => ({ name: String(r[0]), nativeType: String(r[1]) }));
  }

  /** Runs the COPY and reads its RETURN_STATS (the map of partition values needs the raw reader). */
  private async copy(
    session: Session,
    rowsSql: string,
    stagingDir: string,
    partitionBy: string[],
    valuesInFiles: boolean,
  ): Promise<StagedFile[]> {
    const copy = lakeSql.copyToStaging(rowsSql, stagingDir.replace(/\\/g, "/"), partitionBy, valuesInFiles);
    const reader = await (session as DuckDbSession).connection.runAndReadAll(copy);
    const stats = reader.getRowObjectsJson() as {
      filename: string;
      count: string | number;
      partition_keys: { key: string; value: string | null }[] | null;
    }[];
    return stats.map((s) => ({
      filename: s.filename,
      rowCount: Number(s.count),
      partitionKeys: Object.fromEntries((s.partition_keys ?? []).map((k) => [k.key, k.value])),
    }));
  }
}

/** One partition's identity: NULL and "" are different partitions. */
function keyId(key: (string | null)[]): string {
  return JSON.stringify(key);
}

/** The previous columns in their order (typed as now where both have them), then the new ones. */
function mergeColumns(previous: LakeColumn[], next: LakeColumn[]): LakeColumn[] {
  const byName = new Map(next.map((c) => [c.name, c]));
  const merged = previous.map((c) => byName.get(c.name) ?? c);
  return [...merged, ...next.filter((c) => !previous.some((p) => p.name === c.name))];
}

/**
 * A commit's statements as one text, sent in one call inside its transaction: DuckDB runs them in
 * order and stops at the first error, and each round trip costs about as much as a metadata write.
 */
function oneText(statements: string[]): string {
  return statements.join(";\n");
}
