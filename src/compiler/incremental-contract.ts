// The incremental contract, checked at compile time. A lineage model (incremental, partitioned,
// reading a change-tracked source) is built by replacing the partitions its source's changes touch,
// which is only equal to a full build when:
// - it reads its change-tracked sources directly (one read through a view or an ephemeral model is
//   joined in full while the others are narrowed to their windows);
// - every result row comes from one row of each source (no aggregate, window function, DISTINCT or
//   LIMIT: those make a row depend on rows of other partitions);
// - its result carries a key of each tracked source, passed straight through (renaming is fine),
//   so the planner can find the old partition of a row that moved, was deleted, or joins a changed
//   row of another source (an order header's key in its lines' rows).
// A model outside the first two, or joining tracked sources without a key of each, is rebuilt in
// full on every build, with the reason in its plan step; one reading a single tracked source
// without its key is refused with the fix, unless it declares `full_refresh_only`. The SQL's shape
// is read with node-sql-parser, never with a regular expression.
import { createRequire } from "node:module";
import type { ManifestNode, ModelNode, SourceNode } from "../manifest/types.js";
import type { Diagnostics } from "../project/diagnostics.js";
import { ContractCache } from "./contract-cache.js";

type EngineType = "duckdb" | "sqlserver" | "hive" | "postgres" | "mysql";

/** Where the planner finds a changed source row in the model's table: the same key on both sides. */
export interface LineageKey {
  source: string;
  /** The key's column in the source (and its deletes table). */
  sourceColumn: string;
  /** The column of the model's result holding it. */
  modelColumn: string;
}

interface AstNode {
  type?: string;
  [key: string]: unknown;
}

const DIALECT: Record<EngineType, string> = {
  duckdb: "postgresql",
  sqlserver: "transactsql",
  hive: "hive",
  postgres: "postgresql",
  mysql: "mariadb",
};

let parser: { astify(sql: string, options: { database: string }): unknown } | undefined;
function astify(sql: string, engine: EngineType): unknown {
  if (!parser) {
    const { Parser } = createRequire(import.meta.url)("node-sql-parser") as {
      Parser: new () => NonNullable<typeof parser>;
    };
    parser = new Parser();
  }
  return parser.astify(sql, { database: DIALECT[engine] });
}

/**
 * Checks every lineage model of `nodes`: sets `lineage.fullRebuild` (why each build is full) and
 * `lineage.keys`, or reports an error naming the file, the line and the fix.
 */
export function checkIncrementalContract(
  nodes: Record<string, ManifestNode>,
  engineOf: (connection: string) => EngineType,
  diagnostics: Diagnostics,
  fullRefreshOnly: (model: ModelNode) => boolean,
  /** Readings of the SQL from the previous compile (see contract-cache.ts). */
  cache?: ContractCache<ContractReading>,
): void {
  readInheritance(nodes, engineOf, cache);
  const checked = new Set<string>();
  for (const node of Object.values(nodes)) {
    if (node.kind !== "model" || !node.lineage) continue;
    for (const id of node.lineage.trackedSources) {
      const source = nodes[id];
      if (source?.kind !== "source" || checked.has(id)) continue;
      checked.add(id);
      const problem = lookbackProblem(source);
      if (problem)
        diagnostics.error(source.location.path, source.location.line, 1, problem.message, problem.hint);
    }
    const verdict = verdictFor(node, nodes, engineOf(node.config.compute), cache);
    node.lineage.keys = verdict.keys;
    if (fullRefreshOnly(node)) node.lineage.fullRebuild = "declared full_refresh_only";
    else if (verdict.refuse)
      diagnostics.error(
        node.location.path,
        verdict.refuse.line,
        1,
        verdict.refuse.message,
        verdict.refuse.hint,
      );
    else node.lineage.fullRebuild = verdict.fullRebuild;
  }
}

export interface Verdict {
  fullRebuild: string | null;
  keys: LineageKey[];
  refuse?: { line: number; message: string; hint: string };
}

/** What the contract cache keeps: a lineage model's verdict, or one inheritance reading. */
export type ContractReading = Verdict | { inheritance: string | null };

