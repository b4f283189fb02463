// The change window of a tracked source stands where the model wrote `{{ source(...) }}`: a
// derived table, `(select * from sales where <window>)`. Written bare, the source was a table the
// SQL could name (`sales.amount`); a derived table needs an alias for that, and PostgreSQL before
// 16, MySQL, SQL Server and Hive refuse one without. Written with an alias (`{{ source(...) }} s`),
// a second one is a syntax error. So the window is rendered with a marker, and once the model is
// rendered the marker becomes `as <table name>` unless the model's own alias follows it: the
// model reads the window exactly as it reads the table, on every engine.

const MARK = "\u0000sluice-window-alias:";
const END = "\u0000";

/** The marker after a change window; `alias` is the quoted table name it falls back to. */
export function windowAlias(alias: string): string {
  return `${MARK}${alias}${END}`;
}

/** What a table reference may be followed by that is not its alias (reserved in the engines' grammars). */
const NOT_AN_ALIAS = new Set(
  (
    "where join inner left right full outer cross natural on using group order limit offset union " +
    "except intersect minus having window qualify fetch for lateral tablesample pivot unpivot " +
    "positional asof anti semi when then else end into returning with cluster distribute sort " +
    "straight_join partition"
  ).split(" "),
);

/** Comments and whitespace, which may stand between a table reference and its alias. */
const GAP = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/;
const WORD = /^[A-Za-z_][\w$]*/;
const QUOTED = /^(?:"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\])/;

/** Replaces each window marker in rendered SQL by its alias, or by nothing when the model aliased it. */
export function aliasWindows(sql: string): string {
  let out = "";
  let rest = sql;
  for (let at = rest.indexOf(MARK); at >= 0; at = rest.indexOf(MARK)) {
    const end = rest.indexOf(END, at + MARK.length);
    const alias = rest.slice(at + MARK.length, end);
    const after = rest.slice(end + END.length);
    out += rest.slice(0, at) + (aliasedByModel(after) ? "" : ` as ${alias}`);
    rest = after;
  }
  return out + rest;
}

function aliasedByModel(after: string): boolean {
  const next = after.slice(GAP.exec(after)![0].length);
  if (QUOTED.test(next)) return true;
  const word = WORD.exec(next)?.[0].toLowerCase();
  return word !== undefined && (word === "as" || !NOT_AN_ALIAS.has(word));
}
