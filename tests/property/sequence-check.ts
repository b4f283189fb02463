// The check after each build of a property sequence: every model's stored table against its full
// SQL evaluated now, in graph order (once every upstream table equals its full refresh, a model's
// full SQL over them is its full refresh, so this compares every table with what a full refresh
// would write, without building twice). The only rows allowed to differ are those the README says
// no change window sees: a sales row with a NULL update stamp may be missing, and a row deleted
// from a source without a deletes table may linger, each only in a lineage model over sales, only
// in a partition this build did not replace, and never after a full build of that model. Values
// are compared as text, read on the engine that holds them (DuckDB's or Spark's cast to text).
import type { PartitionValue } from "../../src/adapters/contract.js";
import type { Connections } from "../../src/adapters/index.js";
import { renderRelation } from "../../src/compiler/relations.js";
import { manifestDag } from "../../src/graph/selector.js";
import type { Manifest, ModelNode } from "../../src/manifest/types.js";

/** What one build did to a model: its plan action and, for `replace_partitions`, which. */
export interface ModelOutcome {
  action: string;
  partitions: PartitionValue[] | null;
}

/** What the source holds that no window can see, read from the source before the check. */
export interface Unseen {
  /** Keys (JSON of the key columns as text) of every sales row now. */
  present: Set<string>;
  /** Keys of the sales rows whose update stamp is NULL. */
  unstamped: Set<string>;
  /** First key columns recorded as deleted where sluice reads no deletes table (empty otherwise). */
  unrecorded: Set<string>;
}

export type Row = Record<string, string | null>;

/**
 * The text of a value as DuckDB and Spark can agree on it, when the target has a Spark lake: a
 * Hive TIMESTAMP has no zone (sessions run in UTC), where DuckDB's text of a TIMESTAMPTZ ends in
 * +00, so that suffix goes. On DuckDB alone the text stays as it is, zone and all.
 */
function canonical(manifest: Manifest, value: string | null): string | null {
  if (value === null || !Object.values(manifest.connections).some((c) => c.type === "hive")) return value;
  return value.replace(/^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?)\+00$/, "$1");
}

/**
 * Rows of `from` (a relation, or a parenthesised query with an alias) on `connection`, as text.
 * Spark has no columns(*), so there each of `names` is cast (the caller learns them once, with
 * columnNames, since every Spark statement costs a job).
 */
