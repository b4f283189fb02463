// A watermark, as the ledger records it: how far a model has loaded one change-tracked source.
// The planner reads and compares them (planner/watermarks.ts); the type lives here, below both.

export interface Watermark {
  /**
   * The value as exact text: every fractional digit the engine keeps, and for `timestamptz` the
   * instant's UTC wall clock (`2026-11-20 10:00:00.123456`), so it means the same instant whatever
   * the time zone of the machine or session that reads it back.
   */
  value: string;
  /**
   * The type of the update column the value was read from; it decides the literal the value is
   * written back as. `fingerprint`: not a watermark but the row count and hash of an untracked
   * source (see planner/fingerprints.ts).
   */
  kind: "timestamp" | "timestamptz" | "timestamp_ns" | "date" | "number" | "string" | "fingerprint";
}
