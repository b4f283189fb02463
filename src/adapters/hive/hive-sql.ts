// HiveQL statement builders for every write sluice makes on the lake. Pure text: the adapter decides
// the order of statements, these decide their spelling. Pinned by tests/golden/hive/*.sql.
import type { LogicalType, PartitionValue, RelationName, Row } from "../contract.js";
import { MAX_PARTITIONS_PER_STATEMENT } from "./hive-capabilities.js";
import type { HiveDialect } from "./hive-dialect.js";

/** A column as DDL needs it. */
export interface ColumnSpec {
  name: string;
  nativeType: string;
}

/** Thrown before anything is sent when a partition overwrite names no partition. */
export class EmptyPartitionSetError extends Error {
  override readonly name = "EmptyPartitionSetError";
  constructor(rel: string) {
    super(
      `refusing to overwrite partitions of ${rel}: the step names no partition. An empty set is never ` +
        `widened to the whole table; use a full refresh to rebuild every partition.`,
    );
  }
}

/**
 * Partition values Hive and Spark cannot keep apart from NULL: both store NULL in the folder
 * `__HIVE_DEFAULT_PARTITION__`, so that text reads back as NULL, and Spark refuses or nulls an
 * empty string. ('NULL' and 'null' are ordinary values there and survive.)
 */
export const AMBIGUOUS_PARTITION_VALUES = ["", "__HIVE_DEFAULT_PARTITION__"];

/** Thrown before a write that would turn a partition value into NULL on Hive or Spark. */
export class AmbiguousPartitionValueError extends Error {
  override readonly name = "AmbiguousPartitionValueError";
  constructor(rel: string, column: string, value: string) {
    super(
      `cannot write partition ${column} = '${value}' of ` +
        `${rel}: Hive and Spark store it as the NULL partition ` +
        `(__HIVE_DEFAULT_PARTITION__), so it would read back as NULL. Map it to another value in the model ` +
        `(e.g. coalesce(nullif(${column}, ''), 'none')) or partition by another column.`,
    );
  }
}

/** The first row of `source` whose partition columns hold a value Hive cannot keep apart from NULL. */
export function ambiguousPartitionValues(
  d: HiveDialect,
  source: RelationName,
  partitionBy: string[],
): string {
  const values = AMBIGUOUS_PARTITION_VALUES.map((v) => d.string(v)).join(", ");
  const cols = partitionBy.map((p) => d.castText(d.quoteIdentifier(p)));
  return (
    `SELECT ${cols.join(", ")}\nFROM ${d.relation(source)}\nWHERE ` +
    `${cols.map((c) => `${c} IN (${values})`).join(" OR ")}\nLIMIT 1`
  );
}

/** `p = 'v'` in a static partition spec; `p = NULL` names the NULL (default) partition. */
function partitionSpec(d: HiveDialect, partitionBy: string[], values: PartitionValue): string {
  return partitionBy
    .map((p, k) => `${d.quoteIdentifier(p)} = ${values[k] === null ? "NULL" : d.string(values[k] ?? "")}`)
    .join(", ");
}

export function createSchema(d: HiveDialect, schema: string): string {
  return `CREATE DATABASE IF NOT EXISTS ${d.quoteIdentifier(schema)}`;
}

export function dropTable(d: HiveDialect, rel: RelationName): string {
  return `DROP TABLE IF EXISTS ${d.relation(rel)}`;
}

export function dropView(d: HiveDialect, rel: RelationName): string {
  return `DROP VIEW IF EXISTS ${d.relation(rel)}`;
}

export function createView(d: HiveDialect, rel: RelationName, selectSql: string): string {
  return `CREATE OR REPLACE VIEW ${d.relation(rel)} AS\n${selectSql.trim()}`;
}

/** An unpartitioned Parquet table from a query (staging tables, unpartitioned models). */
export function createTableAs(d: HiveDialect, rel: RelationName, selectSql: string): string {
  return `CREATE TABLE ${d.relation(rel)}\nSTORED AS PARQUET\nAS\n${selectSql.trim()}`;
}

/**
 * An empty Parquet table with explicit columns, partitioned when `partitionColumns` is not empty.
 * Hive's CTAS cannot declare partitions on older Hive, so partitioned tables are created first and
 * filled by INSERT; Hive keeps partition columns last, after the data columns.
 */
export function createTable(
  d: HiveDialect,
  rel: RelationName,
  dataColumns: ColumnSpec[],
  partitionColumns: ColumnSpec[] = [],
): string {
  const list = (cols: ColumnSpec[]) =>
    cols.map((c) => `  ${d.quoteIdentifier(c.name)} ${c.nativeType}`).join(",\n");
  const partitioned = partitionColumns.length > 0 ? `\nPARTITIONED BY (\n${list(partitionColumns)}\n)` : "";
  return `CREATE TABLE ${d.relation(rel)} (\n${list(dataColumns)}\n)${partitioned}\nSTORED AS PARQUET`;
}

