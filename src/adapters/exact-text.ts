// Exact text of batch values, for engines whose bulk paths read text (PostgreSQL's COPY, MySQL's
// LOAD DATA) and for reading timestamps those engines print with microseconds. Engine-neutral:
// each adapter escapes the text its own way.
import { batchFromRows, cellReader, isValid, typedVector } from "./batch.js";
import type { CellValue, Column, ColumnVector, LogicalType, Row, RowBatch } from "./contract.js";

const MICROS_PER_DAY = 86_400_000_000n;

/** `YYYY-MM-DD HH:MM:SS.ffffff` (UTC) of microseconds since 1970-01-01 UTC, exactly. */
export function formatMicros(micros: bigint): string {
  let days = micros / MICROS_PER_DAY;
  let rest = micros % MICROS_PER_DAY;
  if (rest < 0n) {
    rest += MICROS_PER_DAY;
    days -= 1n;
  }
  const date = new Date(Number(days) * 86_400_000);
  const year = date.getUTCFullYear();
  const ymd = `${String(year).padStart(4, "0")}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
  const seconds = rest / 1_000_000n;
  const fraction = String(rest % 1_000_000n).padStart(6, "0");
  const h = Number(seconds / 3600n);
  const m = Number((seconds / 60n) % 60n);
  const s = Number(seconds % 60n);
  return `${ymd} ${pad(h)}:${pad(m)}:${pad(s)}.${fraction}`;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** A value as the text a bulk path reads, or bytes for binary columns; null for NULL. */
export type ExactText = string | Uint8Array | null;

/**
 * A reader of one vector's values as exact text: timestamps to the microsecond (from the typed
 * form when the vector has it, where a `Date` would keep only milliseconds), booleans as `1`/`0`
 * or `t`/`f` as `booleans` says, decimals and 64-bit integers as their digits, floats as the
 * shortest text that reads back as the same double.
 */
export function exactTextReader(type: LogicalType, vector: ColumnVector, booleans: "tf" | "10"): (i: number) => ExactText {
  if (type.kind === "timestamp" && vector.encoding === "int64") {
    const { values, validity } = vector;
    return (i) => (isValid(validity, i) ? formatMicros(values[i]!) : null);
  }
  const cell = cellReader(type, vector);
  return (i) => cellText(cell(i), booleans);
}

export function cellText(value: CellValue, booleans: "tf" | "10"): ExactText {
  if (value === null) return null;
  if (typeof value === "boolean") return booleans === "tf" ? (value ? "t" : "f") : value ? "1" : "0";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
    return String(value);
  }
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new Error("an Invalid Date cannot be loaded");
    return formatMicros(BigInt(value.getTime()) * 1000n);
  }
  if (value instanceof Uint8Array) return value;
  return value;
}

/**
 * A batch from driver rows in which timestamps are exact text (`2026-11-20 10:00:00.123456`, with
 * or without a zone): those columns become microsecond vectors, so no digit is lost on the way.
 */
export function batchWithExactTimestamps(columns: Column[], rows: Row[]): RowBatch {
  const batch = batchFromRows(columns, rows);
  batch.vectors = batch.vectors.map((v, c) => (columns[c]!.type.kind === "timestamp" ? typedVector(columns[c]!.type, v, rows.length) : v));
  return batch;
}
