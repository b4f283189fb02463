// Reading dbt snapshot files: the blocks, their line numbers, and the snapshot config's checks.
import { describe, expect, it } from "vitest";
import { Diagnostics, formatDiagnostic } from "../../src/project/diagnostics.js";
import { readSnapshotBlocks, resolveSnapshotConfig } from "../../src/project/dbt-snapshots.js";

describe("snapshot files", () => {
  it("reads each block's body with the file's line numbers kept", () => {
    const diagnostics = new Diagnostics();
    const text =
      "-- two\n{% snapshot a %}\nselect 1 as id\n{% endsnapshot %}\n{%- snapshot b -%}select 2 as id{%- endsnapshot -%}\n";
    const blocks = readSnapshotBlocks("snapshots/s.sql", text, diagnostics);
    expect(
      blocks.map((b) => [b.name, b.line, b.body.split("\n").findIndex((l) => l.includes("select")) + 1]),
    ).toEqual([
      ["a", 2, 3],
      ["b", 5, 5],
    ]);
    expect(diagnostics.items).toEqual([]);
  });

  it("says where a block is left open", () => {
    const diagnostics = new Diagnostics();
    readSnapshotBlocks("snapshots/s.sql", "\n\n{% snapshot a %}\nselect 1", diagnostics);
    expect(diagnostics.items.map(formatDiagnostic)).toEqual([
      "snapshots/s.sql:3:1 error: {% snapshot %} block is not closed; end it with {% endsnapshot %}",
    ]);
  });

  it("reads dbt's legacy and current hard-delete keys, and refuses columns it does not write", () => {
    const resolve = (raw: Record<string, unknown>) => {
      const diagnostics = new Diagnostics();
      return {
        config: resolveSnapshotConfig(raw, "s.sql", 1, diagnostics),
        errors: diagnostics.items.map((d) => d.message),
      };
    };
    const base = { unique_key: ["a", "b"], strategy: "check", check_cols: "all" };
    expect(resolve({ ...base, invalidate_hard_deletes: true }).config).toEqual({
      strategy: "check",
      uniqueKey: ["a", "b"],
      updatedAt: null,
      checkCols: "all",
      hardDeletes: "invalidate",
      targetSchema: null,
    });
    expect(resolve({ ...base, hard_deletes: "invalidate" }).config?.hardDeletes).toBe("invalidate");
    expect(resolve({ ...base, dbt_valid_to_current: "'9999-12-31'" }).errors).toEqual([
      "snapshot config 'dbt_valid_to_current' is not supported by sluice",
    ]);
  });
});
