// Statement builders for the embedded Parquet lake: the COPY that writes files, the view that reads
// the live version folders, and the metadata rows that say which folders are live. Pure functions
// of names, paths and SQL, pinned by golden files in tests/golden/duckdb-lake/.
import type { PartitionValue, RelationName } from "../contract.js";
import { partitionPredicate } from "./duckdb-sql.js";
import { duckdbDialect as d } from "./duckdb-dialect.js";

/** Schema of the lake's own bookkeeping tables, inside the lake's DuckDB catalog. */
export const METADATA_SCHEMA = "sluice_lake";

/** A column of a lake table as the table definition keeps it. */
export interface LakeColumn {
  name: string;
  /** DuckDB's spelling of the type, e.g. `DECIMAL(18,2)`. */
  nativeType: string;
}

/** What a lake table is: its columns in order, and which of them partition it (also in order). */
export interface LakeTableDefinition {
  columns: LakeColumn[];
  partitionBy: string[];
  /**
   * Partition values live in the Parquet files beside the rows, typed, and are read from there;
   * folder names only place the files. Folder names cannot tell NULL from the text 'NULL' or
   * '__HIVE_DEFAULT_PARTITION__' (DuckDB reads all three back as NULL). False for tables written
   * before: they keep reading values from folder names until rebuilt in full.
   */
  valuesInFiles: boolean;
}

/** One live version folder of one partition (unpartitioned tables have the key `[]`). */
export interface LakeFolder {
  /** Partition values as DuckDB casts them to VARCHAR, in `partitionBy` order; null for NULL. */
  key: (string | null)[];
  /** The folder of Parquet files, relative to the lake root, with `/` separators. */
  filesDir: string;
  rowCount: number;
  /**
   * The columns its files were written with, as the write described them; null when unknown
   * (folders written before this was recorded). A view whose folders all hold exactly the table's
   * columns reads one file's schema instead of every file's (no `union_by_name`).
   */
  columns: LakeColumn[] | null;
}

const meta = (catalog: string, table: "tables" | "partitions") =>
  `${d.quoteIdentifier(catalog)}.${d.quoteIdentifier(METADATA_SCHEMA)}.${d.quoteIdentifier(table)}`;

const text = (value: string) => d.literal(value);

/** The bookkeeping schema and tables, created once per lake catalog. */
export function createMetadata(catalog: string): string[] {
  return [
    `CREATE SCHEMA IF NOT EXISTS ${d.quoteIdentifier(catalog)}.${d.quoteIdentifier(METADATA_SCHEMA)}`,
    `CREATE TABLE IF NOT EXISTS ${meta(catalog, "tables")} (\n  "schema" ` +
      `VARCHAR NOT NULL,\n  table_name VARCHAR NOT NULL,\n  columns VARCHAR NOT ` +
      `NULL,\n  partition_by VARCHAR NOT NULL,\n  defined_at TIMESTAMP NOT NULL\n)`,
    // Added after the first release: `files` when partition values are read from the files.
    `ALTER TABLE ${meta(catalog, "tables")} ADD COLUMN IF NOT EXISTS partition_values VARCHAR`,
    `CREATE TABLE IF NOT EXISTS ${meta(catalog, "partitions")} (\n  "schema" VARCHAR NOT ` +
      `NULL,\n  table_name VARCHAR NOT NULL,\n  partition_key VARCHAR NOT NULL,\n  files_dir ` +
      `VARCHAR NOT NULL,\n  row_count BIGINT NOT NULL,\n  written_at TIMESTAMP NOT NULL\n)`,
    // Added later: the JSON of the columns the folder's files were written with (NULL: unknown).
    `ALTER TABLE ${meta(catalog, "partitions")} ADD COLUMN IF NOT EXISTS columns VARCHAR`,
  ];
}

const whereTable = (rel: RelationName) => `"schema" = ${text(rel.schema)} AND table_name = ${text(rel.name)}`;

