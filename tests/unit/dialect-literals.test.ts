// The literals and partition predicates of each engine's dialect, as tables, and the DuckDB ones
// run on real DuckDB so each literal is shown to read back as the value it was written from.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CellValue, LogicalType, Session } from "../../src/adapters/contract.js";
import { dialectFor, type EngineType } from "../../src/adapters/dialects.js";
import { DuckDbEngine } from "../../src/adapters/duckdb/index.js";
import { stringLiteral } from "../../src/compiler/data-tests.js";

const text: LogicalType = { kind: "string" };
const int: LogicalType = { kind: "integer", bits: 32 };
const big: LogicalType = { kind: "integer", bits: 64 };
const dec: LogicalType = { kind: "decimal", precision: 18, scale: 2 };
const date: LogicalType = { kind: "date" };
const ts: LogicalType = { kind: "timestamp" };
const tstz: LogicalType = { kind: "timestamp", withTimeZone: true };
const tsns: LogicalType = { kind: "timestamp", nanoseconds: true };
const bool: LogicalType = { kind: "boolean" };

type Row = [CellValue, LogicalType, string];

const LITERALS: Record<EngineType, Row[]> = {
  duckdb: [
    [null, text, "CAST(NULL AS VARCHAR)"],
    [null, date, "CAST(NULL AS DATE)"],
    [null, tstz, "CAST(NULL AS TIMESTAMPTZ)"],
    ["it's", text, "'it''s'"],
    ["a\\b", text, "'a\\b'"],
    ["Ωmega – ✓", text, "'Ωmega – ✓'"],
    ["007", text, "'007'"],
    ["NULL", text, "'NULL'"],
    ["", text, "''"],
    ["007", int, "CAST(7 AS INTEGER)"],
    ["9007199254740993", big, "CAST(9007199254740993 AS BIGINT)"],
    ["12.50", dec, "CAST('12.50' AS DECIMAL(18,2))"],
    ["2024-1-1", date, "DATE '2024-01-01'"],
    ["0001-01-01", date, "DATE '0001-01-01'"],
    ["2024-02-29", date, "DATE '2024-02-29'"],
    ["0001-01-01 00:30:00+01", tstz, "TIMESTAMPTZ '0000-12-31 23:30:00+00'"],
    ["2024-03-31 01:30:00", ts, "TIMESTAMP '2024-03-31 01:30:00'"],
    ["2024-03-31 03:30:00+02", tstz, "TIMESTAMPTZ '2024-03-31 01:30:00+00'"],
    ["2024-10-27 02:30:00-05:30", tstz, "TIMESTAMPTZ '2024-10-27 08:00:00+00'"],
    [new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)), tstz, "TIMESTAMPTZ '2024-01-02 03:04:05.678+00'"],
    ["2024-01-01 10:00:00.123456789", tsns, "TIMESTAMP_NS '2024-01-01 10:00:00.123456789'"],
    [true, bool, "TRUE"],
    ["f", bool, "FALSE"],
  ],
  sqlserver: [
    [null, text, "CAST(NULL AS NVARCHAR(MAX))"],
    [null, tstz, "CAST(NULL AS DATETIMEOFFSET(7))"],
    ["it's", text, "N'it''s'"],
    ["a\\b", text, "N'a\\b'"],
    ["Ωmega – ✓", text, "N'Ωmega – ✓'"],
    ["007", text, "N'007'"],
    ["007", int, "CAST(7 AS INT)"],
    ["12.50", dec, "CAST('12.50' AS DECIMAL(18,2))"],
    ["2024-1-1", date, "CAST('2024-01-01' AS DATE)"],
    ["0001-01-01", date, "CAST('0001-01-01' AS DATE)"],
    ["2024-03-31 01:30:00.1234567", ts, "CAST('2024-03-31T01:30:00.1234567' AS DATETIME2(7))"],
    ["2024-03-31 03:30:00+02", tstz, "CAST('2024-03-31T01:30:00+00:00' AS DATETIMEOFFSET(7))"],
    ["2024-01-01 10:00:00.12345670", tsns, "CAST('2024-01-01T10:00:00.1234567' AS DATETIME2(7))"],
    [true, bool, "CAST(1 AS BIT)"],
  ],
  hive: [
    [null, text, "CAST(NULL AS STRING)"],
    [null, date, "CAST(NULL AS DATE)"],
    ["it's", text, "'it\\'s'"],
    ["a\\b", text, "'a\\\\b'"],
    ["line\nnext", text, "'line\\nnext'"],
    ["Ωmega – ✓", text, "'Ωmega – ✓'"],
    ["007", text, "'007'"],
    ["__HIVE_DEFAULT_PARTITION__", text, "'__HIVE_DEFAULT_PARTITION__'"],
    ["007", int, "7"],
    ["9007199254740993", big, "9007199254740993L"],
    ["12.50", dec, "CAST('12.50' AS DECIMAL(18,2))"],
    ["2024-1-1", date, "DATE '2024-01-01'"],
    ["0001-01-01", date, "DATE '0001-01-01'"],
    ["2024-03-31 03:30:00+02", tstz, "TIMESTAMP '2024-03-31 01:30:00'"],
    ["2024-01-01 10:00:00.123456", tsns, "TIMESTAMP '2024-01-01 10:00:00.123456'"],
    [false, bool, "FALSE"],
  ],
  postgres: [
    [null, text, "CAST(NULL AS TEXT)"],
    [null, date, "CAST(NULL AS DATE)"],
    [null, tstz, "CAST(NULL AS TIMESTAMPTZ)"],
    ["it's", text, "'it''s'"],
    ["a\\b", text, "'a\\b'"],
    ["Ωmega – ✓", text, "'Ωmega – ✓'"],
    ["007", text, "'007'"],
    ["NULL", text, "'NULL'"],
    ["007", int, "CAST(7 AS INTEGER)"],
    ["9007199254740993", big, "CAST(9007199254740993 AS BIGINT)"],
    ["12.50", dec, "CAST('12.50' AS NUMERIC(18,2))"],
    ["2024-1-1", date, "DATE '2024-01-01'"],
    ["0001-01-01", date, "DATE '0001-01-01'"],
    ["2024-03-31 01:30:00", ts, "TIMESTAMP '2024-03-31 01:30:00'"],
    ["2024-03-31 03:30:00+02", tstz, "TIMESTAMPTZ '2024-03-31 01:30:00+00'"],
    [new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)), tstz, "TIMESTAMPTZ '2024-01-02 03:04:05.678+00'"],
    [true, bool, "TRUE"],
    ["f", bool, "FALSE"],
  ],
  mysql: [
    [null, text, "CAST(NULL AS CHAR)"],
    [null, int, "CAST(NULL AS SIGNED)"],
    [null, tstz, "CAST(NULL AS DATETIME(6))"],
    ["it's", text, "'it''s'"],
    ["a\\b", text, "'a\\\\b'"],
    ["Ωmega – ✓", text, "'Ωmega – ✓'"],
    ["007", text, "'007'"],
    ["007", int, "7"],
    ["9007199254740993", big, "9007199254740993"],
    ["12.50", dec, "CAST('12.50' AS DECIMAL(18,2))"],
    ["1.5", { kind: "float", bits: 64 }, "1.5E0"],
    ["2024-1-1", date, "DATE '2024-01-01'"],
    ["0001-01-01", date, "DATE '0001-01-01'"],
    ["2024-03-31 01:30:00.123456", ts, "CAST('2024-03-31 01:30:00.123456' AS DATETIME(6))"],
    ["2024-03-31 03:30:00+02", tstz, "CAST('2024-03-31 01:30:00' AS DATETIME(6))"],
    [true, bool, "TRUE"],
  ],
};

