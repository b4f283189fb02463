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
  | { kind: "timestamp" }
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

/** What an engine can do. Each flag says what changes in sluice when it is true. */
export interface Capabilities {
  /** DDL runs inside a transaction and rolls back with it: table swaps happen in one transaction. */
  readonly supportsTransactionalDdl: boolean;
  /** Multi-statement transactions exist: merge and delete+insert commit all or nothing. */
  readonly supportsTransactions: boolean;
  /** A native MERGE statement exists; otherwise `merge` runs as delete+insert. */
  readonly supportsMerge: boolean;
  /** Partitions can be replaced whole (INSERT OVERWRITE or directory swap) without touching others. */
  readonly supportsPartitionOverwrite: boolean;
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

/** One partition's values, in the order of the table's partition columns, as strings. */
export type PartitionValue = string[];

export interface WriteResult {
  rowsAffected: number | null;
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
  close(): Promise<void>;
}

/** Builds SQL text for one engine. Pure: no I/O, deterministic, pinned by golden files. */
export interface Dialect {
  quoteIdentifier(name: string): string;
  /** The fully qualified, quoted name of a relation. */
  relation(rel: RelationName): string;
  /** A SQL literal for a value. */
  literal(value: CellValue): string;
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
  load(session: Session, rel: RelationName, batches: AsyncIterable<RowBatch>, mode: WriteMode): Promise<WriteResult>;
  dropRelation(session: Session, rel: RelationName): Promise<void>;
  /** Ends every open session and releases the engine. */
  close(): Promise<void>;
}

/** A unique, engine-safe name for a temporary relation next to `rel`, unique per run and call. */
export function temporaryName(rel: RelationName, purpose: "tmp" | "stg" | "old", runId: string, maxLength: number): RelationName {
  temporaryCounter += 1;
  const suffix = `__sluice_${purpose}_${runId}_${temporaryCounter}`;
  const base = rel.name.slice(0, Math.max(1, maxLength - suffix.length));
  return { ...rel, name: `${base}${suffix}` };
}
let temporaryCounter = 0;