/** Every lake table's definition, with its live folders as a JSON list, to re-point the views on open. */
export const selectAllTables = (catalog: string) =>
  `SELECT t."schema", t.table_name, t.columns, t.partition_by, t.partition_values,\n` +
  `  (SELECT to_json(list({key: p.partition_key, dir: p.files_dir, ` +
  `rows: p.row_count, cols: p.columns} ORDER BY p.partition_key, p.files_dir))\n` +
  `   FROM ${meta(catalog, "partitions")} p WHERE p."schema" ` +
  `= t."schema" AND p.table_name = t.table_name) AS folders,\n` +
  `  (SELECT v.sql FROM duckdb_views() v WHERE v.database_name = ${text(catalog)}` +
  ` AND v.schema_name = t."schema" AND v.view_name = t.table_name) AS view_sql\n` +
  `FROM ${meta(catalog, "tables")} t\nORDER BY t."schema", t.table_name`;

/** The literal a view names one live folder's files by; a view lacking it reads files elsewhere. */
export function folderGlob(lakeRoot: string, folder: LakeFolder): string {
  return text(`${lakeRoot}/${folder.filesDir}/*.parquet`);
}

/**
 * The statements of one commit, run in a single transaction: forget the superseded folders, record
 * the new ones and the definition, and point the view at exactly the live folders.
 */
export function commitStatements(args: {
  catalog: string;
  rel: RelationName;
  definition: LakeTableDefinition;
  superseded: LakeFolder[];
  added: LakeFolder[];
  live: LakeFolder[];
  lakeRoot: string;
  writtenAt: Date;
  /** A DuckDB table (not a lake table) stands at `rel` and must go first. */
  dropTable: boolean;
}): string[] {
  const { catalog, rel, definition, superseded, added, live, lakeRoot, writtenAt } = args;
  const at = d.literal(writtenAt);
  const statements: string[] = [];
  if (args.dropTable) statements.push(`DROP TABLE IF EXISTS ${d.relation(rel)}`);
  if (superseded.length > 0) {
    statements.push(
      `DELETE FROM ${meta(catalog, "partitions")}\nWHERE ${whereTable(rel)}\n ` +
        ` AND files_dir IN (${superseded.map((f) => text(f.filesDir)).join(", ")})`,
    );
  }
  if (added.length > 0) {
    const rows = added.map(
      (f) =>
        `(${text(rel.schema)}, ${text(rel.name)}, ${text(JSON.stringify(f.key))}` +
        `, ${text(f.filesDir)}, ${f.rowCount}, ${at}` +
        `, ${f.columns === null ? "NULL" : text(JSON.stringify(f.columns))})`,
    );
    statements.push(`INSERT INTO ${meta(catalog, "partitions")} VALUES\n  ${rows.join(",\n  ")}`);
  }
  statements.push(`DELETE FROM ${meta(catalog, "tables")}\nWHERE ${whereTable(rel)}`);
  statements.push(
    `INSERT INTO ${meta(catalog, "tables")} ("schema", table_name, ` +
      `columns, partition_by, defined_at, partition_values)\n` +
      `VALUES (${[
        text(rel.schema),
        text(rel.name),
        text(JSON.stringify(definition.columns)),
        text(JSON.stringify(definition.partitionBy)),
        at,
        definition.valuesInFiles ? text("files") : "NULL",
      ].join(", ")})`,
  );
  statements.push(createLakeView(rel, definition, live, lakeRoot));
  return statements;
}

/** Forgets a lake table: its folders, its definition and its view. */
export const forgetTable = (catalog: string, rel: RelationName): string[] => [
  `DELETE FROM ${meta(catalog, "partitions")}\nWHERE ${whereTable(rel)}`,
  `DELETE FROM ${meta(catalog, "tables")}\nWHERE ${whereTable(rel)}`,
];

