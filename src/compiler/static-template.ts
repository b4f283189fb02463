// The fast path: a template whose only tags are `{{ ref('m') }}`, `{{ source('s', 't') }}`,
// `{{ var('v') }}`, `{{ this }}` and `{{ config(...) }}` with literal arguments is rendered by
// substitution straight from its text, with no nunjucks parse (most real models look like this).
import type { CompiledTemplate, RenderScope } from "./environment.js";
import type { TemplateScan } from "./scan.js";

const TAG = /\{\{-?\s*([\s\S]*?)\s*-?\}\}/g;
const STRING = String.raw`(?:'([^'\\]*)'|"([^"\\]*)")`;
const REF = new RegExp(String.raw`^ref\(\s*${STRING}\s*\)$`);
const SOURCE = new RegExp(String.raw`^source\(\s*${STRING}\s*,\s*${STRING}\s*\)$`);
const VAR = new RegExp(String.raw`^var\(\s*${STRING}\s*\)$`);
const CONFIG = /^config\(([\s\S]*)\)$/;

type Piece = string | ((scope: RenderScope) => string);

/** A compiled template for `text`, or undefined when it needs the full template engine. */
export function compileStatic(path: string, text: string): CompiledTemplate | undefined {
  if (text.includes("{%") || text.includes("{#")) return undefined;
  const scan: TemplateScan = { refs: [], sources: [], config: {}, dynamic: [], calls: new Set() };
  const pieces: Piece[] = [];
  let last = 0;
  let line = 1;
  let lineStart = 0;
  for (const match of text.matchAll(TAG)) {
    const index = match.index;
    for (let i = text.indexOf("\n", last); i !== -1 && i < index; i = text.indexOf("\n", i + 1)) {
      line += 1;
      lineStart = i + 1;
    }
    const position = { line, column: index + match[0].indexOf(match[1]!) - lineStart + 1 };
    pieces.push(text.slice(last, index));
    last = index + match[0].length;
    const expr = match[1]!;
    let m: RegExpExecArray | null;
    if ((m = REF.exec(expr))) {
      const name = m[1] ?? m[2]!;
      scan.refs.push({ name, ...position });
      scan.calls.add("ref");
      pieces.push((scope) => scope.ref(name));
    } else if ((m = SOURCE.exec(expr))) {
      const source = m[1] ?? m[2]!;
      const table = m[3] ?? m[4]!;
      scan.sources.push({ source, table, ...position });
      scan.calls.add("source");
      pieces.push((scope) => scope.source(source, table));
    } else if ((m = VAR.exec(expr))) {
      const name = m[1] ?? m[2]!;
      pieces.push((scope) => String(scope.var(name)));
    } else if (expr === "this") {
      pieces.push((scope) => scope.self);
    } else if ((m = CONFIG.exec(expr))) {
      const options = parseKeywords(m[1]!);
      if (!options) return undefined;
      Object.assign(scan.config, options);
      scan.calls.add("config");
      pieces.push((scope) => {
        scope.config(options);
        return "";
      });
    } else {
      return undefined;
    }
  }
  pieces.push(text.slice(last));
  return {
    path,
    scan,
    render: (scope) => {
      let out = "";
      for (const p of pieces) out += typeof p === "string" ? p : p(scope);
      return out;
    },
  };
}

const TOKEN = /\s*(?:([A-Za-z_][A-Za-z0-9_]*)|'([^'\\]*)'|"([^"\\]*)"|(-?\d+(?:\.\d+)?)|([=,[\]]))/y;

/** Parses `a='x', b=['y', 'z'], c=true, d=3`; undefined for anything else. */
export function parseKeywords(text: string): Record<string, unknown> | undefined {
  const tokens: { kind: "name" | "value" | "punct"; value: unknown }[] = [];
  TOKEN.lastIndex = 0;
  let index = 0;
  while (index < text.length && text.slice(index).trim() !== "") {
    TOKEN.lastIndex = index;
    const m = TOKEN.exec(text);
    if (!m) return undefined;
    index = TOKEN.lastIndex;
    if (m[1] !== undefined) {
      const word = m[1];
      if (word === "true" || word === "True") tokens.push({ kind: "value", value: true });
      else if (word === "false" || word === "False") tokens.push({ kind: "value", value: false });
      else if (word === "none" || word === "None") tokens.push({ kind: "value", value: null });
      else tokens.push({ kind: "name", value: word });
    } else if (m[2] !== undefined || m[3] !== undefined) tokens.push({ kind: "value", value: m[2] ?? m[3] });
    else if (m[4] !== undefined) tokens.push({ kind: "value", value: Number(m[4]) });
    else tokens.push({ kind: "punct", value: m[5] });
  }
  const out: Record<string, unknown> = {};
  let i = 0;
  while (i < tokens.length) {
    const key = tokens[i];
    const eq = tokens[i + 1];
    if (key?.kind !== "name" || eq?.value !== "=") return undefined;
    i += 2;
    const first = tokens[i];
    if (first?.kind === "value") {
      out[key.value as string] = first.value;
      i += 1;
    } else if (first?.value === "[") {
      const list: unknown[] = [];
      i += 1;
      while (tokens[i]?.value !== "]") {
        const item = tokens[i];
        if (item?.kind !== "value") return undefined;
        list.push(item.value);
        i += 1;
        if (tokens[i]?.value === ",") i += 1;
      }
      i += 1;
      out[key.value as string] = list;
    } else return undefined;
    if (tokens[i]?.value === ",") i += 1;
    else if (i < tokens.length) return undefined;
  }
  return out;
}
