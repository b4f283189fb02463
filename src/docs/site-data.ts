// Turns a manifest (and the last run's results) into the docs site's data: the nodes the browser
// shows, their lineage as indices, a colour per connection and a layered layout from dagre, so the
// browser only draws and never lays out the whole graph.
import { graphlib, layout } from "@dagrejs/dagre";
import type { Manifest, ManifestNode } from "../manifest/types.js";
import { columnLineage, type ColumnLineage } from "./column-lineage.js";
import type { NodeResult, RunResults } from "../runner/run.js";

/** Size of a node box in the layout, in SVG units; the browser draws boxes of this size. */
export const NODE_WIDTH = 200;
export const NODE_HEIGHT = 30;

/**
 * Categorical colours handed to connections in the manifest's order (Tableau 10: distinct for the
 * common kinds of colour blindness, readable on white). An 11th connection reuses the first.
 */
export const CONNECTION_COLOURS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"] as const;

/** Above this many nodes, dagre's crossing-reduction passes are skipped: they cost minutes at 10k. */
const FULL_ORDERING_MAX_NODES = 2000;

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
  /** Centre of the node box in the whole-project layout without tests (a test: with them). */
  x: number;
  y: number;
  /** Centre of the node box in the whole-project layout with tests. */
  xt: number;
  yt: number;
  result: SiteRunResult | null;
  /**
   * The worst outcome of the node's last run and of the tests that check it (`fail`, `error`,
   * `warn`, `skipped`, `pass`/`success`), so a model whose test failed never reads as green; null
   * when neither ran.
   */
  health: string | null;
  /** A lineage model (tracked sources): the only kind with partition freshness in the ledger. */
  lineage: boolean;
  /** Column-level lineage of a model, or why it is unknown; null for other nodes. */
  columnLineage: ColumnLineage | null;
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
  layout: { nodeWidth: number; nodeHeight: number; withoutTests: LayoutSize; withTests: LayoutSize };
  /** The run the results come from, or null when target/run_results.json was absent. */
  run: { runId: string; command: string; startedAt: string; elapsedMs: number; success: boolean } | null;
  /** Node id → partition freshness from the ledger; null until the ledger exists. */
  partitions: Record<string, PartitionFreshness[]> | null;
}

export interface LayoutSize {
  width: number;
  height: number;
}

export interface SiteInputs {
  runResults?: RunResults | null;
  partitions?: Record<string, PartitionFreshness[]> | null;
  /** The clock for `generatedAt`; tests pin it. */
  now?: () => Date;
}

/** How bad an outcome is: a node's health is its worst one. Unknown statuses count as errors. */
export const STATUS_RANK: Record<string, number> = { success: 0, pass: 0, skipped: 1, warn: 2, error: 3, fail: 3 };

/** Builds the site data: nodes sorted by id, lineage as indices, colours and layout. */
export function buildSiteData(manifest: Manifest, inputs: SiteInputs = {}): SiteData {
  const connections = siteConnections(manifest);
  const ordered = Object.values(manifest.nodes).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const index = new Map(ordered.map((n, i) => [n.id, i]));
  const results = lastResults(inputs.runResults ?? null);
  const columnTests = testsByColumn(ordered);
  const nodes = ordered.map((n): SiteNode => siteNode(n, manifest, index, results, columnTests));
  markHealth(nodes);
  // Two layouts, so hiding tests leaves no holes; the second only when there are tests.
  const withoutTests = layOut(nodes, false);
  const hasTests = nodes.some((n) => n.kind === "test");
  const withTests = hasTests ? layOut(nodes, true) : withoutTests;
  if (!hasTests) for (const n of nodes) [n.xt, n.yt] = [n.x, n.y];
  const run = inputs.runResults ?? null;
  return {
    project: manifest.project,
    target: manifest.target,
    sluiceVersion: manifest.sluiceVersion,
    compiledAt: manifest.generatedAt,
    generatedAt: (inputs.now ?? (() => new Date()))().toISOString(),
    connections,
    nodes,
    layout: { nodeWidth: NODE_WIDTH, nodeHeight: NODE_HEIGHT, withoutTests, withTests },
    run: run && { runId: run.runId, command: run.command, startedAt: run.startedAt, elapsedMs: run.elapsedMs, success: run.success },
    partitions: inputs.partitions ?? null,
  };
}

/** One colour per connection of the target, plus any connection a node names that the target lacks. */
export function siteConnections(manifest: Manifest): SiteConnection[] {
  const names = Object.keys(manifest.connections);
  for (const n of Object.values(manifest.nodes)) {
    for (const c of [nodeConnection(n), nodeCompute(n)]) if (!names.includes(c)) names.push(c);
  }
  return names.map((name, i) => {
    const c = manifest.connections[name];
    return { name, type: c?.type ?? "unknown", lake: c?.lake ?? false, colour: CONNECTION_COLOURS[i % CONNECTION_COLOURS.length]! };
  });
}

