// Node selection as dbt users write it: `name`, `+name`, `name+`, `2+name`, `name+1`, `@name`,
// `tag:x`, `path:models/marts`, `fqn:project.staging.*`, `config.materialized:table`,
// `source:production`, `test_name:unique`, `test_type:singular`, `state:new`, `state:modified`, `*`.
// Spaces make unions, commas make intersections. A bare word with a `/` is a path, any other a
// name or a fully qualified name, as dbt reads it.
import type { Manifest, ManifestNode } from "../manifest/types.js";
import { didYouMean, nearest } from "../project/diagnostics.js";
import { Dag } from "./dag.js";
import { evaluateYamlSelector, type YamlSelector } from "./yaml-selectors.js";

export class SelectorError extends Error {}

export interface SelectionContext {
  manifest: Manifest;
  dag: Dag;
  /** Ids that are new or modified against a previous manifest (for `state:`). */
  state?: { new: Set<string>; modified: Set<string> };
  /** The project's selectors.yml, for `--selector` and a `default: true` selector. */
  selectors?: YamlSelector[];
}

/** The graph of a manifest: every node and its dependency edges. */
export function manifestDag(manifest: Manifest): Dag {
  const dag = new Dag();
  for (const id of Object.keys(manifest.nodes)) dag.addNode(id);
  for (const node of Object.values(manifest.nodes))
    for (const dep of node.dependsOn) if (manifest.nodes[dep]) dag.addEdge(dep, node.id);
  return dag;
}

export interface SelectOptions {
  /** Keep source tables in the result (`ls` lists them; a run has nothing to do with them). */
  includeSources?: boolean;
  /** Told of each selector that matches no node; the selection goes on without it. */
  warn?: (message: string) => void;
  /** `--selector NAME`: a selector of selectors.yml, instead of --select. */
  selector?: string;
}

/**
 * Selects node ids. Without `select`, every model, seed and test. Tests come along with the nodes
 * they check; sources anchor `source:x+` and bring their tests, and are kept only if asked.
 * A selector that matches nothing is the same for every kind (name, tag:, path:, state:, …): a
 * warning, not an error, as in dbt, so `state:modified+` on an unchanged branch is no failure.
 * A selector that cannot be read is a SelectorError (a usage error).
 */
export function selectNodes(
  ctx: SelectionContext,
  select: string[] | undefined,
  exclude: string[] | undefined,
  options: SelectOptions = {},
): Set<string> {
  const keep = (n: ManifestNode) => n.kind !== "source" || options.includeSources === true;
  const pick = (exprs: string[], flag: string) =>
    union(
      exprs
        .flatMap(splitUnion)
        .map((expr) => intersect(expr.split(",").map((atom) => selectAtom(ctx, atom, flag, options.warn)))),
    );
  let chosen: Set<string>;
  if (options.selector && select?.length)
    throw new SelectorError(
      "--selector and --select cannot be used together; put the --select in the selector",
    );
  // dbt's default selector applies when neither --select nor --selector is given.
  const named =
    options.selector ?? (select?.length ? undefined : ctx.selectors?.find((s) => s.default)?.name);
  if (named) chosen = evaluateYamlSelector(ctx.selectors ?? [], named, (e) => pick(e, `--selector ${named}`));
  else if (!select || select.length === 0)
    chosen = new Set(
      Object.values(ctx.manifest.nodes)
        .filter((n) => n.kind !== "source")
        .map((n) => n.id),
    );
  else chosen = pick(select, "--select");
  // Tests of chosen nodes come along, as dbt users expect; a chosen source brings its tests too.
  for (const node of Object.values(ctx.manifest.nodes)) {
    if (node.kind !== "test") continue;
    const anchors = node.attachedTo ? [node.attachedTo] : node.dependsOn;
    const onSourcesOnly = anchors.every((d) => ctx.manifest.nodes[d]?.kind === "source");
    if (anchors.some((d) => chosen.has(d)) || (onSourcesOnly && !select?.length && !named))
      chosen.add(node.id);
  }
  if (exclude && exclude.length > 0) {
    const excluded = pick(exclude, "--exclude");
    for (const id of excluded) chosen.delete(id);
    for (const node of Object.values(ctx.manifest.nodes))
      if (node.kind === "test" && node.attachedTo && excluded.has(node.attachedTo)) chosen.delete(node.id);
  }
  for (const id of [...chosen]) if (!keep(ctx.manifest.nodes[id]!)) chosen.delete(id);
  return chosen;
}

