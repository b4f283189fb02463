// Node selection as dbt users write it: `name`, `+name`, `name+`, `2+name`, `name+1`, `@name`,
// `tag:x`, `path:models/marts`, `config.materialized:table`, `source:production`, `state:new`,
// `state:modified`, `*`. Spaces make unions, commas make intersections.
import type { Manifest, ManifestNode } from "../manifest/types.js";
import { didYouMean } from "../project/diagnostics.js";
import { Dag } from "./dag.js";

export class SelectorError extends Error {}

export interface SelectionContext {
  manifest: Manifest;
  dag: Dag;
  /** Ids that are new or modified against a previous manifest (for `state:`). */
  state?: { new: Set<string>; modified: Set<string> };
}

/** The graph of a manifest: every node and its dependency edges. */
export function manifestDag(manifest: Manifest): Dag {
  const dag = new Dag();
  for (const id of Object.keys(manifest.nodes)) dag.addNode(id);
  for (const node of Object.values(manifest.nodes)) for (const dep of node.dependsOn) if (manifest.nodes[dep]) dag.addEdge(dep, node.id);
  return dag;
}

/**
 * Selects node ids. Without `select`, every model, seed and test. Tests come along with the nodes
 * they check; sources are never run but can anchor `source:x+`.
 */
export function selectNodes(ctx: SelectionContext, select: string[] | undefined, exclude: string[] | undefined, options: { sources?: boolean } = {}): Set<string> {
  // The docs site's search keeps sources: it shows what a selector names, not what would run.
  const runnable = (n: ManifestNode) => options.sources === true || n.kind !== "source";
  let chosen: Set<string>;
  if (!select || select.length === 0) chosen = new Set(Object.values(ctx.manifest.nodes).filter(runnable).map((n) => n.id));
  else chosen = union(select.flatMap(splitUnion).map((expr) => intersect(expr.split(",").map((atom) => selectAtom(ctx, atom)))));
  for (const id of [...chosen]) if (!runnable(ctx.manifest.nodes[id]!)) chosen.delete(id);
  // Tests of chosen nodes come along, as dbt users expect.
  for (const node of Object.values(ctx.manifest.nodes)) {
    if (node.kind !== "test") continue;
    const anchors = node.attachedTo ? [node.attachedTo] : node.dependsOn;
    const onSourcesOnly = anchors.every((d) => ctx.manifest.nodes[d]?.kind === "source");
    if (anchors.some((d) => chosen.has(d)) || (onSourcesOnly && !select?.length)) chosen.add(node.id);
  }
  if (exclude && exclude.length > 0) {
    const excluded = union(exclude.flatMap(splitUnion).map((expr) => intersect(expr.split(",").map((atom) => selectAtom(ctx, atom)))));
    for (const id of excluded) chosen.delete(id);
    for (const node of Object.values(ctx.manifest.nodes)) if (node.kind === "test" && node.attachedTo && excluded.has(node.attachedTo)) chosen.delete(node.id);
  }
  return chosen;
}

function splitUnion(s: string): string[] {
  return s.split(/\s+/).filter(Boolean);
}

const GRAPH_OPERATORS = /^(@)?(?:(\d*)\+)?(.+?)(?:\+(\d*))?$/;

function selectAtom(ctx: SelectionContext, atom: string): Set<string> {
  const m = GRAPH_OPERATORS.exec(atom);
  if (!m) throw new SelectorError(`cannot read selector '${atom}'`);
  const [, at, upDepth, body, downDepth] = m;
  const hasUp = /^@?\d*\+/.test(atom);
  const hasDown = /\+\d*$/.test(atom);
  const base = matchMethod(ctx, body!);
  const out = new Set(base);
  for (const id of base) {
    if (hasUp) for (const a of ctx.dag.ancestors(id, upDepth ? Number(upDepth) : undefined)) out.add(a);
    if (hasDown || at) for (const d of ctx.dag.descendants(id, downDepth ? Number(downDepth) : undefined)) out.add(d);
  }
  if (at) for (const id of [...out]) for (const a of ctx.dag.ancestors(id)) out.add(a);
  return out;
}

function matchMethod(ctx: SelectionContext, body: string): Set<string> {
  const nodes = Object.values(ctx.manifest.nodes);
  const colon = body.indexOf(":");
  const method = colon >= 0 ? body.slice(0, colon) : "name";
  const value = colon >= 0 ? body.slice(colon + 1) : body;
  const ids = (predicate: (n: ManifestNode) => boolean) => new Set(nodes.filter(predicate).map((n) => n.id));
  switch (method) {
    case "name": {
      if (value === "*") return ids(() => true);
      const found = ids((n) => n.kind !== "test" ? n.name === value || (n.kind === "source" && n.sourceName === value) : n.name === value);
      if (found.size === 0) {
        const names = nodes.map((n) => n.name);
        const hint = didYouMean(value, names);
        throw new SelectorError(`no node is named '${value}'${hint ? `; ${hint}` : ""}`);
      }
      return found;
    }
    case "tag":
      return ids((n) => n.tags.includes(value));
    case "path":
      return ids((n) => n.location.path === value || n.location.path.startsWith(value.endsWith("/") ? value : `${value}/`));
    case "source":
      return ids((n) => n.kind === "source" && (n.sourceName === value || n.name === value));
    case "resource_type":
      return ids((n) => n.kind === value);
    case "test_type":
      return ids((n) => n.kind === "test" && n.testType === value);
    case "state": {
      if (!ctx.state) throw new SelectorError(`'${body}' needs a previous manifest: pass --state DIR`);
      if (value === "new") return new Set(ctx.state.new);
      if (value === "modified") return new Set([...ctx.state.new, ...ctx.state.modified]);
      throw new SelectorError(`unknown state selector '${value}'; use state:new or state:modified`);
    }
    default: {
      if (method.startsWith("config.")) {
        const key = method.slice("config.".length);
        return ids((n) => {
          if (n.kind !== "model") return false;
          const v = (n.config as unknown as Record<string, unknown>)[camel(key)];
          return Array.isArray(v) ? v.includes(value) : String(v) === value;
        });
      }
      throw new SelectorError(`unknown selector method '${method}'; use name, tag, path, source, config.KEY, resource_type, test_type or state`);
    }
  }
}

function camel(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

function union(sets: Set<string>[]): Set<string> {
  const out = new Set<string>();
  for (const s of sets) for (const id of s) out.add(id);
  return out;
}

function intersect(sets: Set<string>[]): Set<string> {
  const [first, ...rest] = sets;
  return new Set([...(first ?? [])].filter((id) => rest.every((s) => s.has(id))));
}
