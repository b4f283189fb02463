// Column-level lineage for the docs site, where the SQL allows it: a plain SELECT whose FROM names
// the model's inputs and whose columns are expressions over qualified (or unambiguous) columns.
// Anything else — `select *`, a subquery or CTE of the model's own, SQL the parser does not read —
// is marked unknown with the reason. Nothing is guessed.
import { createRequire } from "node:module";
import type { Manifest, ManifestNode, ModelNode } from "../manifest/types.js";

export interface ColumnSource {
  /** Id of the node the column comes from. */
  node: string;
  column: string;
}

export type ColumnLineage =
  | { known: true; columns: { name: string; from: ColumnSource[] }[] }
  | { known: false; reason: string };

interface SqlParser {
  astify(sql: string, options: { database: string }): unknown;
}

interface AstNode {
  type?: string;
  table?: string | null;
  column?: string | { expr?: { value?: string } };
  [key: string]: unknown;
}

/** The SQL dialect node-sql-parser reads for each engine sluice compiles for. */
const DIALECT = { duckdb: "postgresql", sqlserver: "transactsql", hive: "hive", postgres: "postgresql", mysql: "mariadb" } as const;

let parser: SqlParser | undefined;

function sqlParser(): SqlParser {
  // Loaded on first use: only docs generation needs a SQL parser.
  const { Parser } = createRequire(import.meta.url)("node-sql-parser") as { Parser: new () => SqlParser };
  parser ??= new Parser();
  return parser;
}

export function columnLineage(model: ModelNode, manifest: Manifest): ColumnLineage {
  const engine = manifest.connections[model.config.compute]?.type ?? "duckdb";
  let ast: unknown;
  try {
    ast = sqlParser().astify(model.compiledSql, { database: DIALECT[engine] });
  } catch {
    return { known: false, reason: "the SQL is beyond the lineage parser" };
  }
  const select = (Array.isArray(ast) ? ast[0] : ast) as AstNode | undefined;
  if (!select || select.type !== "select" || select["_next"] || select["union"]) return { known: false, reason: "not a single plain SELECT" };
  if (Array.isArray(select["with"]) && select["with"].length > 0) return { known: false, reason: "the model defines its own CTEs" };

  const inputs = inputRelations(model, manifest);
  const aliases = new Map<string, string | null>();
  for (const item of (select["from"] as AstNode[] | null) ?? []) {
    const name = typeof item.table === "string" ? item.table : null;
    const alias = (item["as"] as string | null) ?? name;
    if (!alias) return { known: false, reason: "a FROM item without a name" };
    const node = name ? inputs.get(qualified(item).toLowerCase()) ?? inputs.get(name.toLowerCase()) ?? null : null;
    aliases.set(alias.toLowerCase(), node);
  }
  const only = aliases.size === 1 ? [...aliases.values()][0] ?? null : null;

  const columns: { name: string; from: ColumnSource[] }[] = [];
  for (const item of (select["columns"] as AstNode[] | string) ?? []) {
    if (typeof item === "string" || columnName(item["expr"] as AstNode) === "*") return { known: false, reason: "select * over a schema the docs do not know" };
    const expr = item["expr"] as AstNode;
    const name = (item["as"] as string | null) ?? (expr.type === "column_ref" ? columnName(expr) : null);
    if (!name) return { known: false, reason: "an expression without a name" };
    const from: ColumnSource[] = [];
    for (const ref of columnRefs(expr)) {
      const column = columnName(ref);
      if (!column) continue;
      const node = ref.table ? aliases.get(ref.table.toLowerCase()) : only;
      if (!node) return { known: false, reason: `cannot tell which input ${ref.table ? `'${ref.table}'` : "an unqualified column"} (${column}) comes from` };
      if (!from.some((f) => f.node === node && f.column === column)) from.push({ node, column });
    }
    columns.push({ name, from });
  }
  return { known: true, columns };
}

/** The model's inputs by the names its compiled SQL may use for them. */
function inputRelations(model: ModelNode, manifest: Manifest): Map<string, string> {
  const out = new Map<string, string>();
  for (const id of model.dependsOn) {
    const node: ManifestNode | undefined = manifest.nodes[id];
    if (!node || node.kind === "test") continue;
    if (node.kind === "model" && node.config.materialized === "ephemeral") {
      out.set(`__sluice_ephemeral_${node.name}`.toLowerCase(), id);
      continue;
    }
    const r = node.relation;
    for (const key of [[r.database, r.schema, r.name], [r.schema, r.name], [r.name]]) {
      if (key.every(Boolean)) out.set(key.join(".").toLowerCase(), id);
    }
  }
  return out;
}

function qualified(item: AstNode): string {
  return [item["db"], item["schema"], item.table].filter((p) => typeof p === "string" && p.length > 0).join(".");
}

function columnName(ref: AstNode | undefined): string | null {
  if (!ref || ref.type !== "column_ref") return null;
  const c = ref.column;
  return typeof c === "string" ? c : (c?.expr?.value ?? null);
}

/** Every column reference inside an expression. */
function columnRefs(expr: unknown): AstNode[] {
  const out: AstNode[] = [];
  const visit = (v: unknown) => {
    if (!v || typeof v !== "object") return;
    if (Array.isArray(v)) return v.forEach(visit);
    const node = v as AstNode;
    if (node.type === "column_ref") {
      out.push(node);
      return;
    }
    for (const value of Object.values(node)) visit(value);
  };
  visit(expr);
  return out;
}
