// Column-level lineage for the docs site, read from the compiled SQL by node-sql-parser: each output
// column of a model and the input-model columns it is computed from, through CTEs, subqueries in
// FROM, UNION branches, `*` and `t.*` (expanded from the columns known for an input: declared in
// YAML, or its own lineage), casts, and unqualified columns that only one input has. Where the SQL
// does not say (a star over an input whose columns nobody knows, a column two inputs share), the
// lineage is unknown, with the reason. Nothing is guessed.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { Manifest, ManifestNode, ModelNode } from "../manifest/types.js";
import type { LineageStore } from "./lineage-store.js";
import { DIALECTS, type Engine, type ParsedSql, parseKey, parseSql } from "./sql-parse.js";

export interface ColumnSource {
  /** Id of the node the column comes from. */
  node: string;
  column: string;
}

export type ColumnLineage =
  | { known: true; columns: { name: string; from: ColumnSource[] }[] }
  | { known: false; reason: string };

type Ast = Record<string, unknown>;

/** Columns of a relation in scope: lower-cased name → the input columns behind it, in order. */
type Columns = Map<string, { name: string; from: ColumnSource[] }>;

interface Relation {
  alias: string;
  /** The input node a base relation is; null for a CTE or subquery. */
  node: string | null;
  /** Null when nobody knows the input's columns: a qualified reference is still trusted. */
  columns: Columns | null;
}

/**
 * Why a lineage is unknown, thrown out of the walk. Not an Error: most models of a large project
 * end this way, and capturing a stack trace for each was a tenth of the time of generating the site.
 */
class Unknown {
  constructor(readonly message: string) {}
}

/**
 * Lineage already worked out in this run, by model id; with a `store`, also results of earlier
 * runs by content (lineage-store.ts), so only models whose SQL or inputs changed are parsed again.
 */
export type LineageCache = Map<string, ColumnLineage> & { store?: LineageStore; parsed?: ParsedSql };

/** The lineage of one model; `cache` shares input models' lineage between calls. */
export function columnLineage(
  model: ModelNode,
  manifest: Manifest,
  cache: LineageCache = new Map(),
): ColumnLineage {
  const hit = cache.get(model.id);
  if (hit) return hit;
  const store = cache.store;
  const key = store ? contentKey(model, manifest, cache) : "";
  const result = (store && store.get(key)) ?? compute(model, manifest, cache);
  store?.set(key, result);
  cache.set(model.id, result);
  return result;
}

let codeVersion: string | undefined;

/**
 * What a model's lineage is a function of: this module's code and the parser's version, the engine
 * whose grammar reads the SQL, the compiled SQL, and for each input its names and known columns.
 */
function contentKey(model: ModelNode, manifest: Manifest, cache: LineageCache): string {
  codeVersion ??= createHash("sha256")
    .update(readFileSync(fileURLToPath(import.meta.url)))
    .update(
      String((createRequire(import.meta.url)("node-sql-parser/package.json") as { version: string }).version),
    )
    .update(JSON.stringify(DIALECTS))
    .digest("hex");
  const inputs = model.dependsOn.map((id) => {
    const node = manifest.nodes[id];
    if (!node || node.kind === "test") return [id];
    const ephemeral = node.kind === "model" && node.config.materialized === "ephemeral";
    return [id, node.name, ephemeral, node.relation, knownColumns(id, manifest, cache)];
  });
  return createHash("sha256")
    .update(JSON.stringify([codeVersion, modelEngine(model, manifest), model.compiledSql, inputs]))
    .digest("base64url");
}

/** Known columns of an input: declared in YAML, else its own lineage; null when neither says. */
function knownColumns(id: string, manifest: Manifest, cache: LineageCache): string[] | null {
  const node = manifest.nodes[id];
  if (!node || node.kind === "test") return null;
  const declared = node.columns.map((c) => c.name);
  if (node.kind === "seed")
    for (const c of Object.keys(node.columnTypes ?? {})) if (!declared.includes(c)) declared.push(c);
  if (declared.length) return declared;
  if (node.kind !== "model") return null;
  const lineage = columnLineage(node, manifest, cache);
  return lineage.known ? lineage.columns.map((c) => c.name) : null;
}

/** The engine whose grammar reads a model's SQL: where it runs. */
export function modelEngine(model: ModelNode, manifest: Manifest): Engine {
  return manifest.connections[model.config.compute]?.type ?? "duckdb";
}

