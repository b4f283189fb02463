// Stages rows from another engine as Parquet files in a directory the Hive or Spark server reaches
// too, and shows them to the server as a staging relation: with shared storage, rows need not
// travel through the Thrift connection as INSERT ... VALUES text.
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Column, LogicalType, RelationName, RowBatch, Session } from "../contract.js";
import type { HiveConnection } from "../../project/connection-schema.js";
import { DuckDbEngine } from "../duckdb/duckdb-connection.js";
import { duckdbDialect, nativeType as duckdbType } from "../duckdb/duckdb-dialect.js";
import { withStagedRows } from "../duckdb/duckdb-staging.js";
import type { HiveDialect } from "./hive-dialect.js";
import * as sql from "./hive-sql.js";

/** The staging directory as sluice writes to it and as the server reads it. */
export interface StageDir {
  /** An absolute path on the machine running sluice. */
  local: string;
  /** The same directory as the server names it (file://, hdfs://, s3a://), without a trailing slash. */
  remote: string;
}

/** A column of the staged files: its name and type there, and how it becomes the real column. */
export interface StagedColumn {
  column: Column;
  /** `c0`, `c1`, …: positional, so no source column name can trip a Parquet or Hive name rule. */
  fileName: string;
  /** The column's type in the files (see `fileType`). */
  fileType: LogicalType;
}

/**
 * Rows staged past this much memory spill to disk, so a load of any size holds a bounded amount.
 * Measured on 10M rows into Spark (bench/transfer, 2026-11-25): 128 MB was as fast as 1 GB
 * (14 s vs 22 s, a noisy machine) with 385 MB instead of 942 MB peak for the whole process.
 */
const STAGE_MEMORY_LIMIT = "128MB";

/** Parquet files of at most about this size, so the server can read a large load in parallel. */
const FILE_SIZE = "256MB";

/** The staging directory a connection declares, or undefined when rows go through INSERTs. */
export function stageDirOf(config: HiveConnection["stage_dir"]): StageDir | undefined {
  if (config === undefined) return undefined;
  const { local, remote } =
    typeof config === "string" ? { local: config, remote: `file://${config}` } : config;
  return { local, remote: remote.replace(/\/+$/, "") };
}

/**
 * The type a column has in the staged files, chosen so that Spark's Parquet reader and Hive's own
 * (ParquetHiveSerDe; Spark uses it too when spark.sql.hive.convertMetastoreParquet is off) both read
 * every value back exactly, whatever the server's time zone:
 * - decimals as DECIMAL(38, s): DuckDB writes precision 18 and less as INT32/INT64, which Hive's
 *   reader (as Spark bundles it) fails on; at precision 38 they are 16-byte fixed-length values.
 * - timestamps as text: DuckDB writes INT64 microseconds, which that reader cannot read either
 *   (it knows INT96, which DuckDB cannot write). Text cast on the server is exact in the UTC
 *   session sluice opens, as the INSERT path's TIMESTAMP literals are.
 * - dates as text: that reader moves dates before 1582 to the Julian calendar.
 * Everything else is stored as itself.
 */
export function fileType(type: LogicalType, hive: HiveDialect): LogicalType {
  switch (type.kind) {
    case "decimal": {
      const clamped = hive.logicalType(hive.nativeType(type));
      return {
        kind: "decimal",
        precision: 38,
        scale: clamped.kind === "decimal" ? clamped.scale : type.scale,
      };
    }
    case "date":
    case "timestamp":
      return { kind: "string" };
    default:
      return type;
  }
}

export function stagedColumns(columns: Column[], hive: HiveDialect): StagedColumn[] {
  return columns.map((column, i) => ({ column, fileName: `c${i}`, fileType: fileType(column.type, hive) }));
}

/**
 * The DuckDB statement writing the rows of `selectSql` as Parquet files under `dir` (which must not
 * exist yet), one `part-N.parquet` per ~256 MB, each column cast to its file type.
 */
export function copyToParquet(selectSql: string, columns: StagedColumn[], dir: string): string {
  const q = (name: string) => duckdbDialect.quoteIdentifier(name);
  const list = columns.map(
    (c) => `    CAST(${q(c.column.name)} AS ${duckdbType(c.fileType)}) AS ${q(c.fileName)}`,
  );
  return (
    `COPY (\n  SELECT\n${list.join(",\n")}\n  FROM (\n${selectSql.trim()}\n  ) AS staged\n)\n` +
    `TO ${duckdbDialect.literal(dir)} (FORMAT parquet, COMPRESSION ` +
    `snappy, FILE_SIZE_BYTES '${FILE_SIZE}', FILENAME_PATTERN 'part-{i}')`
  );
}

