// The contract every engine implements: dialect, sessions, introspection and declared capabilities.
// The runner, planner and ledger talk to engines only through these types; no driver is imported
// outside src/adapters/.

/** Engine-neutral column types, the common ground for moving rows between engines. */
export type LogicalType =
  | { kind: "boolean" }
  | { kind: "integer"; bits: 8 | 16 | 32 | 64 }
  | { kind: "decimal"; precision: number; scale: number }
  | { kind: "float"; bits: 32 | 64 }
  | { kind: "string"; length?: number }
  | { kind: "date" }
  /**
   * `withTimeZone`: an instant (DuckDB TIMESTAMPTZ, SQL Server DATETIMEOFFSET), written and compared
   * in UTC. `nanoseconds`: the engine keeps digits past the microsecond (DuckDB TIMESTAMP_NS).
   */
  | { kind: "timestamp"; withTimeZone?: boolean; nanoseconds?: boolean }
  | { kind: "binary" };

export interface Column {
  name: string;
  type: LogicalType;
  /** The type as the engine spells it, e.g. `NVARCHAR(200)` or `DECIMAL(18,2)`. */
  nativeType: string;
}

/**
 * A value as it travels between engines. 64-bit integers and decimals travel as `bigint` and
 * `string` so no engine's number type loses precision on the way; dates travel as `YYYY-MM-DD`
 * strings and timestamps as `Date` (UTC) so both sides agree without time-zone guessing.
 */
export type CellValue = null | boolean | number | bigint | string | Date | Uint8Array;
export type Row = CellValue[];

/**
 * Which rows of a column hold a value: bit `i` (least significant bit first within each byte) is 1
 * when row `i` is not NULL. The layout of DuckDB's and Arrow's validity masks, so a mask moves
 * between engines as one copy. A vector without one has no NULLs.
 */
export type Validity = Uint8Array;

/**
 * One column of a batch. Columns whose type has a fixed-width form travel in typed arrays, so a
 * column of 2,048 values crosses from one engine to another as one memory copy instead of 2,048
 * JavaScript values; anything else travels as cells. The typed forms, by the column's logical type:
 * - `int32`: integers up to 32 bits; dates as days since 1970-01-01.
 * - `int64`: 64-bit integers; decimals of precision up to 18 as the unscaled integer (value ×
 *   10^scale); timestamps as microseconds since 1970-01-01 UTC.
 * - `float64`: floating-point numbers.
 * `src/adapters/batch.ts` reads any vector as cells and turns cells into the typed form.
 */
export type ColumnVector =
  | { encoding: "cells"; values: CellValue[] }
  | { encoding: "int32"; values: Int32Array; validity?: Validity }
  | { encoding: "int64"; values: BigInt64Array; validity?: Validity }
  | { encoding: "float64"; values: Float64Array; validity?: Validity };

/** A batch of rows as streamed out of a session, column by column: `vectors[i]` holds `columns[i]`. */
export interface RowBatch {
  columns: Column[];
  rowCount: number;
  vectors: ColumnVector[];
}

/** A relation's place on a connection. `database` is the catalog where the engine has one. */
export interface RelationName {
  database?: string;
  schema: string;
  name: string;
}

export type RelationKind = "table" | "view";

/**
 * What an engine can do that sluice code reads. Each flag says what changes in sluice when it is
 * set. (Flags for transactional DDL, MERGE and partition overwrite were declared and never read:
 * each adapter's write path implements its engine's behaviour and says so where it does.)
 */
export interface Capabilities {
  /** Longest identifier the engine accepts; temporary names are shortened to fit. */
  readonly maxIdentifierLength: number;
}

/** How a write lands on its table. */
export type WriteMode =
  /** Build beside the table and swap it in atomically. */
  | { kind: "replace"; partitionBy?: string[] }
  /** Insert the new rows; existing rows stay. */
  | { kind: "append" }
  /** Upsert on `uniqueKey`: MERGE where supported, else delete+insert, in one transaction. */
  | { kind: "merge"; uniqueKey: string[] }
  /** Delete rows whose key is in the new rows, then insert them, in one transaction. */
  | { kind: "delete+insert"; uniqueKey: string[] }
  /**
   * Replace exactly the named partitions, each whole and atomically; partitions not named are
   * untouched. An empty `partitions` list is refused, never widened to the whole table.
   */
  | { kind: "partitions"; partitionBy: string[]; partitions: PartitionValue[] };

/**
 * One partition's values, in the order of the table's partition columns: each the engine's text of
 * the value (as `Dialect.castText` prints it), or null for the NULL partition, which is a partition
 * of its own on every engine and never the same as the empty string.
 */
export type PartitionValue = (string | null)[];

export interface WriteResult {
  rowsAffected: number | null;
  /**
   * Rows written per partition, when the write counted them itself (a lake COPY's statistics), so
   * the runner need not read the partitions back: each partition the write put rows in, once, its
   * values as `Dialect.castText` prints them. Absent where the engine does not say.
   */
  partitionRows?: { partition: PartitionValue; rows: number }[];
}

/** One open session on an engine. Not safe for concurrent use; the runner opens one per thread. */
export interface Session {
  /** Runs one statement (or a batch the engine accepts as one) and reports rows affected. */
  execute(sql: string): Promise<WriteResult>;
  /** Runs a query and returns every row; for small results (tests, introspection, probes). */
  query(sql: string): Promise<{ columns: Column[]; rows: Row[] }>;
  /** Runs a query and yields its rows in batches of at most `batchSize`, holding one batch. */
  stream(sql: string, batchSize?: number): AsyncIterable<RowBatch>;
  /** Runs `work` in one transaction: commits when it resolves, rolls back when it throws. */
  transaction<T>(work: () => Promise<T>): Promise<T>;
  /**
   * Asks the engine to stop the statement running on this session (DuckDB interrupt, Hive cancel
   * operation, SQL Server attention). That statement then fails; the session stays usable, so
   * the caller's rollback and clean-up still run. Does nothing when no statement is running.
   */
  cancel?(): Promise<void>;
  close(): Promise<void>;
}