/**
 * Sets `inheritance` on each partitioned insert_overwrite model that is not a lineage model: for
 * every model it reads, inheritanceProblem's answer, so the
 * planner decides inheritance from the manifest without parsing SQL on every plan.
 */
function readInheritance(
  nodes: Record<string, ManifestNode>,
  engineOf: (connection: string) => EngineType,
  cache: ContractCache<ContractReading> | undefined,
): void {
  for (const node of Object.values(nodes)) {
    if (node.kind !== "model" || node.lineage || node.config.materialized !== "incremental") continue;
    const { strategy, partitionBy } = node.config;
    if (strategy !== "insert_overwrite" || partitionBy.length === 0) continue;
    const inheritance: Record<string, string | null> = {};
    for (const dep of node.dependsOn) {
      const up = nodes[dep];
      // Every model upstream: a table recomputing groups replaces partitions of its group column.
      if (up?.kind !== "model") continue;
      const engine = engineOf(node.config.compute);
      // What inheritanceProblem reads, and nothing else.
      const key = ContractCache.key([
        "inheritance",
        engine,
        node.compiledSql,
        partitionBy,
        up.name,
        up.relation.name,
      ]);
      const cached = cache?.get(key);
      if (cached && "inheritance" in cached) inheritance[dep] = cached.inheritance;
      else {
        inheritance[dep] = inheritanceProblem(node, up, engine);
        cache?.set(key, { inheritance: inheritance[dep] });
      }
    }
    if (Object.keys(inheritance).length > 0) node.inheritance = inheritance;
  }
}

function verdictFor(
  model: ModelNode,
  nodes: Record<string, ManifestNode>,
  engine: EngineType,
  cache: ContractCache<ContractReading> | undefined,
): Verdict {
  const tracked = model.lineage!.trackedSources.map((id) => nodes[id] as SourceNode);
  const hidden = trackedBehindModels(model, nodes);
  if (hidden.length > 0) {
    const [source, via] = hidden[0]!;
    return {
      fullRebuild: `reads change-tracked ${source} through ${via}, where its change window cannot narrow it`,
      keys: [],
    };
  }
  if (!cache) return shapeVerdict(model, tracked, engine);
  // What shapeVerdict reads, and nothing else: a change to any of it reads the SQL again.
  const key = ContractCache.key([
    engine,
    model.compiledSql,
    model.rawSql,
    model.location.path,
    model.name,
    model.config,
    tracked,
  ]);
  const cached = cache.get(key);
  if (cached && "keys" in cached) return cached;
  const verdict = shapeVerdict(model, tracked, engine);
  cache.set(key, verdict);
  return verdict;
}

/** The verdict the shape of the model's SQL gives, read with the parser. */
function shapeVerdict(model: ModelNode, tracked: SourceNode[], engine: EngineType): Verdict {
  const where = (line: number) => `${model.location.path}:${line}`;
  const source = tracked[0]!;
  let ast: unknown;
  try {
    ast = astify(model.compiledSql, engine);
  } catch (e) {
    const message = e instanceof Error ? e.message.split("\n")[0] : String(e);
    return {
      fullRebuild: `${where(1)}: the SQL parser cannot read the model (${message}), so its shape is unknown`,
      keys: [],
    };
  }
  const statements = Array.isArray(ast) ? (ast as AstNode[]) : [ast as AstNode];
  const select = statements[0];
  if (statements.length !== 1 || select?.type !== "select")
    return { fullRebuild: `${where(1)}: not a single SELECT`, keys: [] };
  const crossRow = crossRowConstruct(select);
  if (crossRow) {
    return {
      fullRebuild:
        `${where(lineOf(model.rawSql, crossRow.word))}: ${crossRow.what}` +
        ` makes a row depend on rows of other partitions`,
      keys: [],
    };
  }
  if (tracked.length > 1) return joinedVerdict(model, select, tracked);
  const keys = lineageKeys(model, select, source);
  if (keys.length === 0) {
    const deletes = source.changeTracking!.deletes;
    const wanted = deletes
      ? `the deletes key '${deletes.key}' of ${source.name}`
      : model.config.uniqueKey.length
        ? `unique_key ${model.config.uniqueKey.join(", ")} (a column taken straight from ${source.name})`
        : `a key of ${source.name}`;
    return {
      fullRebuild: null,
      keys,
      refuse: {
        line: 1,
        message:
          `incremental model '${model.name}' is partitioned by ${model.config.partitionBy.join(", ")}` +
          ` over change-tracked ${source.name}, but its result has no column holding ${wanted}, so a ` +
          `row that moves to another partition or is deleted would stay in its old partition`,
        hint: deletes
          ? `select ${deletes.key} from ${source.name} (it may ` +
            `be renamed), or declare full_refresh_only: true`
          : `set unique_key to a column selected straight from ${source.name}, add a ` +
            `deletes table to its change_tracking, or declare full_refresh_only: true`,
      },
    };
  }
  return { fullRebuild: null, keys };
}

