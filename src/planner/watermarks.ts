// Watermarks: how far a model has loaded each change-tracked source, as values read from the
// source itself (its max update stamp), kept as exact text with the type they were read as, so no
// precision is lost between runs and an instant means the same instant in every time zone. The
// literals come from the engine's dialect and comparisons with the column run in the engine.
import type { LogicalType, Session } from "../adapters/contract.js";
import { dateText, timestampText } from "../adapters/literal-text.js";
import { dialectFor, type EngineType } from "../adapters/dialects.js";
import type { RelationRef } from "../manifest/types.js";
import type { Watermark } from "../ledger/watermark.js";

export type { Watermark };

/** The kind of watermark a column of `type` gives. */
export function watermarkKind(type: LogicalType): Watermark["kind"] {
  switch (type.kind) {
    case "timestamp":
      return type.withTimeZone ? "timestamptz" : type.nanoseconds ? "timestamp_ns" : "timestamp";
    case "date":
      return "date";
    case "integer":
    case "decimal":
    case "float":
      return "number";
    default:
      return "string";
  }
}

/**
 * The logical type a watermark's value is written back as. A `timestamp` recorded by an earlier
 * sluice with an offset in its text (`…+02`) was read from a column with zone, and is one.
 */
function watermarkType(w: Watermark): LogicalType {
  switch (w.kind) {
    case "timestamptz":
      return { kind: "timestamp", withTimeZone: true };
    case "timestamp_ns":
      return { kind: "timestamp", nanoseconds: true };
    case "timestamp":
      if (/(?:Z|[+-]\d{2}(?::?\d{2})?)\s*$/i.test(w.value)) return { kind: "timestamp", withTimeZone: true };
      // Recorded before kinds said so: more than microseconds came from a nanosecond column.
      return /\.\d{7,}$/.test(w.value) ? { kind: "timestamp", nanoseconds: true } : { kind: "timestamp" };
    case "date":
      return { kind: "date" };
    case "number":
      if (/^-?\d+$/.test(w.value)) return { kind: "integer", bits: 64 };
      return { kind: "decimal", precision: 38, scale: w.value.split(".")[1]?.length ?? 0 };
    default:
      return { kind: "string" };
  }
}

/** The watermark as a SQL literal of its own type on `engine`: an instant with zone stays one. */
export function watermarkLiteral(w: Watermark, engine: EngineType): string {
  if (w.kind === "fingerprint") throw new Error("a fingerprint is not a watermark");
  if (w.kind === "number") {
    if (!/^-?\d+(\.\d+)?$/.test(w.value)) throw new Error(`watermark '${w.value}' is not a number`);
    return w.value;
  }
  const d = dialectFor(engine);
  if (w.kind === "string") return d.typedLiteral(w.value, { kind: "string" });
  return d.typedLiteral(w.value, watermarkType(w));
}

/** A lookback that cannot apply to a watermark of its kind: refused with what to write instead. */
export class LookbackError extends Error {
  override readonly name = "LookbackError";
}

/**
 * The lower bound of a window with `lookback` re-read before it: `W - interval` for timestamps
 * (days of 24 hours on instants), whole days for dates, `W - n` for numbers. Text stamps have no
 * arithmetic, so a lookback on one is refused.
 */
export function windowStart(w: Watermark, lookback: string | null, engine: EngineType): string {
  const base = watermarkLiteral(w, engine);
  if (!lookback) return base;
  if (w.kind === "number") {
    if (!/^\s*\d+\s*$/.test(lookback))
      throw new LookbackError(`lookback '${lookback}' must be a number for a numeric update column`);
    return `(${base} - ${lookback.trim()})`;
  }
  if (w.kind === "string") {
    throw new LookbackError(
      `lookback '${lookback}' needs a timestamp, date or number update column, and this one holds text; ` +
        "cast it in the source (a view) or drop the lookback",
    );
  }
  const m = /^\s*(\d+)\s*(second|minute|hour|day)s?\s*$/i.exec(lookback);
  if (!m) throw new LookbackError(`cannot read lookback '${lookback}'; write e.g. '10 minutes' or '2 hours'`);
  const unit = m[2]!.toLowerCase() as "second" | "minute" | "hour" | "day";
  if (w.kind === "date" && unit !== "day")
    throw new LookbackError(
      `lookback '${lookback}' on a DATE update column must be whole days, e.g. '2 days'`,
    );
  return dialectFor(engine).subtractInterval(base, Number(m[1]), unit, watermarkType(w));
}

/** Reads the highest value of `column` in `rel` on its own engine, exactly; null when the table is empty. */
export async function readHighWatermark(
  session: Session,
  engine: EngineType,
  rel: RelationRef,
  column: string,
): Promise<Watermark | null> {
  const d = dialectFor(engine);
  const col = d.quoteIdentifier(column);
  // The column's type first (no rows read): it decides how the value is printed exactly.
  const shape = await session.query(`select ${col} from ${d.relation(rel)} where 1 = 0`);
  const type = shape.columns[0]?.type ?? { kind: "string" };
  const { rows } = await session.query(
    `select ${d.watermarkText(`MAX(${col})`, type)} as high from ${d.relation(rel)}`,
  );
  const text = rows[0]?.[0];
  if (text === null || text === undefined) return null;
  return { value: canonicalValue(String(text), type), kind: watermarkKind(type) };
}

/** Timestamps as `YYYY-MM-DD HH:MM:SS[.fraction]` (SQL Server prints `T`, offsets and trailing zeros). */
function canonicalValue(text: string, type: LogicalType): string {
  if (type.kind === "timestamp") return timestampText(text);
  if (type.kind === "date") return dateText(text.slice(0, 10));
  return text;
}

/** The later of two watermarks of the same kind. */
export function later(a: Watermark | null, b: Watermark | null): Watermark | null {
  if (!a) return b;
  if (!b) return a;
  if (a.kind === "number" && b.kind === "number") return compareNumbers(a.value, b.value) >= 0 ? a : b;
  // Canonical timestamp and date text orders as the values do.
  return a.value >= b.value ? a : b;
}

function compareNumbers(a: string, b: string): number {
  if (/^-?\d+$/.test(a) && /^-?\d+$/.test(b))
    return BigInt(a) > BigInt(b) ? 1 : BigInt(a) < BigInt(b) ? -1 : 0;
  return Number(a) - Number(b);
}
