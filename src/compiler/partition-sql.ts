// SQL over partition values on any engine: values travel as text, so a partition is compared as
// the text of its columns. Pure; used by the planner, the runner and reconcile tests alike.
import { quoteIdentifier } from "./relations.js";

type EngineType = "duckdb" | "sqlserver" | "hive";

/** `expression` as text on `engine`. */
export function castText(engine: EngineType, expression: string): string {
  if (engine === "sqlserver") return `CONVERT(NVARCHAR(4000), ${expression})`;
  return `CAST(${expression} AS ${engine === "hive" ? "STRING" : "VARCHAR"})`;
}

/** The partition columns as text, in order. */
export function partitionColumnsText(engine: EngineType, partitionBy: string[]): string[] {
  return partitionBy.map((p) => castText(engine, quoteIdentifier(engine, p)));
}

/** A predicate true for rows in one of `partitions`; refuses an empty set rather than match nothing. */
export function partitionPredicate(engine: EngineType, partitionBy: string[], partitions: string[][]): string {
  if (partitions.length === 0) throw new Error("refusing to filter on an empty partition set");
  const cols = partitionColumnsText(engine, partitionBy);
  const literal = (v: string) => `${engine === "sqlserver" ? "N" : ""}'${engine === "hive" ? v.replace(/\\/g, "\\\\").replace(/'/g, "\\'") : v.replace(/'/g, "''")}'`;
  return partitions.map((p) => `(${cols.map((c, i) => `${c} = ${literal(p[i] ?? "")}`).join(" and ")})`).join(" or ");
}

/** Rows of `sql` in the given partitions, filtered where the SQL runs so only they travel. */
export function selectPartitions(engine: EngineType, sql: string, partitionBy: string[], partitions: string[][]): string {
  return `select * from (\n${sql}\n) sluice_rows\nwhere ${partitionPredicate(engine, partitionBy, partitions)}`;
}
