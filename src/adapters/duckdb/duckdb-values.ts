// Converts DuckDB values to the engine-neutral cells rows travel in, and back for the appender.
import {
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBTimestampValue,
  type DuckDBAppender,
  type DuckDBValue,
} from "@duckdb/node-api";
import type { CellValue, Column, LogicalType } from "../contract.js";

type ToCell = (value: DuckDBValue) => CellValue;

/**
 * The converter of one column's DuckDB values to cells, chosen once per column from its type, so
 * streaming a batch does no per-value type dispatch.
 */
export function cellConverter(type: LogicalType): ToCell {
  switch (type.kind) {
    case "integer":
      return type.bits === 64 ? (v) => (v === null ? null : (v as bigint)) : (v) => (v === null ? null : Number(v));
    case "decimal":
    case "date":
      return (v) => (v === null ? null : (v as DuckDBDecimalValue | DuckDBDateValue).toString());
    case "timestamp":
      return (v) => (v === null ? null : new Date(Number((v as DuckDBTimestampValue).micros / 1000n)));
    case "binary":
      return (v) => (v === null ? null : (v as DuckDBBlobValue).bytes);
    case "float":
    case "boolean":
      return (v) => (v === null ? null : (v as number | boolean));
    case "string":
      return (v) => (v === null ? null : typeof v === "string" ? v : String(v));
  }
}

/** Whether a column's values need converting to cells; numbers, strings and booleans arrive as cells. */
export function needsConversion(type: LogicalType): boolean {
  switch (type.kind) {
    case "integer":
      return type.bits !== 64 && type.bits !== 32;
    case "string":
    case "boolean":
      return false;
    default:
      return true;
  }
}

type Append = (appender: DuckDBAppender, value: NonNullable<CellValue>) => void;

/** The appender call for one column, chosen once per column from its type. */
function columnAppender(type: LogicalType): Append {
  switch (type.kind) {
    case "boolean":
      return (a, v) => a.appendBoolean(Boolean(v));
    case "integer":
      return type.bits === 64 ? (a, v) => a.appendBigInt(typeof v === "bigint" ? v : BigInt(v as number | string)) : (a, v) => a.appendInteger(Number(v));
    case "float":
      return (a, v) => a.appendDouble(Number(v));
    // Decimals travel as text so no digit is lost; DuckDB casts the text exactly.
    case "decimal":
      return (a, v) => a.appendVarchar(String(v));
    case "date":
      return (a, v) => a.appendVarchar(v instanceof Date ? v.toISOString().slice(0, 10) : String(v));
    case "timestamp":
      return (a, v) => a.appendDouble(v instanceof Date ? v.getTime() : Date.parse(String(v)));
    case "binary":
      return (a, v) => a.appendBlob(v instanceof Uint8Array ? v : Buffer.from(String(v)));
    case "string":
      return (a, v) => a.appendVarchar(typeof v === "string" ? v : String(v));
  }
}

/** Appends rows of cells, typed by `columns`, to a DuckDB appender. */
export function rowAppender(columns: Column[]): (appender: DuckDBAppender, rows: CellValue[][]) => void {
  const appends = columns.map((c) => columnAppender(c.type));
  const width = appends.length;
  return (appender, rows) => {
    for (const row of rows) {
      for (let i = 0; i < width; i++) {
        const value = row[i];
        if (value === null || value === undefined) appender.appendNull();
        else appends[i]!(appender, value);
      }
      appender.endRow();
    }
  };
}

/** The type a column is staged under before it is cast to its real type (decimals and dates go as text). */
export function stagingType(type: LogicalType, native: (t: LogicalType) => string): string {
  if (type.kind === "decimal" || type.kind === "date") return "VARCHAR";
  // Timestamps are staged as epoch milliseconds: appending a number is far cheaper than a value object.
  if (type.kind === "timestamp") return "DOUBLE";
  return native(type);
}

/** The expression that reads a staged column back in its real type. */
export function fromStaged(quoted: string, type: LogicalType, native: (t: LogicalType) => string): string {
  if (type.kind === "timestamp") return `make_timestamp(CAST(${quoted} * 1000 AS BIGINT))`;
  return stagingType(type, native) === native(type) ? quoted : `CAST(${quoted} AS ${native(type)})`;
}

