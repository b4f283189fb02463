// Finds what a template depends on by walking its nunjucks AST: literal ref() and source() calls
// (even inside branches not taken), literal config() arguments, macros called and refs built
// dynamically. Pure; positions are 1-based.
import nunjucks from "nunjucks";
// Templates are read as Jinja reads them (trailing commas, {% do %}, …) wherever they are parsed.
import "./jinja-compat.js";

export interface Call {
  line: number;
  column: number;
}
export interface RefCall extends Call {
  name: string;
}
export interface SourceCall extends Call {
  source: string;
  table: string;
}
export interface DynamicCall extends Call {
  fn: "ref" | "source" | "config";
  /** config() only: the keywords whose values are computed (none when a whole dict is). */
  keys?: string[];
}

export interface TemplateScan {
  refs: RefCall[];
  sources: SourceCall[];
  /** Merged literal config() keyword arguments. */
  config: Record<string, unknown>;
  /** Calls whose arguments are not literals; resolved at render time. */
  dynamic: DynamicCall[];
  /** Names of functions called that may be macros. */
  calls: Set<string>;
}

interface AstNode {
  typename: string;
  fields: string[];
  lineno: number;
  colno: number;
  [field: string]: unknown;
}

/** Scans a parsed template. */
export function scanTemplate(ast: unknown): TemplateScan {
  const scan: TemplateScan = { refs: [], sources: [], config: {}, dynamic: [], calls: new Set() };
  walk(ast as AstNode, scan);
  return scan;
}

/** Parses a template into nunjucks' AST; throws nunjucks' error (with line and column) on bad syntax. */
export function parseTemplate(text: string): unknown {
  return (nunjucks as unknown as { parser: { parse(src: string): unknown } }).parser.parse(text);
}

function walk(node: AstNode | undefined, scan: TemplateScan): void {
  if (!node || typeof node !== "object") return;
  if (node.typename === "FunCall") visitCall(node, scan);
  // Asking the database is not always a call (`execute`, `adapter.get_relation`): noted by name, as
  // is reading dbt's `flags`, whose FULL_REFRESH only a build knows, and `modules`, whose
  // datetime.now() differs at every render.
  const symbol = node.typename === "Symbol" ? (node["value"] as string) : undefined;
  if (
    symbol !== undefined &&
    (INTROSPECTION_NAMES.has(symbol) || symbol === FLAGS_NAME || symbol === CLOCK_NAME)
  )
    scan.calls.add(symbol);
  for (const field of node.fields ?? []) {
    const value = node[field];
    if (Array.isArray(value)) for (const v of value) walk(v as AstNode, scan);
    else if (value && typeof value === "object") walk(value as AstNode, scan);
  }
  // A block {% set x %}…{% endset %} keeps its body outside the node's declared fields.
  if (node.typename === "Set" && node["body"]) walk(node["body"] as AstNode, scan);
}

function visitCall(node: AstNode, scan: TemplateScan): void {
  const callee = node["name"] as AstNode | undefined;
  if (callee?.typename !== "Symbol") return;
  const fn = callee["value"] as string;
  const position = { line: callee.lineno + 1, column: callee.colno + 1 };
  scan.calls.add(fn);
  const args = ((node["args"] as AstNode | undefined)?.["children"] as AstNode[] | undefined) ?? [];
  const positional = args.filter((a) => a.typename !== "KeywordArgs");
  const keywords = args.find((a) => a.typename === "KeywordArgs");
  if (fn === "ref") {
    const name = literal(positional[positional.length - 1]);
    if (typeof name === "string" && positional.length >= 1) scan.refs.push({ name, ...position });
    else scan.dynamic.push({ fn, ...position });
  } else if (fn === "source") {
    const [source, table] = positional.map(literal);
    if (typeof source === "string" && typeof table === "string")
      scan.sources.push({ source, table, ...position });
    else scan.dynamic.push({ fn, ...position });
  } else if (fn === "config") {
    // dbt's dict form, config({'materialized': 'table'}), reads like keywords.
    const dict = positional.length === 1 ? literal(positional[0]) : undefined;
    if (dict !== undefined && dict !== NOT_LITERAL && typeof dict === "object" && !Array.isArray(dict))
      Object.assign(scan.config, dict);
    else if (positional.length > 0) scan.dynamic.push({ fn, ...position });
    const pairs = ((keywords?.["children"] as AstNode[] | undefined) ?? []).map((pair) => [
      (pair["key"] as AstNode)["value"] as string,
      literal(pair["value"] as AstNode),
    ]);
    // The literal keywords are read even beside a computed one: config(materialized='table',
    // enabled=var('x')) is still a table.
    const computed = pairs.filter(([, v]) => v === NOT_LITERAL).map(([k]) => k as string);
    if (computed.length > 0) scan.dynamic.push({ fn, ...position, keys: computed });
    for (const [k, v] of pairs) if (v !== NOT_LITERAL) scan.config[k as string] = v;
  }
}

/**
 * The names through which a dbt template asks the database while rendering. A model whose template
 * or macros name one is rendered in graph order, never ahead or from the render cache, so its
 * introspection is seen (and it is rendered again at build time; see compiler/dbt-run-render.ts).
 */
export const INTROSPECTION_NAMES = new Set([
  "execute",
  "run_query",
  "statement",
  "load_result",
  "store_result",
  "load_relation",
  "adapter",
]);

/** Part of the template-code cache key (template-batch.ts): scans made before a change here go unused. */
export const SCAN_VERSION = "scan-3";
/**
 * dbt's `flags`: a model whose template or macros name it renders again when a build runs under
 * `--full-refresh` (flags.FULL_REFRESH true there, false while compiling; see runner/run.ts).
 */
export const FLAGS_NAME = "flags";
/** dbt's `modules` (datetime, pytz, re): a render that names it may read the clock, so it is never cached. */
export const CLOCK_NAME = "modules";

const NOT_LITERAL = Symbol("not literal");

function literal(node: AstNode | undefined): unknown {
  if (!node) return NOT_LITERAL;
  if (node.typename === "Literal") return node["value"];
  if (node.typename === "Array") {
    const items = ((node["children"] as AstNode[]) ?? []).map(literal);
    return items.includes(NOT_LITERAL) ? NOT_LITERAL : items;
  }
  if (node.typename === "Dict") {
    const out: Record<string, unknown> = {};
    for (const pair of (node["children"] as AstNode[]) ?? []) {
      const key = literal(pair["key"] as AstNode);
      const value = literal(pair["value"] as AstNode);
      if (typeof key !== "string" || value === NOT_LITERAL) return NOT_LITERAL;
      out[key] = value;
    }
    return out;
  }
  // dbt's before_begin('sql') / after_commit('sql') in a hook list: a hook outside the transaction.
  if (node.typename === "FunCall") {
    const callee = node["name"] as AstNode | undefined;
    const fn = callee?.typename === "Symbol" ? (callee["value"] as string) : undefined;
    const args = ((node["args"] as AstNode | undefined)?.["children"] as AstNode[] | undefined) ?? [];
    const sql = args.length === 1 ? literal(args[0]) : NOT_LITERAL;
    if ((fn === "before_begin" || fn === "after_commit") && typeof sql === "string")
      return { sql, transaction: false };
  }
  return NOT_LITERAL;
}
