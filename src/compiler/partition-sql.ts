// SQL over partition values on any engine: values travel as text, so a partition is compared as
// the text of its columns. Pure; used by the planner, the runner and reconcile tests alike.
import { quoteIdentifier } from "./relations.js";

type EngineType = "duckdb" | "sqlserver" | "hive" | "postgres" | "mysql";

/** `expression` as text on `engine`. */
export function castText(engine: EngineType, expression: string): string {
  if (engine === "sqlserver") return `CONVERT(NVARCHAR(4000), ${expression})`;
  if (engine === "mysql") return `CAST(${expression} AS CHAR)`;
  return `CAST(${expression} AS ${engine === "hive" ? "STRING" : "VARCHAR"})`;
}

/** The partition columns as text, in order. */
export function partitionColumnsText(engine: EngineType, partitionBy: string[]): string[] {
  return partitionBy.map((p) => castText(engine, quoteIdentifier(engine, p)));
}

/**
 * A predicate true for rows in one of `partitions`; refuses an empty set rather than match nothing.
 * DuckDB and SQL Server compare the column itself with a text literal (cast to the column's type,
 * so indexes, pruning and statistics apply); Hive compares the column's text, since its coercion
 * of a string and a number differs between versions.
 */
export function partitionPredicate(engine: EngineType, partitionBy: string[], partitions: string[][]): string {
  if (partitions.length === 0) throw new Error("refusing to filter on an empty partition set");
  const cols = engine === "hive" ? partitionColumnsText(engine, partitionBy) : partitionBy.map((p) => quoteIdentifier(engine, p));
  const backslashEscapes = engine === "hive" || engine === "mysql";
  const literal = (v: string) => `${engine === "sqlserver" ? "N" : ""}'${backslashEscapes ? v.replace(/\\/g, "\\\\").replace(/'/g, "\\'") : v.replace(/'/g, "''")}'`;
  return partitions.map((p) => `(${cols.map((c, i) => `${c} = ${literal(p[i] ?? "")}`).join(" and ")})`).join(" or ");
}

/** Rows of `sql` in the given partitions, filtered where the SQL runs so only they travel. */
export function selectPartitions(engine: EngineType, sql: string, partitionBy: string[], partitions: string[][]): string {
  return `select * from (\n${sql}\n) sluice_rows\nwhere ${partitionPredicate(engine, partitionBy, partitions)}`;
}

/**
 * A reconcile profile: row count and text sums per key, over `from` (a relation or a derived
 * table). The same function builds the stored and the computed side, so the two always compare.
 */
export function reconcileProfile(engine: EngineType, from: string, keys: string[], sums: string[]): string {
  const q = (n: string) => quoteIdentifier(engine, n);
  const cols = [...keys.map((k) => `${castText(engine, q(k))} as ${q(k)}`), "count(*) as row_count", ...sums.map((c) => `${castText(engine, `sum(${q(c)})`)} as ${q(`sum_${c}`)}`)];
  return `select ${cols.join(", ")}\nfrom ${from}${keys.length ? `\ngroup by ${keys.map((k) => castText(engine, q(k))).join(", ")}` : ""}`;
}
