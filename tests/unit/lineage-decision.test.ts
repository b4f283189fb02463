import { describe, expect, it } from "vitest";
import type { PartitionValue } from "../../src/adapters/contract.js";
import {
  decideLineage,
  describePartitions,
  type LineageFacts,
  type Recorded,
} from "../../src/planner/lineage-decision.js";

// The lineage plan as a function of facts, one line per rule. `ts(n)` is a timestamp watermark,
// `at(v, n)` what the ledger recorded at model version v; "fp" values are fingerprints.
const ts = (n: number) => ({
  value: `2026-01-01 00:00:${String(n).padStart(2, "0")}`,
  kind: "timestamp" as const,
});
const at = (version: string, n: number): Recorded => ({ watermark: ts(n), modelVersion: version });
const fp = (version: string, value: string): Recorded => ({
  watermark: { value, kind: "fingerprint" },
  modelVersion: version,
});

interface Row {
  fullRefresh?: boolean;
  exists?: boolean;
  outside?: string;
  written?: string[];
  sales?: Recorded | null;
  now?: number | null;
  dims?: [Recorded | null, string][];
  changed?: number;
  touched?: string[];
  pending?: string[];
  stored?: number | null;
  share?: number;
}

function facts(r: Row): LineageFacts {
  return {
    model: { id: "model.hist", name: "hist", version: "v2" },
    fullRefresh: r.fullRefresh ?? false,
    tableExists: r.exists ?? true,
    outsideContract: r.outside ?? null,
    writtenInputs: r.written ?? [],
    tracked: [
      {
        id: "source.app.sales",
        name: "app.sales",
        previous: r.sales === undefined ? at("v2", 10) : r.sales,
        current: r.now === null ? null : ts(r.now ?? 12),
      },
    ],
    untracked: (r.dims ?? []).map(([previous, current], i) => ({
      id: `source.app.d${i}`,
      name: `app.d${i}`,
      previous,
      current,
    })),
    changes: {
      counts: [{ changed: r.changed ?? (r.touched ?? []).length, deleted: 0 }],
      touched: (r.touched ?? []).map((p) => [p]),
      pending: (r.pending ?? []).map((p) => [p]),
      stored: r.stored ?? 100,
    },
  };
}

