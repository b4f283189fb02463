// Row batches travel column by column (src/adapters/batch.ts); these pin the conversions between
// their typed form and cells, and a round trip of every DuckDB type through stream() and load().
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  batchFromRows,
  batchRows,
  formatDecimal,
  isValid,
  parseDecimal,
  sliceBatch,
  typedVector,
} from "../../src/adapters/batch.js";
import type { Adapter, Column, RowBatch, Session } from "../../src/adapters/contract.js";
import { DuckDbEngine, createDuckDbAdapter } from "../../src/adapters/duckdb/index.js";
import { DuckDbConnection } from "../../src/project/connection-schema.js";

describe("decimal text", () => {
  it.each([
    ["12.34", 2, 1234n],
    ["-0.05", 2, -5n],
    ["+7", 2, 700n],
    [".5", 1, 5n],
    ["1e3", 2, 100000n],
    ["1.5E-1", 2, 15n],
    ["12.345", 2, 1235n],
    ["-12.345", 2, -1235n],
    ["12.344", 2, 1234n],
    ["0.004", 2, 0n],
    ["0.005", 2, 1n],
    ["12345678901234567890.1234567891", 10, 123456789012345678901234567891n],
  ] as const)("%s at scale %i is %s unscaled", (text, scale, unscaled) => {
    expect(parseDecimal(text, scale)).toBe(unscaled);
  });

  it("takes numbers and bigints", () => {
    expect(parseDecimal(0.1, 2)).toBe(10n);
    expect(parseDecimal(-3, 1)).toBe(-30n);
    expect(parseDecimal(42n, 3)).toBe(42000n);
  });

  it("refuses what is not a number", () => {
    expect(() => parseDecimal("12,5", 2)).toThrow(/not a decimal number: "12,5"/);
    expect(() => parseDecimal(".", 2)).toThrow(/not a decimal number/);
    expect(() => parseDecimal(Number.NaN, 2)).toThrow(/not a decimal number/);
  });

  it.each([
    [1234n, 2, "12.34"],
    [-5n, 2, "-0.05"],
    [5n, 0, "5"],
    [0n, 3, "0.000"],
    [-123456789012345678n, 18, "-0.123456789012345678"],
  ] as const)("%s unscaled at scale %i reads %s", (unscaled, scale, text) => {
    expect(formatDecimal(unscaled, scale)).toBe(text);
  });
});

