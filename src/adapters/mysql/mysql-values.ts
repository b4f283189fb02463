// What `mysql2` hands back, turned into sluice's Column and CellValue, and rows turned into the
// text LOAD DATA reads or the VALUES lists of a multi-row INSERT. The driver is asked for BIGINT and
// DECIMAL as strings and dates as strings (supportBigNumbers, bigNumberStrings, dateStrings), so
// nothing passes through a JS number or a local time zone.
import type { FieldPacket } from "mysql2";
import type { CellValue, Column, LogicalType, RowBatch } from "../contract.js";
import { exactTextReader, type ExactText } from "../exact-text.js";
import { mysqlDialect, type MySqlDialect } from "./mysql-dialect.js";

/** Column type codes of the MySQL protocol (include/mysql_com.h, enum_field_types). */
const TYPE = {
  DECIMAL: 0,
  TINY: 1,
  SHORT: 2,
  LONG: 3,
  FLOAT: 4,
  DOUBLE: 5,
  TIMESTAMP: 7,
  LONGLONG: 8,
  INT24: 9,
  DATE: 10,
  TIME: 11,
  DATETIME: 12,
  YEAR: 13,
  NEWDATE: 14,
  VARCHAR: 15,
  BIT: 16,
  JSON: 245,
  NEWDECIMAL: 246,
  TINY_BLOB: 249,
  MEDIUM_BLOB: 250,
  LONG_BLOB: 251,
  BLOB: 252,
  VAR_STRING: 253,
  STRING: 254,
} as const;
const UNSIGNED_FLAG = 32;
/** Character set number 63 is `binary`: the column holds bytes, not text. */
const BINARY_CHARSET = 63;

function flagsOf(field: FieldPacket): number {
  return typeof field.flags === "number" ? field.flags : 0;
}

/** The type as information_schema.COLUMNS.COLUMN_TYPE would spell it, from the result's metadata. */
export function nativeTypeOf(field: FieldPacket): string {
  const unsigned = (flagsOf(field) & UNSIGNED_FLAG) !== 0 ? " unsigned" : "";
  const length = field.columnLength ?? 0;
  const binary = field.characterSet === BINARY_CHARSET;
  switch (field.columnType) {
    case TYPE.TINY:
      return `tinyint(${length})${unsigned}`;
    case TYPE.SHORT:
      return `smallint${unsigned}`;
    case TYPE.INT24:
      return `mediumint${unsigned}`;
    case TYPE.LONG:
      return `int${unsigned}`;
    case TYPE.LONGLONG:
      return `bigint${unsigned}`;
    case TYPE.YEAR:
      return "year";
    case TYPE.FLOAT:
      return "float";
    case TYPE.DOUBLE:
      return "double";
    case TYPE.DECIMAL:
    case TYPE.NEWDECIMAL: {
      const scale = field.decimals;
      const precision = length - (scale > 0 ? 1 : 0) - (unsigned ? 0 : 1);
      return `decimal(${Math.max(1, precision)},${scale})${unsigned}`;
    }
    case TYPE.DATE:
    case TYPE.NEWDATE:
      return "date";
    case TYPE.DATETIME:
      return field.decimals > 0 ? `datetime(${field.decimals})` : "datetime";
    case TYPE.TIMESTAMP:
      return field.decimals > 0 ? `timestamp(${field.decimals})` : "timestamp";
    case TYPE.TIME:
      return "time";
    case TYPE.BIT:
      return `bit(${length})`;
    case TYPE.JSON:
      return "json";
    case TYPE.TINY_BLOB:
    case TYPE.MEDIUM_BLOB:
    case TYPE.LONG_BLOB:
    case TYPE.BLOB:
      return binary ? "longblob" : "longtext";
    case TYPE.VARCHAR:
    case TYPE.VAR_STRING:
    case TYPE.STRING:
      return binary ? `varbinary(${length})` : "varchar";
    default:
      return "longtext";
  }
}

export function describeField(field: FieldPacket, dialect: MySqlDialect): Column {
  const nativeType = nativeTypeOf(field);
  return { name: field.name, nativeType, type: dialect.logicalType(nativeType) };
}

/** A decoder per column from the driver's value to a CellValue (timestamps stay exact text). */
export function cellDecoder(type: LogicalType): (value: unknown) => CellValue {
  switch (type.kind) {
    case "boolean":
      return (v) => (v === null || v === undefined ? null : Number(v) !== 0);
    case "integer":
      return type.bits === 64
        ? (v) => (v === null || v === undefined ? null : BigInt(v as string | number))
        : (v) => (v === null || v === undefined ? null : Number(v));
    case "decimal":
      return (v) => (v === null || v === undefined ? null : String(v));
    case "binary":
      return (v) => (v === null || v === undefined ? null : new Uint8Array(v as Buffer));
    default:
      return (v) => (v === null || v === undefined ? null : (v as CellValue));
  }
}

/** LOAD DATA text escaping with ESCAPED BY '\\': these are the characters it reads specially. */
const LOAD_SPECIAL = /[\\\t\n\r\0]/;
function escapeLoad(text: string): string {
  if (!LOAD_SPECIAL.test(text)) return text;
  return text.replace(/[\\\t\n\r\0]/g, (c) =>
    c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : c === "\r" ? "\\r" : "\\0",
  );
}

function loadField(value: ExactText): string {
  if (value === null) return "\\N";
  if (value instanceof Uint8Array) return Buffer.from(value).toString("hex");
  if (value === "NaN" || value === "Infinity" || value === "-Infinity")
    throw new Error(`MySQL cannot store ${value}; filter it out or map it to NULL first`);
  return escapeLoad(value);
}

/** One batch as LOAD DATA lines, every value exact (decimals as digits, timestamps to the µs). */
export function loadText(batch: RowBatch): string {
  const readers = batch.vectors.map((v, c) => exactTextReader(batch.columns[c]!.type, v, "10"));
  let out = "";
  for (let i = 0; i < batch.rowCount; i++) {
    for (let c = 0; c < readers.length; c++) {
      if (c > 0) out += "\t";
      out += loadField(readers[c]!(i));
    }
    out += "\n";
  }
  return out;
}

/** One batch as the `(v, ...)` lists of a multi-row INSERT, for servers that refuse LOCAL INFILE. */
export function valuesLists(batch: RowBatch): string[] {
  const readers = batch.vectors.map((v, c) => exactTextReader(batch.columns[c]!.type, v, "10"));
  const kinds = batch.columns.map((c) => c.type.kind);
  const lists: string[] = new Array(batch.rowCount);
  for (let i = 0; i < batch.rowCount; i++) {
    const values = readers.map((read, c) => {
      const value = read(i);
      if (value === null) return "NULL";
      if (value instanceof Uint8Array) return `X'${Buffer.from(value).toString("hex")}'`;
      const kind = kinds[c];
      if (kind === "integer" || kind === "float" || kind === "boolean") return loadField(value);
      return mysqlDialect.stringLiteral(value);
    });
    lists[i] = `(${values.join(", ")})`;
  }
  return lists;
}