/**
 * Two or more change-tracked sources joined (an order header and its lines): incremental when the
 * result carries a key of each, so the rows a change in either touches are found in the model's
 * table (their old partitions) and by the model's SQL with that source narrowed to its window and
 * the others read whole (their new partitions). Without a key of one, a change in it could touch
 * rows nothing locates, so the model is rebuilt in full, saying which key is missing.
 */
function joinedVerdict(model: ModelNode, select: AstNode, tracked: SourceNode[]): Verdict {
  const keys: LineageKey[] = [];
  const names = tracked.map((s) => s.name).join(", ");
  for (const source of tracked) {
    const key = lineageKeys(model, select, source);
    if (key.length === 0) {
      const deletes = source.changeTracking!.deletes;
      const wanted = deletes
        ? `the deletes key '${deletes.key}' of ${source.name}`
        : `a key of ${source.name} (a deletes table's key, or a unique_key column taken from it)`;
      return {
        fullRebuild:
          `joins ${tracked.length} change-tracked sources (${names}), and its result ` +
          `has no column holding ${wanted} to find the rows a change in it touches`,
        keys: [],
      };
    }
    keys.push(...key);
  }
  return { fullRebuild: null, keys };
}

/** Change-tracked sources the model reads only through views or ephemeral models: [source, via]. */
function trackedBehindModels(model: ModelNode, nodes: Record<string, ManifestNode>): [string, string][] {
  const out: [string, string][] = [];
  const visit = (id: string, via: string, seen: Set<string>) => {
    if (seen.has(id)) return;
    seen.add(id);
    const node = nodes[id];
    if (node?.kind === "source" && node.changeTracking) out.push([node.name, via]);
    else if (
      node?.kind === "model" &&
      (node.config.materialized === "view" || node.config.materialized === "ephemeral")
    ) {
      for (const d of node.dependsOn) visit(d, `${node.config.materialized} ${node.name}`, seen);
    }
  };
  const seen = new Set<string>();
  for (const d of model.dependsOn) {
    const node = nodes[d];
    if (node?.kind === "model") visit(d, "", seen);
  }
  return out;
}

/** The first construct of the query that makes a row depend on other rows, anywhere in it. */
function crossRowConstruct(select: AstNode): { what: string; word: string } | null {
  let found: { what: string; word: string } | null = null;
  const visit = (v: unknown): void => {
    if (found || !v || typeof v !== "object") return;
    if (Array.isArray(v)) {
      v.forEach(visit);
      return;
    }
    const n = v as AstNode;
    if (n.type === "window_func" || ((n.type === "aggr_func" || n.type === "function") && n["over"])) {
      found = { what: `window function ${functionName(n)}() … over`, word: "over" };
      return;
    }
    if (n.type === "aggr_func") {
      found = { what: `aggregate ${functionName(n)}()`, word: functionName(n) };
      return;
    }
    if (n.type === "select") {
      if (groupBy(n)) found = { what: "GROUP BY", word: "group" };
      else if ((n["distinct"] as AstNode | null)?.type === "DISTINCT")
        found = { what: "SELECT DISTINCT", word: "distinct" };
      else if (hasLimit(n)) found = { what: "LIMIT", word: "limit" };
      else if (n["_next"] || n["set_op"])
        found = { what: `${String(n["set_op"] ?? "union").toUpperCase()} of queries`, word: "union" };
      if (found) return;
    }
    for (const value of Object.values(n)) visit(value);
  };
  visit(select);
  return found;
}

