// TDS data types for the test double: decodes TYPE_INFO and values the client sends (RPC parameters,
// bulk-load rows) and encodes the few column types a test can script into a result set.
// MS-TDS 2.2.5.4 (data type definitions) and 2.2.5.5.1 (TYPE_INFO). Only what sluice's adapter and
// tests use is covered; anything else is reported as an error so a test never passes by accident.
import type { ByteReader, ByteWriter } from "./tds-wire.js";

/** The TYPE_INFO of one column or parameter, as far as the double needs it to skip or decode values. */
export interface TypeInfo {
  id: number;
  /** Declared maximum length (bytes) for variable-length types; 0xffff means a PLP (max) type. */
  maxLength: number;
  precision?: number;
  scale?: number;
}

const FIXED_LENGTH: Record<number, number> = {
  31: 0, // NULLTYPE
  48: 1, // INT1
  50: 1, // BIT
  52: 2, // INT2
  56: 4, // INT4
  127: 8, // INT8
  59: 4, // FLT4
  62: 8, // FLT8
  61: 8, // DATETIME
  58: 4, // DATETIM4
  60: 8, // MONEY
  122: 4, // MONEY4
};
const BYTELEN_TYPES = new Set([0x26, 0x68, 0x6d, 0x6e, 0x6f, 0x24]); // INTN BITN FLTN MONEYN DATETIMN GUID
const DECIMAL_TYPES = new Set([0x6a, 0x6c]); // DECIMALN NUMERICN
const SCALED_TIME_TYPES = new Set([0x29, 0x2a, 0x2b]); // TIMEN DATETIME2N DATETIMEOFFSETN
const DATE_TYPE = 0x28;
const COLLATED_USHORT_TYPES = new Set([0xa7, 0xaf, 0xe7, 0xef]); // BIGVARCHR BIGCHAR NVARCHAR NCHAR
const BINARY_USHORT_TYPES = new Set([0xa5, 0xad]); // BIGVARBIN BIGBINARY

/** Reads a TYPE_INFO (MS-TDS 2.2.5.5.1). */
export function readTypeInfo(r: ByteReader): TypeInfo {
  const id = r.u8();
  if (id in FIXED_LENGTH) return { id, maxLength: FIXED_LENGTH[id] ?? 0 };
  if (BYTELEN_TYPES.has(id)) return { id, maxLength: r.u8() };
  if (DECIMAL_TYPES.has(id)) {
    const maxLength = r.u8();
    const precision = r.u8();
    const scale = r.u8();
    return { id, maxLength, precision, scale };
  }
  if (SCALED_TIME_TYPES.has(id)) return { id, maxLength: 0, scale: r.u8() };
  if (id === DATE_TYPE) return { id, maxLength: 3 };
  if (COLLATED_USHORT_TYPES.has(id)) {
    const maxLength = r.u16le();
    r.bytes(5); // collation
    return { id, maxLength };
  }
  if (BINARY_USHORT_TYPES.has(id)) return { id, maxLength: r.u16le() };
  throw new Error(`TDS test double: unsupported TYPE_INFO 0x${id.toString(16)}`);
}

/** Reads one value of the given type; returns a JS value good enough to assert on. */
export function readValue(r: ByteReader, t: TypeInfo): unknown {
  if (t.id in FIXED_LENGTH) return decodeFixed(t.id, r.bytes(t.maxLength));
  if (
    BYTELEN_TYPES.has(t.id) ||
    DECIMAL_TYPES.has(t.id) ||
    SCALED_TIME_TYPES.has(t.id) ||
    t.id === DATE_TYPE
  ) {
    const len = r.u8();
    if (len === 0) return null;
    const data = r.bytes(len);
    return decodeByteLen(t, data);
  }
  if (COLLATED_USHORT_TYPES.has(t.id) || BINARY_USHORT_TYPES.has(t.id)) {
    const data = t.maxLength === 0xffff ? readPlp(r) : readUShortLen(r);
    if (data === null) return null;
    if (BINARY_USHORT_TYPES.has(t.id)) return new Uint8Array(data);
    return t.id === 0xe7 || t.id === 0xef ? data.toString("ucs2") : data.toString("latin1");
  }
  throw new Error(`TDS test double: unsupported value type 0x${t.id.toString(16)}`);
}