describe("typed vectors", () => {
  const columns: Column[] = [
    { name: "i", nativeType: "INTEGER", type: { kind: "integer", bits: 32 } },
    { name: "b", nativeType: "BIGINT", type: { kind: "integer", bits: 64 } },
    { name: "d", nativeType: "DECIMAL(18,2)", type: { kind: "decimal", precision: 18, scale: 2 } },
    { name: "w", nativeType: "DECIMAL(38,4)", type: { kind: "decimal", precision: 38, scale: 4 } },
    { name: "day", nativeType: "DATE", type: { kind: "date" } },
    { name: "at", nativeType: "TIMESTAMP", type: { kind: "timestamp" } },
    { name: "f", nativeType: "DOUBLE", type: { kind: "float", bits: 64 } },
    { name: "s", nativeType: "VARCHAR", type: { kind: "string" } },
  ];
  const rows = [
    [
      1,
      9_007_199_254_740_993n,
      "-12.30",
      "12345678901234567890123.4567",
      "2024-02-29",
      new Date(Date.UTC(2024, 1, 29, 23, 59, 58, 123)),
      1.5,
      "ção",
    ],
    [null, null, null, null, null, null, null, null],
    [-2147483648, -1n, "0.01", "0.0000", "1969-12-31", "1969-12-31 23:59:59.999999", -0, ""],
  ];

  it("turn cells into typed arrays and read back the same cells", () => {
    const batch = batchFromRows(columns, rows);
    const typed: RowBatch = {
      ...batch,
      vectors: batch.vectors.map((v, c) => typedVector(columns[c]!.type, v, batch.rowCount)),
    };
    expect(typed.vectors.map((v) => v.encoding)).toEqual([
      "int32",
      "int64",
      "int64",
      "cells",
      "int32",
      "int64",
      "float64",
      "cells",
    ]);
    const back = batchRows(typed);
    expect(back[0]).toEqual([
      1,
      9_007_199_254_740_993n,
      "-12.30",
      "12345678901234567890123.4567",
      "2024-02-29",
      new Date(Date.UTC(2024, 1, 29, 23, 59, 58, 123)),
      1.5,
      "ção",
    ]);
    expect(back[1]).toEqual([null, null, null, null, null, null, null, null]);
    // Timestamp text without a zone is UTC; sub-millisecond digits are kept in the typed form.
    expect(typed.vectors[5]!.encoding === "int64" && typed.vectors[5]!.values[2]).toBe(-1n);
    expect(back[2]).toEqual([-2147483648, -1n, "0.01", "0.0000", "1969-12-31", new Date(-1), -0, ""]);
  });

  it("keep years before 100 as they are", () => {
    const days = typedVector(
      { kind: "date" },
      { encoding: "cells", values: ["0001-01-01", "0099-12-31"] },
      2,
    );
    const batch = {
      columns: [{ name: "d", nativeType: "DATE", type: { kind: "date" as const } }],
      rowCount: 2,
      vectors: [days],
    };
    expect(batchRows(batch).map((r) => r[0])).toEqual(["0001-01-01", "0099-12-31"]);
    const micros = typedVector(
      { kind: "timestamp" },
      { encoding: "cells", values: ["0050-06-15 12:00:00"] },
      1,
    );
    const at = batchRows({
      columns: [{ name: "t", nativeType: "TIMESTAMP", type: { kind: "timestamp" } }],
      rowCount: 1,
      vectors: [micros],
    })[0]![0] as Date;
    expect([at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate(), at.getUTCHours()]).toEqual([
      50, 5, 15, 12,
    ]);
  });

  it("keep text with a zone at its instant", () => {
    const v = typedVector(
      { kind: "timestamp" },
      { encoding: "cells", values: ["2024-01-01T12:00:00+02:00", "2024-01-01 10:00:00Z"] },
      2,
    );
    expect(v.encoding === "int64" && [...v.values]).toEqual([1704103200000000n, 1704103200000000n]);
  });

  it("refuse a date that is not one, naming the value", () => {
    expect(() => typedVector({ kind: "date" }, { encoding: "cells", values: ["yesterday"] }, 1)).toThrow(
      /not a date: "yesterday"/,
    );
  });

  it("slice with their NULLs at any offset", () => {
    const values = Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? null : i));
    const batch = {
      columns: [columns[0]!],
      rowCount: 40,
      vectors: [typedVector(columns[0]!.type, { encoding: "cells", values }, 40)],
    };
    for (const [start, end] of [
      [0, 40],
      [3, 29],
      [8, 16],
      [13, 14],
    ] as const) {
      const part = sliceBatch(batch, start, end);
      expect(part.rowCount).toBe(end - start);
      expect(batchRows(part).map((r) => r[0])).toEqual(values.slice(start, end));
      const v = part.vectors[0]!;
      if (v.encoding !== "cells")
        expect(Array.from({ length: end - start }, (_, i) => isValid(v.validity, i))).toEqual(
          values.slice(start, end).map((x) => x !== null),
        );
    }
  });
});

