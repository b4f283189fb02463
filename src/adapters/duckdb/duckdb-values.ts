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

export function toCell(value: DuckDBValue, type: LogicalType): CellValue {
  if (value === null || value === undefined) return null;
  if (value instanceof DuckDBDecimalValue) return value.toString();
  if (value instanceof DuckDBDateValue) return value.toString();
  if (value instanceof DuckDBTimestampValue) return new Date(Number(value.micros / 1000n));
  if (value instanceof DuckDBBlobValue) return value.bytes;
  if (typeof value === "bigint") return type.kind === "integer" && type.bits === 64 ? value : Number(value);
  if (typeof value === "number" || typeof value === "string" || typeof value === "boolean") return value;
  return String(value);
}

/** Appends one row of cells, typed by `columns`, to a DuckDB appender. */
export function appendRow(appender: DuckDBAppender, row: CellValue[], columns: Column[]): void {
  for (let i = 0; i < columns.length; i++) {
    const value = row[i];
    const type = columns[i]!.type;
    if (value === null || value === undefined) {
      appender.appendNull();
      continue;
    }
    switch (type.kind) {
      case "boolean":
        appender.appendBoolean(Boolean(value));
        break;
      case "integer":
        if (type.bits === 64) appender.appendBigInt(BigInt(value as number | bigint | string));
        else appender.appendInteger(Number(value));
        break;
      case "float":
        appender.appendDouble(Number(value));
        break;
      case "decimal":
        // Decimals travel as text so no digit is lost; DuckDB casts the text exactly.
        appender.appendVarchar(String(value));
        break;
      case "date":
        appender.appendVarchar(value instanceof Date ? value.toISOString().slice(0, 10) : String(value));
        break;
      case "timestamp":
        appender.appendTimestamp(new DuckDBTimestampValue(BigInt((value instanceof Date ? value : new Date(String(value))).getTime()) * 1000n));
        break;
      case "binary":
        appender.appendBlob(value instanceof Uint8Array ? value : Buffer.from(String(value)));
        break;
      case "string":
        appender.appendVarchar(String(value));
        break;
    }
  }
  appender.endRow();
}

/** The type a column is staged under before it is cast to its real type (decimals and dates go as text). */
export function stagingType(type: LogicalType, native: (t: LogicalType) => string): string {
  return type.kind === "decimal" || type.kind === "date" ? "VARCHAR" : native(type);
}
