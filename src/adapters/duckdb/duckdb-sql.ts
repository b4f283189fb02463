// Statement builders for DuckDB database files: pure functions of names and SQL, pinned by golden
// files in tests/golden/duckdb/.
import type { Column, PartitionValue, RelationName } from "../contract.js";
import { duckdbDialect as d, nativeType } from "./duckdb-dialect.js";
import { fromStaged, stagingType } from "./duckdb-values.js";

export const createTableAs = (rel: RelationName, sql: string) => `CREATE TABLE ${d.relation(rel)} AS\n${sql}`;

export const createOrReplaceView = (rel: RelationName, sql: string) =>
  `CREATE OR REPLACE VIEW ${d.relation(rel)} AS\n${sql}`;

export const dropTable = (rel: RelationName) => `DROP TABLE IF EXISTS ${d.relation(rel)}`;

export const dropView = (rel: RelationName) => `DROP VIEW IF EXISTS ${d.relation(rel)}`;

export const renameTable = (from: RelationName, to: string) =>
  `ALTER TABLE ${d.relation(from)} RENAME TO ${d.quoteIdentifier(to)}`;

export const insertByName = (rel: RelationName, sql: string) =>
  `INSERT INTO ${d.relation(rel)} BY NAME\n${sql}`;

export const createSchema = (schema: string, database?: string) =>
  `CREATE SCHEMA IF NOT EXISTS ${database ? `${d.quoteIdentifier(database)}.` : ""}` +
  `${d.quoteIdentifier(schema)}`;

/** Rows of `target` whose key matches a row of `staging`. */
export function deleteMatching(target: RelationName, staging: RelationName, uniqueKey: string[]): string {
  const match = uniqueKey.map((k) => `s.${d.quoteIdentifier(k)} = t.${d.quoteIdentifier(k)}`).join(" AND ");
  return (
    `DELETE FROM ${d.relation(target)} AS t\nWHERE EXISTS ` +
    `(SELECT 1 FROM ${d.relation(staging)} AS s WHERE ${match})`
  );
}

/** A predicate true for rows in one of `partitions`: the dialect's, so every caller agrees on NULL. */
export function partitionPredicate(
  partitionBy: string[],
  partitions: PartitionValue[],
  qualifier = "",
): string {
  return d.partitionPredicate(partitionBy, partitions, qualifier);
}

export const deletePartitions = (rel: RelationName, partitionBy: string[], partitions: PartitionValue[]) =>
  `DELETE FROM ${d.relation(rel)}\nWHERE ${partitionPredicate(partitionBy, partitions)}`;

export const selectPartitions = (sql: string, partitionBy: string[], partitions: PartitionValue[]) =>
  `SELECT * FROM (\n${sql}\n) AS sluice_partitioned\nWHERE ${partitionPredicate(partitionBy, partitions)}`;

/** The staging table rows from another engine land in (decimals and dates as text, cast later). */
export function createStaging(rel: RelationName, columns: Column[]): string {
  const defs = columns
    .map((c) => `${d.quoteIdentifier(c.name)} ${stagingType(c.type).toString()}`)
    .join(",\n  ");
  return `CREATE TABLE ${d.relation(rel)} (\n  ${defs}\n)`;
}

/** Reads a staging table back with every column in its real type. */
export function selectStaged(rel: RelationName, columns: Column[]): string {
  const cols = columns.map((c) => {
    const q = d.quoteIdentifier(c.name);
    const read = fromStaged(q, c.type, nativeType);
    return read === q ? q : `${read} AS ${q}`;
  });
  return `SELECT ${cols.join(", ")} FROM ${d.relation(rel)}`;
}
