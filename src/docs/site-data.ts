// Turns a manifest (and the last run's results) into the docs site's data: the nodes the browser
// shows, their lineage as indices, a colour per connection and a layered layout from dagre, so the
// browser only draws and never lays out the whole graph.
import { posix } from "node:path";
import type { Manifest, ManifestNode, ModelNode, TestNode } from "../manifest/types.js";
import {
  buildCatalog,
  type Catalog,
  type EngineColumns,
  mergeColumns,
  type MergedColumn,
} from "./catalog.js";
import { columnLineage, type ColumnLineage, type LineageCache } from "./column-lineage.js";
import type { LineageStore } from "./lineage-store.js";
import type { ParsedSql } from "./sql-parse.js";
import { groupedLayouts, NODE_HEIGHT, NODE_WIDTH, ranks, type Grouping } from "./layout.js";
import type { NodeResult, RunResults } from "../manifest/run-results.js";

/**
 * Categorical colours handed to connections in the manifest's order (Tableau 10: distinct for the
 * common kinds of colour blindness, readable on white). An 11th connection reuses the first.
 */
export const CONNECTION_COLOURS = [
  "#4e79a7",
  "#f28e2b",
  "#59a14f",
  "#e15759",
  "#76b7b2",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
] as const;

export interface SiteConnection {
  name: string;
  type: string;
  lake: boolean;
  colour: string;
}

export interface SiteColumn {
  name: string;
  dataType: string | null;
  description: string;
  tags: string[];
  /** Names of the tests on this column. */
  tests: string[];
  /** The declared type where the engine's differs; the catalog's marks (catalog.ts). */
  declaredType?: string | null;
  state?: MergedColumn["state"];
}

/** The last run's outcome for one node, from target/run_results.json. */
export interface SiteRunResult {
  runId: string;
  command: string;
  status: string;
  action: string;
  /** Why the plan took this step (e.g. "2 partitions changed upstream"). */
  reason: string | null;
  rowsAffected: number | null;
  failures: number | null;
  elapsedMs: number;
  startedAt: string | null;
  message: string | null;
}

/** Freshness of one partition of a lineage model, from the ledger (`sluice ledger show`). */
export interface PartitionFreshness {
  partition: string;
  loadedAt: string;
  rows: number | null;
  /** The source watermark the load reached. */
  watermark?: string | null;
}

export interface SiteNode {
  id: string;
  kind: ManifestNode["kind"];
  name: string;
  path: string;
  line: number;
  description: string;
  tags: string[];
  /** Where the result lands (a test: where it runs). */
  connection: string;
  /** Where the SQL runs; differs from `connection` for models computed on another engine. */
  compute: string;
  /** `database.schema.name` on `connection`; empty for tests and ephemeral models. */
  relation: string;
  materialized: string | null;
  columns: SiteColumn[];
  config: Record<string, unknown>;
  rawSql: string | null;
  compiledSql: string | null;
  compiledIncrementalSql: string | null;
  /** Indices into `SiteData.nodes` of the nodes this one reads; the browser derives downstream. */
  upstream: number[];
  /** Index of the node a generic test checks, or -1. */
  attachedTo: number;
  /** The folder of its file: its group when grouped by folder. */
  folder: string;
  /** Centre of the node in the layout grouped by folder, and its group there (a test: its model's). */
  x: number;
  y: number;
  fg: number;
  /** The same, grouped by connection. */
  cx: number;
  cy: number;
  cg: number;
  /** Longest path from a node without inputs: its column in a lineage view. */
  rank: number;
  result: SiteRunResult | null;
  /**
   * The worst outcome of the node's last run and of the tests that check it (`fail`, `error`,
   * `warn`, `skipped`, `pass`/`success`), so a model whose test failed never reads as green; null
   * when neither ran.
   */
  health: string | null;
  /** A lineage model (tracked sources): the only kind with partition freshness in the ledger. */
  lineage: boolean;
  /** Relations read besides the nodes upstream: the deletes table of each tracked source. */
  alsoReads: { relation: string; why: string }[];
  /** Column-level lineage of a model, or why it is unknown; null for other nodes. */
  columnLineage: ColumnLineage | null;
  /** Where `columns` come from (the engine, or declarations and why); null for tests and ephemerals. */
  catalog: { from: "engine" | "declared"; why: string | null } | null;
}

