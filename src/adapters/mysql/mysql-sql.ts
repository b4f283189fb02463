// MySQL/MariaDB statements for every write sluice makes. Pure and deterministic: names of temporary
// relations come in from the caller (built with `temporaryName`), so golden files pin them.
//
// What is atomic on MySQL, and what is not (see mysql-capabilities.ts):
// - A swap is one RENAME TABLE statement naming both renames: atomic. The DROP of the old table
//   runs after it, as its own statement.
// - CREATE TABLE ... AS SELECT is one statement but commits implicitly, so it never shares a
//   transaction; sluice only ever uses it to build a table no reader knows the name of.
// - merge, delete+insert and partition replacement are DML in one transaction (InnoDB).
import type { Column, RelationKind, RelationName } from "../contract.js";
import type { BuiltTableStatements, IncrementalMode } from "../built-table-adapter.js";
import { bareSelect, tableWritesSql } from "../table-writes-sql.js";
import { mysqlDialect as d } from "./mysql-dialect.js";

export { EmptyPartitionSetError } from "../table-writes-sql.js";

const shared = tableWritesSql(d, { atomic });
export const { dropRelationSql, appendSql, replacePartitionsSql, keepPartitionsSql, deletePartitionsSql } =
  shared;
const cols = shared.columnList;

/** DML statements that commit together or not at all. Never put DDL here: it would commit early. */
export function atomic(statements: string[]): string {
  return ["START TRANSACTION;", ...statements, "COMMIT;"].join("\n");
}

export function createSchemaSql(schema: string): string {
  return `CREATE DATABASE IF NOT EXISTS ${d.quoteIdentifier(schema)};`;
}

/**
 * A view in place of whatever holds the name. Over a view, CREATE OR REPLACE is one atomic
 * statement. Over a table, the view is created beside it and renamed in with the table renamed
 * out in one RENAME TABLE, so readers never find the name missing; the table is dropped after.
 */
export function createViewSql(
  rel: RelationName,
  selectSql: string,
  existing: RelationKind | null,
  beside: RelationName,
  old: RelationName,
): string[] {
  const body = bareSelect(selectSql);
  if (existing !== "table") return [`CREATE OR REPLACE VIEW ${d.relation(rel)} AS\n${body};`];
  return [
    `CREATE VIEW ${d.relation(beside)} AS\n${body};`,
    `RENAME TABLE ${d.relation(rel)} TO ${d.relation(old)}, ${d.relation(beside)} TO ${d.relation(rel)};`,
    dropRelationSql(old, "table"),
  ];
}

/** Materializes a SELECT into a new table, the server inferring the column types. */
export function createTableAsSql(into: RelationName, selectSql: string): string {
  return `CREATE TABLE ${d.relation(into)} AS\n${bareSelect(selectSql)};`;
}

export interface SwapNames {
  target: RelationName;
  /** Fully built new contents, next to the target. */
  staging: RelationName;
  /** Where the current table or view is renamed to before it is dropped. */
  old: RelationName;
  /** What holds the target's name now. */
  existing: RelationKind | null;
}

/**
 * The swap as two statements: one RENAME TABLE that moves the current table (or view) out and the
 * staging table in, atomically, then the DROP of what was moved out. Readers see the old rows or
 * the new rows; a failed RENAME changes nothing.
 */
export function swapTableSql({ target, staging, old, existing }: SwapNames): string[] {
  if (existing === null) return [`RENAME TABLE ${d.relation(staging)} TO ${d.relation(target)};`];
  return [
    `RENAME TABLE ${d.relation(target)} TO ${d.relation(old)}` +
      `, ${d.relation(staging)} TO ${d.relation(target)};`,
    dropRelationSql(old, existing),
  ];
}

const keyMatch = (uniqueKey: string[]) => shared.keyMatch(uniqueKey, "  ");
const SOURCE = shared.source;
const TARGET = shared.target;

