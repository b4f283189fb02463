// The decision of a lineage model's plan, as a pure function of facts: what the ledger holds, what
// the sources' clocks and fingerprints say now, and which partitions their changes touch. No I/O,
// no SQL: lineage-facts.ts gathers the facts (one query at a time) and this file decides, so every
// rule is a line of a table test (tests/unit/lineage-decision.test.ts).
import type { PartitionValue } from "../adapters/contract.js";
import type { WatermarkFact } from "../ledger/ledger.js";
import type { Watermark } from "./watermarks.js";

/** What the ledger recorded at a model's last load of one input. */
export interface Recorded {
  watermark: Watermark;
  modelVersion: string;
}

/** A change-tracked source: its watermark at the last load and its high watermark now. */
export interface TrackedFact {
  id: string;
  name: string;
  previous: Recorded | null;
  /** Null when the source holds no stamped row yet. */
  current: Watermark | null;
  /** Rows whose stamp is NULL (never loaded), and rows stamped after the source's own clock. */
  stamps?: { nulls: number; future: number; policy: "warn" | "error" };
}

/** A source without change tracking: its fingerprint at the last load and now. */
export interface UntrackedFact {
  id: string;
  name: string;
  previous: Recorded | null;
  current: string;
}

/** What the change probes found, gathered only when nothing forces a full build. */
export interface ChangeFacts {
  /** Per tracked source, in the order of `LineageFacts.tracked`. */
  counts: { changed: number; deleted: number }[];
  /**
   * Partitions the changes touch: new ones of changed rows, recorded ones of deletes, old ones of their keys.
   */
  touched: PartitionValue[];
  /** Partitions an earlier run planned but never committed. */
  pending: PartitionValue[];
  /** How many partitions the model's table holds now (null: not known). */
  stored: number | null;
}

export interface LineageFacts {
  model: { id: string; name: string; version: string };
  fullRefresh: boolean;
  tableExists: boolean;
  /** Why the model's shape cannot be built incrementally (see compiler/incremental-contract.ts), or null. */
  outsideContract: string | null;
  /**
   * Seeds and tables the model reads that were written since
   * its last load, or are in this build, each as a phrase.
   */
  writtenInputs: string[];
  tracked: TrackedFact[];
  untracked: UntrackedFact[];
  changes: ChangeFacts | null;
}

export interface LineageDecision {
  kind: "full" | "partitions" | "none";
  reason: string;
  /** Problems with the sources' stamps, reported in the plan and the run summary. */
  warnings: string[];
  partitions: PartitionValue[];
  /** Watermarks and fingerprints to commit once the data and the model's blocking tests commit. */
  watermarks: WatermarkFact[];
}

export interface DecisionOptions {
  /**
   * When the dirty partitions are at least this share of the stored ones (and more than one), one
   * full rebuild is cheaper than replacing them one by one. 1 turns the switch off, even with
   * every partition dirty.
   */
  fullRebuildShare: number;
}

export const DEFAULT_DECISION_OPTIONS: DecisionOptions = { fullRebuildShare: 0.5 };

/** Why the model must be built in full before any change is probed, or null when it need not. */
export function fullBuildReason(f: Omit<LineageFacts, "changes">): string | null {
  if (f.fullRefresh) return "--full-refresh: rebuilt from scratch, watermarks reset";
  if (!f.tableExists) return "first build: table does not exist yet";
  if (f.outsideContract) return `${f.outsideContract}: rebuilt in full`;
  if (f.writtenInputs.length > 0)
    return `${f.writtenInputs.join("; ")}, and it has no change tracking: rebuilt in full`;
  const unloaded = f.tracked.find((s) => s.previous === null);
  if (unloaded) return `no watermark recorded for ${unloaded.name}: built in full`;
  const versions = new Set(
    [...f.tracked, ...f.untracked].flatMap((s) => (s.previous ? [s.previous.modelVersion] : [])),
  );
  if (!versions.has(f.model.version) || versions.size > 1) {
    return `model changed (version ${[...versions].sort().join(", ")} → ${f.model.version}): rebuilt in full`;
  }
  // A fingerprint never recorded (a dimension joined since the last load) is a change like any other.
  const moved = f.untracked.filter((s) => s.previous === null || s.previous.watermark.value !== s.current);
  if (moved.length > 0) {
    const names = moved.map((s) => s.name).join(", ");
    const have = moved.length > 1 ? "have" : "has";
    return (
      `${names} changed since ${f.model.name} was last loaded (row ` +
      `count and hash) and ${have} no change tracking: rebuilt in full`
    );
  }
  return null;
}

/** The plan of a lineage model from its facts. `facts.changes` is needed unless a full build is due. */
export function decideLineage(
  facts: LineageFacts,
  options: DecisionOptions = DEFAULT_DECISION_OPTIONS,
): LineageDecision {
  const warnings = stampWarnings(facts);
  const refused = facts.tracked.find(
    (s) => s.stamps?.policy === "error" && (s.stamps.nulls > 0 || s.stamps.future > 0),
  );
  if (refused) {
    throw new Error(
      `${warnings.join("; ")}; ${refused.name} has stamp_problems: error, so ` +
        `${facts.model.name} is not planned (fix the stamps, or set stamp_problems: warn)`,
    );
  }
  return { ...decide(facts, options), warnings };
}

/**
 * What is wrong with the stamps: rows with a NULL stamp are never in any window, and a row stamped
 * after the source's clock becomes the watermark, so rows written later with an earlier, true
 * stamp fall below it and are never loaded.
 */