/** The HiveQL that shows the files under `location` as `view`, through the external table `files`. */
export function stagingStatements(
  hive: HiveDialect,
  names: { files: RelationName; view: RelationName },
  columns: StagedColumn[],
  location: string,
): { createFiles: string; createView: string } {
  const createFiles = sql.createExternalParquetTable(
    hive,
    names.files,
    columns.map((c) => ({ name: c.fileName, nativeType: hive.nativeType(c.fileType) })),
    location,
  );
  const createView = sql.createStagingView(
    hive,
    names.view,
    names.files,
    columns.map((c) => {
      const real = hive.nativeType(c.column.type);
      return {
        from: c.fileName,
        name: c.column.name,
        ...(real === hive.nativeType(c.fileType) ? {} : { cast: real }),
      };
    }),
  );
  return { createFiles, createView };
}

/**
 * Refuses a staging directory that is not there: creating it would hide a shared mount that is
 * missing, and the server would then look for the files in vain.
 */
export function assertStageDir(stage: StageDir): void {
  if (!existsSync(stage.local)) {
    throw new Error(
      `stage_dir ${stage.local} does not exist: create it, ` +
        `as the directory the server reads as ${stage.remote} ` +
        `(or remove stage_dir from the connection to load rows through INSERT statements)`,
    );
  }
}

/**
 * Writes `batches` as Parquet files into a folder of `stage` named after `names.files`, declares
 * them to the server as an external table with a view giving the columns their real names and
 * types, and runs `use` with that view. Afterwards, whatever happens, the view and the table are
 * dropped and the folder is deleted. At least one batch must arrive (its columns shape the files).
 *
 * Memory stays bounded: the batches go into an embedded DuckDB database (spilling to disk past
 * STAGE_MEMORY_LIMIT) that writes the files itself, and the engine is closed before the server
 * reads them.
 */
export async function withParquetStage<T>(
  hive: Session,
  dialect: HiveDialect,
  stage: StageDir,
  names: { files: RelationName; view: RelationName },
  batches: AsyncIterable<RowBatch>,
  missing: string,
  use: (staging: RelationName, rows: number) => Promise<T>,
): Promise<T> {
  assertStageDir(stage);
  const folder = names.files.name;
  const local = join(stage.local, folder);
  const spill = join(stage.local, `${folder}.spill`);
  let declared = false;
  try {
    const { columns, rows } = await writeParquet(batches, local, spill, dialect, missing);
    const statements = stagingStatements(dialect, names, columns, `${stage.remote}/${folder}`);
    declared = true;
    await hive.execute(statements.createFiles);
    await hive.execute(statements.createView);
    return await use(names.view, rows);
  } finally {
    if (declared) {
      await hive.execute(sql.dropView(dialect, names.view)).catch(() => undefined);
      await hive.execute(sql.dropTable(dialect, names.files)).catch(() => undefined);
    }
    // A folder that cannot be removed must not hide the load's own outcome; its name says what it is.
    await rm(local, { recursive: true, force: true }).catch(() => undefined);
    await rm(spill, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Lands `batches` in a throwaway DuckDB database and copies them to Parquet files under `dir`. */
async function writeParquet(
  batches: AsyncIterable<RowBatch>,
  dir: string,
  spill: string,
  hive: HiveDialect,
  missing: string,
): Promise<{ columns: StagedColumn[]; rows: number }> {
  const engine = new DuckDbEngine({ memoryLimit: STAGE_MEMORY_LIMIT });
  try {
    await engine.attach("stage", ":memory:");
    const duck = await engine.open();
    await duck.execute(`SET temp_directory = ${duckdbDialect.literal(spill)}`);
    // Row order means nothing in a staging table; not keeping it lets COPY write without buffering.
    await duck.execute("SET preserve_insertion_order = false");
    const staged: RelationName = { database: "stage", schema: "main", name: "staged_rows" };
    return await withStagedRows(duck, staged, "stage", batches, missing, async (selectSql, columns) => {
      const files = stagedColumns(columns, hive);
      const { rowsAffected } = await duck.execute(copyToParquet(selectSql, files, dir));
      return { columns: files, rows: rowsAffected ?? 0 };
    });
  } finally {
    await engine.close();
  }
}
