// Gathers the facts a lineage model's plan is decided from (see lineage-decision.ts): the ledger's
// records, each source's high watermark or fingerprint, and — only when no full build is due — the
// partitions the changes in each window touch. Every query runs on its own session, one at a time;
// nothing here decides.
import type { Connections } from "../adapters/index.js";
import { batchRows } from "../adapters/batch.js";
import type { PartitionValue, Session } from "../adapters/contract.js";
import { quoteIdentifier, renderRelation } from "../compiler/relations.js";
import { fillWatermarks, watermarkPlaceholder } from "../compiler/watermark-placeholders.js";
import { castText, partitionColumnsText } from "../compiler/partition-sql.js";
import type { Ledger } from "../ledger/ledger.js";
import type { Manifest, ModelNode, SourceNode } from "../manifest/types.js";
import { fingerprint, untrackedSources } from "./fingerprints.js";
import type { PlanReads } from "./plan-reads.js";
import {
  sortedPartitions,
  type ChangeFacts,
  type LineageFacts,
  type TrackedFact,
  type UntrackedFact,
} from "./lineage-decision.js";
import { later, readHighWatermark, watermarkLiteral, windowStart, type Watermark } from "./watermarks.js";

type EngineType = "duckdb" | "sqlserver" | "hive" | "postgres" | "mysql";

/** Keys looked up per query when finding the old partitions of changed rows. */
const KEYS_PER_LOOKUP = 5000;

/** The facts known without probing changes: records, clocks and fingerprints. */
export async function gatherLineageFacts(
  model: ModelNode,
  manifest: Manifest,
  { connections, reads }: { connections: Connections; reads: PlanReads },
  ledger: Ledger,
  tableExists: boolean,
  fullRefresh: boolean,
  writtenInputs: string[],
): Promise<Omit<LineageFacts, "changes">> {
  const engineOf = (s: SourceNode) => manifest.connections[s.relation.connection]!.type as EngineType;
  // A source's clock, stamps and fingerprint are the same for every model reading it: read once.
  const onSource = <T>(what: string, source: SourceNode, read: (s: Session) => Promise<T>) =>
    reads.once(`${what} ${source.id}`, () => connections.withSession(source.relation.connection, read));
  const tracked: TrackedFact[] = [];
  for (const id of model.lineage!.trackedSources) {
    const source = manifest.nodes[id] as SourceNode;
    const previous = await ledger.watermark(model.id, id);
    const current = await onSource("clock", source, (s) => highWatermark(s, engineOf(source), source));
    const stamps = await onSource("stamps", source, (s) => stampCounts(s, engineOf(source), source, current));
    tracked.push({
      id,
      name: source.name,
      previous,
      current,
      stamps: { ...stamps, policy: source.changeTracking!.stampProblems ?? "warn" },
    });
  }
  const untracked: UntrackedFact[] = [];
  for (const source of untrackedSources(model, manifest)) {
    const previous = await ledger.watermark(model.id, source.id);
    const current = await onSource("fingerprint", source, (s) => fingerprint(s, engineOf(source), source));
    untracked.push({ id: source.id, name: source.name, previous, current });
  }
  return {
    model: { id: model.id, name: model.name, version: model.checksum },
    fullRefresh,
    tableExists,
    outsideContract: model.lineage!.fullRebuild ?? null,
    writtenInputs,
    tracked,
    untracked,
  };
}

/**
 * Probes each tracked source's window (W_prev − lookback, W_now] for the partitions its changes
 * touch: the model's own SQL over the changed rows (their new partitions), the deletes table's
 * recorded partitions, and where the model's table holds the changed or deleted keys now (their
 * old partitions, so a row that moved dirties both).
 */