function groupBy(n: AstNode): boolean {
  const g = n["groupby"] as { columns?: unknown[] } | unknown[] | null | undefined;
  if (!g) return false;
  return Array.isArray(g) ? g.length > 0 : (g.columns?.length ?? 0) > 0;
}

function hasLimit(n: AstNode): boolean {
  const limit = n["limit"] as { value?: unknown[] } | null | undefined;
  return Array.isArray(limit?.value) && limit.value.length > 0;
}

function functionName(n: AstNode): string {
  const name = n["name"];
  if (typeof name === "string") return name.toLowerCase();
  const parts = (name as { name?: { value?: string }[] } | undefined)?.name;
  return (parts?.map((p) => p.value).join(".") ?? "function").toLowerCase();
}

/**
 * Which result columns hold the source's key: the deletes key when the source has a deletes
 * table, else each unique_key column taken straight from the source. `select *` (or `s.*`) passes
 * every source column through under its own name.
 */
function lineageKeys(model: ModelNode, select: AstNode, source: SourceNode): LineageKey[] {
  const aliases = sourceAliases(select, source);
  if (aliases.size === 0) return [];
  const outputs = outputColumns(select, aliases);
  const deletes = source.changeTracking!.deletes;
  const candidates = deletes ? [deletes.key] : null;
  const keys: LineageKey[] = [];
  for (const [modelColumn, sourceColumn] of outputs) {
    if (sourceColumn === "*") {
      // Every source column passes through under its own name.
      const key = candidates?.[0] ?? model.config.uniqueKey[0];
      if (key) keys.push({ source: source.id, sourceColumn: key, modelColumn: key });
      continue;
    }
    const wanted = candidates
      ? candidates.some((c) => same(c, sourceColumn))
      : model.config.uniqueKey.some((u) => same(u, modelColumn));
    if (wanted) keys.push({ source: source.id, sourceColumn, modelColumn });
  }
  return keys.slice(0, 1);
}

/** The FROM/JOIN names (aliases) under which the query reads `source`. */
function sourceAliases(select: AstNode, source: SourceNode): Set<string> {
  const out = new Set<string>();
  const rel = source.relation;
  for (const item of (select["from"] as AstNode[] | null) ?? []) {
    const table = item["table"];
    if (typeof table !== "string" || !same(table, rel.name)) continue;
    const schema = item["schema"] ?? (item["db"] && rel.database ? null : item["db"]);
    if (typeof schema === "string" && schema && !same(schema, rel.schema)) continue;
    out.add(String(item["as"] ?? table).toLowerCase());
  }
  return out;
}

/** Result column → source column, for result columns that are a source column passed through. */
function outputColumns(select: AstNode, aliases: Set<string>): [string, string][] {
  const out: [string, string][] = [];
  const from = (select["from"] as AstNode[] | null) ?? [];
  const columns = select["columns"];
  if (columns === "*") return [["*", "*"]];
  for (const item of (columns as AstNode[] | undefined) ?? []) {
    const expr = item["expr"] as AstNode | undefined;
    if (expr?.type !== "column_ref") continue;
    const table = expr["table"] as string | null | undefined;
    const mine = table ? aliases.has(table.toLowerCase()) : from.length === 1;
    if (!mine) continue;
    const column = columnName(expr);
    if (!column) continue;
    if (column === "*") out.push(["*", "*"]);
    else out.push([String(item["as"] ?? column), column]);
  }
  return out;
}

function columnName(ref: AstNode): string | null {
  const c = ref["column"] as string | { expr?: { value?: string } } | undefined;
  return typeof c === "string" ? c : (c?.expr?.value ?? null);
}

function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** The line of the template where `word` first appears as a word, for the message (1 if not found). */
function lineOf(text: string, word: string): number {
  const index = text.search(new RegExp(`\\b${word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b`, "i"));
  return index < 0 ? 1 : text.slice(0, index).split("\n").length;
}

/**
 * Whether `model` may inherit the partitions being replaced in `upstream` (both partitioned by
 * the same columns): each of its partition columns must be the upstream's column passed straight
 * through (a roll-up keeping another column of that name holds other values), and no window
 * function may mix partitions. Reasons when not, null when it may.
 */
