// Lineage planning for a partitioned model that reads change-tracked sources: which source rows
// changed since the last load (update stamp in the window, plus rows of the deletes table), which
// partitions they touch — the new partition of each changed row, the recorded partition of each
// deleted row, and the old partition (read from the model's own table) of every changed or deleted
// key, so a row that moved dirties both months — and the watermarks to commit once it is loaded.
import type { Connections } from "../adapters/index.js";
import { batchRows } from "../adapters/batch.js";
import type { Session } from "../adapters/contract.js";
import { quoteIdentifier, renderRelation } from "../compiler/relations.js";
import { fillWatermarks } from "../compiler/watermark-placeholders.js";
import { partitionColumnsText } from "../compiler/partition-sql.js";
import type { Ledger, WatermarkFact } from "../ledger/ledger.js";
import type { Manifest, ModelNode, SourceNode } from "../manifest/types.js";
import { fingerprint, untrackedSources } from "./fingerprints.js";
import { later, readHighWatermark, watermarkLiteral, windowStart, type Watermark } from "./watermarks.js";

type EngineType = "duckdb" | "sqlserver" | "hive" | "postgres" | "mysql";

export interface LineageDecision {
  kind: "full" | "partitions" | "none";
  reason: string;
  partitions: string[][];
  watermarks: WatermarkFact[];
}

interface SourceChanges {
  source: SourceNode;
  from: Watermark | null;
  to: Watermark | null;
  changed: number;
  deleted: number;
}

/** Keys looked up per query when finding the old partitions of changed rows. */
const KEYS_PER_LOOKUP = 5000;

