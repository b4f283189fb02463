// The statements that SQL Server, PostgreSQL and MySQL build the same way for a write, each spelled
// by its engine's dialect: appending a built table's rows, and replacing, keeping or emptying named
// partitions. What differs between the engines comes in as options (how a batch commits as one, how a
// predicate that may be NULL is negated); everything else an engine writes stays in its own *-sql.ts.
import type { Dialect, PartitionValue, RelationKind, RelationName } from "./contract.js";

/** Raised when a partition replacement names no partition: never widened to the whole table. */
export class EmptyPartitionSetError extends Error {
  override readonly name = "EmptyPartitionSetError";
  /** `relation` is the quoted name, as the engine's dialect prints it. */
  constructor(relation: string) {
    super(
      `Refusing to replace partitions of ${relation}: the partition set is empty. ` +
        "sluice never widens an overwrite to the whole table; " +
        "name the partitions to rebuild or use --full-refresh.",
    );
  }
}

/** A model's SELECT without the trailing semicolon people often leave, so it can be embedded. */
export function bareSelect(selectSql: string): string {
  return selectSql.trim().replace(/;+\s*$/, "");
}

export interface TableWritesOptions {
  /** Wraps statements in a batch that commits all of them or none. */
  atomic(statements: string[]): string;
  /**
   * A predicate that is true exactly where `predicate` is not true: NULL (a row with a NULL
   * partition column outside the set) must count as not true, where `NOT (NULL)` would keep it.
   * The SQL standard's `(p) IS NOT TRUE` unless given.
   */
  notTrue?(predicate: string): string;
}

export interface TableWritesSql {
  /** A quoted column list, each name prefixed by `prefix` (an alias and a dot). */
  columnList(names: string[], prefix?: string): string;
  /** The aliases of the new rows and of the table they go into, in key matches. */
  readonly source: string;
  readonly target: string;
  /** `source.k = target.k` for every key column, lines joined by `AND` after `indent`. */
  keyMatch(uniqueKey: string[], indent: string): string;
  /** DROP TABLE and DROP VIEW each refuse the other kind, so the caller says which one holds the name. */
  dropRelationSql(rel: RelationName, kind: RelationKind): string;
  /** Appends the rows of `source`; a single INSERT is atomic on its own. */
  appendSql(target: RelationName, source: RelationName, columns: string[]): string;
  /**
   * Replaces exactly the named partitions: delete them, insert the new rows of those partitions
   * only, in one transaction. An empty partition set is refused rather than widened to the table.
   */
  replacePartitionsSql(
    target: RelationName,
    source: RelationName,
    columns: string[],
    partitionBy: string[],
    partitions: PartitionValue[],
  ): string;
  /** Keeps only the named partitions in a freshly built table, before it becomes the target. */
  keepPartitionsSql(rel: RelationName, partitionBy: string[], partitions: PartitionValue[]): string;
  /** Empties the named partitions, for a partition replacement whose new result has no rows at all. */
  deletePartitionsSql(rel: RelationName, partitionBy: string[], partitions: PartitionValue[]): string;
}

export function tableWritesSql(d: Dialect, options: TableWritesOptions): TableWritesSql {
  const columnList = (names: string[], prefix = "") =>
    names.map((n) => `${prefix}${d.quoteIdentifier(n)}`).join(", ");

  const appendSql = (target: RelationName, source: RelationName, columns: string[]) =>
    `INSERT INTO ${d.relation(target)} (${columnList(columns)})\n` +
    `SELECT ${columnList(columns)}\nFROM ${d.relation(source)};`;

  function checkPartitions(
    target: RelationName,
    columns: string[] | null,
    partitionBy: string[],
    partitions: PartitionValue[],
  ): void {
    if (partitions.length === 0) throw new EmptyPartitionSetError(d.relation(target));
    if (partitionBy.length === 0)
      throw new Error(`Replacing partitions of ${d.relation(target)} needs partition_by columns`);
    for (const p of partitions) {
      if (p.length !== partitionBy.length) {
        throw new Error(
          `Partition [${p.join(", ")}] of ${d.relation(target)} has ${p.length} values ` +
            `but partition_by has ${partitionBy.length} columns`,
        );
      }
    }
    const missing = columns ? partitionBy.filter((c) => !columns.includes(c)) : [];
    if (missing.length > 0)
      throw new Error(
        `Partition column(s) ${missing.join(", ")} are not in the result written to ${d.relation(target)}`,
      );
  }

  const notTrue = options.notTrue ?? ((predicate: string) => `(${predicate}) IS NOT TRUE`);
  const source = d.quoteIdentifier("sluice_source");
  const target = d.quoteIdentifier("sluice_target");
  return {
    columnList,
    source,
    target,
    keyMatch: (uniqueKey, indent) =>
      uniqueKey
        .map((k) => `${source}.${d.quoteIdentifier(k)} = ${target}.${d.quoteIdentifier(k)}`)
        .join(`\n${indent}AND `),
    dropRelationSql: (rel, kind) =>
      `DROP ${kind === "view" ? "VIEW" : "TABLE"} IF EXISTS ${d.relation(rel)};`,
    appendSql,
    replacePartitionsSql(target, source, columns, partitionBy, partitions) {
      checkPartitions(target, columns, partitionBy, partitions);
      const where = d.partitionPredicate(partitionBy, partitions);
      return options.atomic([
        `DELETE FROM ${d.relation(target)}`,
        `WHERE ${where};`,
        `INSERT INTO ${d.relation(target)} (${columnList(columns)})`,
        `SELECT ${columnList(columns)}`,
        `FROM ${d.relation(source)}`,
        `WHERE ${where};`,
      ]);
    },
    keepPartitionsSql(rel, partitionBy, partitions) {
      checkPartitions(rel, null, partitionBy, partitions);
      const where = notTrue(d.partitionPredicate(partitionBy, partitions));
      return `DELETE FROM ${d.relation(rel)}\nWHERE ${where};`;
    },
    deletePartitionsSql(rel, partitionBy, partitions) {
      checkPartitions(rel, null, partitionBy, partitions);
      return `DELETE FROM ${d.relation(rel)}\nWHERE ${d.partitionPredicate(partitionBy, partitions)};`;
    },
  };
}
