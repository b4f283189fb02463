// Moves DuckDB data chunks to and from row batches, column by column. Fixed-width columns cross as
// one memory copy per 2,048 values (DuckDB's vectors and the batch's typed arrays share a layout);
// strings cross one value at a time; rare types go through @duckdb/node-api's value objects.
import { isAscii } from "node:buffer";
import duckdb from "@duckdb/node-bindings";
import {
  BIGINT,
  BLOB,
  BOOLEAN,
  DATE,
  DECIMAL,
  DOUBLE,
  DuckDBTypeId,
  INTEGER,
  TIMESTAMP,
  VARCHAR,
  type DuckDBAppender,
  type DuckDBBlobValue,
  type DuckDBDataChunk,
  type DuckDBDateValue,
  type DuckDBDecimalType,
  type DuckDBDecimalValue,
  type DuckDBTimestampValue,
  type DuckDBType,
  type DuckDBValue,
} from "@duckdb/node-api";
import { isValid, microsToDate, typedVector } from "../batch.js";
import type { CellValue, Column, ColumnVector, LogicalType, Validity } from "../contract.js";

/** Rows per DuckDB data chunk (DuckDB's standard vector size). */
export const CHUNK_ROWS = 2048;

/** The columns of a fetched chunk as batch vectors; `types` are the result's DuckDB column types. */
export function readChunk(chunk: DuckDBDataChunk, columns: Column[], types: DuckDBType[]): ColumnVector[] {
  const rowCount = chunk.rowCount;
  return columns.map((column, c) => {
    const raw = duckdb.data_chunk_get_vector(chunk.chunk, c);
    const validity = readValidity(raw, rowCount);
    const type = types[c]!;
    // A copy: the chunk's memory is DuckDB's and goes when the chunk does.
    const width = (bytes: number) => duckdb.vector_get_data(raw, rowCount * bytes).slice();
    switch (type.typeId) {
      case DuckDBTypeId.INTEGER:
      case DuckDBTypeId.DATE:
        return { encoding: "int32", values: new Int32Array(width(4).buffer), validity };
      case DuckDBTypeId.TINYINT:
        return { encoding: "int32", values: Int32Array.from(new Int8Array(width(1).buffer)), validity };
      case DuckDBTypeId.UTINYINT:
        return { encoding: "int32", values: Int32Array.from(width(1)), validity };
      case DuckDBTypeId.SMALLINT:
        return { encoding: "int32", values: Int32Array.from(new Int16Array(width(2).buffer)), validity };
      case DuckDBTypeId.USMALLINT:
        return { encoding: "int32", values: Int32Array.from(new Uint16Array(width(2).buffer)), validity };
      case DuckDBTypeId.BIGINT:
      case DuckDBTypeId.TIMESTAMP:
      case DuckDBTypeId.TIMESTAMP_TZ:
        return { encoding: "int64", values: new BigInt64Array(width(8).buffer), validity };
      case DuckDBTypeId.UINTEGER:
        return {
          encoding: "int64",
          values: BigInt64Array.from(new Uint32Array(width(4).buffer), BigInt),
          validity,
        };
      case DuckDBTypeId.TIMESTAMP_S:
        return {
          encoding: "int64",
          values: new BigInt64Array(width(8).buffer).map((s) => s * 1_000_000n),
          validity,
        };
      case DuckDBTypeId.TIMESTAMP_MS:
        return {
          encoding: "int64",
          values: new BigInt64Array(width(8).buffer).map((ms) => ms * 1000n),
          validity,
        };
      case DuckDBTypeId.TIMESTAMP_NS:
        return {
          encoding: "int64",
          values: new BigInt64Array(width(8).buffer).map((ns) => ns / 1000n),
          validity,
        };
      case DuckDBTypeId.DOUBLE:
        return { encoding: "float64", values: new Float64Array(width(8).buffer), validity };
      case DuckDBTypeId.FLOAT:
        return {
          encoding: "float64",
          values: Float64Array.from(new Float32Array(width(4).buffer)),
          validity,
        };
      case DuckDBTypeId.DECIMAL: {
        const precision = (type as DuckDBDecimalType).width;
        if (precision > 18) break;
        // DuckDB stores a decimal in the narrowest integer its precision fits.
        const unscaled =
          precision <= 4
            ? new Int16Array(width(2).buffer)
            : precision <= 9
              ? new Int32Array(width(4).buffer)
              : null;
        return {
          encoding: "int64",
          values: unscaled ? BigInt64Array.from(unscaled, BigInt) : new BigInt64Array(width(8).buffer),
          validity,
        };
      }
      case DuckDBTypeId.VARCHAR:
        return { encoding: "cells", values: readStrings(raw, rowCount, validity) };
      case DuckDBTypeId.BOOLEAN: {
        const bytes = width(1);
        const values: CellValue[] = new Array(rowCount);
        for (let i = 0; i < rowCount; i++) values[i] = isValid(validity, i) ? bytes[i] !== 0 : null;
        return { encoding: "cells", values };
      }
    }
    const toCell = cellConverter(column.type);
    const vector = chunk.getColumnVector(c);
    const values: CellValue[] = new Array(rowCount);
    for (let i = 0; i < rowCount; i++) values[i] = toCell(vector.getItem(i));
    return { encoding: "cells", values };
  });
}