describe.each(Object.keys(LITERALS) as EngineType[])("%s literals", (engine) => {
  it.each(LITERALS[engine])("writes %j of %j as %s", (value, type, sql) => {
    expect(dialectFor(engine).typedLiteral(value, type)).toBe(sql);
  });

  it.each([
    ["12x", int, /not an integer/],
    ["1,5", dec, /not a decimal/],
    ["2024-13-01", date, /no day|not a date/],
    ["2024-02-30", date, /has no day 30/],
    ["0099-02-29", date, /has no day 29/],
    ["2023-02-29", date, /has no day 29/],
    ["yesterday", ts, /not a timestamp/],
    ["maybe", bool, /not a boolean/],
  ] as [string, LogicalType, RegExp][])("refuses %j as %j", (value, type, message) => {
    expect(() => dialectFor(engine).typedLiteral(value, type)).toThrow(message);
  });
});

describe("digits an engine would drop", () => {
  it("are refused, not rounded: SQL Server keeps 100 ns, Spark microseconds", () => {
    expect(() => dialectFor("sqlserver").typedLiteral("2024-01-01 10:00:00.123456789", tsns)).toThrow(
      /9 fractional digits; this engine keeps 7/,
    );
    expect(() => dialectFor("hive").typedLiteral("2024-01-01 10:00:00.1234567", tsns)).toThrow(/keeps 6/);
    expect(() => dialectFor("duckdb").typedLiteral("2024-01-01 10:00:00.1234567", ts)).toThrow(/keeps 6/);
    expect(() => dialectFor("postgres").typedLiteral("2024-01-01 10:00:00.1234567", ts)).toThrow(/keeps 6/);
    expect(() => dialectFor("mysql").typedLiteral("2024-01-01 10:00:00.1234567", ts)).toThrow(/keeps 6/);
  });

  it("a float MySQL cannot store (NaN, infinities) is refused, not written as text", () => {
    expect(() => dialectFor("mysql").typedLiteral("NaN", { kind: "float", bits: 64 })).toThrow(
      /MySQL has no value for NaN/,
    );
    expect(dialectFor("postgres").typedLiteral("NaN", { kind: "float", bits: 64 })).toBe(
      "CAST('NaN' AS DOUBLE PRECISION)",
    );
  });
});