/**
 * The model `--restate` names, checked: it must exist and be an incremental model with
 * partition_by, since restating replays chosen partitions of it.
 */
export function checkRestate(manifest: Manifest, name: string): void {
  const models = Object.values(manifest.nodes).filter((n) => n.kind === "model");
  const model = models.find((n) => n.name === name);
  if (!model) {
    const hint = didYouMean(
      name,
      models.map((m) => m.name),
    );
    throw new SelectorError(`--restate ${name}: no model is named '${name}'${hint ? `; ${hint}` : ""}`);
  }
  const { materialized, partitionBy } = model.config;
  if (materialized !== "incremental" || partitionBy.length === 0) {
    const what =
      materialized === "incremental" ? "an incremental model without partition_by" : `a ${materialized}`;
    throw new SelectorError(
      `--restate ${name}: ${name} is ${what}; only incremental models with ` +
        `partition_by replay partitions. Rebuild it with --full-refresh -s ${name}`,
    );
  }
}

/** The node kinds a `resource_type:` selector or an `--resource-type` flag may name. */
export const RESOURCE_TYPES = ["model", "seed", "test", "source"] as const;

/** Refuses an unknown resource type, naming the known ones. */
export function checkResourceType(kind: string, flag: string): void {
  if ((RESOURCE_TYPES as readonly string[]).includes(kind)) return;
  const hint = didYouMean(kind, RESOURCE_TYPES);
  throw new SelectorError(
    `${flag} '${kind}' is not a resource type${hint ? `; ${hint}` : ""}; use ${RESOURCE_TYPES.join(", ")}`,
  );
}

function splitUnion(s: string): string[] {
  return s.split(/\s+/).filter(Boolean);
}

const GRAPH_OPERATORS = /^(@)?(?:(\d*)\+)?(.+?)(?:\+(\d*))?$/;

function selectAtom(
  ctx: SelectionContext,
  atom: string,
  flag: string,
  warn: SelectOptions["warn"],
): Set<string> {
  const m = GRAPH_OPERATORS.exec(atom);
  const body = m?.[3];
  if (!m || !body || /^[+@]|[+@]$/.test(body) || (m[1] && m[2] !== undefined)) {
    throw new SelectorError(
      `${flag} '${atom}' is malformed: graph operators are ` +
        `+name, N+name, name+, name+N and @name (once each side)`,
    );
  }
  const [, at, upDepth, , downDepth] = m;
  const hasUp = /^@?\d*\+/.test(atom);
  const hasDown = /\+\d*$/.test(atom);
  const base = matchMethod(ctx, body);
  if (base.size === 0) warn?.(`${flag} '${atom}' matches no node${nameHint(ctx, body)}`);
  const out = new Set(base);
  for (const id of base) {
    if (hasUp) for (const a of ctx.dag.ancestors(id, upDepth ? Number(upDepth) : undefined)) out.add(a);
    if (hasDown || at)
      for (const d of ctx.dag.descendants(id, downDepth ? Number(downDepth) : undefined)) out.add(d);
  }
  if (at) for (const id of [...out]) for (const a of ctx.dag.ancestors(id)) out.add(a);
  return out;
}

/** "; did you mean …" for a name or tag that matched nothing, when a near one exists. */
function nameHint(ctx: SelectionContext, body: string): string {
  const nodes = Object.values(ctx.manifest.nodes);
  const colon = body.indexOf(":");
  const method = colon >= 0 ? body.slice(0, colon) : "name";
  const value = colon >= 0 ? body.slice(colon + 1) : body;
  const candidates =
    method === "name"
      ? nodes.flatMap((n) => (n.kind === "source" ? [n.name, n.sourceName] : [n.name]))
      : method === "tag"
        ? nodes.flatMap((n) => n.tags)
        : method === "source"
          ? nodes.flatMap((n) => (n.kind === "source" ? [n.sourceName] : []))
          : [];
  const near = nearest(value, new Set(candidates));
  return near ? `; did you mean '${method === "name" ? "" : `${method}:`}${near}'?` : "";
}