/**
 * The view readers query: `read_parquet` over the live folders, partition columns typed by
 * `hive_types` so `year_month` stays INTEGER and a date stays DATE. With no live folder it is an
 * empty SELECT with the right column types.
 */
export function createLakeView(
  rel: RelationName,
  definition: LakeTableDefinition,
  live: LakeFolder[],
  lakeRoot: string,
): string {
  const head = `CREATE OR REPLACE VIEW ${d.relation(rel)} AS\n`;
  if (live.length === 0) {
    const cols = definition.columns.map(
      (c) => `CAST(NULL AS ${c.nativeType}) AS ${d.quoteIdentifier(c.name)}`,
    );
    return `${head}SELECT ${cols.join(", ")}\nWHERE false`;
  }
  const globs = live.map((f) => `  ${folderGlob(lakeRoot, f)}`).join(",\n");
  const cols = definition.columns.map((c) => d.quoteIdentifier(c.name)).join(", ");
  const options = readOptions(definition, !oneSchema(definition, live));
  return `${head}SELECT ${cols}\nFROM read_parquet([\n${globs}\n], ${options})`;
}

/**
 * Every live folder's files hold exactly the table's columns, in order and type, so the first file's
 * schema is every file's. Without `union_by_name` DuckDB reads that one footer when it binds the
 * view, not all of them. Folders written with other columns (an append after a schema change, an
 * upsert that widened a type) or not known keep `union_by_name`, which fills what a file lacks.
 */
function oneSchema(definition: LakeTableDefinition, live: LakeFolder[]): boolean {
  const table = JSON.stringify(definition.columns.map((c) => [c.name, c.nativeType]));
  return live.every(
    (f) => f.columns !== null && JSON.stringify(f.columns.map((c) => [c.name, c.nativeType])) === table,
  );
}

function readOptions(definition: LakeTableDefinition, unionByName: boolean): string {
  const types = definition.partitionBy.map((p) => {
    const column = definition.columns.find((c) => c.name === p);
    if (!column) throw new Error(`partition column '${p}' is not a column of the table`);
    return `${text(p)}: ${text(column.nativeType)}`;
  });
  const byName = unionByName ? ", union_by_name = true" : "";
  if (types.length === 0 || definition.valuesInFiles) return `hive_partitioning = false${byName}`;
  return `hive_partitioning = true, hive_types = {${types.join(", ")}}${byName}`;
}

/**
 * Writes the rows of `sql` as Parquet under `stagingDir`: one folder per partition when
 * partitioned (partition columns live in the folder names, not the files), else one file.
 * RETURN_STATS reports each file with its row count and partition values.
 */
export function copyToStaging(
  sql: string,
  stagingDir: string,
  partitionBy: string[],
  valuesInFiles = true,
): string {
  if (partitionBy.length === 0)
    return `COPY (\n${sql}\n) TO ${text(`${stagingDir}/data_0.parquet`)} (FORMAT parquet, RETURN_STATS true)`;
  const cols = partitionBy.map((c) => d.quoteIdentifier(c)).join(", ");
  // Values in the files; unique file names, since NULL and the text '__HIVE_DEFAULT_PARTITION__'
  // share DuckDB's folder and would otherwise overwrite each other's data_0.parquet.
  const inFiles = valuesInFiles ? ", WRITE_PARTITION_COLUMNS true, FILENAME_PATTERN 'data_{uuid}'" : "";
  return (
    `COPY (\n${sql}\n) TO ${text(stagingDir)} (FORMAT parquet, ` +
    `PARTITION_BY (${cols})${inFiles}, RETURN_STATS true)`
  );
}

