// Reads the top-level shape of a model's SELECT (leading CTEs, ORDER BY, TOP/OFFSET) so the SQL
// builders can use it as a derived table: T-SQL forbids a WITH clause inside FROM (...) and an
// ORDER BY there without TOP or OFFSET, and models written dbt-style start with CTEs all the time.
// This is a scanner, not a parser: it only tracks strings, quoted names, comments and parentheses.

interface Token {
  kind: "word" | "open" | "close" | "comma" | "other";
  /** Upper-cased text for words. */
  text: string;
  start: number;
  end: number;
  depth: number;
}

function scan(sql: string): Token[] {
  const tokens: Token[] = [];
  let depth = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i] ?? "";
    const next = sql[i + 1] ?? "";
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === "-" && next === "-") {
      const eol = sql.indexOf("\n", i);
      i = eol < 0 ? sql.length : eol + 1;
    } else if (c === "/" && next === "*") {
      let nesting = 1;
      i += 2;
      while (i < sql.length && nesting > 0) {
        if (sql[i] === "/" && sql[i + 1] === "*") {
          nesting += 1;
          i += 2;
        } else if (sql[i] === "*" && sql[i + 1] === "/") {
          nesting -= 1;
          i += 2;
        } else i += 1;
      }
    } else if (c === "'" || ((c === "N" || c === "n") && next === "'")) {
      const start = i;
      i = skipQuoted(sql, c === "'" ? i : i + 1, "'");
      tokens.push({ kind: "other", text: "'", start, end: i, depth });
    } else if (c === "[" || c === '"') {
      const start = i;
      i = skipQuoted(sql, i, c === "[" ? "]" : '"');
      tokens.push({ kind: "word", text: sql.slice(start, i), start, end: i, depth });
    } else if (c === "(") {
      tokens.push({ kind: "open", text: c, start: i, end: i + 1, depth });
      depth += 1;
      i += 1;
    } else if (c === ")") {
      depth -= 1;
      tokens.push({ kind: "close", text: c, start: i, end: i + 1, depth });
      i += 1;
    } else if (c === ",") {
      tokens.push({ kind: "comma", text: c, start: i, end: i + 1, depth });
      i += 1;
    } else if (/[A-Za-z_@#]/.test(c)) {
      const start = i;
      while (i < sql.length && /[A-Za-z0-9_@#$]/.test(sql[i] ?? "")) i += 1;
      tokens.push({ kind: "word", text: sql.slice(start, i).toUpperCase(), start, end: i, depth });
    } else {
      tokens.push({ kind: "other", text: c, start: i, end: i + 1, depth });
      i += 1;
    }
  }
  return tokens;
}

/** Returns the index just past a quoted run opened at `at`; a doubled closing quote is an escape. */
function skipQuoted(sql: string, at: number, close: string): number {
  let i = at + 1;
  while (i < sql.length) {
    if (sql[i] === close) {
      if (sql[i + 1] === close) i += 2;
      else return i + 1;
    } else i += 1;
  }
  throw new Error("Unterminated string or quoted identifier in model SQL");
}

export interface QueryShape {
  /** The leading `WITH ...` clause, or "" when there is none. */
  ctes: string;
  /** The statement after the CTEs, without a trailing semicolon. */
  body: string;
  /** The body has a top-level ORDER BY. */
  orderBy: boolean;
  /** The body has a top-level TOP or OFFSET, so its ORDER BY is legal inside a derived table. */
  limited: boolean;
}

/** Splits a single SELECT statement into its leading CTEs and its body. */
export function queryShape(sql: string): QueryShape {
  const text = sql.replace(/[\s;]+$/, "");
  const tokens = scan(text);
  let bodyIndex = 0;
  const first = tokens[0];
  if (first && first.kind === "word" && first.text === "WITH") {
    let i = 1;
    for (;;) {
      i += 1; // the CTE name
      if (tokens[i]?.kind === "open") i = closingIndex(tokens, i) + 1; // column list
      if (tokens[i]?.text !== "AS")
        throw new Error("Cannot read the WITH clause of the model SQL: expected AS after a CTE name");
      i += 1;
      if (tokens[i]?.kind !== "open")
        throw new Error("Cannot read the WITH clause of the model SQL: expected ( after AS");
      i = closingIndex(tokens, i) + 1;
      if (tokens[i]?.kind === "comma") {
        i += 1;
        continue;
      }
      break;
    }
    bodyIndex = i;
  }
  const bodyStart = tokens[bodyIndex]?.start ?? text.length;
  const top = tokens.slice(bodyIndex).filter((t) => t.depth === 0 && t.kind === "word");
  const orderBy = top.some((t, k) => t.text === "ORDER" && top[k + 1]?.text === "BY");
  const limited = top.some((t) => t.text === "TOP" || t.text === "OFFSET");
  return { ctes: text.slice(0, bodyStart).trim(), body: text.slice(bodyStart).trim(), orderBy, limited };
}

function closingIndex(tokens: Token[], openIndex: number): number {
  const depth = tokens[openIndex]?.depth ?? 0;
  for (let j = openIndex + 1; j < tokens.length; j++) {
    const t = tokens[j];
    if (t && t.kind === "close" && t.depth === depth) return j;
  }
  throw new Error("Unbalanced parentheses in model SQL");
}

/**
 * The pieces to select from a model's SQL as a derived table: put `prefix` before the outer SELECT
 * and `source` where a table would go. A top-level ORDER BY gets `OFFSET 0 ROWS`, which makes it
 * legal there without changing which rows come back.
 */
export function asDerivedTable(sql: string, alias = "sluice_src"): { prefix: string; source: string } {
  const shape = queryShape(sql);
  const body = shape.orderBy && !shape.limited ? `${shape.body}\nOFFSET 0 ROWS` : shape.body;
  return {
    prefix: shape.ctes ? `${shape.ctes}\n` : "",
    source: `(\n${body}\n) AS [${alias.replace(/]/g, "]]")}]`,
  };
}

/**
 * The model's SQL made legal as a view body: a view may not ORDER BY without TOP or OFFSET either,
 * so a top-level ORDER BY gets `OFFSET 0 ROWS` (row order out of a view is never guaranteed anyway).
 */
export function asViewBody(sql: string): string {
  const shape = queryShape(sql);
  const body = shape.orderBy && !shape.limited ? `${shape.body}\nOFFSET 0 ROWS` : shape.body;
  return shape.ctes ? `${shape.ctes}\n${body}` : body;
}