export interface SiteData {
  project: string;
  target: string;
  sluiceVersion: string;
  /** When the manifest was compiled. */
  compiledAt: string;
  /** When this site was generated (shown on the landing page). */
  generatedAt: string;
  connections: SiteConnection[];
  nodes: SiteNode[];
  layout: { nodeWidth: number; nodeHeight: number };
  /** The top groups of each grouping, in the order nodes' `fg`/`cg` index them. */
  groups: Record<Grouping, SiteGroup[]>;
  /** The run the results come from, or null when target/run_results.json was absent. */
  run: { runId: string; command: string; startedAt: string; elapsedMs: number; success: boolean } | null;
  /** Node id → partition freshness from the ledger; null until the ledger exists. */
  partitions: Record<string, PartitionFreshness[]> | null;
  /** Where the columns come from: when the engines were read, and the connections that were not. */
  catalog: { readAt: string | null; read: string[]; unread: { connection: string; why: string }[] };
}

export interface SiteGroup {
  key: string;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Nodes in it, tests not counted. */
  count: number;
}

export interface SiteInputs {
  runResults?: RunResults | null;
  partitions?: Record<string, PartitionFreshness[]> | null;
  /** The clock for `generatedAt`; tests pin it. */
  now?: () => Date;
  /** The columns read from the engines; null or absent: generated offline. */
  engine?: EngineColumns | null;
  /** Column lineage of earlier runs, by content; absent: every model's SQL is parsed. */
  lineageStore?: LineageStore;
  /** SQL parsed ahead of time (sql-parse.ts's `parseInWorkers`); the rest is parsed here. */
  parsedSql?: ParsedSql;
}

/** How bad an outcome is: a node's health is its worst one. Unknown statuses count as errors. */
export const STATUS_RANK: Record<string, number> = {
  success: 0,
  pass: 0,
  skipped: 1,
  warn: 2,
  error: 3,
  fail: 3,
};

/** Builds the site data: nodes sorted by id, lineage as indices, colours and layout. */
export function buildSiteData(manifest: Manifest, inputs: SiteInputs = {}): SiteData {
  return buildSite(manifest, inputs).data;
}

/** The site data and the catalog its Columns tables show. */
export function buildSite(manifest: Manifest, inputs: SiteInputs = {}): { data: SiteData; catalog: Catalog } {
  const connections = siteConnections(manifest);
  const ordered = Object.values(manifest.nodes).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const index = new Map(ordered.map((n, i) => [n.id, i]));
  const results = lastResults(inputs.runResults ?? null);
  const columnTests = testsByColumn(ordered);
  const lineages: LineageCache = Object.assign(new Map<string, ColumnLineage>(), {
    ...(inputs.lineageStore ? { store: inputs.lineageStore } : {}),
    ...(inputs.parsedSql ? { parsed: inputs.parsedSql } : {}),
  });
  const nodes = ordered.map((n): SiteNode => siteNode(n, manifest, index, results, columnTests, lineages));
  markHealth(nodes);
  const generatedAt = (inputs.now ?? (() => new Date()))().toISOString();
  const catalog = buildCatalog(
    manifest,
    inputs.engine ?? null,
    (id) => {
      const lineage = nodes[index.get(id)!]?.columnLineage;
      return lineage?.known ? lineage.columns.map((c) => c.name) : [];
    },
    generatedAt,
  );
  for (const n of nodes) {
    const entry = catalog.nodes[n.id];
    if (!entry) continue;
    n.columns = mergeColumns(entry, n.columns);
    n.catalog = { from: entry.from, why: entry.why };
  }
  const groups = layOut(nodes);
  const run = inputs.runResults ?? null;
  const data: SiteData = {
    project: manifest.project,
    target: manifest.target,
    sluiceVersion: manifest.sluiceVersion,
    compiledAt: manifest.generatedAt,
    generatedAt,
    connections,
    nodes,
    layout: { nodeWidth: NODE_WIDTH, nodeHeight: NODE_HEIGHT },
    groups,
    run: run && {
      runId: run.runId,
      command: run.command,
      startedAt: run.startedAt,
      elapsedMs: run.elapsedMs,
      success: run.success,
    },
    partitions: inputs.partitions ?? null,
    catalog: { readAt: catalog.metadata.readAt, read: catalog.read, unread: catalog.unread },
  };
  return { data, catalog };
}