export async function planLineage(model: ModelNode, manifest: Manifest, connections: Connections, ledger: Ledger, tableExists: boolean, fullRefresh: boolean): Promise<LineageDecision> {
  const lineage = model.lineage!;
  const sources = lineage.trackedSources.map((id) => manifest.nodes[id] as SourceNode);
  const engineOf = (connection: string) => manifest.connections[connection]!.type as EngineType;

  const previous = await Promise.all(sources.map((s) => ledger.watermark(model.id, s.id)));
  const current = await Promise.all(sources.map((s) => withSession(connections, s.relation.connection, (session) => highWatermark(session, engineOf(s.relation.connection), s))));
  // Untracked sources are recorded by fingerprint, beside the watermarks, and committed with them.
  const untracked = untrackedSources(model, manifest);
  const printedBefore = await Promise.all(untracked.map((s) => ledger.watermark(model.id, s.id)));
  const printed = await Promise.all(untracked.map((s) => withSession(connections, s.relation.connection, (session) => fingerprint(session, engineOf(s.relation.connection), s))));
  const printFacts = untracked.map((s, i): WatermarkFact => ({ model: model.id, modelVersion: model.checksum, source: s.id, from: printedBefore[i]?.watermark ?? null, to: { value: printed[i]!, kind: "fingerprint" } }));
  const facts = (from: (i: number) => Watermark | null): WatermarkFact[] => [
    ...sources.flatMap((s, i) => (current[i] ? [{ model: model.id, modelVersion: model.checksum, source: s.id, from: from(i), to: current[i]! }] : [])),
    ...printFacts,
  ];

  const full = (reason: string): LineageDecision => ({ kind: "full", reason, partitions: [], watermarks: facts(() => null) });
  if (fullRefresh) return full("--full-refresh: rebuilt from scratch, watermarks reset");
  if (!tableExists) return full("first build: table does not exist yet");
  const unloaded = sources.find((_, i) => previous[i] === null);
  if (unloaded) return full(`no watermark recorded for ${unloaded.name}: built in full`);
  const versions = new Set(previous.map((p) => p!.modelVersion));
  if (!versions.has(model.checksum) || versions.size > 1) return full(`model changed (version ${[...versions].join(", ")} → ${model.checksum}): rebuilt in full`);
  const moved = untracked.filter((_, i) => printedBefore[i] && printedBefore[i]!.watermark.value !== printed[i]);
  if (moved.length > 0) {
    const names = moved.map((s) => s.name).join(", ");
    return full(`${names} changed since ${model.name} was last loaded (row count and hash) and ${moved.length > 1 ? "have" : "has"} no change tracking: rebuilt in full`);
  }

  const compute = model.config.compute;
  const computeEngine = engineOf(compute);
  const changes: SourceChanges[] = [];
  let changesSql = lineage.changesSql;
  for (const [i, source] of sources.entries()) {
    const from = previous[i]!.watermark;
    const to = current[i] ?? from;
    const lookback = source.changeTracking!.lookback;
    // An unmoved watermark with no lookback is an empty window: (to, to].
    const unchanged = lookback === null && from.value === to.value;
    const start = unchanged ? watermarkLiteral(to, computeEngine) : windowStart(from, lookback, computeEngine);
    changesSql = fillWatermarks(changesSql, source.id, start, watermarkLiteral(to, computeEngine));
    changes.push({ source, from, to, changed: 0, deleted: 0 });
  }

  const dirty = new PartitionSet();
  const keysToLocate = new Set<string>();
  for (const change of changes) {
    const { source } = change;
    const tracking = source.changeTracking!;
    const engine = engineOf(source.relation.connection);
    const lower = windowStart(change.from!, tracking.lookback, engine);
    const upper = watermarkLiteral(change.to!, engine);
    const keyColumn = tracking.deletes?.key ?? model.config.uniqueKey[0];
    await withSession(connections, source.relation.connection, async (session) => {
      const window = `${quoteIdentifier(engine, tracking.updatedAt)} > ${lower} and ${quoteIdentifier(engine, tracking.updatedAt)} <= ${upper}`;
      change.changed = await count(session, `select count(*) from ${renderRelation(engine, source.relation)} where ${window}`);
      if (keyColumn && change.changed > 0) {
        // A NULL key matches no stored row, so there is nothing to locate for it.
        for (const k of await column(session, `select ${quoteIdentifier(engine, keyColumn)} from ${renderRelation(engine, source.relation)} where ${window} and ${quoteIdentifier(engine, keyColumn)} is not null`)) keysToLocate.add(k);
      }
      const deletes = tracking.deletes;
      if (deletes) {
        const deletedWindow = `${quoteIdentifier(engine, deletes.deletedAt)} > ${lower} and ${quoteIdentifier(engine, deletes.deletedAt)} <= ${upper}`;
        const rel = renderRelation(engine, deletes.relation);
        change.deleted = await count(session, `select count(*) from ${rel} where ${deletedWindow}`);
        if (change.deleted > 0) {
          const recorded = model.config.partitionBy.every((p) => deletes.partitionColumns.includes(p));
          if (recorded) {
            const cols = partitionColumnsText(engine, model.config.partitionBy).join(", ");
            for (const row of (await session.query(`select distinct ${cols} from ${rel} where ${deletedWindow}`)).rows) dirty.add(row.map(text));
          }
          for (const k of await column(session, `select ${quoteIdentifier(engine, deletes.key)} from ${rel} where ${deletedWindow} and ${quoteIdentifier(engine, deletes.key)} is not null`)) keysToLocate.add(k);
        }
      }
    });
  }

  const anyChange = changes.some((c) => c.changed > 0 || c.deleted > 0);
  if (anyChange) {
    // New partitions of inserted and updated rows: the model's own SQL over the changed rows.
    const cols = partitionColumnsText(computeEngine, model.config.partitionBy).join(", ");
    await withSession(connections, compute, async (session) => {
      for (const row of (await session.query(`select distinct ${cols} from (\n${changesSql}\n) sluice_changes`)).rows) dirty.add(row.map(text));
    });
    // Old partitions of changed and deleted keys: where the model's table holds them now.
    const keyColumn = model.config.uniqueKey[0] ?? sources.map((s) => s.changeTracking!.deletes?.key).find(Boolean);
    if (keyColumn && keysToLocate.size > 0) {
      const engine = engineOf(model.relation.connection);
      const keys = [...keysToLocate];
      await withSession(connections, model.relation.connection, async (session) => {
        const pcols = partitionColumnsText(engine, model.config.partitionBy).join(", ");
        for (let i = 0; i < keys.length; i += KEYS_PER_LOOKUP) {
          const list = keys.slice(i, i + KEYS_PER_LOOKUP).map((k) => (/^-?\d+$/.test(k) ? k : `'${k.replace(/'/g, "''")}'`)).join(", ");
          const sql = `select distinct ${pcols} from ${renderRelation(engine, model.relation)} where ${quoteIdentifier(engine, keyColumn)} in (${list})`;
          for (const row of (await session.query(sql)).rows) dirty.add(row.map(text));
        }
      });
    }
  }
  const pending = await ledger.pendingPartitions(model.id);
  for (const p of pending) dirty.add(p);

  // Only what moved is committed: watermarks that advanced, and fingerprints seen for the first time.
  const watermarks = facts((i) => previous[i]!.watermark).filter((w) => w.from === null || w.from.value !== w.to.value);
  const since = changes.map((c) => `${c.changed} inserted or updated and ${c.deleted} deleted rows in ${c.source.name} since ${c.from!.value}`).join("; ");
  if (dirty.size === 0) {
    return { kind: "none", reason: anyChange ? `${since}: no partition of ${model.name} touched` : `no changes in ${changes.map((c) => c.source.name).join(", ")} since ${changes.map((c) => c.from!.value).join(", ")}`, partitions: [], watermarks };
  }
  const partitions = dirty.values();
  const unfinished = pending.length > 0 ? ` (${pending.length} left unfinished by an earlier run)` : "";
  return { kind: "partitions", reason: `rebuild ${describePartitions(partitions)} of ${model.name}: ${since}${unfinished}`, partitions, watermarks };
}

