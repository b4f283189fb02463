import { describe, expect, it } from "vitest";
import { describePartitions, PartitionSet } from "../../src/planner/lineage.js";
import { later, watermarkLiteral, windowStart, type Watermark } from "../../src/planner/watermarks.js";
import { fillWatermarks, watermarkPlaceholder } from "../../src/compiler/watermark-placeholders.js";

const ts = (value: string): Watermark => ({ value, kind: "timestamp" });
const num = (value: string): Watermark => ({ value, kind: "number" });
const tz = (value: string): Watermark => ({ value, kind: "timestamptz" });
const ns = (value: string): Watermark => ({ value, kind: "timestamp_ns" });

describe("watermarks", () => {
  it.each([
    [ts("2026-11-20 10:00:00.123456"), "duckdb", "TIMESTAMP '2026-11-20 10:00:00.123456'"],
    [ts("2026-11-20 10:00:00.1234567"), "sqlserver", "CAST('2026-11-20T10:00:00.1234567' AS DATETIME2(7))"],
    [ts("2026-11-20 10:00:00"), "hive", "TIMESTAMP '2026-11-20 10:00:00'"],
    [tz("2026-11-01 05:30:00.5"), "duckdb", "TIMESTAMPTZ '2026-11-01 05:30:00.5+00'"],
    [tz("2026-11-01 05:30:00"), "sqlserver", "CAST('2026-11-01T05:30:00+00:00' AS DATETIMEOFFSET(7))"],
    // Recorded by an earlier sluice as local text with its offset: still the same instant.
    [ts("2026-11-01 01:30:00-04"), "duckdb", "TIMESTAMPTZ '2026-11-01 05:30:00+00'"],
    [ns("2026-11-20 10:00:00.123456789"), "duckdb", "TIMESTAMP_NS '2026-11-20 10:00:00.123456789'"],
    [{ value: "2026-11-20", kind: "date" } as Watermark, "duckdb", "DATE '2026-11-20'"],
    [num("42"), "duckdb", "42"],
    [{ value: "a'b", kind: "string" } as Watermark, "sqlserver", "N'a''b'"],
    [{ value: "a'b", kind: "string" } as Watermark, "hive", "'a\\'b'"],
  ] as const)("writes %j on %s as %s", (w, engine, literal) => {
    expect(watermarkLiteral(w, engine)).toBe(literal);
  });

  it("refuses a numeric watermark that is not a number", () => {
    expect(() => watermarkLiteral(num("1; drop table x"), "duckdb")).toThrow(/not a number/);
  });

  it.each([
    [ts("2026-11-20 10:00:00"), null, "duckdb", "TIMESTAMP '2026-11-20 10:00:00'"],
    [
      ts("2026-11-20 10:00:00"),
      "10 minutes",
      "duckdb",
      "(TIMESTAMP '2026-11-20 10:00:00' - INTERVAL '10' MINUTE)",
    ],
    [
      ts("2026-11-20 10:00:00"),
      "2 hours",
      "sqlserver",
      "DATEADD(hour, -2, CAST('2026-11-20T10:00:00' AS DATETIME2(7)))",
    ],
    // A day back from an instant is 24 hours, so a DST change in the session's zone cannot bend it.
    [
      tz("2026-11-02 05:00:00"),
      "1 day",
      "duckdb",
      "(TIMESTAMPTZ '2026-11-02 05:00:00+00' - INTERVAL '24' HOUR)",
    ],
    [
      { value: "2026-11-20", kind: "date" } as Watermark,
      "2 days",
      "duckdb",
      "CAST((DATE '2026-11-20' - INTERVAL '2' DAY) AS DATE)",
    ],
    [
      { value: "2026-11-20", kind: "date" } as Watermark,
      "2 days",
      "sqlserver",
      "DATEADD(day, -2, CAST('2026-11-20' AS DATE))",
    ],
    [{ value: "2026-11-20", kind: "date" } as Watermark, "2 days", "hive", "date_sub(DATE '2026-11-20', 2)"],
    [num("100"), "5", "duckdb", "(100 - 5)"],
  ] as const)("starts the window of %j with lookback %j on %s at %s", (w, lookback, engine, sql) => {
    expect(windowStart(w, lookback, engine)).toBe(sql);
  });

  it.each([
    [
      { value: "2026-11-20", kind: "date" } as Watermark,
      "3 hours",
      /on a DATE update column must be whole days/,
    ],
    [
      { value: "2026-11-20 10:00", kind: "string" } as Watermark,
      "1 hour",
      /this one holds text; cast it in the source \(a view\) or drop the lookback/,
    ],
    [num("100"), "1 hour", /must be a number for a numeric update column/],
  ] as const)("refuses a lookback on %j of %j, saying what to do", (w, lookback, message) => {
    expect(() => windowStart(w, lookback, "duckdb")).toThrow(message);
  });

  it("rejects a lookback it cannot read", () => {
    expect(() => windowStart(ts("2026-01-01 00:00:00"), "a while", "duckdb")).toThrow(
      /cannot read lookback 'a while'/,
    );
  });

  it.each([
    [num("9"), num("10"), "10"],
    [num("10"), num("9"), "10"],
    [ts("2026-11-20 10:00:00.5"), ts("2026-11-20 10:00:00.25"), "2026-11-20 10:00:00.5"],
    [null, num("3"), "3"],
  ])("takes the later of %j and %j", (a, b, value) => {
    expect(later(a, b)?.value).toBe(value);
  });

  it("fills only the placeholders of the named source", () => {
    const sql = `x > ${watermarkPlaceholder("from", "source.a.b")} and x <= ${watermarkPlaceholder("to", "source.a.b")} and y > ${watermarkPlaceholder("from", "source.c.d")}`;
    expect(fillWatermarks(sql, "source.a.b", "1", "2")).toBe(
      `x > 1 and x <= 2 and y > ${watermarkPlaceholder("from", "source.c.d")}`,
    );
  });
});

describe("partition sets", () => {
  it("keeps each partition once, in order", () => {
    const set = new PartitionSet();
    for (const p of [["202111"], ["202108"], ["202111"]]) set.add(p);
    expect(set.values()).toEqual([["202108"], ["202111"]]);
  });

  it.each([
    [[["202108"]], "partition 202108"],
    [[["202108"], ["202111"]], "partitions 202108, 202111"],
    [
      Array.from({ length: 8 }, (_, i) => [`2021${String(i + 1).padStart(2, "0")}`]),
      "8 partitions (202101 … 202108)",
    ],
  ])("describes %j as %s", (partitions, text) => {
    expect(describePartitions(partitions)).toBe(text);
  });
});