/** Builds SQL text for one engine. Pure: no I/O, deterministic, pinned by golden files. */
export interface Dialect {
  quoteIdentifier(name: string): string;
  /** The fully qualified, quoted name of a relation. */
  relation(rel: RelationName): string;
  /** Which engine's SQL this is. */
  readonly engine: "duckdb" | "sqlserver" | "hive" | "postgres" | "mysql";
  /** A SQL literal for a value, of the type the value has in JavaScript. */
  literal(value: CellValue): string;
  /**
   * A literal of exactly `type`, from a value or its text (`2024-01-01`, `12.50`, `2024-03-31
   * 01:30:00+02`): a string stays a string even when it looks like a number, a NULL keeps its type,
   * a timestamp with zone is written as its UTC instant. Refuses text that is not of the type.
   */
  typedLiteral(value: CellValue, type: LogicalType): string;
  /** `expression` as the engine's text, the form partition values are read and compared in. */
  castText(expression: string): string;
  /**
   * A predicate true for rows in one of `partitions` (`qualifier` prefixes each column, e.g. `t.`).
   * A null value matches NULL only and `''` matches the empty string only. Like any SQL equality it
   * may be NULL (not false) on rows outside the set, so a caller negating it must make it two-valued
   * first. An empty set is refused rather than matching nothing or everything.
   */
  partitionPredicate(partitionBy: string[], partitions: PartitionValue[], qualifier?: string): string;
  /**
   * `expression` (a value of `type`) as exact text for a watermark: every fractional digit kept,
   * and an instant with zone printed as its UTC wall clock, whatever the session's time zone.
   */
  watermarkText(expression: string, type: LogicalType): string;
  /**
   * `expression` (a value of `type`) moved back by `amount` units, for a lookback window. Days are
   * 24 hours on instants, so a DST change in the session's zone cannot widen or narrow the window.
   */
  subtractInterval(
    expression: string,
    amount: number,
    unit: "second" | "minute" | "hour" | "day",
    type: LogicalType,
  ): string;
  /**
   * One text, `<rows>:<sum>`, that changes whenever a row of `relation` is inserted, updated or
   * deleted (barring hash collisions): the row count and the sum of every row's hash. A sum, not an
   * XOR, so two equal rows do not cancel and a change to duplicated rows is seen.
   */
  fingerprintSql(relation: string, columns?: string[]): string;
  /**
   * For an engine with no row-to-text (MySQL): the query listing `rel`'s column names in order,
   * which `fingerprintSql` then needs as `columns`. Absent where the row itself can be hashed.
   */
  fingerprintColumnsSql?(rel: RelationName): string;
  /** The engine's type for a logical type. */
  nativeType(type: LogicalType): string;
  /** The logical type for an engine type name, e.g. `DECIMAL(18,2)`. */
  logicalType(nativeType: string): LogicalType;
}

/** What the engine holds, read without changing anything. */
export interface Introspector {
  relationKind(rel: RelationName): Promise<RelationKind | null>;
  columns(rel: RelationName): Promise<Column[]>;
  /** Partition values present in a table partitioned by `partitionBy`, in that column order. */
  partitions(rel: RelationName, partitionBy: string[]): Promise<PartitionValue[]>;
}

/** An engine endpoint: one connection of a target. */
export interface Adapter {
  readonly type: "duckdb" | "sqlserver" | "hive" | "postgres" | "mysql";
  /** The connection's name in the profile (`source`, `lake`, `mart`). */
  readonly connectionName: string;
  readonly capabilities: Capabilities;
  readonly dialect: Dialect;
  /** Where relations land when a model names no schema. */
  readonly defaultSchema: string;
  /** The catalog relations of this connection are named with, if the engine has catalogs. */
  readonly defaultDatabase: string | undefined;

  open(): Promise<Session>;
  introspector(session: Session): Introspector;
  /** Engine name and version, for `sluice debug`. */
  version(session: Session): Promise<string>;

  ensureSchema(session: Session, schema: string, database?: string): Promise<void>;
  createView(session: Session, rel: RelationName, selectSql: string): Promise<void>;
  /** Writes the result of `selectSql` (which runs on this engine) to `rel` the way `mode` says. */
  write(session: Session, rel: RelationName, selectSql: string, mode: WriteMode): Promise<WriteResult>;
  /**
   * Lands rows computed on another engine: loads them into a staging relation with bounded memory,
   * then applies `mode` from it as `write` would. Returns rows written.
   */
  load(
    session: Session,
    rel: RelationName,
    batches: AsyncIterable<RowBatch>,
    mode: WriteMode,
  ): Promise<WriteResult>;
  dropRelation(session: Session, rel: RelationName): Promise<void>;
  /** Ends every open session and releases the engine. */
  close(): Promise<void>;
}

/** A unique, engine-safe name for a temporary relation next to `rel`, unique per run and call. */
export function temporaryName(
  rel: RelationName,
  purpose: "tmp" | "stg" | "old",
  runId: string,
  maxLength: number,
): RelationName {
  temporaryCounter += 1;
  const suffix = `__sluice_${purpose}_${runId}_${temporaryCounter}`;
  const base = rel.name.slice(0, Math.max(1, maxLength - suffix.length));
  return { ...rel, name: `${base}${suffix}` };
}
let temporaryCounter = 0;