/**
 * INSERT of a query into a table, naming columns in the table's order (Hive inserts by position).
 * With `partitionBy`, a dynamic-partition insert: used only on tables sluice just created empty
 * (replace, merge) or in append mode, where no existing partition can be dropped by it.
 */
export function insertSelect(
  d: HiveDialect,
  rel: RelationName,
  opts: { overwrite: boolean; columns: string[]; partitionBy?: string[]; selectSql: string },
): string {
  const verb = opts.overwrite ? "INSERT OVERWRITE TABLE" : "INSERT INTO TABLE";
  const partition = opts.partitionBy?.length
    ? ` PARTITION (${opts.partitionBy.map((p) => d.quoteIdentifier(p)).join(", ")})`
    : "";
  const cols = opts.columns.map((c) => `src.${d.quoteIdentifier(c)}`).join(", ");
  return `${verb} ${d.relation(rel)}${partition}\nSELECT ${cols}\nFROM (\n${opts.selectSql.trim()}\n) AS src`;
}

/**
 * Refuses a partition overwrite that names no partition, or a partition whose values do not match
 * the partition columns, before any statement is sent.
 */
export function assertPartitionSet(
  d: HiveDialect,
  rel: RelationName,
  partitionBy: string[],
  partitions: PartitionValue[],
): void {
  if (partitions.length === 0) throw new EmptyPartitionSetError(d.relation(rel));
  if (partitionBy.length === 0)
    throw new Error(`cannot overwrite partitions of ${d.relation(rel)}: the step names no partition columns`);
  for (const values of partitions) {
    const ambiguous = values.findIndex((v) => v !== null && AMBIGUOUS_PARTITION_VALUES.includes(v));
    if (ambiguous >= 0)
      throw new AmbiguousPartitionValueError(
        d.relation(rel),
        partitionBy[ambiguous] ?? "?",
        values[ambiguous]!,
      );
    if (values.length !== partitionBy.length) {
      throw new Error(
        `partition (${values.join(", ")}) of ${d.relation(rel)} has ${values.length} values; ` +
          `the table is partitioned by ${partitionBy.length} column(s): ${partitionBy.join(", ")}`,
      );
    }
  }
}

/**
 * Replaces exactly `partitions` of `rel` with the rows of `source` that fall in them, one static
 * `INSERT OVERWRITE ... PARTITION (p = 'v')` branch per partition in a multi-insert.
 *
 * Why static specs and not one dynamic `PARTITION (p)` insert: a dynamic overwrite replaces only
 * the partitions its rows reach (so a partition whose rows were all deleted would survive), and on
 * Spark data-source tables it wipes every partition unless a session setting says otherwise, which
 * is how dbt's insert_overwrite emptied tables. A static spec touches its one partition, empties it
 * when no row falls in it, and cannot widen. An empty set is refused here, before any I/O.
 *
 * Returns one statement per chunk of partitions; each partition is replaced atomically.
 */
export function overwritePartitions(
  d: HiveDialect,
  rel: RelationName,
  opts: { dataColumns: string[]; partitionBy: string[]; partitions: PartitionValue[]; source: RelationName },
): string[] {
  assertPartitionSet(d, rel, opts.partitionBy, opts.partitions);
  const unique = [...new Map(opts.partitions.map((p) => [JSON.stringify(p), p])).values()];
  const cols = opts.dataColumns.map((c) => `src.${d.quoteIdentifier(c)}`).join(", ");
  const statements: string[] = [];
  for (let i = 0; i < unique.length; i += MAX_PARTITIONS_PER_STATEMENT) {
    const branches = unique.slice(i, i + MAX_PARTITIONS_PER_STATEMENT).map((values) => {
      const spec = partitionSpec(d, opts.partitionBy, values);
      const where = d.partitionPredicate(opts.partitionBy, [values], "src.");
      return (
        `INSERT OVERWRITE TABLE ${d.relation(rel)} PARTITION ` +
        `(${spec})\n  SELECT ${cols}\n  WHERE ${where}`
      );
    });
    statements.push(`FROM ${d.relation(opts.source)} AS src\n${branches.join("\n")}`);
  }
  return statements;
}

/**
 * The rows a merge (or delete+insert) leaves in `target`: existing rows whose key is not among the
 * new rows, plus every new row. Keys compare with `<=>` so NULL keys match each other, as MERGE's
 * emulation in other engines does.
 */
export function mergeSelect(
  d: HiveDialect,
  target: RelationName,
  source: RelationName,
  opts: { columns: string[]; uniqueKey: string[] },
): string {
  const cols = (alias: string) => opts.columns.map((c) => `${alias}.${d.quoteIdentifier(c)}`).join(", ");
  const match = opts.uniqueKey
    .map((k) => `s.${d.quoteIdentifier(k)} <=> t.${d.quoteIdentifier(k)}`)
    .join(" AND ");
  return [
    `SELECT ${cols("t")}`,
    `FROM ${d.relation(target)} AS t`,
    `WHERE NOT EXISTS (SELECT 1 FROM ${d.relation(source)} AS s WHERE ${match})`,
    `UNION ALL`,
    `SELECT ${cols("s")}`,
    `FROM ${d.relation(source)} AS s`,
  ].join("\n");
}