function readUShortLen(r: ByteReader): Buffer | null {
  const len = r.u16le();
  return len === 0xffff ? null : r.bytes(len);
}

/** PLP_BODY (MS-TDS 2.2.5.2.3): total length, then chunks ending with a zero-length chunk. */
function readPlp(r: ByteReader): Buffer | null {
  const total = r.u64le();
  if (total === 0xffffffffffffffffn) return null;
  const chunks: Buffer[] = [];
  for (;;) {
    const len = r.u32le();
    if (len === 0) break;
    chunks.push(r.bytes(len));
  }
  return Buffer.concat(chunks);
}

function decodeFixed(id: number, data: Buffer): unknown {
  switch (id) {
    case 0x30:
      return data.readUInt8(0);
    case 0x32:
      return data.readUInt8(0) !== 0;
    case 0x34:
      return data.readInt16LE(0);
    case 0x38:
      return data.readInt32LE(0);
    case 0x7f:
      return data.readBigInt64LE(0);
    case 0x3b:
      return data.readFloatLE(0);
    case 0x3e:
      return data.readDoubleLE(0);
    default:
      return data.toString("hex");
  }
}

function decodeByteLen(t: TypeInfo, data: Buffer): unknown {
  switch (t.id) {
    case 0x26:
      if (data.length === 1) return data.readUInt8(0);
      if (data.length === 2) return data.readInt16LE(0);
      if (data.length === 4) return data.readInt32LE(0);
      return data.readBigInt64LE(0);
    case 0x68:
      return data.readUInt8(0) !== 0;
    case 0x6d:
      return data.length === 4 ? data.readFloatLE(0) : data.readDoubleLE(0);
    case 0x6a:
    case 0x6c:
      return decodeDecimal(data, t.scale ?? 0);
    case DATE_TYPE:
      return formatDays(data.readUIntLE(0, 3));
    case 0x2a: {
      const timeLen = data.length - 3;
      const ticks = data.readUIntLE(0, timeLen);
      const days = data.readUIntLE(timeLen, 3);
      const ms = Number(ticks) / 10 ** ((t.scale ?? 7) - 3);
      return new Date(daysToEpochMs(days) + Math.floor(ms));
    }
    default:
      return data.toString("hex");
  }
}

