// What `pg` hands back, turned into sluice's Column and CellValue, and rows turned into COPY text.
// Type parsers are chosen so nothing loses precision: BIGINT as bigint, NUMERIC as its digits,
// dates as `YYYY-MM-DD`, timestamps as the server's text (to the microsecond).
import pg from "pg";
import type { CustomTypesConfig, FieldDef } from "pg";
import type { CellValue, Column, RowBatch } from "../contract.js";
import { exactTextReader, type ExactText } from "../exact-text.js";
import type { PostgresDialect } from "./postgres-dialect.js";

/** Type OIDs of pg_catalog.pg_type that sluice reads by type; any other type is read as its text. */
const OID = {
  bool: 16,
  bytea: 17,
  int8: 20,
  int2: 21,
  int4: 23,
  text: 25,
  float4: 700,
  float8: 701,
  bpchar: 1042,
  varchar: 1043,
  date: 1082,
  timestamp: 1114,
  timestamptz: 1184,
  numeric: 1700,
} as const;

const byteaParser = pg.types.getTypeParser(OID.bytea, "text") as (text: string) => Buffer;
const asText = (text: string): string => text;

function parserFor(oid: number): (text: string) => unknown {
  switch (oid) {
    case OID.bool:
      return (text) => text === "t";
    case OID.int2:
    case OID.int4:
      return (text) => Number(text);
    case OID.int8:
      return (text) => BigInt(text);
    case OID.float4:
    case OID.float8:
      return (text) => Number.parseFloat(text);
    case OID.bytea:
      return (text) => new Uint8Array(byteaParser(text));
    default:
      // NUMERIC, dates, timestamps, JSON, arrays and the rest: the server's own text, exactly.
      return asText;
  }
}

/** The type parsers every sluice session and cursor uses, in place of pg's global defaults. */
export const exactTypes: CustomTypesConfig = {
  getTypeParser: ((oid: number) => parserFor(oid)) as CustomTypesConfig["getTypeParser"],
};

/** The type as format_type() would spell it, from the field's OID and type modifier. */
export function nativeTypeOf(field: Pick<FieldDef, "dataTypeID" | "dataTypeModifier">): string {
  const mod = field.dataTypeModifier;
  switch (field.dataTypeID) {
    case OID.bool:
      return "boolean";
    case OID.bytea:
      return "bytea";
    case OID.int8:
      return "bigint";
    case OID.int2:
      return "smallint";
    case OID.int4:
      return "integer";
    case OID.float4:
      return "real";
    case OID.float8:
      return "double precision";
    case OID.varchar:
      return mod >= 4 ? `character varying(${mod - 4})` : "character varying";
    case OID.bpchar:
      return mod >= 4 ? `character(${mod - 4})` : "character";
    case OID.date:
      return "date";
    case OID.timestamp:
      return "timestamp without time zone";
    case OID.timestamptz:
      return "timestamp with time zone";
    case OID.numeric:
      return mod >= 4 ? `numeric(${((mod - 4) >> 16) & 0xffff},${(mod - 4) & 0xffff})` : "numeric";
    default:
      return "text";
  }
}

export function describeField(field: FieldDef, dialect: PostgresDialect): Column {
  const nativeType = nativeTypeOf(field);
  return { name: field.name, nativeType, type: dialect.logicalType(nativeType) };
}

/** A parsed value as a CellValue; timestamps stay text here and become exact vectors per batch. */
export function toCell(value: unknown): CellValue {
  if (value === undefined || value === null) return null;
  return value as CellValue;
}

/** COPY text escaping: backslash, tab, newline and carriage return are the characters it reads specially. */
const COPY_SPECIAL = /[\\\t\n\r]/;
function escapeCopy(text: string): string {
  if (!COPY_SPECIAL.test(text)) return text;
  return text.replace(/[\\\t\n\r]/g, (c) =>
    c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r",
  );
}

function copyField(value: ExactText): string {
  if (value === null) return "\\N";
  if (value instanceof Uint8Array) return `\\\\x${Buffer.from(value).toString("hex")}`;
  if (value.includes("\0"))
    throw new Error("PostgreSQL text cannot hold a NUL character; strip it before loading");
  return escapeCopy(value);
}

/** One batch as COPY text lines, every value exact (decimals as digits, timestamps to the µs). */
export function copyText(batch: RowBatch): string {
  const readers = batch.vectors.map((v, c) => exactTextReader(batch.columns[c]!.type, v, "tf"));
  let out = "";
  for (let i = 0; i < batch.rowCount; i++) {
    for (let c = 0; c < readers.length; c++) {
      if (c > 0) out += "\t";
      out += copyField(readers[c]!(i));
    }
    out += "\n";
  }
  return out;
}

/** Rows of a small result with timestamps as `Date`, for query(): the contract's cell form. */
export function queryRows(columns: Column[], rows: unknown[][]): CellValue[][] {
  const timestamps = columns.map((c) => c.type.kind === "timestamp");
  return rows.map((row) =>
    row.map((v, c) => (timestamps[c] && typeof v === "string" ? timestampDate(v) : toCell(v))),
  );
}

function timestampDate(text: string): Date {
  const iso = text.replace(" ", "T");
  return new Date(/[zZ]|[+-]\d{2}(:?\d{2})?$/.test(iso) ? iso.replace(/([+-]\d{2})$/, "$1:00") : `${iso}Z`);
}