export function stampWarnings(facts: Pick<LineageFacts, "tracked">): string[] {
  return facts.tracked.flatMap((s) => {
    const out: string[] = [];
    const rows = (n: number) => `${n} row${n === 1 ? "" : "s"}`;
    if (s.stamps && s.stamps.nulls > 0)
      out.push(
        `${rows(s.stamps.nulls)} of ${s.name} ${s.stamps.nulls === 1 ? "has" : "have"} a NULL ` +
          `update stamp and ${s.stamps.nulls === 1 ? "is" : "are"} never loaded incrementally`,
      );
    if (s.stamps && s.stamps.future > 0) {
      out.push(
        `${rows(s.stamps.future)} of ${s.name} ${s.stamps.future === 1 ? "is" : "are"}` +
          ` stamped after the source's clock (watermark ${s.current?.value}), so rows ` +
          `written later with true stamps before it will be missed`,
      );
    }
    return out;
  });
}

function decide(facts: LineageFacts, options: DecisionOptions): Omit<LineageDecision, "warnings"> {
  const full = fullBuildReason(facts);
  if (full !== null)
    return { kind: "full", reason: full, partitions: [], watermarks: watermarkFacts(facts, true) };
  const changes = facts.changes;
  if (!changes) throw new Error(`planning ${facts.model.name}: the change probes were not run`);
  // Only what moved is committed: watermarks that advanced, and fingerprints seen for the first time.
  const watermarks = watermarkFacts(facts, false).filter(
    (w) => w.from === null || w.from.value !== w.to.value,
  );
  const anyChange = changes.counts.some((c) => c.changed > 0 || c.deleted > 0);
  const since = facts.tracked
    .map(
      (s, i) =>
        `${changes.counts[i]?.changed ?? 0} inserted or updated and ${changes.counts[i]?.deleted ?? 0}` +
        ` deleted rows in ${s.name} since ${s.previous!.watermark.value}`,
    )
    .join("; ");
  const dirty = sortedPartitions([...changes.touched, ...changes.pending]);
  if (dirty.length === 0) {
    const reason = anyChange
      ? `${since}: no partition of ${facts.model.name} touched`
      : `no changes in ${facts.tracked.map((s) => s.name).join(", ")}` +
        ` since ${facts.tracked.map((s) => s.previous!.watermark.value).join(", ")}`;
    return { kind: "none", reason, partitions: [], watermarks };
  }
  const pendingCount = sortedPartitions(changes.pending).length;
  const unfinished = pendingCount > 0 ? ` (${pendingCount} left unfinished by an earlier run)` : "";
  if (
    options.fullRebuildShare < 1 &&
    changes.stored !== null &&
    dirty.length > 1 &&
    dirty.length >= options.fullRebuildShare * changes.stored
  ) {
    const share = Math.round((100 * dirty.length) / Math.max(changes.stored, 1));
    const reason =
      `${dirty.length} of ${changes.stored} partitions of ` +
      `${facts.model.name} are dirty (${share}%, at or above ` +
      `full_rebuild_share ${options.fullRebuildShare}): rebuilt in full as one write; ${since}${unfinished}`;
    return { kind: "full", reason, partitions: [], watermarks: watermarkFacts(facts, true) };
  }
  return {
    kind: "partitions",
    reason: `rebuild ${describePartitions(dirty)} of ${facts.model.name}: ${since}${unfinished}`,
    partitions: dirty,
    watermarks,
  };
}

/**
 * The facts to commit: each tracked source's current watermark and each untracked source's
 * fingerprint. A full build resets (no `from`); an incremental one records the range it loaded.
 */
function watermarkFacts(f: Omit<LineageFacts, "changes">, reset: boolean): WatermarkFact[] {
  const base = { model: f.model.id, modelVersion: f.model.version };
  return [
    ...f.tracked.flatMap((s) =>
      s.current
        ? [{ ...base, source: s.id, from: reset ? null : (s.previous?.watermark ?? null), to: s.current }]
        : [],
    ),
    ...f.untracked.map((s) => ({
      ...base,
      source: s.id,
      from: s.previous?.watermark ?? null,
      to: { value: s.current, kind: "fingerprint" as const },
    })),
  ];
}

/** Distinct partitions in a stable order. */
export function sortedPartitions(partitions: PartitionValue[]): PartitionValue[] {
  const keys = new Map<string, PartitionValue>();
  for (const p of partitions) keys.set(JSON.stringify(p), p);
  return [...keys.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}

/**
 * "partitions 202108, 202111" or "12 partitions (202101 … 202112)". SQL NULL reads NULL; a value
 * that could be mistaken for it or for the separators (the text 'NULL', '', 'a/b', ' x') is quoted.
 */
export function describePartitions(partitions: PartitionValue[]): string {
  const names = partitions.map((p) => p.map(partitionValueText).join("/"));
  if (names.length === 1) return `partition ${names[0]}`;
  if (names.length <= 6) return `partitions ${names.join(", ")}`;
  return `${names.length} partitions (${names[0]} … ${names[names.length - 1]})`;
}

function partitionValueText(v: string | null): string {
  if (v === null) return "NULL";
  const ambiguous = v === "" || /^null$/i.test(v) || /[/,'…]|^\s|\s$/.test(v);
  return ambiguous ? `'${v.replace(/'/g, "''")}'` : v;
}
