// Row batches as they travel between engines: built from rows, read back as rows or cells, and
// turned into the typed column form an engine can copy in one go. Engine-neutral: every adapter
// reads and writes batches through these functions, so a value means the same on both sides.
import type { CellValue, Column, ColumnVector, LogicalType, Row, RowBatch, Validity } from "./contract.js";

const MICROS_PER_DAY = 86_400_000_000n;
const MS_PER_DAY = 86_400_000;

/** A batch of rows given row by row (drivers that hand out rows: SQL Server, Hive). */
export function batchFromRows(columns: Column[], rows: Row[]): RowBatch {
  const vectors: ColumnVector[] = columns.map((_, c) => ({
    encoding: "cells",
    values: rows.map((row) => row[c] ?? null),
  }));
  return { columns, rowCount: rows.length, vectors };
}

/** The rows of a batch, each an array of cells in column order. */
export function batchRows(batch: RowBatch): Row[] {
  const readers = batch.vectors.map((vector, c) => cellReader(batch.columns[c]!.type, vector));
  const rows: Row[] = new Array(batch.rowCount);
  for (let i = 0; i < batch.rowCount; i++) {
    const row: Row = new Array(readers.length);
    for (let c = 0; c < readers.length; c++) row[c] = readers[c]!(i);
    rows[i] = row;
  }
  return rows;
}

/** Whether row `i` of a vector with `validity` holds a value. */
export function isValid(validity: Validity | undefined, i: number): boolean {
  return validity === undefined || (validity[i >> 3]! & (1 << (i & 7))) !== 0;
}

/**
 * A reader of one vector's values as cells (the `CellValue` conventions: 64-bit integers as bigint,
 * decimals as exact text, dates as `YYYY-MM-DD`, timestamps as `Date`), chosen once per vector.
 */
export function cellReader(type: LogicalType, vector: ColumnVector): (i: number) => CellValue {
  if (vector.encoding === "cells") {
    const values = vector.values;
    return (i) => values[i] ?? null;
  }
  const { validity } = vector;
  const read = typedCell(type, vector);
  return validity === undefined ? read : (i) => (isValid(validity, i) ? read(i) : null);
}

function typedCell(
  type: LogicalType,
  vector: Exclude<ColumnVector, { encoding: "cells" }>,
): (i: number) => CellValue {
  switch (vector.encoding) {
    case "int32": {
      const values = vector.values;
      if (type.kind === "date") return (i) => formatDate(values[i]!);
      return (i) => values[i]!;
    }
    case "int64": {
      const values = vector.values;
      if (type.kind === "decimal") return (i) => formatDecimal(values[i]!, type.scale);
      if (type.kind === "timestamp") return (i) => microsToDate(values[i]!);
      return (i) => values[i]!;
    }
    case "float64": {
      const values = vector.values;
      return (i) => values[i]!;
    }
  }
}

/** The typed encoding a logical type travels in, or `cells` when it has none. */
export function typedEncoding(type: LogicalType): ColumnVector["encoding"] {
  switch (type.kind) {
    case "integer":
      return type.bits === 64 ? "int64" : "int32";
    case "decimal":
      return type.precision <= 18 ? "int64" : "cells";
    case "date":
      return "int32";
    case "timestamp":
      return "int64";
    case "float":
      return "float64";
    default:
      return "cells";
  }
}

/**
 * `vector` in the typed encoding of `type` (itself when it is already, or when the type has none).
 * Cells are converted exactly: decimals from their text, dates from `YYYY-MM-DD` or `Date`,
 * timestamps from `Date` or ISO text (text without a zone is UTC) to the microsecond.
 */
export function typedVector(type: LogicalType, vector: ColumnVector, rowCount: number): ColumnVector {
  const encoding = typedEncoding(type);
  if (vector.encoding === encoding || encoding === "cells") return vector;
  const read = cellReader(type, vector);
  const validity = new Uint8Array(Math.ceil(rowCount / 8));
  let nulls = false;
  const fill = <T>(values: { [i: number]: T }, convert: (cell: NonNullable<CellValue>) => T): void => {
    for (let i = 0; i < rowCount; i++) {
      const cell = read(i);
      if (cell === null) nulls = true;
      else {
        values[i] = convert(cell);
        validity[i >> 3]! |= 1 << (i & 7);
      }
    }
  };
  const mask = () => (nulls ? validity : undefined);
  switch (encoding) {
    case "int32": {
      const values = new Int32Array(rowCount);
      fill(values, type.kind === "date" ? toDays : (cell) => Number(cell));
      return { encoding, values, validity: mask() };
    }
    case "int64": {
      const values = new BigInt64Array(rowCount);
      const scale = type.kind === "decimal" ? type.scale : 0;
      fill(
        values,
        type.kind === "decimal"
          ? (cell) => parseDecimal(cell, scale)
          : type.kind === "timestamp"
            ? toMicros
            : toBigInt,
      );
      return { encoding, values, validity: mask() };
    }
    case "float64": {
      const values = new Float64Array(rowCount);
      fill(values, (cell) => Number(cell));
      return { encoding, values, validity: mask() };
    }
  }
}