function decodeDecimal(data: Buffer, scale: number): string {
  const negative = data.readUInt8(0) === 0;
  let magnitude = 0n;
  for (let i = data.length - 1; i >= 1; i--) magnitude = (magnitude << 8n) | BigInt(data.readUInt8(i));
  const digits = magnitude.toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  const fraction = scale > 0 ? `.${digits.slice(digits.length - scale)}` : "";
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

/** Days since 0001-01-01 to milliseconds since the Unix epoch (proleptic Gregorian). */
function daysToEpochMs(days: number): number {
  const DAYS_0001_TO_1970 = 719162;
  return (days - DAYS_0001_TO_1970) * 86_400_000;
}

function formatDays(days: number): string {
  return new Date(daysToEpochMs(days)).toISOString().slice(0, 10);
}

// ---- encoding scripted result sets (server to client) ----

/** A column type a test can script into a result set. */
export type ScriptedType =
  | { kind: "bigint" }
  | { kind: "int" }
  | { kind: "bit" }
  | { kind: "float" }
  | { kind: "decimal"; precision: number; scale: number }
  | { kind: "nvarchar"; length: number }
  | { kind: "date" }
  | { kind: "datetime2"; scale: number }
  | { kind: "varbinary"; length: number };

export interface ScriptedColumn {
  name: string;
  type: ScriptedType;
}

/** Latin1_General_CI_AS, the collation the double announces and tags string columns with. */
export const COLLATION = Buffer.from([0x09, 0x04, 0xd0, 0x00, 0x34]);

export function writeTypeInfo(w: ByteWriter, t: ScriptedType): void {
  switch (t.kind) {
    case "bigint":
      w.u8(0x26).u8(8);
      return;
    case "int":
      w.u8(0x26).u8(4);
      return;
    case "bit":
      w.u8(0x68).u8(1);
      return;
    case "float":
      w.u8(0x6d).u8(8);
      return;
    case "decimal":
      w.u8(0x6a).u8(decimalLength(t.precision)).u8(t.precision).u8(t.scale);
      return;
    case "nvarchar":
      if (t.length > 4000)
        throw new Error("TDS test double: scripted nvarchar is limited to 4000 characters");
      w.u8(0xe7)
        .u16le(t.length * 2)
        .raw(COLLATION);
      return;
    case "date":
      w.u8(0x28);
      return;
    case "datetime2":
      w.u8(0x2a).u8(t.scale);
      return;
    case "varbinary":
      if (t.length > 8000) throw new Error("TDS test double: scripted varbinary is limited to 8000 bytes");
      w.u8(0xa5).u16le(t.length);
      return;
  }
}

function decimalLength(precision: number): number {
  if (precision <= 9) return 5;
  if (precision <= 19) return 9;
  if (precision <= 28) return 13;
  return 17;
}

/** Writes one value of a scripted column. Decimals are given as strings, dates as `YYYY-MM-DD`. */
export function writeValue(w: ByteWriter, t: ScriptedType, value: unknown): void {
  if (value === null || value === undefined) {
    if (t.kind === "nvarchar" || t.kind === "varbinary") w.u16le(0xffff);
    else w.u8(0);
    return;
  }
  switch (t.kind) {
    case "bigint": {
      const b = Buffer.alloc(8);
      b.writeBigInt64LE(BigInt(value as bigint | number | string));
      w.u8(8).raw(b);
      return;
    }
    case "int":
      w.u8(4).i32le(Number(value));
      return;
    case "bit":
      w.u8(1).u8(value ? 1 : 0);
      return;
    case "float": {
      const b = Buffer.alloc(8);
      b.writeDoubleLE(Number(value));
      w.u8(8).raw(b);
      return;
    }
    case "decimal": {
      const text = String(value);
      const negative = text.startsWith("-");
      const [whole = "0", fraction = ""] = text.replace(/^-/, "").split(".");
      const magnitude = BigInt(whole + fraction.padEnd(t.scale, "0").slice(0, t.scale));
      const len = decimalLength(t.precision);
      const b = Buffer.alloc(len - 1);
      let m = magnitude;
      for (let i = 0; i < b.length; i++) {
        b.writeUInt8(Number(m & 0xffn), i);
        m >>= 8n;
      }
      w.u8(len)
        .u8(negative ? 0 : 1)
        .raw(b);
      return;
    }
    case "nvarchar": {
      const bytes = Buffer.from(String(value), "ucs2");
      w.u16le(bytes.length).raw(bytes);
      return;
    }
    case "date": {
      const days = Math.round(Date.parse(`${String(value)}T00:00:00Z`) / 86_400_000) + 719162;
      const b = Buffer.alloc(3);
      b.writeUIntLE(days, 0, 3);
      w.u8(3).raw(b);
      return;
    }
    case "datetime2": {
      const date = value instanceof Date ? value : new Date(String(value));
      const ms = date.getTime();
      const days = Math.floor(ms / 86_400_000) + 719162;
      const msOfDay = ms - Math.floor(ms / 86_400_000) * 86_400_000;
      const timeLen = t.scale <= 2 ? 3 : t.scale <= 4 ? 4 : 5;
      const ticks = (BigInt(msOfDay) * 10n ** BigInt(t.scale)) / 1000n;
      const b = Buffer.alloc(timeLen + 3);
      b.writeUIntLE(Number(ticks), 0, timeLen);
      b.writeUIntLE(days, timeLen, 3);
      w.u8(b.length).raw(b);
      return;
    }
    case "varbinary": {
      const bytes = Buffer.from(value as Uint8Array);
      w.u16le(bytes.length).raw(bytes);
      return;
    }
  }
}
