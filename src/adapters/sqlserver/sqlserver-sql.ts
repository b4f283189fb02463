// T-SQL builders for every write sluice makes on SQL Server. Pure and deterministic: names of
// temporary relations come in from the caller (built with `temporaryName`), so golden files pin them.
import type { Column, RelationName } from "../contract.js";
import { EXACT_NUMBER_DECIMAL_PRECISION } from "./sqlserver-capabilities.js";
import { tableWritesSql } from "../table-writes-sql.js";
import { sqlServerDialect as d } from "./sqlserver-dialect.js";

export { EmptyPartitionSetError } from "../table-writes-sql.js";

// T-SQL has no IS NOT TRUE: CASE makes the predicate two-valued, so a NULL counts as not true.
const shared = tableWritesSql(d, {
  atomic,
  notTrue: (predicate) => `CASE WHEN ${predicate} THEN 1 ELSE 0 END = 0`,
});
export const { appendSql, replacePartitionsSql, keepPartitionsSql, deletePartitionsSql } = shared;
const cols = shared.columnList;
import { asDerivedTable, asViewBody } from "./sqlserver-query-shape.js";

/** `EXEC [db].sys.<proc>` when the relation names a database, so the procedure runs in that database. */
function systemProc(proc: string, database: string | undefined): string {
  return database ? `EXEC ${d.quoteIdentifier(database)}.sys.${proc}` : `EXEC ${proc}`;
}

/** Opening and closing lines of a batch that commits all of its statements or none of them. */
function atomic(statements: string[]): string {
  return ["SET XACT_ABORT ON;", "BEGIN TRANSACTION;", ...statements, "COMMIT TRANSACTION;"].join("\n");
}

/** CREATE SCHEMA must be alone in its batch, hence EXEC of a string. */
export function createSchemaSql(schema: string, database?: string): string {
  const schemas = database ? `${d.quoteIdentifier(database)}.sys.schemas` : "sys.schemas";
  const create = `CREATE SCHEMA ${d.quoteIdentifier(schema)}`;
  const exec = database
    ? `${systemProc("sp_executesql", database)} ${d.stringLiteral(create)};`
    : `EXEC(${d.stringLiteral(create)});`;
  return `IF NOT EXISTS (SELECT 1 FROM ${schemas} WHERE [name] = ${d.stringLiteral(schema)})\n    ${exec}`;
}

/**
 * CREATE OR ALTER VIEW (SQL Server 2016 SP1+). CREATE VIEW must open its batch and cannot name another
 * database, so it goes through EXEC when it shares a batch or targets another database. When a table
 * holds the name (a model that changed materialization), it is dropped in the same transaction.
 */
export function createViewSql(rel: RelationName, selectSql: string, replacingTable = false): string {
  const body = asViewBody(selectSql);
  const create = `CREATE OR ALTER VIEW ${d.relation({ schema: rel.schema, name: rel.name })} AS\n${body}`;
  const exec = rel.database
    ? `${systemProc("sp_executesql", rel.database)} ${d.stringLiteral(create)};`
    : `EXEC(${d.stringLiteral(create)});`;
  if (replacingTable) return atomic([`DROP TABLE ${d.relation(rel)};`, exec]);
  return rel.database ? exec : `${create};`;
}

/** Drops a table or a view of that name, whichever exists. */
export function dropRelationSql(rel: RelationName): string {
  const name = d.relationLiteral(rel);
  return [
    `IF OBJECT_ID(${name}, N'U') IS NOT NULL DROP TABLE ${d.relation(rel)};`,
    `IF OBJECT_ID(${name}, N'V') IS NOT NULL DROP VIEW ${d.relation(rel)};`,
  ].join("\n");
}

/** Materializes a SELECT into a new table with `SELECT * INTO`, the server inferring column types. */
export function selectIntoSql(into: RelationName, selectSql: string): string {
  const { prefix, source } = asDerivedTable(selectSql);
  return `${dropRelationSql(into)}\n${prefix}SELECT *\nINTO ${d.relation(into)}\nFROM ${source};`;
}

export interface SwapNames {
  target: RelationName;
  /** Fully built new contents, next to the target. */
  staging: RelationName;
  /** Where the current table is renamed to before it is dropped. */
  old: RelationName;
}

/**
 * Swaps a staging table in for the target in ONE batch and ONE transaction with XACT_ABORT ON: rename
 * the old table away, rename staging in, drop the old one. Readers see the old rows or the new rows,
 * never an empty or half-loaded table; a failure anywhere rolls every rename back. A view that held
 * the name (a model that changed materialization) is dropped inside the same transaction.
 */
export function swapTableSql({ target, staging, old }: SwapNames): string {
  const targetName = d.relationLiteral(target);
  const rename = systemProc("sp_rename", target.database);
  const twoPart = (rel: RelationName): string =>
    d.stringLiteral(d.relation({ schema: rel.schema, name: rel.name }));
  return atomic([
    `IF OBJECT_ID(${targetName}, N'V') IS NOT NULL DROP VIEW ${d.relation(target)};`,
    `IF OBJECT_ID(${targetName}, N'U') IS NOT NULL`,
    `    ${rename} ${twoPart(target)}, ${d.stringLiteral(old.name)}, N'OBJECT';`,
    `${rename} ${twoPart(staging)}, ${d.stringLiteral(target.name)}, N'OBJECT';`,
    `IF OBJECT_ID(${d.relationLiteral(old)}, N'U') IS NOT NULL DROP TABLE ${d.relation(old)};`,
  ]);
}

