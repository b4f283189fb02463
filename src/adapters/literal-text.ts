// The canonical text of typed values, shared by every dialect's literals: what a value of a given
// type must look like before it is written into SQL, so a value spelled one way on one engine (a
// DuckDB `2024-03-31 01:30:00+02`, a JavaScript Date) means the same instant or number on another.
// Pure; refuses text that is not of its type instead of letting an engine guess.
import type { CellValue } from "./contract.js";

/** A value that is not of the type a literal was asked for. */
export class LiteralTypeError extends TypeError {
  override readonly name = "LiteralTypeError";
}

/** `-12`, `007` → `7`: an integer's decimal digits, without leading zeros. */
export function integerText(value: CellValue): string {
  const text =
    typeof value === "string"
      ? value.trim()
      : typeof value === "number" || typeof value === "bigint"
        ? String(value)
        : "";
  if (!/^[+-]?\d+$/.test(text)) throw new LiteralTypeError(`'${String(value)}' is not an integer`);
  return BigInt(text).toString();
}

/** `12.50`, `-0.5`, `3`: a decimal's text as given (its scale is the column's business). */
export function decimalText(value: CellValue): string {
  const text =
    typeof value === "string"
      ? value.trim()
      : typeof value === "number" || typeof value === "bigint"
        ? String(value)
        : "";
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text))
    throw new LiteralTypeError(`'${String(value)}' is not a decimal number`);
  return text.replace(/^\+/, "");
}

/** A floating-point number's text: decimal, exponent, or NaN and infinities. */
export function floatText(value: CellValue): string {
  const text = typeof value === "string" ? value.trim() : typeof value === "number" ? String(value) : "";
  if (!/^([+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?|NaN|[+-]?Infinity)$/i.test(text))
    throw new LiteralTypeError(`'${String(value)}' is not a number`);
  return text;
}

/** `2024-1-1` → `2024-01-01`; refuses dates that do not exist (2024-02-30, month 13). */
export function dateText(value: CellValue): string {
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  const m = typeof value === "string" ? /^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$/.exec(value) : null;
  if (!m) throw new LiteralTypeError(`'${String(value)}' is not a date; write YYYY-MM-DD`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) {
    throw new LiteralTypeError(`'${String(value)}' is not a date: ${y}-${pad(mo)} has no day ${d}`);
  }
  return `${m[1]}-${pad(mo)}-${pad(d)}`;
}

/** A timestamp's parts: wall-clock date and time, the fraction's digits, and its UTC offset if written. */
interface TimestampParts {
  date: string;
  time: string;
  fraction: string;
  offsetMinutes: number | null;
}

function timestampParts(value: CellValue): TimestampParts {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new LiteralTypeError("Invalid Date is not a timestamp");
    const iso = value.toISOString();
    return { date: iso.slice(0, 10), time: iso.slice(11, 19), fraction: iso.slice(20, 23), offsetMinutes: 0 };
  }
  const re =
    /^\s*(\d{4}-\d{1,2}-\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?\s*$/i;
  const m = typeof value === "string" ? re.exec(value) : null;
  if (!m)
    throw new LiteralTypeError(
      `'${String(value)}' is not a timestamp; write YYYY-MM-DD HH:MM:SS[.fraction][+HH:MM]`,
    );
  const date = dateText(m[1]!);
  const [h, mi, s] = [Number(m[2] ?? 0), Number(m[3] ?? 0), Number(m[4] ?? 0)];
  if (h > 23 || mi > 59 || s > 59)
    throw new LiteralTypeError(`'${String(value)}' is not a timestamp: no such time of day`);
  let offsetMinutes: number | null = null;
  if (m[6]) {
    const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(m[6]);
    offsetMinutes = z ? (z[1] === "-" ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3] ?? 0)) : 0;
  }
  return { date, time: `${pad(h)}:${pad(mi)}:${pad(s)}`, fraction: m[5] ?? "", offsetMinutes };
}

/**
 * `YYYY-MM-DD HH:MM:SS[.fraction]` of the instant in UTC when the text carries an offset (or is a
 * Date), else the wall-clock text as written. The fraction keeps every digit given (nanoseconds
 * too), without trailing zeros; `maxDigits` refuses digits the engine would drop.
 */
export function timestampText(value: CellValue, maxDigits = 9): string {
  const p = timestampParts(value);
  let { date, time } = p;
  if (p.offsetMinutes) {
    const [y, mo, d] = date.split("-").map(Number) as [number, number, number];
    const [h, mi, s] = time.split(":").map(Number) as [number, number, number];
    // setUTCFullYear, not Date.UTC, which reads years 0–99 as 1900–1999.
    const instant = new Date(0);
    instant.setUTCFullYear(y, mo - 1, d);
    instant.setUTCHours(h, mi - p.offsetMinutes, s);
    const utc = instant.toISOString();
    date = utc.slice(0, 10);
    time = utc.slice(11, 19);
  }
  const fraction = p.fraction.replace(/0+$/, "");
  if (fraction.length > maxDigits) {
    throw new LiteralTypeError(
      `'${String(value)}' has ${fraction.length} fractional digits; this engine keeps ${maxDigits}`,
    );
  }
  return `${date} ${time}${fraction ? `.${fraction}` : ""}`;
}

/** The text of a string value: strings as they are, other values as JavaScript prints them. */
export function stringText(value: CellValue): string {
  if (typeof value === "string") return value;
  if (value instanceof Date) return timestampText(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString("hex");
  return String(value);
}

/** True or false from a boolean or its usual spellings. */
export function booleanValue(value: CellValue): boolean {
  if (typeof value === "boolean") return value;
  const text = String(value).trim().toLowerCase();
  if (["true", "t", "1"].includes(text)) return true;
  if (["false", "f", "0"].includes(text)) return false;
  throw new LiteralTypeError(`'${String(value)}' is not a boolean`);
}

/** `= 'v'` for a partition value, or `IS NULL` for the NULL partition; a missing value is a caller's bug. */
/**
 * The predicate selecting exactly `partitions`: within a partition its columns' tests are ANDed,
 * partitions are ORed. `term` spells one column's test for one value (null for the NULL
 * partition); an empty set is refused, since no caller may widen it to the whole table.
 */
export function anyPartition(
  partitionBy: string[],
  partitions: (string | null)[][],
  term: (column: string, value: string | null | undefined) => string,
): string {
  if (partitions.length === 0) throw new Error("refusing to filter on an empty partition set");
  const one = (values: (string | null)[]) => partitionBy.map((c, i) => term(c, values[i])).join(" AND ");
  return partitions.map((p) => `(${one(p)})`).join("\n   OR ");
}

export function equalsOrNull(value: string | null | undefined, literal: (v: string) => string): string {
  if (value === undefined) throw new Error("a partition has fewer values than partition columns");
  return value === null ? "IS NULL" : `= ${literal(value)}`;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}
