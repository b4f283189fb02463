// Watermarks: how far a model has loaded each change-tracked source, as values read from the
// source itself (its max update stamp), kept as exact text so no precision is lost between runs.
// Pure helpers; the queries run on the source's own engine.
import type { Session } from "../adapters/contract.js";
import { quoteIdentifier, renderRelation } from "../compiler/relations.js";
import type { RelationRef } from "../manifest/types.js";

type EngineType = "duckdb" | "sqlserver" | "hive" | "postgres" | "mysql";

export interface Watermark {
  /** The value as the engine prints it, e.g. `2026-11-20 10:00:00.123456` or `42`. */
  value: string;
  /** `fingerprint`: not a watermark but the row count and hash of an untracked source (see fingerprints.ts). */
  kind: "timestamp" | "number" | "string" | "fingerprint";
}

/** The watermark as a SQL literal of its own type on `engine`. */
export function watermarkLiteral(w: Watermark, engine: EngineType): string {
  if (w.kind === "number") {
    if (!/^-?\d+(\.\d+)?$/.test(w.value)) throw new Error(`watermark '${w.value}' is not a number`);
    return w.value;
  }
  const quoted = engine === "mysql" ? w.value.replace(/\\/g, "\\\\") : w.value;
  const text = `'${quoted.replace(/'/g, "''")}'`;
  if (w.kind === "string") return engine === "sqlserver" ? `N${text}` : text;
  if (engine === "sqlserver") return `CAST(${text} AS DATETIME2(7))`;
  return engine === "mysql" ? `CAST(${text} AS DATETIME(6))` : `CAST(${text} AS TIMESTAMP)`;
}

/**
 * The lower bound of a window with `lookback` re-read before it: `W - interval` for timestamps,
 * `W - n` for numbers.
 */
export function windowStart(w: Watermark, lookback: string | null, engine: EngineType): string {
  const base = watermarkLiteral(w, engine);
  if (!lookback) return base;
  const m = /^\s*(\d+)\s*(second|minute|hour|day)s?\s*$/i.exec(lookback);
  if (w.kind === "number") {
    if (!/^\s*\d+\s*$/.test(lookback)) throw new Error(`lookback '${lookback}' must be a number for a numeric update column`);
    return `(${base} - ${lookback.trim()})`;
  }
  if (!m) throw new Error(`cannot read lookback '${lookback}'; write e.g. '10 minutes' or '2 hours'`);
  const [, n, unit] = m;
  if (engine === "sqlserver") return `DATEADD(${unit!.toLowerCase()}, -${n}, ${base})`;
  return `(${base} - INTERVAL '${n}' ${unit!.toUpperCase()})`;
}

/** Reads the highest value of `column` in `rel` on its own engine, exactly; null when the table is empty. */
export async function readHighWatermark(session: Session, engine: EngineType, rel: RelationRef, column: string): Promise<Watermark | null> {
  const col = quoteIdentifier(engine, column);
  const textType = engine === "hive" ? "STRING" : engine === "mysql" ? "CHAR" : "VARCHAR";
  const asText = engine === "sqlserver" ? `CONVERT(NVARCHAR(40), MAX(${col}), 121)` : `CAST(MAX(${col}) AS ${textType})`;
  const { rows } = await session.query(`select MAX(${col}) as high, ${asText} as high_text from ${renderRelation(engine, rel)}`);
  const [raw, text] = rows[0] ?? [null, null];
  if (raw === null || raw === undefined || text === null) return null;
  const kind: Watermark["kind"] = raw instanceof Date ? "timestamp" : typeof raw === "number" || typeof raw === "bigint" ? "number" : /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}/.test(String(text)) ? "timestamp" : "string";
  return { value: String(text), kind };
}

/** The later of two watermarks of the same kind. */
export function later(a: Watermark | null, b: Watermark | null): Watermark | null {
  if (!a) return b;
  if (!b) return a;
  if (a.kind === "number" && b.kind === "number") return Number(a.value) >= Number(b.value) ? a : b;
  return a.value >= b.value ? a : b;
}

/** Expands `202101..202106` (months when both ends look like YYYYMM, else integers) or `a,b,c`. */
export function expandPartitions(spec: string): string[][] {
  return spec.split(",").flatMap((part) => {
    const range = /^\s*(\d+)\s*\.\.\s*(\d+)\s*$/.exec(part);
    if (!range) return [[part.trim()]];
    const [from, to] = [Number(range[1]), Number(range[2])];
    if (to < from) throw new Error(`partition range ${part} runs backwards`);
    const months = /^\d{6}$/.test(range[1]!) && /^\d{6}$/.test(range[2]!);
    const out: string[][] = [];
    for (let v = from; v <= to; ) {
      out.push([String(v)]);
      if (months) v = v % 100 === 12 ? (Math.floor(v / 100) + 1) * 100 + 1 : v + 1;
      else v += 1;
      if (out.length > 100_000) throw new Error(`partition range ${part} is too large`);
    }
    return out;
  });
}