/** "partitions 202108, 202111" or "12 partitions (202101 … 202112)". */
export function describePartitions(partitions: string[][]): string {
  const names = partitions.map((p) => p.join("/"));
  if (names.length === 1) return `partition ${names[0]}`;
  if (names.length <= 6) return `partitions ${names.join(", ")}`;
  return `${names.length} partitions (${names[0]} … ${names[names.length - 1]})`;
}

/** A set of partitions, each a list of values, kept sorted. */
export class PartitionSet {
  private readonly keys = new Map<string, string[]>();

  add(partition: string[]): void {
    this.keys.set(JSON.stringify(partition), partition);
  }

  get size(): number {
    return this.keys.size;
  }

  values(): string[][] {
    return [...this.keys.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  }
}

async function highWatermark(session: Session, engine: EngineType, source: SourceNode): Promise<Watermark | null> {
  const tracking = source.changeTracking!;
  const updated = await readHighWatermark(session, engine, source.relation, tracking.updatedAt);
  const deleted = tracking.deletes ? await readHighWatermark(session, engine, tracking.deletes.relation, tracking.deletes.deletedAt) : null;
  return later(updated, deleted);
}

function withSession<T>(connections: Connections, name: string, work: (s: Session) => Promise<T>): Promise<T> {
  return connections.withSession(name, work);
}

async function count(session: Session, sql: string): Promise<number> {
  const { rows } = await session.query(sql);
  return Number(rows[0]?.[0] ?? 0);
}

async function column(session: Session, sql: string): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of session.stream(sql, 10_000)) for (const row of batchRows(batch)) out.push(text(row[0] ?? null));
  return out;
}

function text(value: unknown): string {
  return value === null || value === undefined ? "" : value instanceof Date ? value.toISOString() : String(value);
}

