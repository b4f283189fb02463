// Lays the project out as nested groups, with dagre at every level, so no single layout is big:
// nodes inside a cluster (one folder on one connection), clusters inside a top group (a folder, or
// a connection), top groups across the page. Each node gets a place in both groupings.
import { graphlib, layout } from "@dagrejs/dagre";

/** Size of a node box in the layout; the browser draws nodes at these centres. */
export const NODE_WIDTH = 200;
export const NODE_HEIGHT = 30;
const NODE_GAP = 12;
const RANK_GAP = 80;
/** Padding around a group's content, room for its title. */
const GROUP_PAD = 24;
/** Above this many nodes, dagre's crossing reduction is skipped: it costs minutes at 10k. */
const FULL_ORDERING_MAX_NODES = 2000;

export interface LayoutNode {
  folder: string;
  connection: string;
  /** Indices of the laid-out nodes this one reads. */
  upstream: number[];
}

export type Grouping = "folder" | "connection";

export interface LayoutGroup {
  key: string;
  /** Centre and size of the group's box. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** Indices of its nodes. */
  members: number[];
}

export interface GroupedLayout {
  groups: LayoutGroup[];
  /** Index into `groups` per node. */
  group: Int32Array;
  x: Float64Array;
  y: Float64Array;
}

interface Box {
  width: number;
  height: number;
}

/**
 * Longest path from a node without inputs: the column a node sits in when the browser packs a
 * lineage view. The node graph is a DAG (compile refuses cycles).
 */
export function ranks(nodes: LayoutNode[]): Int32Array {
  const rank = new Int32Array(nodes.length);
  const pending = new Int32Array(nodes.length);
  const down: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    for (const u of n.upstream) if (u !== i) down[u]!.push(i), (pending[i] = pending[i]! + 1);
  });
  const ready: number[] = [];
  for (let i = 0; i < nodes.length; i++) if (pending[i] === 0) ready.push(i);
  for (let v = ready.pop(); v !== undefined; v = ready.pop()) {
    for (const w of down[v]!) {
      rank[w] = Math.max(rank[w]!, rank[v]! + 1);
      if (--pending[w]! === 0) ready.push(w);
    }
  }
  return rank;
}