function nodeConnection(n: ManifestNode): string {
  return n.kind === "test" ? n.connection : n.kind === "model" ? n.config.connection : n.relation.connection;
}

function nodeCompute(n: ManifestNode): string {
  return n.kind === "model" ? n.config.compute : nodeConnection(n);
}

function siteNode(n: ManifestNode, manifest: Manifest, index: Map<string, number>, results: Map<string, SiteRunResult>, columnTests: Map<string, Map<string, string[]>>): SiteNode {
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
    x: 0,
    y: 0,
    xt: 0,
    yt: 0,
    result: results.get(n.id) ?? null,
    health: null,
    lineage: false,
    rawSql: null,
    compiledSql: null,
    compiledIncrementalSql: null,
    columnLineage: null,
    materialized: null,
    relation: "",
    columns: [],
  };
  const columns = (cols: { name: string; description?: string; dataType?: string; tags: string[] }[], types: Record<string, string> = {}) =>
    cols.map((c) => ({ name: c.name, dataType: c.dataType ?? types[c.name] ?? null, description: c.description ?? "", tags: c.tags, tests: columnTests.get(n.id)?.get(c.name) ?? [] }));
  const relation = (r: { database?: string; schema: string; name: string }) => [r.database, r.schema, r.name].filter(Boolean).join(".");
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
        columnLineage: n.config.materialized === "ephemeral" ? null : columnLineage(n, manifest),
      };
    case "source":
      return { ...base, relation: relation(n.relation), columns: columns(n.columns), config: { source: n.sourceName, table: n.tableName, changeTracking: n.changeTracking } };
    case "seed":
      return { ...base, materialized: "seed", relation: relation(n.relation), columns: columns(n.columns, n.columnTypes), config: { delimiter: n.delimiter, columnTypes: n.columnTypes } };
    case "test":
      return {
        ...base,
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
 * Lays the project out left to right with dagre and writes each node's centre into it: `xt`/`yt`
 * with tests, else `x`/`y` (and tests keep their with-tests place there). Ranks come from the
 * longest path from the sources (see `sourceAlignedRanks`); dagre orders and places the nodes.
 */
function layOut(all: SiteNode[], withTests: boolean): LayoutSize {
  const members = all.map((_n, i) => i).filter((i) => withTests || all[i]!.kind !== "test");
  if (members.length === 0) return { width: 0, height: 0 };
  const g = new graphlib.Graph();
  // dagre accepts a function as ranker (its exported RankerFunction type); GraphLabel's field type
  // names only the built-in rankers, hence the cast.
  g.setGraph({ rankdir: "LR", nodesep: 12, ranksep: 80, marginx: 20, marginy: 20, ranker: sourceAlignedRanks as unknown as "longest-path" });
  g.setDefaultEdgeLabel(() => ({}));
  for (const i of members) g.setNode(String(i), { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const i of members) {
    for (const u of all[i]!.upstream) if (u !== i && g.hasNode(String(u))) g.setEdge(String(u), String(i));
  }
  layout(g, { disableOptimalOrderHeuristic: members.length > FULL_ORDERING_MAX_NODES });
  for (const i of members) {
    const label = g.node(String(i));
    const n = all[i]!;
    const [x, y] = [Math.round(label.x ?? 0), Math.round(label.y ?? 0)];
    if (withTests) [n.xt, n.yt] = [x, y];
    if (!withTests || n.kind === "test") [n.x, n.y] = [x, y];
  }
  const graph = g.graph();
  return { width: Math.ceil(graph.width ?? 0), height: Math.ceil(graph.height ?? 0) };
}

/**
 * dagre ranker: a node's rank is the longest path to it from a node with no inputs. Sources and
 * seeds line up on the left and a test sits right after what it checks; dagre's built-in
 * longest-path ranker aligns on the sinks instead (pushing every test to the far right), and its
 * network-simplex ranker takes minutes on thousands of nodes.
 */
export function sourceAlignedRanks(g: graphlib.Graph): void {
  const rank = new Map<string, number>();
  const pending = new Map<string, number>();
  const ready: string[] = [];
  for (const v of g.nodes()) {
    const n = g.inEdges(v)?.length ?? 0;
    pending.set(v, n);
    if (n === 0) ready.push(v);
  }
  for (let v = ready.pop(); v !== undefined; v = ready.pop()) {
    const r = rank.get(v) ?? 0;
    (g.node(v) as { rank?: number }).rank = r;
    for (const e of g.outEdges(v) ?? []) {
      const minlen = (g.edge(e) as { minlen?: number } | undefined)?.minlen ?? 1;
      rank.set(e.w, Math.max(rank.get(e.w) ?? 0, r + minlen));
      const left = (pending.get(e.w) ?? 1) - 1;
      pending.set(e.w, left);
      if (left === 0) ready.push(e.w);
    }
  }
}
