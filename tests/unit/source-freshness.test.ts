// Source freshness as dbt grades it, and its settings read from dbt property files.
import { describe, expect, it } from "vitest";
import { Diagnostics, formatDiagnostic } from "../../src/project/diagnostics.js";
import { readSourceFreshness } from "../../src/project/dbt-freshness.js";
import { freshnessStatus } from "../../src/runner/freshness.js";

const hour = { count: 1, period: "hour" } as const;
const day = { count: 1, period: "day" } as const;

describe("freshness grades", () => {
  it.each([
    [3599, hour, day, "pass"],
    [3600, hour, day, "pass"],
    [3601, hour, day, "warn"],
    [86_401, hour, day, "error"],
    [86_401, hour, null, "warn"],
    [86_401, null, null, "pass"],
    [120, { count: 1, period: "minute" } as const, null, "warn"],
  ] as const)("%d s with warn %o and error %o is %s", (age, warn, error, status) => {
    expect(freshnessStatus(age, warn, error)).toBe(status);
  });
});

describe("freshness settings", () => {
  const read = (text: string) => {
    const diagnostics = new Diagnostics();
    return { checks: readSourceFreshness([{ path: "models/s.yml", text }], diagnostics), diagnostics };
  };

  it("inherits the source's settings, lets a table override or turn them off, and reads config:", () => {
    const { checks } = read(`sources:
  - name: raw
    freshness: {warn_after: {count: 2, period: hour}}
    loaded_at_field: at
    tables:
      - name: a
      - name: b
        loaded_at_field: loaded
        freshness: {error_after: {count: 3, period: day}, filter: "x > 1"}
      - name: c
        freshness: null
      - name: d
        config:
          freshness: {warn_after: {count: 5, period: minute}}
          loaded_at_field: stamp
`);
    expect(checks.map((c) => [c.table, c.loadedAtField, c.warnAfter, c.errorAfter, c.filter])).toEqual([
      ["a", "at", { count: 2, period: "hour" }, null, null],
      ["b", "loaded", null, { count: 3, period: "day" }, "x > 1"],
      ["d", "stamp", { count: 5, period: "minute" }, null, null],
    ]);
  });

  it("says which table lacks a loaded_at_field, and refuses a period dbt has not", () => {
    const { checks, diagnostics } = read(`sources:
  - name: raw
    tables:
      - name: a
        freshness: {warn_after: {count: 2, period: hour}}
      - name: b
        loaded_at_field: at
        freshness: {warn_after: {count: 2, period: week}}
`);
    expect(checks).toEqual([]);
    expect(diagnostics.items.map(formatDiagnostic)).toEqual([
      "models/s.yml:4:1 warning: source 'raw' table 'a' has freshness but no loaded_at_field; sluice does not read warehouse metadata, so it is not checked; set loaded_at_field to the column holding when each row was loaded",
      "models/s.yml:6:1 error: source 'raw' table 'b': warn_after must be {count: <number>, period: minute | hour | day}; write e.g. warn_after: {count: 12, period: hour}",
    ]);
  });
});