/** One colour per connection of the target, plus any connection a node names that the target lacks. */
export function siteConnections(manifest: Manifest): SiteConnection[] {
  const names = Object.keys(manifest.connections);
  for (const n of Object.values(manifest.nodes)) {
    for (const c of [nodeConnection(n), nodeCompute(n)]) if (!names.includes(c)) names.push(c);
  }
  return names.map((name, i) => {
    const c = manifest.connections[name];
    return {
      name,
      type: c?.type ?? "unknown",
      lake: c?.lake ?? false,
      colour: CONNECTION_COLOURS[i % CONNECTION_COLOURS.length]!,
    };
  });
}

function nodeConnection(n: ManifestNode): string {
  return n.kind === "test" ? n.connection : n.kind === "model" ? n.config.connection : n.relation.connection;
}

function nodeCompute(n: ManifestNode): string {
  return n.kind === "model" ? n.config.compute : nodeConnection(n);
}

function siteNode(
  n: ManifestNode,
  manifest: Manifest,
  index: Map<string, number>,
  results: Map<string, SiteRunResult>,
  columnTests: Map<string, Map<string, string[]>>,
  lineages: LineageCache,
): SiteNode {
  const base = {
    id: n.id,
    kind: n.kind,
    name: n.name,
    path: n.location.path,
    line: n.location.line,
    description: n.description,
    tags: n.tags,
    connection: nodeConnection(n),
    compute: nodeCompute(n),
    upstream: n.dependsOn.map((d) => index.get(d)).filter((i): i is number => i !== undefined),
    attachedTo: -1,
    folder: posix.dirname(n.location.path),
    x: 0,
    y: 0,
    fg: 0,
    cx: 0,
    cy: 0,
    cg: 0,
    rank: 0,
    result: results.get(n.id) ?? null,
    health: null,
    lineage: false,
    rawSql: null,
    compiledSql: null,
    compiledIncrementalSql: null,
    columnLineage: null,
    catalog: null,
    alsoReads: [],
    materialized: null,
    relation: "",
    columns: [],
  };
  const columns = (
    cols: { name: string; description?: string; dataType?: string; tags: string[] }[],
    types: Record<string, string> = {},
  ) =>
    cols.map((c) => ({
      name: c.name,
      dataType: c.dataType ?? types[c.name] ?? null,
      description: c.description ?? "",
      tags: c.tags,
      tests: columnTests.get(n.id)?.get(c.name) ?? [],
    }));
  const relation = (r: { database?: string; schema: string; name: string }) =>
    [r.database, r.schema, r.name].filter(Boolean).join(".");
  switch (n.kind) {
    case "model":
      return {
        ...base,
        materialized: n.config.materialized,
        relation: n.config.materialized === "ephemeral" ? "" : relation(n.relation),
        columns: columns(n.columns),
        config: { ...n.config, trackedSources: n.lineage?.trackedSources ?? null },
        rawSql: n.rawSql,
        compiledSql: n.compiledSql,
        // Shown only where it differs: a model whose incremental SQL is its full SQL has one query.
        compiledIncrementalSql: n.compiledIncrementalSql === n.compiledSql ? null : n.compiledIncrementalSql,
        lineage: n.lineage !== null && n.lineage !== undefined,
        columnLineage: columnLineage(n, manifest, lineages),
        alsoReads: deletesTables(n, manifest),
      };
    case "source":
      return {
        ...base,
        relation: relation(n.relation),
        columns: columns(n.columns),
        config: { source: n.sourceName, table: n.tableName, changeTracking: n.changeTracking },
      };
    case "seed":
      return {
        ...base,
        materialized: "seed",
        relation: relation(n.relation),
        columns: columns(n.columns, n.columnTypes),
        config: { delimiter: n.delimiter, columnTypes: n.columnTypes },
      };
    case "test":
      return {
        ...base,
        upstream: [
          ...base.upstream,
          ...reconciledSources(n, manifest, index).filter((i) => !base.upstream.includes(i)),
        ],
        attachedTo: n.attachedTo === null ? -1 : (index.get(n.attachedTo) ?? -1),
        config: { testType: n.testType, column: n.column, args: n.args, ...n.config, reconcile: n.reconcile },
        compiledSql: n.compiledSql,
      };
  }
}

/** Sets each node's health: its own last status, or worse, that of a test that checks it. */
export function markHealth(nodes: SiteNode[]): void {
  const rank = (s: string) => STATUS_RANK[s] ?? 3;
  for (const n of nodes) n.health = n.result?.status ?? null;
  for (const t of nodes) {
    if (t.kind !== "test" || !t.result) continue;
    const checked = t.attachedTo >= 0 ? [t.attachedTo] : t.upstream;
    for (const i of checked) {
      const n = nodes[i]!;
      if (n.health === null || rank(t.result.status) > rank(n.health)) n.health = t.result.status;
    }
  }
}

