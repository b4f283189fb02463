// SQL over partition values on any engine: a partition is read as the text of its columns (NULL
// as NULL) and filtered by the engine's dialect. Pure; used by the planner, the runner and
// reconcile tests alike.
import type { PartitionValue } from "../adapters/contract.js";
import { dialectFor, type EngineType } from "../adapters/dialects.js";

/** `expression` as text on `engine`. */
export function castText(engine: EngineType, expression: string): string {
  return dialectFor(engine).castText(expression);
}

/** The partition columns as text, in order. */
export function partitionColumnsText(engine: EngineType, partitionBy: string[]): string[] {
  const d = dialectFor(engine);
  return partitionBy.map((p) => d.castText(d.quoteIdentifier(p)));
}

/**
 * A predicate true for rows in one of `partitions` (NULL as
 * IS NULL); refuses an empty set rather than match nothing.
 */
export function partitionPredicate(
  engine: EngineType,
  partitionBy: string[],
  partitions: PartitionValue[],
): string {
  return dialectFor(engine).partitionPredicate(partitionBy, partitions);
}

/** Rows of `sql` in the given partitions, filtered where the SQL runs so only they travel. */
export function selectPartitions(
  engine: EngineType,
  sql: string,
  partitionBy: string[],
  partitions: PartitionValue[],
): string {
  return (
    `select * from (\n${sql}\n) sluice_rows\nwhere ` +
    `${partitionPredicate(engine, partitionBy, partitions)}`
  );
}

/**
 * A reconcile profile: row count and text sums per key, over `from` (a relation or a derived
 * table). The same function builds the stored and the computed side, so the two always compare.
 */
export function reconcileProfile(engine: EngineType, from: string, keys: string[], sums: string[]): string {
  const d = dialectFor(engine);
  const q = (n: string) => d.quoteIdentifier(n);
  const cols = [
    ...keys.map((k) => `${d.castText(q(k))} as ${q(k)}`),
    "count(*) as row_count",
    ...sums.map((c) => `${d.castText(`sum(${q(c)})`)} as ${q(`sum_${c}`)}`),
  ];
  const groupBy = keys.length ? `\ngroup by ${keys.map((k) => d.castText(q(k))).join(", ")}` : "";
  return `select ${cols.join(", ")}\nfrom ${from}${groupBy}`;
}