describe("partition predicates", () => {
  it.each([
    ["duckdb", [[null], [""], ["a'b"]], `("p" IS NULL)\n   OR ("p" = '')\n   OR ("p" = 'a''b')`],
    ["sqlserver", [[null], [""], ["a'b"]], `([p] IN (N'', N'a''b') OR [p] IS NULL)`],
    [
      "hive",
      [[null], [""], ["a\\b"]],
      "(`p` IS NULL)\n   OR (CAST(`p` AS STRING) = '')\n   OR (CAST(`p` AS STRING) = 'a\\\\b')",
    ],
    ["postgres", [[null], [""], ["a'b\\"]], `("p" IS NULL)\n   OR ("p" = '')\n   OR ("p" = 'a''b\\')`],
    ["mysql", [[null], [""], ["a'b\\"]], "(`p` IS NULL)\n   OR (`p` = '')\n   OR (`p` = 'a''b\\\\')"],
  ] as [EngineType, (string | null)[][], string][])(
    "on %s spell NULL as IS NULL and the empty string as itself",
    (engine, partitions, sql) => {
      expect(dialectFor(engine).partitionPredicate(["p"], partitions)).toBe(sql);
    },
  );

  it.each(["duckdb", "sqlserver", "hive", "postgres", "mysql"] as EngineType[])(
    "on %s quote a partition column whose name needs it and refuse an empty set",
    (engine) => {
      const d = dialectFor(engine);
      expect(d.partitionPredicate(["year month", "b"], [["2024", null]], "t.")).toContain(
        `t.${d.quoteIdentifier("year month")}`,
      );
      expect(() => d.partitionPredicate(["p"], [])).toThrow(/empty partition set|at least one partition/);
      expect(() => d.partitionPredicate(["a", "b"], [["x"]])).toThrow(/fewer values than partition columns/);
    },
  );
});

describe("DuckDB literals on DuckDB", () => {
  let engine: DuckDbEngine;
  let session: Session;
  beforeAll(async () => {
    engine = new DuckDbEngine();
    session = await engine.open();
    // Another zone than UTC, so a literal that depended on the session's zone would read back wrong.
    await session.execute("SET TimeZone = 'America/Sao_Paulo'");
  });
  afterAll(async () => {
    await session.close();
    await engine.close();
  });

  it.each([
    ["it's \\ Ω ✓", text, "it's \\ Ω ✓"],
    ["007", text, "007"],
    ["12.50", dec, "12.50"],
    ["2024-1-1", date, "2024-01-01"],
    ["2024-03-31 03:30:00+02", tstz, "2024-03-31 01:30:00+00"],
    ["2024-01-01 10:00:00.123456789", tsns, "2024-01-01 10:00:00.123456789"],
    ["t", bool, "true"],
  ] as [CellValue, LogicalType, string][])("%j as %j reads back as %s", async (value, type, expected) => {
    const d = dialectFor("duckdb");
    // Printed in UTC whatever the session's zone, so the instant, not a wall clock, is compared.
    const printed =
      type.kind === "timestamp" && type.withTimeZone
        ? `strftime(timezone('UTC', ${d.typedLiteral(value, type)}), '%Y-%m-%d %H:%M:%S') || '+00'`
        : d.castText(d.typedLiteral(value, type));
    const { rows } = await session.query(`select ${printed}`);
    expect(rows[0]?.[0]).toBe(expected);
  });

  it("keeps NULL apart from the text 'NULL' and the empty string in a partition filter", async () => {
    const d = dialectFor("duckdb");
    const where = d.partitionPredicate(["p"], [[null]]);
    const { rows } = await session.query(
      `select count(*) from (values (NULL), ('NULL'), (''), ('null')) t(p) where ${where}`,
    );
    expect(Number(rows[0]?.[0])).toBe(1);
  });
});

describe("data-test literals", () => {
  it.each([
    ["hive", "a\nb'c", "'a\\nb\\'c'"],
    ["sqlserver", "Ω'", "N'Ω'''"],
    ["duckdb", "a\\b", "'a\\b'"],
    ["postgres", "a\\b'", "'a\\b'''"],
    ["mysql", "a\\b'", "'a\\\\b'''"],
  ] as [EngineType, string, string][])("come from the %s dialect", (engine, value, sql) => {
    expect(stringLiteral(value, engine)).toBe(sql);
  });
});