function compute(model: ModelNode, manifest: Manifest, cache: LineageCache): ColumnLineage {
  const engine = modelEngine(model, manifest);
  const pre = cache.parsed?.get(parseKey(engine, model.compiledSql));
  const parsed = pre
    ? "json" in pre
      ? { ast: JSON.parse(pre.json) as unknown }
      : pre
    : parseSql(model.compiledSql, engine);
  if ("error" in parsed)
    return { known: false, reason: `the SQL parser cannot read the SQL (${parsed.error})` };
  const ast = parsed.ast;
  const statement = (Array.isArray(ast) ? ast[0] : ast) as Ast | undefined;
  if (statement?.["type"] !== "select") return { known: false, reason: "the model's SQL is not a SELECT" };
  const env = new Env(model, manifest, cache);
  try {
    const columns = env.query(statement, new Map());
    return { known: true, columns: [...columns.values()].map(({ name, from }) => ({ name, from })) };
  } catch (e) {
    if (e instanceof Unknown) return { known: false, reason: e.message };
    throw e;
  }
}

/** What a model's SQL can name: its inputs, by every name its compiled SQL may use for them. */
class Env {
  private readonly inputs = new Map<string, string>();

  constructor(
    model: ModelNode,
    private readonly manifest: Manifest,
    private readonly cache: LineageCache,
  ) {
    for (const id of model.dependsOn) {
      const node: ManifestNode | undefined = manifest.nodes[id];
      if (!node || node.kind === "test") continue;
      if (node.kind === "model" && node.config.materialized === "ephemeral") {
        this.inputs.set(`__sluice_ephemeral_${node.name}`.toLowerCase(), id);
        continue;
      }
      const r = node.relation;
      for (const key of [[r.database, r.schema, r.name], [r.schema, r.name], [r.name]]) {
        if (key.every(Boolean)) this.inputs.set(key.join(".").toLowerCase(), id);
      }
    }
  }

  /** A SELECT, or a chain of them joined by UNION / INTERSECT / EXCEPT (matched by position). */
  query(select: Ast, ctes: Map<string, Columns>): Columns {
    const first = this.select(select, ctes);
    for (let next = select["_next"] as Ast | undefined; next; next = next["_next"] as Ast | undefined) {
      const branch = [...this.select(next, ctes).values()];
      const mine = [...first.values()];
      if (branch.length !== mine.length)
        throw new Unknown("the branches of a UNION have different numbers of columns");
      mine.forEach((c, k) => (c.from = merge(c.from, branch[k]!.from)));
    }
    return first;
  }

  private select(select: Ast, outer: Map<string, Columns>): Columns {
    const ctes = new Map(outer);
    for (const w of (select["with"] as Ast[] | null) ?? []) {
      const name = text(w["name"]).toLowerCase();
      // An ephemeral input is inlined as a CTE: it stays the input it is, so lineage points at it.
      if (this.inputs.has(name)) continue;
      const stmt = w["stmt"] as Ast;
      ctes.set(name, this.query((stmt["ast"] as Ast | undefined) ?? stmt, ctes));
    }
    const relations = ((select["from"] as Ast[] | null) ?? []).map((item) => this.relation(item, ctes));
    const out: Columns = new Map();
    const add = (name: string, from: ColumnSource[]) => out.set(name.toLowerCase(), { name, from });
    const columns = select["columns"] as Ast[] | string;
    for (const item of typeof columns === "string"
      ? [{ expr: { type: "column_ref", table: null, column: "*" } }]
      : columns) {
      const expr = item["expr"] as Ast;
      if (expr["type"] === "column_ref" && columnName(expr) === "*") {
        const table = expr["table"] ? text(expr["table"]) : null;
        const chosen = table ? [this.find(relations, table)] : relations;
        for (const r of chosen) {
          if (!r.columns)
            throw new Unknown(
              `select ${table ? `${table}.` : ""}* over ${r.alias}, ` +
                `whose columns are not known (declare them in its YAML)`,
            );
          for (const c of r.columns.values()) add(c.name, c.from);
        }
        continue;
      }
      const name = (item["as"] as string | null) ?? (expr["type"] === "column_ref" ? columnName(expr) : null);
      if (!name) throw new Unknown("an output column is an expression without a name (give it an alias)");
      let from: ColumnSource[] = [];
      for (const ref of columnRefs(expr)) from = merge(from, this.resolve(relations, ref));
      add(name, from);
    }
    return out;
  }