export async function probeChanges(
  model: ModelNode,
  manifest: Manifest,
  connections: Connections,
  ledger: Ledger,
  facts: Omit<LineageFacts, "changes">,
  fullRebuildShare: number,
): Promise<ChangeFacts> {
  const engineOf = (connection: string) => manifest.connections[connection]!.type as EngineType;
  const computeEngine = engineOf(model.config.compute);
  const touched: PartitionValue[] = [];
  const counts: ChangeFacts["counts"] = [];
  /** Queries for the keys of changed and deleted rows, run only if their old partitions are needed. */
  const keyQueries: KeyQuery[] = [];
  /** Each tracked source's window bounds, as literals on the compute engine. */
  const windows = new Map<string, { start: string; end: string }>();
  for (const fact of facts.tracked) {
    const source = manifest.nodes[fact.id] as SourceNode;
    const tracking = source.changeTracking!;
    const from = fact.previous!.watermark;
    const to: Watermark = fact.current ?? from;
    // An unmoved watermark with no lookback is an empty window: (to, to].
    const unchanged = tracking.lookback === null && from.value === to.value;
    const start = unchanged
      ? watermarkLiteral(to, computeEngine)
      : windowStart(from, tracking.lookback, computeEngine);
    windows.set(source.id, { start, end: watermarkLiteral(to, computeEngine) });

    const engine = engineOf(source.relation.connection);
    const lower = windowStart(from, tracking.lookback, engine);
    const upper = watermarkLiteral(to, engine);
    // The key the compile-time contract found in the model's result (incremental-contract.ts).
    const lineageKey = model.lineage!.keys?.find((k) => k.source === fact.id);
    const keyColumn = lineageKey?.sourceColumn;
    const modelColumn = lineageKey?.modelColumn ?? "";
    const q = (c: string) => quoteIdentifier(engine, c);
    const keyText = (c: string) => castText(engine, q(c));
    const count = await connections.withSession(source.relation.connection, async (session) => {
      const window = `${q(tracking.updatedAt)} > ${lower} and ${q(tracking.updatedAt)} <= ${upper}`;
      const rel = renderRelation(engine, source.relation);
      const changed = await countOf(session, `select count(*) from ${rel} where ${window}`);
      // A NULL key matches no stored row, so there is nothing to locate for it.
      if (keyColumn && changed > 0)
        keyQueries.push({
          connection: source.relation.connection,
          modelColumn,
          sql: `select ${keyText(keyColumn)} from ${rel} where ${window} and ${q(keyColumn)} is not null`,
        });
      let deleted = 0;
      const deletes = tracking.deletes;
      if (deletes) {
        const deletedWindow = `${q(deletes.deletedAt)} > ${lower} and ${q(deletes.deletedAt)} <= ${upper}`;
        const drel = renderRelation(engine, deletes.relation);
        deleted = await countOf(session, `select count(*) from ${drel} where ${deletedWindow}`);
        if (deleted > 0) {
          if (model.config.partitionBy.every((p) => deletes.partitionColumns.includes(p))) {
            const cols = partitionColumnsText(engine, model.config.partitionBy).join(", ");
            for (const row of (
              await session.query(`select distinct ${cols} from ${drel} where ${deletedWindow}`)
            ).rows)
              touched.push(partitionOf(row));
          }
          if (keyColumn)
            keyQueries.push({
              connection: source.relation.connection,
              modelColumn,
              sql:
                `select ${keyText(deletes.key)} from ${drel} where ` +
                `${deletedWindow} and ${q(deletes.key)} is not null`,
            });
        }
      }
      return { changed, deleted };
    });
    counts.push(count);
  }

  // New partitions of inserted and updated rows: the model's own SQL with one source narrowed to
  // its changed rows and every other tracked source read whole, so a changed order header finds
  // the lines it joins (with one tracked source, the model over its changed rows).
  const cols = partitionColumnsText(computeEngine, model.config.partitionBy).join(", ");
  for (const [i, fact] of facts.tracked.entries()) {
    if ((counts[i]?.changed ?? 0) === 0) continue;
    let sql = model.lineage!.changesSql;
    for (const [id, w] of windows)
      sql =
        id === fact.id
          ? fillWatermarks(sql, id, w.start, w.end)
          : unwindowed(sql, manifest.nodes[id] as SourceNode, computeEngine);
    const rows = await connections.withSession(
      model.config.compute,
      async (s) => (await s.query(`select distinct ${cols} from (\n${sql}\n) sluice_changes`)).rows,
    );
    for (const row of rows) touched.push(partitionOf(row));
  }
  const pending = await ledger.pendingPartitions(model.id);
  const known = sortedPartitions([...touched, ...pending]).length;
  const stored = known > 1 || keyQueries.length > 0 ? await storedPartitions(model, connections) : null;
  // When the partitions known so far already call for a full rebuild, the old partitions of the
  // changed keys cannot change that; not looking them up keeps a mostly-dirty plan cheap.
  const enough = fullRebuildShare < 1 && stored !== null && known > 1 && known >= fullRebuildShare * stored;
  if (!enough && keyQueries.length > 0)
    touched.push(...(await oldPartitions(model, manifest, connections, keyQueries)));
  return { counts, touched, pending, stored };
}

/** The keys of a tracked source's changed or deleted rows, and the model's column holding them. */
interface KeyQuery {
  connection: string;
  sql: string;
  modelColumn: string;
}

/**
 * The change-window SQL with `source` read whole instead of narrowed: the window predicate the
 * compiler wrote around it (compiler/render.ts, changeWindow) becomes true. Pinned against the
 * compiled SQL by tests/unit/joined-tracked-sources.test.ts.
 */
export function unwindowed(sql: string, source: SourceNode, engine: EngineType): string {
  const column = quoteIdentifier(engine, source.changeTracking!.updatedAt);
  const predicate =
    `${column} > ${watermarkPlaceholder("from", source.id)} ` +
    `and ${column} <= ${watermarkPlaceholder("to", source.id)}`;
  return sql.split(predicate).join("1 = 1");
}

/**
 * Old partitions of changed and deleted keys: where the model's table holds them now. Keys are
 * compared as text on both sides, so a text key that looks like a number ('007') keeps its zeros
 * and a key of any type is spelled as one literal.
 */
