// The exact text of timestamps and dates that COPY and LOAD DATA read, and the fast reading of
// timestamps servers print: both must agree with the general conversions in batch.ts to the µs.
import { describe, expect, it } from "vitest";
import { batchFromRows, typedVector } from "../../src/adapters/batch.js";
import type { Column } from "../../src/adapters/contract.js";
import { batchWithExactTimestamps, dayText, formatMicros } from "../../src/adapters/exact-text.js";

const ts: Column = { name: "at", type: { kind: "timestamp" }, nativeType: "" };

describe("exact timestamp text", () => {
  it.each<[bigint, string]>([
    [0n, "1970-01-01 00:00:00.000000"],
    [-1n, "1969-12-31 23:59:59.999999"],
    [1_700_000_000_123_456n, "2023-11-14 22:13:20.123456"],
    [253_402_300_799_999_999n, "9999-12-31 23:59:59.999999"],
    [-62_135_596_800_000_000n, "0001-01-01 00:00:00.000000"],
  ])("formats %s µs as %s", (micros, text) => {
    expect(formatMicros(micros)).toBe(text);
  });

  it("formats days since 1970 as YYYY-MM-DD, the same on every call", () => {
    expect([dayText(0), dayText(-1), dayText(20_412), dayText(20_412)]).toEqual([
      "1970-01-01",
      "1969-12-31",
      "2025-11-20",
      "2025-11-20",
    ]);
  });

  it.each([
    [
      "plain",
      [
        "2026-11-20 10:00:00",
        "2026-11-20 10:00:00.1",
        "2026-11-20 10:00:00.123456",
        "1969-12-31 23:59:59.999999",
        "0001-01-01 00:00:00",
        null,
      ],
    ],
    ["with zones", ["2026-11-20 10:00:00.5+02", "2026-11-20 10:00:00+05:30", "2026-11-20 10:00:00"]],
  ])("reads %s printed timestamps to the same microseconds as the general parser", (_, texts) => {
    const rows = (texts as (string | null)[]).map((t) => [t]);
    const fast = batchWithExactTimestamps([ts], rows).vectors[0]!;
    const general = typedVector(ts.type, batchFromRows([ts], rows).vectors[0]!, rows.length);
    expect(fast.encoding).toBe("int64");
    expect(fast).toEqual(general);
  });
});