function readValidity(raw: duckdb.Vector, rowCount: number): Validity | undefined {
  const mask = duckdb.vector_get_validity(raw, Math.ceil(rowCount / 64) * 8);
  return mask ? mask.slice() : undefined;
}

/**
 * VARCHAR values. A string of up to 12 bytes sits inside its 16-byte header; a longer one behind a
 * pointer, and the bindings read pointed-to memory one call at a time (~1 µs each). Strings DuckDB
 * wrote one after another usually lie one after another in memory, so a run of long strings whose
 * pointers only move forward by less than a page past the previous string's end is read with one
 * call spanning the run: every byte of that span lies on a page holding a byte of some string of
 * the run, so it is mapped memory, and the gap bytes are never used.
 */
function readStrings(raw: duckdb.Vector, rowCount: number, validity: Validity | undefined): CellValue[] {
  const data = duckdb.vector_get_data(raw, rowCount * 16);
  const heads = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const out: CellValue[] = new Array(rowCount);
  const runOffsets: number[] = [];
  let i = 0;
  while (i < rowCount) {
    if (!isValid(validity, i)) {
      out[i++] = null;
      continue;
    }
    const length = heads.readUInt32LE(i * 16);
    if (length <= 12) {
      out[i] = text(heads, i * 16 + 4, length);
      i++;
      continue;
    }
    const first = i;
    const start = pointerAt(heads, i);
    let end = start + length;
    runOffsets.length = 0;
    runOffsets.push(0);
    for (i = first + 1; i < rowCount && isValid(validity, i); i++) {
      const next = heads.readUInt32LE(i * 16);
      if (next <= 12) break;
      const at = pointerAt(heads, i);
      if (at < end || at - end >= PAGE_BYTES) break;
      runOffsets.push(at - start);
      end = at + next;
    }
    const bytes = duckdb.get_data_from_pointer(
      data.buffer as ArrayBuffer,
      data.byteOffset + first * 16 + 8,
      end - start,
    );
    const run = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const ascii = isAscii(run);
    for (let k = first; k < i; k++) {
      const offset = runOffsets[k - first]!;
      const n = heads.readUInt32LE(k * 16);
      out[k] = ascii ? run.toString("latin1", offset, offset + n) : text(run, offset, n);
    }
  }
  return out;
}

/** The smallest page size of the platforms Node runs on; see readStrings. */
const PAGE_BYTES = 4096;

function pointerAt(heads: Buffer, row: number): number {
  // User-space addresses fit in 48 bits, so a double holds them exactly.
  return Number(heads.readBigUInt64LE(row * 16 + 8));
}

/** UTF-8 text of `length` bytes at `offset`; ASCII (most text) skips the UTF-8 decoder. */
function text(buffer: Buffer, offset: number, length: number): string {
  for (let b = offset; b < offset + length; b++)
    if (buffer[b]! > 0x7f) return buffer.toString("utf8", offset, offset + length);
  return buffer.toString("latin1", offset, offset + length);
}

type ToCell = (value: DuckDBValue) => CellValue;

/** The converter of one column's DuckDB value objects to cells, for types without a typed path. */
function cellConverter(type: LogicalType): ToCell {
  switch (type.kind) {
    case "integer":
      return type.bits === 64
        ? (v) => (v === null ? null : BigInt(v as bigint))
        : (v) => (v === null ? null : Number(v));
    case "decimal":
    case "date":
      return (v) => (v === null ? null : (v as DuckDBDecimalValue | DuckDBDateValue).toString());
    case "timestamp":
      return (v) => (v === null ? null : microsToDate((v as DuckDBTimestampValue).micros));
    case "binary":
      return (v) => (v === null ? null : (v as DuckDBBlobValue).bytes);
    case "float":
    case "boolean":
      return (v) => (v === null ? null : (v as number | boolean));
    case "string":
      return (v) => (v === null ? null : typeof v === "string" ? v : String(v));
  }
}

/**
 * The type a column is staged under before it is cast to its real type: the type whose vectors
 * hold the batch's typed form as is (so appending is a copy), or text where there is none.
 */
export function stagingType(type: LogicalType): DuckDBType {
  switch (type.kind) {
    case "integer":
      return type.bits === 64 ? BIGINT : INTEGER;
    case "decimal":
      return type.precision <= 18 ? DECIMAL(18, type.scale) : VARCHAR;
    case "float":
      return DOUBLE;
    case "date":
      return DATE;
    case "timestamp":
      return TIMESTAMP;
    case "boolean":
      return BOOLEAN;
    case "string":
      return VARCHAR;
    case "binary":
      return BLOB;
  }
}

/** The expression that reads a staged column back in its real type. */
export function fromStaged(quoted: string, type: LogicalType, native: (t: LogicalType) => string): string {
  return stagingType(type).toString() === native(type) ? quoted : `CAST(${quoted} AS ${native(type)})`;
}