  private relation(item: Ast, ctes: Map<string, Columns>): Relation {
    const sub = item["expr"] as Ast | undefined;
    if (sub && (sub["ast"] as Ast | undefined)?.["type"] === "select") {
      const alias = (item["as"] as string | null) ?? "(subquery)";
      return { alias, node: null, columns: this.query(sub["ast"] as Ast, ctes) };
    }
    if (item["table"] === undefined || item["table"] === null)
      throw new Unknown("a FROM item that is not a table or subquery (a table function or VALUES)");
    const name = text(item["table"]);
    const alias = (item["as"] as string | null) ?? name;
    const qualified = [item["db"], item["schema"], name]
      .filter((p) => typeof p === "string" && p.length > 0)
      .join(".")
      .toLowerCase();
    const cte = qualified === name.toLowerCase() ? ctes.get(qualified) : undefined;
    if (cte) return { alias, node: null, columns: cte };
    const node = this.inputs.get(qualified) ?? this.inputs.get(name.toLowerCase());
    if (!node) throw new Unknown(`it reads ${qualified}, which is none of its inputs`);
    const known = this.columnsOf(node);
    return {
      alias,
      node,
      columns:
        known && new Map(known.map((c) => [c.toLowerCase(), { name: c, from: [{ node, column: c }] }])),
    };
  }

  private columnsOf(id: string): string[] | null {
    return knownColumns(id, this.manifest, this.cache);
  }

  private find(relations: Relation[], alias: string): Relation {
    const r = relations.find((x) => x.alias.toLowerCase() === alias.toLowerCase());
    if (!r) throw new Unknown(`'${alias}' names no relation of the query`);
    return r;
  }

  private resolve(relations: Relation[], ref: Ast): ColumnSource[] {
    const column = columnName(ref);
    if (!column || column === "*") return [];
    const table = ref["table"] ? text(ref["table"]) : null;
    if (table) return this.from(this.find(relations, table), column);
    if (relations.length === 1) return this.from(relations[0]!, column);
    if (relations.length === 0) throw new Unknown(`the column ${column} has no relation to come from`);
    const having = relations.filter((r) => r.columns?.has(column.toLowerCase()));
    if (having.length === 1) return this.from(having[0]!, column);
    if (having.length > 1)
      throw new Unknown(`the unqualified column ${column} is in ${having.map((r) => r.alias).join(" and ")}`);
    const blind = relations.filter((r) => !r.columns).map((r) => r.alias);
    throw new Unknown(
      blind.length
        ? `cannot tell which input the unqualified column ${column} ` +
            `comes from: the columns of ${blind.join(", ")} are not known`
        : `the unqualified column ${column} is in no input`,
    );
  }

  private from(r: Relation, column: string): ColumnSource[] {
    if (!r.columns) return [{ node: r.node!, column }];
    const hit = r.columns.get(column.toLowerCase());
    if (hit) return hit.from;
    // Declared columns may be incomplete; the engine checks the SQL, so a base input is trusted.
    if (r.node) return [{ node: r.node, column }];
    throw new Unknown(`${r.alias} has no column ${column}`);
  }
}

function merge(a: ColumnSource[], b: ColumnSource[]): ColumnSource[] {
  const out = [...a];
  for (const s of b) if (!out.some((x) => x.node === s.node && x.column === s.column)) out.push(s);
  return out;
}

/** An identifier the parser gives as a string or as `{ value }`. */
function text(v: unknown): string {
  if (typeof v === "string") return v;
  const value = (v as { value?: unknown } | null)?.value;
  return typeof value === "string" ? value : String(value ?? "");
}

function columnName(ref: Ast): string | null {
  const c = ref["column"];
  if (typeof c === "string") return c;
  const value = (c as { expr?: { value?: unknown } } | undefined)?.expr?.value;
  return typeof value === "string" ? value : null;
}

/** Every column reference inside an expression; a subquery in it is beyond this reader. */
function columnRefs(expr: unknown): Ast[] {
  const out: Ast[] = [];
  const visit = (v: unknown) => {
    if (!v || typeof v !== "object") return;
    if (Array.isArray(v)) return v.forEach(visit);
    const node = v as Ast;
    if (node["type"] === "column_ref") return void out.push(node);
    if (node["type"] === "select" || (node["ast"] as Ast | undefined)?.["type"] === "select")
      throw new Unknown("an output column is computed by a subquery");
    for (const value of Object.values(node)) visit(value);
  };
  visit(expr);
  return out;
}