export function inheritanceProblem(
  model: ModelNode,
  upstream: ManifestNode,
  engine: EngineType,
): string | null {
  if (upstream.kind === "test") return "it reads a test";
  let ast: unknown;
  try {
    ast = astify(model.compiledSql, engine);
  } catch {
    return "the SQL parser cannot read it";
  }
  const select = (Array.isArray(ast) ? ast[0] : ast) as AstNode | undefined;
  if (select?.type !== "select" || select["_next"]) return "it is not a single SELECT";
  const window = crossRowConstruct(select);
  if (window?.word === "over") return window.what;
  const aliases = new Set<string>();
  const rel = upstream.relation;
  for (const item of (select["from"] as AstNode[] | null) ?? []) {
    const table = item["table"];
    if (typeof table === "string" && same(table, rel.name))
      aliases.add(String(item["as"] ?? table).toLowerCase());
  }
  if (aliases.size === 0) return `it does not read ${upstream.name} in its FROM`;
  const outputs = outputColumns(select, aliases);
  for (const p of model.config.partitionBy) {
    const passed = outputs.some(
      ([out, from]) => (out === "*" && from === "*") || (same(out, p) && same(from, p)),
    );
    if (!passed) return `its column ${p} is not ${upstream.name}.${p} passed through`;
  }
  return null;
}

/**
 * What kind of values an update column holds, from its
 * declared `data_type` (null: not declared or not known).
 */
function stampKind(dataType: string | undefined): "text" | "date" | "timestamp" | "number" | null {
  const t = (dataType ?? "").trim().toLowerCase();
  if (!t) return null;
  if (/char|text|string|clob/.test(t)) return "text";
  if (/^date$/.test(t)) return "date";
  if (/time|date/.test(t)) return "timestamp";
  if (/int|numeric|decimal|number|float|double|real/.test(t)) return "number";
  return null;
}

/**
 * Why a tracked source's `lookback` cannot apply to its update column, found at compile time so
 * `check` reports it with the file, not the first build: a lookback that reads as neither a
 * number nor `N seconds|minutes|hours|days`, one on a column declared as text (no arithmetic), one
 * finer than a day on a DATE column, or one whose form does not fit the declared type. Without a
 * declared `data_type` only the form is checked here; the plan checks the rest against the
 * engine's type (planner/watermarks.ts).
 */
export function lookbackProblem(source: SourceNode): { message: string; hint: string } | null {
  const tracking = source.changeTracking;
  const lookback = tracking?.lookback;
  if (!tracking || lookback === null || lookback === undefined) return null;
  const column = source.columns.find((c) => same(c.name, tracking.updatedAt));
  const kind = stampKind(column?.dataType);
  const what = `lookback '${lookback}' of ${source.name}`;
  const numeric = /^\s*\d+\s*$/.test(lookback);
  const interval = /^\s*\d+\s*(second|minute|hour|day)s?\s*$/i.exec(lookback);
  const declared = column?.dataType ? ` (declared ${column.dataType})` : "";
  if (!numeric && !interval)
    return {
      message: `cannot read ${what}`,
      hint:
        "write a number for a numeric update column, or an " +
        "interval such as '10 minutes', '2 hours' or '1 day'",
    };
  if (kind === "text")
    return {
      message:
        `${what} needs a timestamp, date or number update ` +
        `column, and ${tracking.updatedAt}${declared} holds text`,
      hint: "cast the column in a view over the source and track that, or drop the lookback",
    };
  if (kind === "date" && !(interval && interval[1]!.toLowerCase() === "day"))
    return {
      message: `${what} on the DATE update column ${tracking.updatedAt} must be whole days`,
      hint:
        "write e.g. lookback: '1 day' (a DATE stamp needs " +
        "at least one day to see rows stamped the same day)",
    };
  if (kind === "number" && !numeric)
    return {
      message: `${what} is an interval, but ${tracking.updatedAt}${declared} is a number`,
      hint: "write the lookback as a number in the column's own units, e.g. lookback: '100'",
    };
  if ((kind === "timestamp" || kind === "date") && numeric)
    return {
      message: `${what} is a bare number, but ${tracking.updatedAt}${declared} is a ${kind}`,
      hint: "write it with a unit, e.g. lookback: '10 minutes'",
    };
  return null;
}