const keyMatch = (uniqueKey: string[]) => shared.keyMatch(uniqueKey, "        ");
const SOURCE = shared.source;
const TARGET = shared.target;

/** Deletes target rows whose key is among the new rows, then inserts the new rows, in one transaction. */
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
    `WHERE EXISTS (`,
    `    SELECT 1 FROM ${d.relation(source)} AS ${SOURCE}`,
    `    WHERE ${keyMatch(uniqueKey)}`,
    `);`,
    appendSql(target, source, columns),
  ]);
}

/** Upserts on `uniqueKey` with MERGE; HOLDLOCK keeps two concurrent merges from inserting the same key. */
export function mergeSql(
  target: RelationName,
  source: RelationName,
  columns: string[],
  uniqueKey: string[],
): string {
  if (uniqueKey.length === 0) throw new Error(`merge into ${d.relation(target)} needs a unique_key`);
  const keys = new Set(uniqueKey);
  const updates = columns.filter((c) => !keys.has(c));
  const lines = [
    `MERGE INTO ${d.relation(target)} WITH (HOLDLOCK) AS ${TARGET}`,
    `USING ${d.relation(source)} AS ${SOURCE}`,
    `    ON ${keyMatch(uniqueKey).replace(/\n {8}/g, "\n       ")}`,
  ];
  if (updates.length > 0) {
    lines.push(`WHEN MATCHED THEN UPDATE SET`);
    lines.push(
      updates
        .map((c) => `    ${TARGET}.${d.quoteIdentifier(c)} = ${SOURCE}.${d.quoteIdentifier(c)}`)
        .join(",\n"),
    );
  }
  lines.push(`WHEN NOT MATCHED BY TARGET THEN INSERT (${cols(columns)})`);
  lines.push(`    VALUES (${cols(columns, `${SOURCE}.`)});`);
  return atomic(lines);
}

/** Staging columns hold decimals as text so bulk load never passes them through a JS number. */
export function stagingNativeType(column: Column): string {
  return column.type.kind === "decimal" ? "NVARCHAR(64)" : d.nativeType(column.type);
}

export function createStagingTableSql(rel: RelationName, columns: Column[]): string {
  const defs = columns
    .map((c) => `    ${d.quoteIdentifier(c.name)} ${stagingNativeType(c)} NULL`)
    .join(",\n");
  return `${dropRelationSql(rel)}\nCREATE TABLE ${d.relation(rel)} (\n${defs}\n);`;
}

/** Reads a bulk-load staging table back with every column in its real type. */
export function stagedSelectSql(staging: RelationName, columns: Column[]): string {
  const list = columns.map((c) => {
    const name = d.quoteIdentifier(c.name);
    return c.type.kind === "decimal" ? `CAST(${name} AS ${d.nativeType(c.type)}) AS ${name}` : name;
  });
  return `SELECT ${list.join(", ")}\nFROM ${d.relation(staging)}`;
}

/** Asks the server for the column names and types a query would return, without running it. */
export function describeResultSql(selectSql: string): string {
  return [
    "SELECT [name], [system_type_name], [precision], [scale]",
    `FROM sys.dm_exec_describe_first_result_set(${d.stringLiteral(selectSql)}, NULL, 0)`,
    "ORDER BY [column_ordinal];",
  ].join("\n");
}

export interface DescribedColumn {
  name: string | null;
  systemTypeName: string;
  precision: number;
  scale: number;
}

/** Whether a described column would lose digits as a JS number, and so must travel as text. */
export function needsTextTransport(c: DescribedColumn): boolean {
  const type = c.systemTypeName.toLowerCase();
  return (
    (/^(decimal|numeric)\b/.test(type) && c.precision > EXACT_NUMBER_DECIMAL_PRECISION) ||
    /^money\b/.test(type)
  );
}

/**
 * Wraps a query so wide decimals come back as text (tedious reads DECIMAL into a JS number). Returns
 * null when the query needs no wrapping. Throws when it would, but its columns cannot be named.
 */
export function exactDecimalSelectSql(selectSql: string, described: DescribedColumn[]): string | null {
  if (!described.some(needsTextTransport)) return null;
  const names = described.map((c) => c.name ?? "");
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (names.some((n) => n === "") || duplicate !== undefined) {
    throw new Error(
      "This query returns wide DECIMAL columns, which sluice reads as text to keep every digit, " +
        "but some of its columns are unnamed or share a name; give every column a unique alias.",
    );
  }
  const { prefix, source } = asDerivedTable(selectSql);
  const list = described.map((c) => {
    const name = d.quoteIdentifier(c.name ?? "");
    return needsTextTransport(c) ? `CAST(${name} AS VARCHAR(48)) AS ${name}` : name;
  });
  return `${prefix}SELECT ${list.join(", ")}\nFROM ${source}`;
}