/** Writes batch vectors into a chunk's vectors, `rows` rows from `start`, for a staging table. */
type VectorWriter = (raw: duckdb.Vector, vector: ColumnVector, start: number, rows: number) => void;

/**
 * Appends batches whose columns are `columns` to an appender on a staging table created with
 * `stagingType`, in chunks of `CHUNK_ROWS` through one reused data chunk.
 */
export function batchAppender(
  columns: Column[],
  chunk: DuckDBDataChunk,
): (appender: DuckDBAppender, vectors: ColumnVector[], rowCount: number) => void {
  const writers = columns.map((c) => vectorWriter(c.type));
  return (appender, vectors, rowCount) => {
    const typed = vectors.map((v, c) => typedVector(columns[c]!.type, v, rowCount));
    for (let start = 0; start < rowCount; start += CHUNK_ROWS) {
      const rows = Math.min(CHUNK_ROWS, rowCount - start);
      chunk.reset();
      for (let c = 0; c < writers.length; c++)
        writers[c]!(duckdb.data_chunk_get_vector(chunk.chunk, c), typed[c]!, start, rows);
      chunk.rowCount = rows;
      appender.appendDataChunk(chunk);
    }
  };
}

function vectorWriter(type: LogicalType): VectorWriter {
  switch (type.kind) {
    case "boolean":
      return writeBooleans;
    case "binary":
      return writeCells((raw, i, value) =>
        duckdb.vector_assign_string_element_len(
          raw,
          i,
          value instanceof Uint8Array ? value : Buffer.from(String(value)),
        ),
      );
    case "decimal":
      return type.precision <= 18 ? writeTyped : writeText;
    case "string":
      return writeText;
    default:
      return writeTyped;
  }
}

/** Strings, and decimals too wide for 64 bits (staged as text). */
const writeText = writeCells((raw, i, value) =>
  duckdb.vector_assign_string_element(raw, i, typeof value === "string" ? value : String(value)),
);

/** A typed vector: one copy of the values and one of the validity mask. */
function writeTyped(raw: duckdb.Vector, vector: ColumnVector, start: number, rows: number): void {
  if (vector.encoding === "cells") throw new Error("internal: a typed column arrived as cells");
  const values = vector.values;
  const bytes = values.BYTES_PER_ELEMENT;
  duckdb.copy_data_to_vector(
    raw,
    0,
    values.buffer as ArrayBuffer,
    values.byteOffset + start * bytes,
    rows * bytes,
  );
  if (vector.validity) {
    // `start` is a multiple of CHUNK_ROWS, so the chunk's mask starts on a byte of the batch's mask.
    duckdb.vector_ensure_validity_writable(raw);
    const mask = vector.validity;
    duckdb.copy_data_to_vector_validity(
      raw,
      0,
      mask.buffer as ArrayBuffer,
      mask.byteOffset + start / 8,
      Math.ceil(rows / 8),
    );
  }
}

/** A column of cells, one value at a time, with a validity mask built for its NULLs. */
function writeCells(
  assign: (raw: duckdb.Vector, i: number, value: NonNullable<CellValue>) => void,
): VectorWriter {
  return (raw, vector, start, rows) => {
    const values = cellsOf(vector);
    const nulls = new NullMask(rows);
    for (let i = 0; i < rows; i++) {
      const value = values[start + i];
      if (value === null || value === undefined) nulls.set(i);
      else assign(raw, i, value);
    }
    nulls.writeTo(raw);
  };
}

/** Booleans as one byte each, copied in one go. Text and numbers count as SQL would cast them. */
function writeBooleans(raw: duckdb.Vector, vector: ColumnVector, start: number, rows: number): void {
  const values = cellsOf(vector);
  const bytes = new Uint8Array(rows);
  const nulls = new NullMask(rows);
  for (let i = 0; i < rows; i++) {
    const value = values[start + i];
    if (value === null || value === undefined) nulls.set(i);
    else
      bytes[i] =
        value === true ||
        value === 1 ||
        value === 1n ||
        (typeof value === "string" && /^\s*(true|t|1|yes)\s*$/i.test(value))
          ? 1
          : 0;
  }
  duckdb.copy_data_to_vector(raw, 0, bytes.buffer, 0, rows);
  nulls.writeTo(raw);
}

function cellsOf(vector: ColumnVector): CellValue[] {
  if (vector.encoding !== "cells") throw new Error("internal: a cell column arrived typed");
  return vector.values;
}

/** The validity mask of one chunk's column, allocated on its first NULL. */
class NullMask {
  private mask: Uint8Array | undefined;
  constructor(private readonly rows: number) {}
  set(i: number): void {
    this.mask ??= new Uint8Array(Math.ceil(this.rows / 8)).fill(0xff);
    this.mask[i >> 3]! &= ~(1 << (i & 7));
  }
  writeTo(raw: duckdb.Vector): void {
    if (!this.mask) return;
    duckdb.vector_ensure_validity_writable(raw);
    duckdb.copy_data_to_vector_validity(raw, 0, this.mask.buffer as ArrayBuffer, 0, this.mask.byteLength);
  }
}
