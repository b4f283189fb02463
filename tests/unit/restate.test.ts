// What `--restate M --partitions SPEC` names: the spec expanded and validated before anything
// runs, then each value read by its partition column's type and written as the engine prints it.
import { describe, expect, it } from "vitest";
import type { LogicalType } from "../../src/adapters/contract.js";
import { canonicalRestate, expandPartitions } from "../../src/planner/restate.js";

describe("--partitions specs", () => {
  it.each([
    ["202111..202202", [["202111"], ["202112"], ["202201"], ["202202"]]],
    ["1..3", [["1"], ["2"], ["3"]]],
    ["-1..1", [["-1"], ["0"], ["1"]]],
    ["a,b", [["a"], ["b"]]],
    ["202101..202101,x", [["202101"], ["x"]]],
    ["2024-02-28..2024-3-1", [["2024-02-28"], ["2024-02-29"], ["2024-03-01"]]],
    ["2023-12-31..2024-01-01", [["2023-12-31"], ["2024-01-01"]]],
  ])("expands %s", (spec, partitions) => {
    expect(expandPartitions(spec)).toEqual(partitions);
  });

  it.each([
    ["202106..202101", /runs backwards/],
    ["202101..202113", /'202113' in 202101\.\.202113 is not a month: YYYYMM needs a month from 01 to 12/],
    ["202100..202102", /'202100' .* is not a month/],
    ["2024-02-01..2024-02-30", /2024-02 has no day 30/],
    ["2024-03-01..2024-02-01", /runs backwards/],
    ["1..1000000", /too large/],
    ["a..b", /cannot read the range 'a\.\.b'/],
    ["1,,2", /empty partition value/],
  ])("refuses %s", (spec, message) => {
    expect(() => expandPartitions(spec)).toThrow(message);
  });
});

describe("restated values by the partition column's type", () => {
  const int: LogicalType = { kind: "integer", bits: 32 };
  const date: LogicalType = { kind: "date" };
  const text: LogicalType = { kind: "string" };
  const dec: LogicalType = { kind: "decimal", precision: 10, scale: 2 };

  it.each([
    [int, ["0202401", "202401", "+7"], [["202401"], ["7"]]],
    [date, ["2024-1-1", "2024-01-01", "2024-01-02"], [["2024-01-01"], ["2024-01-02"]]],
    [text, ["0202401", "202401"], [["0202401"], ["202401"]]],
    [dec, ["1.5", "1.50", "2"], [["1.50"], ["2.00"]]],
  ] as [LogicalType, string[], string[][]][])(
    "canonicalises %j values %j into %j, once each",
    (type, values, expected) => {
      expect(
        canonicalRestate(
          "m",
          ["p"],
          [type],
          values.map((v) => [v]),
        ),
      ).toEqual(expected);
    },
  );

  it("keeps values as given when the table does not exist yet", () => {
    expect(canonicalRestate("m", ["p"], [undefined], [["007"]])).toEqual([["007"]]);
  });

  it.each([
    [int, "2024-01", /--restate m --partitions: '2024-01' is not an integer, the type of partition column p/],
    [date, "2024-13-01", /no day|not a date.*partition column p/],
    [dec, "1.234", /more than 2 decimal places/],
  ] as [LogicalType, string, RegExp][])(
    "refuses a %j value %s, naming the column",
    (type, value, message) => {
      expect(() => canonicalRestate("m", ["p"], [type], [[value]])).toThrow(message);
    },
  );

  it("refuses a partition with the wrong number of values", () => {
    expect(() => canonicalRestate("m", ["a", "b"], [int, int], [["1"]])).toThrow(
      /has 1 values; m is partitioned by a, b/,
    );
  });
});
