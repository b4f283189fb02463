// Exact text of batch values, for engines whose bulk paths read text (PostgreSQL's COPY, MySQL's
// LOAD DATA) and for reading timestamps those engines print with microseconds. Engine-neutral:
// each adapter escapes the text its own way.
import { batchFromRows, cellReader, isValid, typedVector } from "./batch.js";
import type { CellValue, Column, ColumnVector, LogicalType, Row, RowBatch } from "./contract.js";

const MICROS_PER_DAY = 86_400_000_000n;

/**
 * `YYYY-MM-DD` of a count of days since 1970-01-01. Cached: a column of dates repeats few values,
 * and building each one through a `Date` was the largest cost of a bulk load's text.
 */
export function dayText(days: number): string {
  let text = dayTexts.get(days);
  if (text === undefined) {
    const date = new Date(days * 86_400_000);
    text =
      `${String(date.getUTCFullYear()).padStart(4, "0")}-` +
      `${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
    if (dayTexts.size >= DAY_CACHE_SIZE) dayTexts.clear();
    dayTexts.set(days, text);
  }
  return text;
}
const DAY_CACHE_SIZE = 100_000;
const dayTexts = new Map<number, string>();

/** `YYYY-MM-DD HH:MM:SS.ffffff` (UTC) of microseconds since 1970-01-01 UTC, exactly. */
export function formatMicros(micros: bigint): string {
  // Within ±2^53 µs (years 1685–2255) plain numbers are exact and much cheaper than bigint math.
  const exact = micros >= -MAX_SAFE && micros <= MAX_SAFE;
  const total = exact ? Number(micros) : 0;
  const days = exact ? Math.floor(total / MICROS_PER_DAY_NUMBER) : Number(floorDiv(micros, MICROS_PER_DAY));
  const rest = exact ? total - days * MICROS_PER_DAY_NUMBER : Number(micros - BigInt(days) * MICROS_PER_DAY);
  const seconds = Math.floor(rest / 1_000_000);
  const fraction = rest - seconds * 1_000_000;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor(seconds / 60) % 60;
  return `${dayText(days)} ${pad(h)}:${pad(m)}:${pad(seconds % 60)}.${String(fraction).padStart(6, "0")}`;
}
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MICROS_PER_DAY_NUMBER = 86_400_000_000;

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** A value as the text a bulk path reads, or bytes for binary columns; null for NULL. */
export type ExactText = string | Uint8Array | null;

/**
 * A reader of one vector's values as exact text: timestamps to the microsecond (from the typed
 * form when the vector has it, where a `Date` would keep only milliseconds), booleans as `1`/`0`
 * or `t`/`f` as `booleans` says, decimals and 64-bit integers as their digits, floats as the
 * shortest text that reads back as the same double.
 */
export function exactTextReader(
  type: LogicalType,
  vector: ColumnVector,
  booleans: "tf" | "10",
): (i: number) => ExactText {
  if (type.kind === "date" && vector.encoding === "int32") {
    const { values, validity } = vector;
    return (i) => (isValid(validity, i) ? dayText(values[i]!) : null);
  }
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
  batch.vectors = batch.vectors.map((v, c) =>
    columns[c]!.type.kind === "timestamp" ? timestampVector(columns[c]!.type, v, rows.length) : v,
  );
  return batch;
}

/**
 * Microseconds of timestamps as servers print them: a fixed `YYYY-MM-DD HH:MM:SS[.f…]` layout is
 * read by character position (the general parser's regular expression was a third of a read's
 * time); anything else (zones, years past 9999, `Date`s) goes through the general parser.
 */
function timestampVector(type: LogicalType, vector: ColumnVector, rowCount: number): ColumnVector {
  if (vector.encoding !== "cells") return typedVector(type, vector, rowCount);
  const values = new BigInt64Array(rowCount);
  const validity = new Uint8Array((rowCount + 7) >> 3);
  let nulls = false;
  for (let i = 0; i < rowCount; i++) {
    const cell = vector.values[i];
    if (cell === null || cell === undefined) {
      nulls = true;
      continue;
    }
    const micros = typeof cell === "string" ? plainTimestampMicros(cell) : null;
    if (micros === null) return typedVector(type, vector, rowCount);
    values[i] = micros;
    validity[i >> 3]! |= 1 << (i & 7);
  }
  return { encoding: "int64", values, validity: nulls ? validity : undefined };
}

const dayNumbers = new Map<string, number>();

function plainTimestampMicros(text: string): bigint | null {
  const n = text.length;
  if (
    n < 19 ||
    n > 26 ||
    text.charCodeAt(4) !== 45 ||
    text.charCodeAt(10) !== 32 ||
    text.charCodeAt(13) !== 58
  )
    return null;
  let days = dayNumbers.get(text.slice(0, 10));
  if (days === undefined) {
    const [y, m, d] = [Number(text.slice(0, 4)), Number(text.slice(5, 7)), Number(text.slice(8, 10))];
    if (!Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(d)) return null;
    const date = new Date(0);
    date.setUTCFullYear(y, m - 1, d);
    days = Math.round(date.getTime() / 86_400_000);
    if (dayNumbers.size >= DAY_CACHE_SIZE) dayNumbers.clear();
    dayNumbers.set(text.slice(0, 10), days);
  }
  const h = Number(text.slice(11, 13));
  const mi = Number(text.slice(14, 16));
  const s = Number(text.slice(17, 19));
  let fraction = 0;
  if (n > 19) {
    if (text.charCodeAt(19) !== 46) return null;
    const digits = text.slice(20);
    if (!/^\d{1,6}$/.test(digits)) return null;
    fraction = Number(digits.padEnd(6, "0"));
  }
  if (!Number.isInteger(h) || !Number.isInteger(mi) || !Number.isInteger(s)) return null;
  const micros = days * MICROS_PER_DAY_NUMBER + ((h * 60 + mi) * 60 + s) * 1_000_000 + fraction;
  return Number.isSafeInteger(micros) ? BigInt(micros) : null;
}