/** A WHERE predicate keeping the rows of `alias` that fall in `partitions`: the dialect's. */
export function partitionFilter(
  d: HiveDialect,
  alias: string,
  partitionBy: string[],
  partitions: PartitionValue[],
): string {
  return d.partitionPredicate(partitionBy, partitions, `${alias}.`);
}

/** The partition values present in `source`, as text, to tell which named partitions came out empty. */
/** Partition column types whose values have one spelling only, so need no reading by the engine. */
export const TEXT_PARTITION_TYPES = /^(STRING|VARCHAR|CHAR)\b/i;

/**
 * Each of `partitions` as the engine spells a value of its column's type (`types`, in partition
 * order), numbered by position: `2026-01-02 00:30:00+00` and `2026-01-02 00:30:00` are one
 * TIMESTAMP partition, `0202401` and `202401` one INT partition. A value the type cannot read
 * comes back NULL (Spark's casts do not fail), which the caller must refuse.
 */
export function typedPartitionKeys(d: HiveDialect, types: string[], partitions: PartitionValue[]): string {
  const rows = partitions.map((p, i) => {
    const values = types.map((_, k) => (p[k] == null ? "CAST(NULL AS STRING)" : d.literal(p[k]!)));
    return `(${[String(i), ...values].join(", ")})`;
  });
  const names = types.map((_, k) => `v${k}`);
  const casts = types.map((t, k) => `CAST(CAST(v${k} AS ${t}) AS STRING) AS v${k}`);
  return (
    `SELECT k, ${casts.join(", ")}\nFROM VALUES ` +
    `${rows.join(", ")} AS keys(k, ${names.join(", ")})\nORDER BY k`
  );
}

export function distinctPartitions(d: HiveDialect, source: RelationName, partitionBy: string[]): string {
  const cols = partitionBy.map((p) => `CAST(${d.quoteIdentifier(p)} AS STRING)`).join(", ");
  return `SELECT DISTINCT ${cols}\nFROM ${d.relation(source)}`;
}

/**
 * Drops partitions left empty by an overwrite, so SHOW PARTITIONS lists only partitions with rows.
 * Dropping a partition with no rows changes no query's answer; it tidies the metastore.
 */
export function dropPartitions(
  d: HiveDialect,
  rel: RelationName,
  partitionBy: string[],
  partitions: PartitionValue[],
): string {
  const specs = partitions.map((values) => `PARTITION (${partitionSpec(d, partitionBy, values)})`);
  return `ALTER TABLE ${d.relation(rel)} DROP IF EXISTS\n  ${specs.join(",\n  ")}`;
}

export function renameTable(d: HiveDialect, from: RelationName, to: RelationName): string {
  return `ALTER TABLE ${d.relation(from)} RENAME TO ${d.relation(to)}`;
}

/** One multi-row INSERT ... VALUES with typed literals, for landing rows from another engine. */
export function insertValues(d: HiveDialect, rel: RelationName, types: LogicalType[], rows: Row[]): string {
  const tuples = rows.map(
    (row) => `  (${types.map((t, i) => d.typedLiteral(row[i] ?? null, t)).join(", ")})`,
  );
  return `INSERT INTO TABLE ${d.relation(rel)} VALUES\n${tuples.join(",\n")}`;
}

/**
 * A table over Parquet files another process wrote under `location` (a URI the server resolves:
 * file://, hdfs://, s3a://). EXTERNAL, so dropping it leaves the files to whoever wrote them; Hive's
 * spelling, which Spark accepts too and reads with its own Parquet reader.
 */
export function createExternalParquetTable(
  d: HiveDialect,
  rel: RelationName,
  columns: ColumnSpec[],
  location: string,
): string {
  const list = columns.map((c) => `  ${d.quoteIdentifier(c.name)} ${c.nativeType}`).join(",\n");
  return (
    `CREATE EXTERNAL TABLE ${d.relation(rel)} (\n${list}` +
    `\n)\nSTORED AS PARQUET\nLOCATION ${d.string(location)}`
  );
}

/** A column of a staging view: `from` is read from the source and cast to `cast` when given. */
export interface ViewColumn {
  from: string;
  name: string;
  cast?: string;
}

/** A view giving the columns of `source` their real names and, where `cast` says, their real types. */
export function createStagingView(
  d: HiveDialect,
  view: RelationName,
  source: RelationName,
  columns: ViewColumn[],
): string {
  const list = columns.map((c) => {
    const read = `src.${d.quoteIdentifier(c.from)}`;
    return `  ${c.cast ? `CAST(${read} AS ${c.cast})` : read} AS ${d.quoteIdentifier(c.name)}`;
  });
  return `CREATE VIEW ${d.relation(view)} AS\nSELECT\n${list.join(",\n")}\nFROM ${d.relation(source)} AS src`;
}