/** Node id → column name → names of the generic tests on that column. */
function testsByColumn(nodes: ManifestNode[]): Map<string, Map<string, string[]>> {
  const out = new Map<string, Map<string, string[]>>();
  for (const n of nodes) {
    if (n.kind !== "test" || n.attachedTo === null || n.column === null) continue;
    const byColumn = out.get(n.attachedTo) ?? new Map<string, string[]>();
    byColumn.set(n.column, [...(byColumn.get(n.column) ?? []), n.testType]);
    out.set(n.attachedTo, byColumn);
  }
  return out;
}

/** The last result per node; a node appears once per run, but a later entry wins if not. */
function lastResults(run: RunResults | null): Map<string, SiteRunResult> {
  const out = new Map<string, SiteRunResult>();
  for (const r of run?.results ?? []) out.set(r.node, siteResult(run!, r));
  return out;
}

function siteResult(run: RunResults, r: NodeResult): SiteRunResult {
  return {
    runId: run.runId,
    command: run.command,
    status: r.status,
    action: r.action,
    reason: (r as Partial<NodeResult>).reason ?? null,
    rowsAffected: r.rowsAffected ?? null,
    failures: r.failures ?? null,
    elapsedMs: r.elapsedMs,
    startedAt: r.startedAt,
    message: r.message ?? null,
  };
}

/**
 * Places every node but the tests in both groupings (tests are drawn by their model), and returns
 * the groups. A test takes the place of the node it checks.
 */
function layOut(all: SiteNode[]): Record<Grouping, SiteGroup[]> {
  const members = all.map((_n, i) => i).filter((i) => all[i]!.kind !== "test");
  const local = new Map(members.map((i, k) => [i, k]));
  const input = members.map((i) => ({
    folder: all[i]!.folder,
    connection: all[i]!.connection,
    upstream: all[i]!.upstream.filter((u) => local.has(u)).map((u) => local.get(u)!),
  }));
  const laid = groupedLayouts(input);
  const rank = ranks(input);
  members.forEach((i, k) => {
    const n = all[i]!;
    [n.x, n.y, n.fg] = [laid.folder.x[k]!, laid.folder.y[k]!, laid.folder.group[k]!];
    [n.cx, n.cy, n.cg] = [laid.connection.x[k]!, laid.connection.y[k]!, laid.connection.group[k]!];
    n.rank = rank[k]!;
  });
  for (const t of all) {
    if (t.kind !== "test") continue;
    const at = all[t.attachedTo >= 0 ? t.attachedTo : (t.upstream[0] ?? -1)];
    if (at)
      [t.x, t.y, t.fg, t.cx, t.cy, t.cg, t.rank] = [at.x, at.y, at.fg, at.cx, at.cy, at.cg, at.rank + 1];
  }
  const groups = (g: Grouping) =>
    laid[g].groups.map(({ key, x, y, width, height, members: m }) => ({
      key,
      x,
      y,
      width,
      height,
      count: m.length,
    }));
  return { folder: groups("folder"), connection: groups("connection") };
}

/** A lineage model reads each tracked source's deletes table too: the edge the graph cannot draw. */
function deletesTables(n: ModelNode, manifest: Manifest): { relation: string; why: string }[] {
  const out: { relation: string; why: string }[] = [];
  for (const id of n.lineage?.trackedSources ?? []) {
    const source = manifest.nodes[id];
    const deletes = source?.kind === "source" ? source.changeTracking?.deletes : null;
    if (!deletes) continue;
    const r = deletes.relation;
    out.push({
      relation: [r.database, r.schema, r.name].filter(Boolean).join("."),
      why: `deleted keys of ${id} (${deletes.key}, ${deletes.deletedAt})`,
    });
  }
  return out;
}

/** A reconcile test compares its model with the model's tracked sources: it reads those too. */
function reconciledSources(t: TestNode, manifest: Manifest, index: Map<string, number>): number[] {
  if (t.testType !== "reconcile" || !t.attachedTo) return [];
  const model = manifest.nodes[t.attachedTo];
  if (model?.kind !== "model") return [];
  return (model.lineage?.trackedSources ?? [])
    .map((id) => index.get(id))
    .filter((i): i is number => i !== undefined);
}