async function oldPartitions(
  model: ModelNode,
  manifest: Manifest,
  connections: Connections,
  keyQueries: KeyQuery[],
): Promise<PartitionValue[]> {
  /** Keys to locate, per model column (one per tracked source). */
  const keysByColumn = new Map<string, Set<string>>();
  for (const k of keyQueries) {
    const set = keysByColumn.get(k.modelColumn) ?? new Set<string>();
    keysByColumn.set(k.modelColumn, set);
    for (const key of await connections.withSession(k.connection, (s) => column(s, k.sql))) set.add(key);
  }
  const out: PartitionValue[] = [];
  for (const [keyColumn, keySet] of keysByColumn)
    out.push(...(await locate(model, manifest, connections, keyColumn, [...keySet])));
  return out;
}

/** The partitions of the model's table holding any of `keys` in `keyColumn`. */
async function locate(
  model: ModelNode,
  manifest: Manifest,
  connections: Connections,
  keyColumn: string,
  keys: string[],
): Promise<PartitionValue[]> {
  const out: PartitionValue[] = [];
  const engine = manifest.connections[model.relation.connection]!.type as EngineType;
  await connections.withSession(model.relation.connection, async (session, adapter) => {
    const pcols = partitionColumnsText(engine, model.config.partitionBy).join(", ");
    const column = castText(engine, quoteIdentifier(engine, keyColumn));
    for (let i = 0; i < keys.length; i += KEYS_PER_LOOKUP) {
      const literals = keys.slice(i, i + KEYS_PER_LOOKUP).map((k) => adapter.dialect.literal(k));
      // DuckDB tests a long IN list of constants against a computed column one by one (30 s for
      // 2,000 keys over 3M rows); as a semi-join on a VALUES list it hashes them (0.4 s).
      const list =
        engine === "duckdb"
          ? `select k from (values ${literals.map((l) => `(${l})`).join(", ")}) sluice_keys(k)`
          : literals.join(", ");
      const sql =
        `select distinct ${pcols} from ` +
        `${renderRelation(engine, model.relation)} where ${column} in (${list})`;
      for (const row of (await session.query(sql)).rows) out.push(partitionOf(row));
    }
  });
  return out;
}

/** How many partitions the model's table holds, from the engine's own listing. */
async function storedPartitions(model: ModelNode, connections: Connections): Promise<number> {
  return connections.withSession(
    model.relation.connection,
    async (session, adapter) =>
      (await adapter.introspector(session).partitions(model.relation, model.config.partitionBy)).length,
  );
}

async function highWatermark(
  session: Session,
  engine: EngineType,
  source: SourceNode,
): Promise<Watermark | null> {
  const tracking = source.changeTracking!;
  const updated = await readHighWatermark(session, engine, source.relation, tracking.updatedAt);
  const deleted = tracking.deletes
    ? await readHighWatermark(session, engine, tracking.deletes.relation, tracking.deletes.deletedAt)
    : null;
  return later(updated, deleted);
}

/**
 * Rows with a NULL stamp, and rows stamped after the source's own clock (timestamps only: a
 * number has no clock to compare with). The future rows are counted only when the latest stamp is
 * after the clock: comparing every row with the clock is a full scan (on DuckDB a cast per row that
 * no zone map prunes, 0.2-0.4 s at 1M rows), while the null count and the latest stamp take ~1 ms
 * there; with no stamp ahead of the clock the count is 0 without counting.
 */
async function stampCounts(
  session: Session,
  engine: EngineType,
  source: SourceNode,
  current: Watermark | null,
): Promise<{ nulls: number; future: number }> {
  const col = quoteIdentifier(engine, source.changeTracking!.updatedAt);
  const clock = engine === "sqlserver" ? "SYSDATETIME()" : "current_timestamp";
  const table = renderRelation(engine, source.relation);
  const timestamps = current?.kind === "timestamp";
  const ahead = timestamps ? `case when max(${col}) > ${clock} then 1 else 0 end` : "0";
  const { rows } = await session.query(`select count(*) - count(${col}), ${ahead} from ${table}`);
  const nulls = Number(rows[0]?.[0] ?? 0);
  if (Number(rows[0]?.[1] ?? 0) === 0) return { nulls, future: 0 };
  return { nulls, future: await countOf(session, `select count(*) from ${table} where ${col} > ${clock}`) };
}

async function countOf(session: Session, sql: string): Promise<number> {
  const { rows } = await session.query(sql);
  return Number(rows[0]?.[0] ?? 0);
}

async function column(session: Session, sql: string): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of session.stream(sql, 10_000))
    for (const row of batchRows(batch)) out.push(text(row[0] ?? null));
  return out;
}

/** A partition as read back from a query of its columns as text; NULL is a partition of its own. */
function partitionOf(row: unknown[]): PartitionValue {
  return row.map((v) => (v === null || v === undefined ? null : text(v)));
}

function text(value: unknown): string {
  return value === null || value === undefined
    ? ""
    : value instanceof Date
      ? value.toISOString()
      : String(value);
}