/** Each partition's values cast to the partition columns' `types` and printed back, in order. */
export function typedPartitionKeys(types: string[], partitions: PartitionValue[]): string {
  const rows = partitions.map((p, i) => {
    const casts = types.map(
      (t, k) =>
        `CAST(CAST(${p[k] === null || p[k] === undefined ? "NULL" : text(p[k]!)} AS ${t}) AS VARCHAR)`,
    );
    return `(${[String(i), ...casts].join(", ")})`;
  });
  return `SELECT * FROM (VALUES\n  ${rows.join(",\n  ")}\n) AS keys\nORDER BY 1`;
}

/**
 * DuckDB's 128-bit integers (what it sums BIGINTs into), which Parquet has no type for: DuckDB
 * writes them as DOUBLE, silently rounding past 2^53. The lake stores them as DECIMAL(38,0),
 * exact; a value of 39 digits fails the write instead of being rounded.
 */
export const WIDE_INTEGERS = new Set(["HUGEINT", "UHUGEINT"]);
export const EXACT_WIDE_INTEGER = "DECIMAL(38,0)";

/** `sql` with each of `columns` cast to EXACT_WIDE_INTEGER, the other columns as they are. */
export function exactWideIntegers(sql: string, columns: string[]): string {
  const casts = columns.map(
    (c) => `CAST(${d.quoteIdentifier(c)} AS ${EXACT_WIDE_INTEGER}) AS ${d.quoteIdentifier(c)}`,
  );
  return `SELECT * REPLACE (${casts.join(", ")}) FROM (\n${sql}\n) AS sluice_exact`;
}

/** The column names and types a query yields, without running it. */
export const describe = (sql: string) => `DESCRIBE (\n${sql}\n)`;

/** A predicate true for rows in one of `keys` (null as IS NULL); the database-file adapter's, shared. */
export const keyPredicate = partitionPredicate;

/** Stages the new rows of an upsert in a temporary table of this session. */
export const createTempTable = (name: string, sql: string) =>
  `CREATE TEMP TABLE ${d.quoteIdentifier(name)} AS\n${sql}`;

export const tempRelation = (name: string) =>
  `${d.quoteIdentifier("temp")}.${d.quoteIdentifier("main")}.${d.quoteIdentifier(name)}`;

const keyMatch = (uniqueKey: string[]) =>
  uniqueKey.map((k) => `s.${d.quoteIdentifier(k)} = t.${d.quoteIdentifier(k)}`).join(" AND ");

/**
 * Partitions an upsert touches: those of the new rows, and those holding an existing row whose key
 * matches a new row (an update may move a row to another partition, which dirties both).
 */
export function affectedPartitions(
  rel: RelationName,
  staged: string,
  uniqueKey: string[],
  partitionBy: string[],
): string {
  const cols = (q: string) =>
    partitionBy.map((p) => `CAST(${q}.${d.quoteIdentifier(p)} AS VARCHAR)`).join(", ");
  return (
    `SELECT DISTINCT ${cols("s")} FROM ${staged} AS s\n` +
    `UNION\n` +
    `SELECT DISTINCT ${cols("t")} FROM ${d.relation(rel)} AS t\nWHERE ` +
    `EXISTS (SELECT 1 FROM ${staged} AS s WHERE ${keyMatch(uniqueKey)})`
  );
}

/**
 * The new content of the rewritten part of a table after an upsert: existing rows (of the affected
 * partitions, or all when `keys` is undefined) whose key no new row has, plus every new row.
 */
export function upsertRows(
  rel: RelationName,
  staged: string,
  uniqueKey: string[],
  partitionBy: string[],
  keys: PartitionValue[] | undefined,
): string {
  const inPartitions = keys === undefined ? "" : `(${keyPredicate(partitionBy, keys, "t.")})\n  AND `;
  return (
    `SELECT * FROM ${d.relation(rel)} AS t\nWHERE ${inPartitions}NOT ` +
    `EXISTS (SELECT 1 FROM ${staged} AS s WHERE ${keyMatch(uniqueKey)})\n` +
    `UNION ALL BY NAME\n` +
    `SELECT * FROM ${staged}`
  );
}