async function readRows(
  manifest: Manifest,
  connections: Connections,
  connection: string,
  from: string,
  names: string[],
): Promise<Row[]> {
  const sql =
    manifest.connections[connection]?.type === "hive"
      ? `select ${names.map((c) => `cast(\`${c}\` as string) as \`${c}\``).join(", ")} from ${from}`
      : `select columns(*)::varchar from ${from}`;
  return connections.withSession(connection, async (s) => {
    const { columns, rows } = await s.query(sql);
    return rows.map((r) =>
      Object.fromEntries(
        columns.map((c, i) => [c.name, canonical(manifest, (r[i] ?? null) as string | null)]),
      ),
    );
  });
}

/** The column names of a relation (no rows read). */
async function columnNames(connections: Connections, connection: string, from: string): Promise<string[]> {
  return connections.withSession(connection, async (s) =>
    (await s.query(`select * from ${from} limit 0`)).columns.map((c) => c.name),
  );
}

/** A row as one comparable string, whatever order the engine gave its columns in. */
function rowKey(r: Row): string {
  return JSON.stringify(
    Object.keys(r)
      .sort()
      .map((k) => [k, r[k]]),
  );
}

/** Occurrences of each row: tables may hold equal rows (a re-inserted key), which a set would merge. */
function counted(rows: Row[]): Map<string, { row: Row; n: number }> {
  const out = new Map<string, { row: Row; n: number }>();
  for (const row of rows) {
    const k = rowKey(row);
    const seen = out.get(k);
    if (seen) seen.n += 1;
    else out.set(k, { row, n: 1 });
  }
  return out;
}

/** Rows of `a` beyond those of `b`, with multiplicity. */
function beyond(a: Map<string, { row: Row; n: number }>, b: Map<string, { row: Row; n: number }>): Row[] {
  const out: Row[] = [];
  for (const [k, { row, n }] of a) for (let i = b.get(k)?.n ?? 0; i < n; i++) out.push(row);
  return out;
}

/**
 * Why a differing row of `model` is allowed, or null when it is not. `kind` says whether the
 * stored table lacks the row (missing) or holds it though the full SQL does not (extra).
 */
function allowance(
  manifest: Manifest,
  model: ModelNode,
  outcome: ModelOutcome | undefined,
  unseen: Unseen,
  keyColumns: string[],
  salesId: string,
  row: Row,
  kind: "missing" | "extra",
): string | null {
  if (!model.lineage?.trackedSources.includes(salesId)) return null;
  // A full build, or a partition it replaced, is rebuilt whole from the full SQL: nothing may differ.
  if (!outcome || (outcome.action !== "skip" && outcome.action !== "replace_partitions")) return null;
  const partition = JSON.stringify(model.config.partitionBy.map((c) => row[c] ?? null));
  const replaced = outcome.partitions?.map((p) => JSON.stringify(p.map((v) => canonical(manifest, v))));
  if (replaced?.includes(partition)) return null;
  const key = JSON.stringify(keyColumns.map((c) => row[c] ?? null));
  if (kind === "missing" && unseen.unstamped.has(key)) return "NULL update stamp";
  if (kind === "extra" && !unseen.present.has(key) && unseen.unrecorded.has(row[keyColumns[0]!] ?? ""))
    return "deleted without a deletes table";
  return null;
}

/**
 * Every model's stored table against its full SQL now, in graph order; throws naming the model and
 * the rows that differ beyond what `unseen` allows. `keyColumns` are the sales key's columns in
 * the lineage models (id, and k2 for a composite key); `salesId` is the sales source's node id;
 * `names` keeps each model's column names across the checks of one sequence.
 */
export async function checkEveryTable(
  manifest: Manifest,
  connections: Connections,
  outcomes: Map<string, ModelOutcome>,
  unseen: Unseen,
  keyColumns: string[],
  salesId: string,
  step: number,
  names: Map<string, string[]>,
): Promise<void> {
  for (const id of manifestDag(manifest).topologicalOrder()) {
    const node = manifest.nodes[id];
    if (node?.kind !== "model" || node.config.materialized === "ephemeral") continue;
    const model = node as ModelNode;
    const engine = manifest.connections[model.relation.connection]!.type;
    const relation = renderRelation(engine, model.relation);
    let columns = names.get(model.id);
    if (!columns && engine === "hive") {
      columns = await columnNames(connections, model.relation.connection, relation);
      names.set(model.id, columns);
    }
    const read = (connection: string, from: string) =>
      readRows(manifest, connections, connection, from, columns ?? []);
    const stored = counted(await read(model.relation.connection, relation));
    const full = counted(await read(model.config.compute, `(\n${model.compiledSql}\n) sluice_full`));
    const why = (row: Row, kind: "missing" | "extra") =>
      allowance(manifest, model, outcomes.get(model.id), unseen, keyColumns, salesId, row, kind);
    const missing = beyond(full, stored).filter((r) => why(r, "missing") === null);
    const extra = beyond(stored, full).filter((r) => why(r, "extra") === null);
    if (missing.length > 0 || extra.length > 0) {
      const outcome = outcomes.get(model.id);
      throw new Error(
        `step ${step}: ${model.name} differs from a full refresh (its step: ${outcome ? `${outcome.action} ${JSON.stringify(outcome.partitions)}` : "none"})\n  missing: ${missing.map(rowKey).join("\n           ")}\n  extra:   ${extra.map(rowKey).join("\n           ")}`,
      );
    }
  }
}