const cases: [string, Row, string, RegExp, string[]?][] = [
  ["full refresh resets", { fullRefresh: true, touched: ["1"] }, "full", /--full-refresh/],
  ["first build", { exists: false }, "full", /first build/],
  [
    "outside the contract",
    { outside: "window function at models/h.sql:3" },
    "full",
    /window function at models\/h\.sql:3: rebuilt in full/,
  ],
  [
    "a seed written since the last load",
    { written: ["seed countries was written since hist was last loaded"], touched: ["1"] },
    "full",
    /^seed countries was written since hist was last loaded, and it has no change tracking: rebuilt in full$/,
  ],
  ["no watermark for a tracked source", { sales: null }, "full", /no watermark recorded for app\.sales/],
  ["model version changed", { sales: at("v1", 10) }, "full", /model changed \(version v1 → v2\)/],
  [
    "two versions on record",
    { dims: [[fp("v1", "3:9"), "3:9"]] },
    "full",
    /model changed \(version v1, v2 → v2\)/,
  ],
  [
    "an untracked source moved",
    { dims: [[fp("v2", "3:9"), "3:8"]], touched: ["1"] },
    "full",
    /app\.d0 changed since hist was last loaded \(row count and hash\) and has no change tracking/,
  ],
  [
    "two untracked sources moved",
    {
      dims: [
        [fp("v2", "3:9"), "3:8"],
        [fp("v2", "5:1"), "5:2"],
      ],
    },
    "full",
    /app\.d0, app\.d1 changed .* have no change tracking/,
  ],
  [
    "an untracked source never recorded",
    { dims: [[null, "3:9"]] },
    "full",
    /app\.d0 changed since hist was last loaded/,
  ],
  [
    "one of two untracked sources moved",
    {
      dims: [
        [fp("v2", "3:9"), "3:9"],
        [fp("v2", "5:1"), "5:2"],
      ],
    },
    "full",
    /^app\.d1 changed/,
  ],
  [
    "unmoved dimensions, nothing changed",
    { dims: [[fp("v2", "3:9"), "3:9"]], now: 10 },
    "none",
    /no changes in app\.sales since 2026-01-01 00:00:10/,
  ],
  ["changes that touch no partition", { changed: 4 }, "none", /no partition of hist touched/],
  [
    "changed rows touch partitions",
    { touched: ["202602", "202601", "202602"] },
    "partitions",
    /rebuild partitions 202601, 202602 of hist: 3 inserted/,
    ["202601", "202602"],
  ],
  [
    "pending partitions are redone",
    { pending: ["202603"] },
    "partitions",
    /partition 202603 of hist: .*\(1 left unfinished by an earlier run\)/,
    ["202603"],
  ],
  [
    "most partitions dirty",
    { touched: ["1", "2", "3"], stored: 5 },
    "full",
    /3 of 5 partitions of hist are dirty \(60%, at or above full_rebuild_share 0\.5\): rebuilt in full as one write/,
  ],
  [
    "just under the share",
    { touched: ["1", "2"], stored: 5 },
    "partitions",
    /rebuild partitions 1, 2/,
    ["1", "2"],
  ],
  [
    "share 1 turns the switch off",
    { touched: ["1", "2", "3"], stored: 4, share: 1 },
    "partitions",
    /rebuild partitions 1, 2, 3/,
    ["1", "2", "3"],
  ],
  [
    "share 1 keeps even all partitions incremental",
    { touched: ["1", "2"], stored: 2, share: 1 },
    "partitions",
    /rebuild partitions 1, 2/,
    ["1", "2"],
  ],
  [
    "every partition dirty",
    { touched: ["1", "2"], stored: 2 },
    "full",
    /2 of 2 partitions of hist are dirty \(100%/,
  ],
  [
    "a single partition never switches",
    { touched: ["1"], stored: 1 },
    "partitions",
    /rebuild partition 1 of hist/,
    ["1"],
  ],
  [
    "unknown partition count never switches",
    { touched: ["1", "2", "3"], stored: null },
    "partitions",
    /rebuild partitions 1, 2, 3/,
    ["1", "2", "3"],
  ],
];

describe("decideLineage", () => {
  it.each(cases)("%s", (_, row, kind, reason, partitions) => {
    const d = decideLineage(facts(row), { fullRebuildShare: row.share ?? 0.5 });
    expect([d.kind, d.reason]).toEqual([kind, expect.stringMatching(reason)]);
    if (partitions) expect(d.partitions).toEqual(partitions.map((p) => [p]));
  });

  it("commits watermarks from null on a full build and every fingerprint with it", () => {
    const d = decideLineage(facts({ fullRefresh: true, dims: [[fp("v2", "3:9"), "3:8"]] }));
    expect(d.watermarks.map((w) => [w.source, w.from?.value ?? null, w.to.value])).toEqual([
      ["source.app.sales", null, ts(12).value],
      ["source.app.d0", "3:9", "3:8"],
    ]);
  });

  it("commits only what moved on an incremental build", () => {
    const moved = decideLineage(facts({ touched: ["1"], dims: [[fp("v2", "3:9"), "3:9"]] }));
    expect(moved.watermarks.map((w) => [w.source, w.from?.value, w.to.value])).toEqual([
      ["source.app.sales", ts(10).value, ts(12).value],
    ]);
    expect(decideLineage(facts({ now: 10 })).watermarks).toEqual([]);
  });

  it("keeps the recorded watermark when the source is empty now", () => {
    const d = decideLineage(facts({ now: null }));
    expect(d.kind).toBe("none");
    expect(d.watermarks).toEqual([]);
  });

  it("refuses to decide an incremental build without the change probes", () => {
    expect(() => decideLineage({ ...facts({}), changes: null })).toThrow(/change probes were not run/);
  });
});

describe("stamp problems", () => {
  const withStamps = (nulls: number, future: number, policy: "warn" | "error" = "warn"): LineageFacts => {
    const f = facts({ touched: ["1"] });
    f.tracked[0]!.stamps = { nulls, future, policy };
    return f;
  };

  it.each([
    [0, 0, []],
    [1, 0, ["1 row of app.sales has a NULL update stamp and is never loaded incrementally"]],
    [3, 0, ["3 rows of app.sales have a NULL update stamp and are never loaded incrementally"]],
    [
      0,
      2,
      [
        `2 rows of app.sales are stamped after the source's clock (watermark ${ts(12).value}), so rows written later with true stamps before it will be missed`,
      ],
    ],
  ] as [number, number, string[]][])("%i NULL and %i future stamps", (nulls, future, warnings) => {
    const d = decideLineage(withStamps(nulls, future));
    expect(d.warnings).toEqual(warnings);
    expect(d.kind).toBe("partitions");
  });

  it("fails the plan when the source says stamp_problems: error", () => {
    expect(() => decideLineage(withStamps(2, 0, "error"))).toThrow(
      /2 rows of app\.sales have a NULL update stamp .*; app\.sales has stamp_problems: error, so hist is not planned/,
    );
    expect(decideLineage(withStamps(0, 0, "error")).kind).toBe("partitions");
  });
});

describe("describePartitions", () => {
  const cases: [PartitionValue[], string][] = [
    [[["202108"], ["202111"]], "partitions 202108, 202111"],
    [[["2026-01-01"]], "partition 2026-01-01"],
    // SQL NULL and the text 'NULL' are two partitions, and read as two.
    [[[null], ["NULL"], ["null"]], "partitions NULL, 'NULL', 'null'"],
    [[[""], [" sp "]], "partitions '', ' sp '"],
    [
      [
        ["a/b", "x"],
        ["a", "b/x"],
      ],
      "partitions 'a/b'/x, a/'b/x'",
    ],
    [[["o'q"]], "partition 'o''q'"],
    [[["__HIVE_DEFAULT_PARTITION__"]], "partition __HIVE_DEFAULT_PARTITION__"],
  ];
  for (const [partitions, text] of cases)
    it(`names ${JSON.stringify(partitions)} as ${text}`, () =>
      expect(describePartitions(partitions)).toBe(text));
});
