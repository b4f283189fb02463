import { describe, expect, it } from "vitest";
import { describePartitions, PartitionSet } from "../../src/planner/lineage.js";
import { later, watermarkLiteral, windowStart, type Watermark } from "../../src/planner/watermarks.js";
import { fillWatermarks, watermarkPlaceholder } from "../../src/compiler/watermark-placeholders.js";

const ts = (value: string): Watermark => ({ value, kind: "timestamp" });
const num = (value: string): Watermark => ({ value, kind: "number" });

describe("watermarks", () => {
  it.each([
    [ts("2026-11-20 10:00:00.123456"), "duckdb", "CAST('2026-11-20 10:00:00.123456' AS TIMESTAMP)"],
    [ts("2026-11-20 10:00:00.1234567"), "sqlserver", "CAST(N'2026-11-20 10:00:00.1234567' AS DATETIME2(7))"],
    [ts("2026-11-20 10:00:00"), "hive", "CAST('2026-11-20 10:00:00' AS TIMESTAMP)"],
    [num("42"), "duckdb", "42"],
    [{ value: "a'b", kind: "string" } as Watermark, "sqlserver", "N'a''b'"],
  ] as const)("writes %j on %s as %s", (w, engine, literal) => {
    expect(watermarkLiteral(w, engine)).toBe(literal);
  });

  it("refuses a numeric watermark that is not a number", () => {
    expect(() => watermarkLiteral(num("1; drop table x"), "duckdb")).toThrow(/not a number/);
  });

  it.each([
    [ts("2026-11-20 10:00:00"), null, "duckdb", "CAST('2026-11-20 10:00:00' AS TIMESTAMP)"],
    [ts("2026-11-20 10:00:00"), "10 minutes", "duckdb", "(CAST('2026-11-20 10:00:00' AS TIMESTAMP) - INTERVAL '10' MINUTE)"],
    [ts("2026-11-20 10:00:00"), "2 hours", "sqlserver", "DATEADD(hour, -2, CAST(N'2026-11-20 10:00:00' AS DATETIME2(7)))"],
    [num("100"), "5", "duckdb", "(100 - 5)"],
  ] as const)("starts the window of %j with lookback %j on %s at %s", (w, lookback, engine, sql) => {
    expect(windowStart(w, lookback, engine)).toBe(sql);
  });

  it("rejects a lookback it cannot read", () => {
    expect(() => windowStart(ts("2026-01-01 00:00:00"), "a while", "duckdb")).toThrow(/cannot read lookback 'a while'/);
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
    expect(fillWatermarks(sql, "source.a.b", "1", "2")).toBe(`x > 1 and x <= 2 and y > ${watermarkPlaceholder("from", "source.c.d")}`);
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
    [Array.from({ length: 8 }, (_, i) => [`2021${String(i + 1).padStart(2, "0")}`]), "8 partitions (202101 … 202108)"],
  ])("describes %j as %s", (partitions, text) => {
    expect(describePartitions(partitions)).toBe(text);
  });
});