/**
 * Deletes target rows whose key is among the new rows, then inserts the new rows, in one
 * transaction. Also what `merge` runs: with every column in the new rows it ends in the same table.
 */
export function deleteInsertSql(
  target: RelationName,
  source: RelationName,
  columns: string[],
  uniqueKey: string[],
): string {
  if (uniqueKey.length === 0) throw new Error(`delete+insert into ${d.relation(target)} needs a unique_key`);
  return atomic([
    `DELETE ${TARGET}`,
    `FROM ${d.relation(target)} AS ${TARGET}`,
    `JOIN ${d.relation(source)} AS ${SOURCE}`,
    `  ON ${keyMatch(uniqueKey)};`,
    appendSql(target, source, columns),
  ]);
}

/** A table for rows loaded from another engine, with each column in its own MySQL type. */
export function createStagingTableSql(rel: RelationName, columns: Column[]): string {
  const defs = columns.map((c) => `  ${d.quoteIdentifier(c.name)} ${d.nativeType(c.type)} NULL`).join(",\n");
  return (
    `CREATE TABLE ${d.relation(rel)} (\n${defs}\n) ` +
    `ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;`
  );
}

/**
 * LOAD DATA LOCAL INFILE of tab-separated text with `\` escapes and `\N` for NULL (what
 * mysql-values.ts writes). Binary columns travel as hex and are decoded with UNHEX, so no byte
 * depends on a character set. `file` is only a name: the client streams the rows.
 */
export function loadDataSql(rel: RelationName, columns: Column[], file: string): string {
  const targets = columns.map((c, i) =>
    c.type.kind === "binary" ? `@sluice_${i}` : d.quoteIdentifier(c.name),
  );
  const sets = columns.flatMap((c, i) =>
    c.type.kind === "binary" ? [`${d.quoteIdentifier(c.name)} = UNHEX(@sluice_${i})`] : [],
  );
  return [
    `LOAD DATA LOCAL INFILE ${d.stringLiteral(file)}`,
    `INTO TABLE ${d.relation(rel)}`,
    "CHARACTER SET utf8mb4",
    "FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\'",
    "LINES TERMINATED BY '\\n'",
    `(${targets.join(", ")})${sets.length > 0 ? `\nSET ${sets.join(", ")}` : ""};`,
  ].join("\n");
}

/** The first line of a multi-row INSERT; rows follow as `(v, v, ...)` lists. */
export function insertValuesHead(rel: RelationName, columns: Column[]): string {
  return `INSERT INTO ${d.relation(rel)} (${cols(columns.map((c) => c.name))}) VALUES\n`;
}

export function columnsSql(rel: RelationName): string {
  return [
    "SELECT COLUMN_NAME, COLUMN_TYPE",
    "FROM information_schema.COLUMNS",
    `WHERE TABLE_SCHEMA = ${d.stringLiteral(rel.schema)} AND TABLE_NAME = ${d.stringLiteral(rel.name)}`,
    "ORDER BY ORDINAL_POSITION;",
  ].join("\n");
}

export function relationKindSql(rel: RelationName): string {
  return [
    "SELECT TABLE_TYPE",
    "FROM information_schema.TABLES",
    `WHERE TABLE_SCHEMA = ${d.stringLiteral(rel.schema)} AND TABLE_NAME = ${d.stringLiteral(rel.name)};`,
  ].join("\n");
}

/** Applies an incremental mode from a built table. MySQL has no MERGE: `merge` runs as
 * delete+insert, which ends in the same table when every column is written. */
export function incrementalSql(
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

/** The statements the shared write path (built-table-adapter.ts) runs on MySQL. */
export const mysqlStatements: BuiltTableStatements = {
  createSchemaSql,
  createTableAsSql,
  createStagingTableSql,
  dropRelationSql,
  swapTableSql,
  keepPartitionsSql,
  deletePartitionsSql,
  incrementalSql,
};