function matchMethod(ctx: SelectionContext, body: string): Set<string> {
  const nodes = Object.values(ctx.manifest.nodes);
  const colon = body.indexOf(":");
  const method = colon >= 0 ? body.slice(0, colon) : "name";
  const value = colon >= 0 ? body.slice(colon + 1) : body;
  const ids = (predicate: (n: ManifestNode) => boolean) => new Set(nodes.filter(predicate).map((n) => n.id));
  switch (method) {
    case "name":
      if (value === "*") return ids(() => true);
      if (/[/\\]/.test(value)) return matchMethod(ctx, `path:${value}`);
      return ids(
        (n) =>
          n.name === value ||
          (n.kind === "source" && n.sourceName === value) ||
          (n.kind !== "test" && fqnMatches(ctx.manifest.project, fqnOf(ctx.manifest.project, n), value)),
      );
    case "fqn":
      if (value === "*") return ids(() => true);
      return ids(
        (n) => n.kind !== "test" && fqnMatches(ctx.manifest.project, fqnOf(ctx.manifest.project, n), value),
      );
    case "test_name":
      return ids((n) => {
        if (n.kind !== "test") return false;
        const name = n.testName ?? n.testType;
        return name === value || name.split(".").pop() === value;
      });
    case "tag":
      return ids((n) => n.tags.includes(value));
    case "path":
      return ids(
        (n) =>
          n.location.path === value || n.location.path.startsWith(value.endsWith("/") ? value : `${value}/`),
      );
    case "source":
      return ids((n) => n.kind === "source" && (n.sourceName === value || n.name === value));
    case "resource_type":
      checkResourceType(value, "resource_type:");
      return ids((n) => n.kind === value);
    case "test_type":
      // dbt's kinds (generic: declared in YAML, singular: a SQL file; data: both; unit: unit_tests:),
      // and sluice's built-in test names, which selected by this method before test_name: existed.
      if (value === "generic")
        return ids((n) => n.kind === "test" && n.testType !== "singular" && n.testType !== "unit");
      if (value === "singular") return ids((n) => n.kind === "test" && n.testType === "singular");
      if (value === "data") return ids((n) => n.kind === "test" && n.testType !== "unit");
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
      throw new SelectorError(
        `unknown selector method '${method}'; use name, fqn, tag, path, source, config.KEY, resource_type, ` +
          "test_type, test_name or state",
      );
    }
  }
}

/**
 * dbt's fully qualified name of a node: the project, the folders between its resource folder
 * (models/, seeds/) and its file, and its name; a source table's is its YAML file's folders, then
 * the source and the table.
 */
function fqnOf(project: string, n: ManifestNode): string[] {
  const folders = n.location.path.split("/").slice(1, -1);
  return n.kind === "source" ? [project, ...folders, n.sourceName, n.name] : [project, ...folders, n.name];
}

/**
 * dbt's FQN match: the selector's dotted parts equal the leading parts of the FQN (the project's
 * name may be left out), or the node's name; from the first part with a wildcard (`*`, `?`, `[`)
 * on, the rest is matched as a glob.
 */
function fqnMatches(project: string, fqn: string[], selector: string): boolean {
  if (fqn.at(-1) === selector) return true;
  const prefixMatch = (parts: string[]) => {
    if (parts.length > fqn.length) return false;
    const wild = parts.findIndex((p) => /[*?[\]]/.test(p));
    if (wild < 0) return parts.every((p, i) => fqn[i] === p);
    if (!parts.slice(0, wild).every((p, i) => fqn[i] === p)) return false;
    return globRegExp(parts.slice(wild).join(".")).test(fqn.slice(wild).join("."));
  };
  const parts = selector.split(".");
  return prefixMatch(parts) || (parts[0] !== project && prefixMatch([project, ...parts]));
}

/** A glob as fnmatch reads it: `*` any run, `?` one character, `[abc]` a class. */
function globRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
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