/** Rows `start` (inclusive) to `end` (exclusive) of a batch. */
export function sliceBatch(batch: RowBatch, start: number, end: number): RowBatch {
  const vectors = batch.vectors.map((vector): ColumnVector => {
    if (vector.encoding === "cells") return { encoding: "cells", values: vector.values.slice(start, end) };
    const validity = vector.validity && sliceValidity(vector.validity, start, end);
    switch (vector.encoding) {
      case "int32":
        return { encoding: "int32", values: vector.values.subarray(start, end), validity };
      case "int64":
        return { encoding: "int64", values: vector.values.subarray(start, end), validity };
      case "float64":
        return { encoding: "float64", values: vector.values.subarray(start, end), validity };
      default:
        return vector satisfies never;
    }
  });
  return { columns: batch.columns, rowCount: end - start, vectors };
}

function sliceValidity(validity: Validity, start: number, end: number): Validity {
  if ((start & 7) === 0) return validity.subarray(start >> 3, (end + 7) >> 3);
  const out = new Uint8Array((end - start + 7) >> 3);
  for (let i = start; i < end; i++)
    if (isValid(validity, i)) out[(i - start) >> 3]! |= 1 << ((i - start) & 7);
  return out;
}

/** Exact text of an unscaled decimal, e.g. (1234n, 2) → "12.34", (-5n, 2) → "-0.05". */
export function formatDecimal(unscaled: bigint, scale: number): string {
  if (scale === 0) return unscaled.toString();
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, "0");
  return `${negative ? "-" : ""}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/**
 * The unscaled integer of a decimal given as text or number at `scale`, rounding half away from
 * zero past the scale (as a SQL cast does). Refuses text that is not a number.
 */
export function parseDecimal(cell: NonNullable<CellValue>, scale: number): bigint {
  if (typeof cell === "bigint") return cell * 10n ** BigInt(scale);
  const text = typeof cell === "number" ? numberText(cell) : String(cell).trim();
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!match || (match[2] === "" && (match[3] ?? "") === ""))
    throw new Error(`not a decimal number: ${JSON.stringify(text)}`);
  const [, sign, whole = "", fraction = "", exponent = "0"] = match;
  // Move the decimal point right by exponent + scale; digits left of it are the unscaled integer,
  // and the first digit right of it decides the rounding.
  const digits = whole + fraction;
  const point = whole.length + Number(exponent) + scale;
  const kept = point <= 0 ? "0" : digits.padEnd(point, "0").slice(0, point);
  const next = point < 0 ? "0" : (digits[point] ?? "0");
  const value = BigInt(kept) + (next >= "5" ? 1n : 0n);
  return sign === "-" ? -value : value;
}

function numberText(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not a decimal number: ${n}`);
  return String(n);
}

function toBigInt(cell: NonNullable<CellValue>): bigint {
  if (typeof cell === "bigint") return cell;
  if (typeof cell === "number") return BigInt(Math.trunc(cell));
  return BigInt(String(cell).trim());
}

/** The `Date` (millisecond precision, rounded down) of microseconds since 1970-01-01 UTC. */
export function microsToDate(micros: bigint): Date {
  const ms = micros / 1000n;
  return new Date(Number(micros < 0n && ms * 1000n !== micros ? ms - 1n : ms));
}

/** `YYYY-MM-DD` of a count of days since 1970-01-01. */
export function formatDate(days: number): string {
  return new Date(days * MS_PER_DAY).toISOString().slice(0, 10);
}

function toDays(cell: NonNullable<CellValue>): number {
  if (cell instanceof Date) return Math.floor(cell.getTime() / MS_PER_DAY);
  const match = /^(-?\d{4,})-(\d{2})-(\d{2})/.exec(String(cell));
  if (!match) throw new Error(`not a date: ${JSON.stringify(String(cell))}`);
  return utcDays(Number(match[1]), Number(match[2]), Number(match[3]));
}

/** Days since 1970-01-01 of a calendar date; unlike Date.UTC, years 0–99 stay themselves. */
function utcDays(year: number, month: number, day: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return Math.round(date.getTime() / MS_PER_DAY);
}

/** Microseconds since 1970-01-01 UTC of a `Date`, or of ISO text (no zone means UTC), exactly. */
function toMicros(cell: NonNullable<CellValue>): bigint {
  if (cell instanceof Date) return BigInt(cell.getTime()) * 1000n;
  if (typeof cell === "number") return BigInt(Math.round(cell * 1000));
  const text = String(cell).trim();
  const match =
    /^(-?\d{4,})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(
      text,
    );
  if (!match) throw new Error(`not a timestamp: ${JSON.stringify(text)}`);
  const [, y, mo, d, h = "0", mi = "0", s = "0", fraction = "", zone] = match;
  const days = BigInt(utcDays(Number(y), Number(mo), Number(d)));
  const micros =
    ((BigInt(h) * 60n + BigInt(mi)) * 60n + BigInt(s)) * 1_000_000n +
    BigInt(fraction.padEnd(6, "0").slice(0, 6));
  return days * MICROS_PER_DAY + micros - zoneOffsetMicros(zone);
}

function zoneOffsetMicros(zone: string | undefined): bigint {
  if (!zone || zone.toUpperCase() === "Z") return 0n;
  const match = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
  const minutes = BigInt(Number(match[2]) * 60 + Number(match[3] ?? 0));
  return (match[1] === "-" ? -minutes : minutes) * 60_000_000n;
}