/** Both groupings' layouts; clusters (folder × connection) are laid out once and shared. */
export function groupedLayouts(nodes: LayoutNode[]): Record<Grouping, GroupedLayout> {
  const clusterKey = (n: LayoutNode) => `${n.folder}\u0000${n.connection}`;
  const clusters = new Map<string, number[]>();
  nodes.forEach((n, i) => {
    const k = clusterKey(n);
    const list = clusters.get(k);
    if (list) list.push(i);
    else clusters.set(k, [i]);
  });
  const cluster = new Int32Array(nodes.length);
  const inner = new Float64Array(nodes.length * 2);
  const clusterList = [...clusters.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  const boxes: Box[] = clusterList.map(([, members], c) => {
    for (const i of members) cluster[i] = c;
    return layOutMembers(nodes, members, inner);
  });
  const result = {} as Record<Grouping, GroupedLayout>;
  for (const grouping of ["folder", "connection"] as const) {
    const keyOf = (c: number) => clusterList[c]![0].split("\u0000")[grouping === "folder" ? 0 : 1]!;
    result[grouping] = nest(nodes, cluster, inner, boxes, keyOf);
  }
  return result;
}

/**
 * Places clusters inside their top groups and the groups on the page, each level one dagre layout
 * over boxes, edges between boxes taken from the node edges.
 */
function nest(
  nodes: LayoutNode[],
  cluster: Int32Array,
  inner: Float64Array,
  boxes: Box[],
  keyOf: (c: number) => string,
): GroupedLayout {
  const topKeys = [...new Set(boxes.map((_b, c) => keyOf(c)))].sort();
  const topIndex = new Map(topKeys.map((k, i) => [k, i]));
  const clusterTop = boxes.map((_b, c) => topIndex.get(keyOf(c))!);
  const clusterEdges: [number, number][] = [];
  const topEdges: [number, number][] = [];
  nodes.forEach((n, i) => {
    for (const u of n.upstream) {
      const [cu, ci] = [cluster[u]!, cluster[i]!];
      if (cu !== ci) clusterEdges.push([cu, ci]);
      if (clusterTop[cu] !== clusterTop[ci]) topEdges.push([clusterTop[cu]!, clusterTop[ci]!]);
    }
  });
  // Clusters inside each top group.
  const clusterAt = new Float64Array(boxes.length * 2);
  const topBoxes: Box[] = topKeys.map((_k, t) => {
    const members = boxes.map((_b, c) => c).filter((c) => clusterTop[c] === t);
    const local = new Map(members.map((c, k) => [c, k]));
    const edges = clusterEdges
      .filter(([a, b]) => local.has(a) && local.has(b))
      .map(([a, b]): [number, number] => [local.get(a)!, local.get(b)!]);
    const placed = layOutBoxes(
      members.map((c) => boxes[c]!),
      edges,
    );
    members.forEach(
      (c, k) => ((clusterAt[2 * c] = placed.at[2 * k]!), (clusterAt[2 * c + 1] = placed.at[2 * k + 1]!)),
    );
    return placed.box;
  });
  const page = layOutBoxes(topBoxes, topEdges);
  const groups: LayoutGroup[] = topKeys.map((key, t) => ({
    key,
    x: page.at[2 * t]!,
    y: page.at[2 * t + 1]!,
    width: topBoxes[t]!.width,
    height: topBoxes[t]!.height,
    members: [],
  }));
  const group = new Int32Array(nodes.length);
  const x = new Float64Array(nodes.length);
  const y = new Float64Array(nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    const c = cluster[i]!;
    const t = clusterTop[c]!;
    const g = groups[t]!;
    group[i] = t;
    g.members.push(i);
    x[i] = Math.round(g.x - g.width / 2 + clusterAt[2 * c]! - boxes[c]!.width / 2 + inner[2 * i]!);
    y[i] = Math.round(g.y - g.height / 2 + clusterAt[2 * c + 1]! - boxes[c]!.height / 2 + inner[2 * i + 1]!);
  }
  return { groups, group, x, y };
}

/**
 * Lays boxes out left to right with dagre; edges may form cycles between groups (a folder that
 * both reads and feeds another), which dagre's greedy acyclicer breaks. Returns each box's
 * centre inside the padded whole, and the whole's size.
 */
function layOutBoxes(boxes: Box[], edges: [number, number][]): { at: Float64Array; box: Box } {
  const at = new Float64Array(boxes.length * 2);
  if (boxes.length === 1) {
    at[0] = GROUP_PAD + boxes[0]!.width / 2;
    at[1] = GROUP_PAD * 1.5 + boxes[0]!.height / 2;
    return {
      at,
      box: { width: boxes[0]!.width + 2 * GROUP_PAD, height: boxes[0]!.height + 2.5 * GROUP_PAD },
    };
  }
  const g = new graphlib.Graph();
  g.setGraph({
    rankdir: "LR",
    nodesep: GROUP_PAD * 2,
    ranksep: RANK_GAP * 2,
    marginx: GROUP_PAD,
    marginy: GROUP_PAD * 1.5,
    acyclicer: "greedy",
    ranker: "longest-path",
  });
  g.setDefaultEdgeLabel(() => ({}));
  boxes.forEach((b, i) => g.setNode(String(i), { width: b.width, height: b.height }));
  for (const [a, b] of edges) if (a !== b) g.setEdge(String(a), String(b));
  layout(g, { disableOptimalOrderHeuristic: boxes.length > FULL_ORDERING_MAX_NODES });
  boxes.forEach((_b, i) => {
    const label = g.node(String(i));
    at[2 * i] = label.x ?? 0;
    at[2 * i + 1] = label.y ?? 0;
  });
  const graph = g.graph();
  return {
    at,
    box: { width: Math.ceil(graph.width ?? 0), height: Math.ceil(graph.height ?? 0) + GROUP_PAD / 2 },
  };
}

/**
 * One cluster's nodes: dagre picks the columns (ranks) and the order in each; the columns are then
 * packed, and a column taller than the cluster is wide is wrapped into several, so a folder of a
 * thousand unconnected models is a block, not a line. Writes node centres into `out`.
 */
function layOutMembers(nodes: LayoutNode[], members: number[], out: Float64Array): Box {
  const own = new Set(members);
  const columns = new Map<number, { i: number; y: number }[]>();
  const linked = members.some((i) => nodes[i]!.upstream.some((u) => u !== i && own.has(u)));
  // Without an edge inside the cluster there is one column in node order; dagre would say the same, slowly.
  if (!linked)
    columns.set(
      0,
      members.map((i, k) => ({ i, y: k })),
    );
  else {
    const g = new graphlib.Graph();
    g.setGraph({ rankdir: "LR", nodesep: NODE_GAP, ranksep: RANK_GAP, ranker: "longest-path" });
    g.setDefaultEdgeLabel(() => ({}));
    for (const i of members) g.setNode(String(i), { width: NODE_WIDTH, height: NODE_HEIGHT });
    for (const i of members)
      for (const u of nodes[i]!.upstream) if (u !== i && own.has(u)) g.setEdge(String(u), String(i));
    layout(g, { disableOptimalOrderHeuristic: members.length > FULL_ORDERING_MAX_NODES });
    for (const i of members) {
      const label = g.node(String(i));
      const x = Math.round(label.x ?? 0);
      const col = columns.get(x);
      if (col) col.push({ i, y: label.y ?? 0 });
      else columns.set(x, [{ i, y: label.y ?? 0 }]);
    }
  }
  const tallest = Math.max(8, Math.ceil(Math.sqrt(members.length) * 1.5));
  let x = NODE_WIDTH / 2;
  let height = 0;
  for (const key of [...columns.keys()].sort((a, b) => a - b)) {
    const col = columns.get(key)!.sort((a, b) => a.y - b.y);
    for (let start = 0; start < col.length; start += tallest) {
      col.slice(start, start + tallest).forEach(({ i }, k) => {
        out[2 * i] = x;
        out[2 * i + 1] = NODE_HEIGHT / 2 + k * (NODE_HEIGHT + NODE_GAP);
        height = Math.max(height, (k + 1) * (NODE_HEIGHT + NODE_GAP) - NODE_GAP);
      });
      x += NODE_WIDTH + (start + tallest < col.length ? NODE_GAP * 2 : RANK_GAP);
    }
  }
  return { width: x - RANK_GAP - NODE_WIDTH / 2, height };
}