describe("DuckDB stream() → load(), every type, column by column", () => {
  let dir: string;
  let engine: DuckDbEngine;
  let source: Adapter;
  let target: Adapter;
  let src: Session;
  let dst: Session;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "sluice-batch-"));
    engine = new DuckDbEngine();
    source = createDuckDbAdapter(
      "src",
      DuckDbConnection.parse({ type: "duckdb", path: join(dir, "src.duckdb") }),
      engine,
      dir,
      "t",
    );
    target = createDuckDbAdapter(
      "dst",
      DuckDbConnection.parse({ type: "duckdb", path: join(dir, "dst.duckdb") }),
      engine,
      dir,
      "t",
    );
    src = await source.open();
    dst = await target.open();
    // 5,000 rows span three DuckDB chunks; NULLs fall at different places in each column; long
    // strings come in an order unrelated to where DuckDB stored them.
    await src.execute(`CREATE TABLE src.main.every AS
      SELECT
        i::INTEGER AS id,
        CASE WHEN i % 7 = 0 THEN NULL ELSE (i % 100 - 50)::TINYINT END AS tiny,
        (i * 3 - 7000)::SMALLINT AS small,
        (i % 256)::UTINYINT AS utiny,
        (i * 13)::USMALLINT AS usmall,
        CASE WHEN i % 11 = 0 THEN NULL ELSE (4000000000 - i)::UINTEGER END AS uint,
        (9007199254740993 + i)::BIGINT AS big,
        (18446744073709551615 - i)::UBIGINT AS ubig,
        (99999999999999999999999999999999999999 - i)::HUGEINT AS huge,
        (i / 10.0)::DECIMAL(4, 1) AS d4,
        CASE WHEN i % 5 = 0 THEN NULL ELSE (i * 1.001)::DECIMAL(9, 3) END AS d9,
        (i * 1234567.89)::DECIMAL(18, 2) AS d18,
        ('12345678901234567890.' || lpad(i::VARCHAR, 10, '0'))::DECIMAL(38, 10) AS d38,
        (i / 3)::FLOAT AS f32,
        CASE WHEN i % 13 = 0 THEN NULL ELSE i / 7 END::DOUBLE AS f64,
        CASE WHEN i % 3 = 0 THEN NULL ELSE i % 2 = 0 END AS flag,
        DATE '1969-12-25' + i::INTEGER AS day,
        TIMESTAMP '1969-12-31 23:00:00.123456' + to_microseconds(i * 1000003) AS ts,
        make_timestamp(i * 1000000)::TIMESTAMP_S AS ts_s,
        make_timestamp(i * 1000)::TIMESTAMP_MS AS ts_ms,
        make_timestamp(i * 1000 + 7)::TIMESTAMP_NS AS ts_ns,
        CASE WHEN i % 17 = 0 THEN NULL ELSE 'k' || i END AS short_text,
        CASE WHEN i % 4 = 0 THEN NULL WHEN i % 9 = 0 THEN '' ELSE repeat('Łódź ✓ 😀 ', 1 + i % 5) || i END AS long_text,
        CASE WHEN i % 6 = 0 THEN NULL ELSE ('\\x' || lpad(to_hex(i), 4, '0'))::BLOB END AS bytes
      FROM range(5000) r(i)`);
  });

  afterAll(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const columnsOf = async (session: Session, rel: string) =>
    (
      await session.query(
        `SELECT column_name, data_type FROM information_schema.columns WHERE table_catalog || '.' || table_name = '${rel}' ORDER BY ordinal_position`,
      )
    ).rows;

  // Every column as comparable text: timestamps as epoch microseconds (nanoseconds are cut to them).
  const comparable = (cols: string[]) =>
    cols.map((c) => (c.startsWith("ts") ? `epoch_us(${c}::TIMESTAMP)` : `${c}::VARCHAR`)).join(", ");

  it("lands every value exactly, in the widened type where the engine-neutral type is wider", async () => {
    const read = `SELECT * FROM src.main.every ORDER BY hash(id)`;
    const result = await target.load(dst, { schema: "main", name: "every" }, src.stream(read), {
      kind: "replace",
    });
    expect(result.rowsAffected).toBe(5000);
    const types = Object.fromEntries((await columnsOf(dst, "dst.every")).map(([name, type]) => [name, type]));
    expect(types).toMatchObject({
      tiny: "TINYINT",
      utiny: "SMALLINT",
      usmall: "INTEGER",
      uint: "BIGINT",
      ubig: "DECIMAL(20,0)",
      huge: "DECIMAL(38,0)",
      d4: "DECIMAL(4,1)",
      d38: "DECIMAL(38,10)",
      f32: "FLOAT",
      ts_s: "TIMESTAMP",
      long_text: "VARCHAR",
      bytes: "BLOB",
    });
    const cols = (await columnsOf(src, "src.every")).map(([name]) => String(name));
    for (const [a, b] of [
      ["src", "dst"],
      ["dst", "src"],
    ]) {
      const { rows } = await dst.query(
        `SELECT count(*) FROM (SELECT ${comparable(cols)} FROM ${a}.main.every EXCEPT ALL SELECT ${comparable(cols)} FROM ${b}.main.every)`,
      );
      expect(rows[0]?.[0], `rows of ${a} missing from ${b}`).toBe(0n);
    }
  });

  it("reads the same cells as the engine's own values, in batches of at most batchSize", async () => {
    const sizes: number[] = [];
    const rows = [];
    for await (const batch of src.stream(
      `SELECT id, d18, day, ts, long_text, flag FROM src.main.every WHERE id IN (0, 1, 8, 4999) ORDER BY id`,
      3,
    )) {
      sizes.push(batch.rowCount);
      rows.push(...batchRows(batch));
    }
    expect(sizes).toEqual([3, 1]);
    expect(rows[0]).toEqual([
      0,
      "0.00",
      "1969-12-25",
      new Date(Date.UTC(1969, 11, 31, 23, 0, 0, 123)),
      null,
      null,
    ]);
    expect(rows[1]).toEqual([
      1,
      "1234567.89",
      "1969-12-26",
      new Date(Date.UTC(1969, 11, 31, 23, 0, 1, 123)),
      "Łódź ✓ 😀 Łódź ✓ 😀 1",
      false,
    ]);
    expect(rows[2]).toEqual([
      8,
      "9876543.12",
      "1970-01-02",
      new Date(Date.UTC(1969, 11, 31, 23, 0, 8, 123)),
      null,
      true,
    ]);
    expect(rows[3]?.[4]).toBe(`${"Łódź ✓ 😀 ".repeat(5)}4999`);
  });

  it("replaces a table or a view whole: the staged table itself when its types are the real ones, else a copy", async () => {
    const names = async () =>
      (
        await dst.query(`SELECT table_name FROM duckdb_tables() WHERE database_name = 'dst' ORDER BY 1`)
      ).rows.map((r) => r[0]);
    const asIs = `SELECT id, big, d18, long_text, day, ts FROM src.main.every`;
    const widened = `SELECT id, tiny, d4 FROM src.main.every WHERE id < 10`;
    await dst.execute(`CREATE OR REPLACE VIEW dst.main.swapped AS SELECT 1 AS x`);
    for (const [select, expected] of [
      [asIs, 5000n],
      [widened, 10n],
      [asIs, 5000n],
    ] as const) {
      const before = await names();
      const result = await target.load(
        dst,
        { database: "dst", schema: "main", name: "swapped" },
        src.stream(select),
        { kind: "replace" },
      );
      expect(result.rowsAffected).toBe(Number(expected));
      const { rows } = await dst.query(
        `SELECT count(*) FROM (SELECT * FROM dst.main.swapped EXCEPT ALL ${select})`,
      );
      expect(rows[0]?.[0]).toBe(0n);
      expect((await dst.query(`SELECT count(*) FROM dst.main.swapped`)).rows[0]?.[0]).toBe(expected);
      // No staging or temporary table is left behind, and nothing else changed.
      expect(await names()).toEqual(
        [...new Set([...before.filter((n) => n !== "swapped"), "swapped"])].sort(),
      );
    }
    const types = (await columnsOf(dst, "dst.swapped")).map(([, type]) => type);
    expect(types).toEqual(["INTEGER", "BIGINT", "DECIMAL(18,2)", "VARCHAR", "DATE", "TIMESTAMP"]);
  });

  it("yields one empty batch with the columns for an empty result", async () => {
    const batches: RowBatch[] = [];
    for await (const batch of src.stream(`SELECT id, long_text FROM src.main.every WHERE false`))
      batches.push(batch);
    expect(batches.map((b) => [b.rowCount, b.columns.map((c) => c.name)])).toEqual([
      [0, ["id", "long_text"]],
    ]);
  });
});
