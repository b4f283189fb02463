// PostgreSQL statements for every write sluice makes. Pure and deterministic: names of temporary
// relations come in from the caller (built with `temporaryName`), so golden files pin them.
import type { Column, RelationKind, RelationName } from "../contract.js";
import type { BuiltTableStatements, IncrementalMode } from "../built-table-adapter.js";
import { bareSelect, tableWritesSql } from "../table-writes-sql.js";
import { postgresDialect as d } from "./postgres-dialect.js";

export { EmptyPartitionSetError } from "../table-writes-sql.js";

const shared = tableWritesSql(d, { atomic });
export const { dropRelationSql, appendSql, replacePartitionsSql, keepPartitionsSql, deletePartitionsSql } =
  shared;
const cols = shared.columnList;

/** Statements that commit together or not at all: DDL included, PostgreSQL's DDL is transactional. */
export function atomic(statements: string[]): string {
  return ["BEGIN;", ...statements, "COMMIT;"].join("\n");
}

export function createSchemaSql(schema: string): string {
  return `CREATE SCHEMA IF NOT EXISTS ${d.quoteIdentifier(schema)};`;
}

/**
 * Replaces whatever holds the name with a view, in one transaction. Dropping first (not CREATE OR
 * REPLACE) lets the view's columns change; a view other views depend on makes the drop fail whole.
 */
export function createViewSql(rel: RelationName, selectSql: string, existing: RelationKind | null): string {
  const create = `CREATE VIEW ${d.relation(rel)} AS\n${bareSelect(selectSql)};`;
  if (existing === null) return create;
  return atomic([dropRelationSql(rel, existing), create]);
}

/** Materializes a SELECT into a new table, the server inferring the column types. */
export function createTableAsSql(into: RelationName, selectSql: string): string {
  return `CREATE TABLE ${d.relation(into)} AS\n${bareSelect(selectSql)};`;
}

export interface SwapNames {
  target: RelationName;
  /** Fully built new contents, next to the target. */
  staging: RelationName;
  /** Where the current table is renamed to before it is dropped. */
  old: RelationName;
  /** What holds the target's name now. */
  existing: RelationKind | null;
}

/**
 * Swaps the staging table in for the target in one transaction: rename the old table away (or
 * drop the view that held the name), rename staging in, drop the old table. Readers see the old
 * rows or the new rows, never an empty or half-loaded table; a failure anywhere rolls it all back.
 */
export function swapTableSql({ target, staging, old, existing }: SwapNames): string {
  const statements: string[] = [];
  if (existing === "view") statements.push(dropRelationSql(target, "view"));
  if (existing === "table")
    statements.push(`ALTER TABLE ${d.relation(target)} RENAME TO ${d.quoteIdentifier(old.name)};`);
  statements.push(`ALTER TABLE ${d.relation(staging)} RENAME TO ${d.quoteIdentifier(target.name)};`);
  if (existing === "table") statements.push(dropRelationSql(old, "table"));
  return atomic(statements);
}

/** Appends the rows of `source`; a single INSERT is atomic on its own. */
const keyMatch = (uniqueKey: string[]) => shared.keyMatch(uniqueKey, "  ");
const SOURCE = shared.source;
const TARGET = shared.target;

function needsKey(what: string, target: RelationName, uniqueKey: string[]): void {
  if (uniqueKey.length === 0) throw new Error(`${what} into ${d.relation(target)} needs a unique_key`);
}

/** Deletes target rows whose key is among the new rows, then inserts the new rows, in one transaction. */
export function deleteInsertSql(
  target: RelationName,
  source: RelationName,
  columns: string[],
  uniqueKey: string[],
): string {
  needsKey("delete+insert", target, uniqueKey);
  return atomic([
    `DELETE FROM ${d.relation(target)} AS ${TARGET}`,
    `USING ${d.relation(source)} AS ${SOURCE}`,
    `WHERE ${keyMatch(uniqueKey)};`,
    appendSql(target, source, columns),
  ]);
}

/**
 * Upserts on `uniqueKey` with MERGE, in one transaction. Two merges of the same new key at once can
 * both insert it (MERGE takes no predicate lock); sluice runs one writer per target, so none race.
 */
export function mergeSql(
  target: RelationName,
  source: RelationName,
  columns: string[],
  uniqueKey: string[],
): string {
  needsKey("merge", target, uniqueKey);
  const keys = new Set(uniqueKey);
  const updates = columns.filter((c) => !keys.has(c));
  const lines = [
    `MERGE INTO ${d.relation(target)} AS ${TARGET}`,
    `USING ${d.relation(source)} AS ${SOURCE}`,
    `ON ${keyMatch(uniqueKey)}`,
  ];
  if (updates.length > 0) {
    lines.push("WHEN MATCHED THEN UPDATE SET");
    lines.push(
      updates.map((c) => `  ${d.quoteIdentifier(c)} = ${SOURCE}.${d.quoteIdentifier(c)}`).join(",\n"),
    );
  }
  lines.push(`WHEN NOT MATCHED THEN INSERT (${cols(columns)})`);
  lines.push(`  VALUES (${cols(columns, `${SOURCE}.`)});`);
  return atomic(lines);
}

/** A table for rows loaded from another engine, with each column in its own PostgreSQL type. */
export function createStagingTableSql(rel: RelationName, columns: Column[]): string {
  const defs = columns.map((c) => `  ${d.quoteIdentifier(c.name)} ${d.nativeType(c.type)}`).join(",\n");
  return `CREATE TABLE ${d.relation(rel)} (\n${defs}\n);`;
}

/** COPY in text format (tab-separated, `\N` for NULL), the encoding postgres-copy-text.ts writes. */
export function copyFromStdinSql(rel: RelationName, columns: Column[]): string {
  return `COPY ${d.relation(rel)} (${cols(columns.map((c) => c.name))}) FROM STDIN`;
}

export function selectAllSql(rel: RelationName, columns: string[]): string {
  return `SELECT ${cols(columns)}\nFROM ${d.relation(rel)}`;
}

/** Applies an incremental mode from a built table; `merge` is PostgreSQL's MERGE. */
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
      return mergeSql(rel, built, columns, mode.uniqueKey);
    case "delete+insert":
      return deleteInsertSql(rel, built, columns, mode.uniqueKey);
    case "partitions":
      return replacePartitionsSql(rel, built, columns, mode.partitionBy, mode.partitions);
  }
}

/** The statements the shared write path (built-table-adapter.ts) runs on PostgreSQL. */
export const postgresStatements: BuiltTableStatements = {
  createSchemaSql,
  createTableAsSql,
  createStagingTableSql,
  dropRelationSql,
  swapTableSql,
  keepPartitionsSql,
  deletePartitionsSql,
  incrementalSql,
};
