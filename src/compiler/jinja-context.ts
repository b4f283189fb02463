// The names dbt puts in every template's context beyond sluice's own: relations with their parts
// (this.identifier, ref(...).schema), namespace(), modules.datetime / modules.re, run_started_at,
// invocation_id, log(), print(), exceptions, return(), tojson / fromjson, zip, flags, the Jinja
// filters and tests nunjucks lacks, and introspection (execute, run_query, statement, load_result,
// load_relation) answered as dbt answers it: at parse time while compiling, from the database when
// a model is rendered again at build time (see dbt-run-render.ts). Where no answer can come (hooks,
// tests), introspection is refused by name, not faked: SQL rendered without its query results
// would build wrong data.
import type nunjucks from "nunjucks";
import { parse as parseYamlText, stringify as toYamlText } from "yaml";
import {
  introspectionFor,
  type RenderIntrospection,
  relationPartsOf,
  statementResult,
  agateTable,
} from "./dbt-introspection.js";
import { MacroReturn, pythonRepr, Spread, SPREAD_GLOBAL } from "./jinja-compat.js";

/** A relation as dbt's templates see it: renders as its SQL name, and has its parts. */
export class Relation extends String {
  constructor(
    private readonly parts: { text: string; value: string }[],
    readonly database: string | null,
    readonly schema: string | null,
    readonly identifier: string | null,
    /** dbt's relation type where the database said it (get_relation), else null. */
    readonly type: "table" | "view" | null = null,
  ) {
    super(parts.map((p) => p.text).join("."));
  }

  /** True for an ephemeral model's CTE: it is no relation in the database (dbt_utils refuses it). */
  get is_cte(): boolean {
    return this.parts.length === 1 && (this.identifier ?? "").startsWith(EPHEMERAL_PREFIX);
  }
  get is_table(): boolean {
    return this.type === "table";
  }
  get is_view(): boolean {
    return this.type === "view";
  }

  /** The mapping view of a relation that dbt_utils' _is_relation checks (`metadata.type`). */
  get(key: string, fallback: unknown = null): unknown {
    if (key === "metadata") return { type: "Relation" };
    const value = (this as unknown as Record<string, unknown>)[key];
    return value === undefined ? fallback : value;
  }

  withType(type: "table" | "view"): Relation {
    return new Relation(this.parts, this.database, this.schema, this.identifier, type);
  }

  get name(): string | null {
    return this.identifier;
  }

  get table(): string | null {
    return this.identifier;
  }

  render(): string {
    return this.toString();
  }

  /** The relation with some parts left out, e.g. include(database=False). */
  include(options: { database?: boolean; schema?: boolean; identifier?: boolean } = {}): Relation {
    const keep = [options.database !== false, options.schema !== false, options.identifier !== false];
    const offset = 3 - this.parts.length;
    const parts = this.parts.filter((_p, i) => keep[i + offset]);
    const value = (which: number) =>
      keep[which] && which - offset >= 0 ? (this.parts[which - offset]?.value ?? null) : null;
    return new Relation(parts, value(0), value(1), value(2), this.type);
  }

  quote(): Relation {
    return this;
  }

  incorporate(): Relation {
    return this;
  }
}

const PART = /"((?:[^"]|"")*)"|\[((?:[^\]]|\]\])*)\]|`((?:[^`]|``)*)`/y;

/**
 * Reads a relation name as sluice renders it (`"db"."schema"."name"`, `[schema].[name]`, `` `db`.`name` ``).
 */
export function relationFromSql(sql: string): Relation {
  const parts: { text: string; value: string }[] = [];
  let at = 0;
  while (at < sql.length) {
    PART.lastIndex = at;
    const m = PART.exec(sql);
    if (!m) return new Relation([{ text: sql, value: sql }], null, null, sql);
    const value =
      m[1] !== undefined
        ? m[1].replace(/""/g, '"')
        : m[2] !== undefined
          ? m[2].replace(/]]/g, "]")
          : m[3]!.replace(/``/g, "`");
    parts.push({ text: m[0], value });
    at = PART.lastIndex;
    if (at < sql.length && sql[at] !== ".") return new Relation([{ text: sql, value: sql }], null, null, sql);
    at += 1;
  }
  const values = parts.map((p) => p.value);
  const [database, schema, identifier] =
    values.length >= 3
      ? values.slice(-3)
      : values.length === 2
        ? [null, ...values]
        : [null, null, values[0] ?? null];
  return new Relation(parts, database ?? null, schema ?? null, identifier ?? null);
}

/** A point in time as Python's datetime shows it (UTC). */
export class PyDateTime {
  constructor(
    readonly epochMs: number,
    readonly microsecond: number,
    private readonly aware: boolean,
  ) {}

  static fromIso(text: string): PyDateTime {
    const micro = /\.(\d{1,6})/.exec(text)?.[1]?.padEnd(6, "0") ?? "000000";
    const ms = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(text) ? text : `${text.replace(" ", "T")}Z`);
    if (Number.isNaN(ms)) throw new Error(`'${text}' is not an ISO date-time`);
    return new PyDateTime(Math.floor(ms / 1000) * 1000, Number(micro), true);
  }

  private get d(): Date {
    return new Date(this.epochMs);
  }
  get year(): number {
    return this.d.getUTCFullYear();
  }
  get month(): number {
    return this.d.getUTCMonth() + 1;
  }
  get day(): number {
    return this.d.getUTCDate();
  }
  get hour(): number {
    return this.d.getUTCHours();
  }
  get minute(): number {
    return this.d.getUTCMinutes();
  }
  get second(): number {
    return this.d.getUTCSeconds();
  }

  strftime(format: string): string {
    const d = this.d;
    const two = (n: number) => String(n).padStart(2, "0");
    const days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
    const months = [
      "January",
      "February",
      "March",
      "April",
      "May",
      "June",
      "July",
      "August",
      "September",
      "October",
      "November",
      "December",
    ];
    const start = Date.UTC(d.getUTCFullYear(), 0, 1);
    return format.replace(/%([a-zA-Z%])/g, (m, c: string) => {
      switch (c) {
        case "Y":
          return String(this.year);
        case "y":
          return two(this.year % 100);
        case "m":
          return two(this.month);
        case "d":
          return two(this.day);
        case "H":
          return two(this.hour);
        case "I":
          return two(this.hour % 12 || 12);
        case "p":
          return this.hour < 12 ? "AM" : "PM";
        case "M":
          return two(this.minute);
        case "S":
          return two(this.second);
        case "f":
          return String(this.microsecond).padStart(6, "0");
        case "j":
          return String(Math.floor((this.epochMs - start) / 86_400_000) + 1).padStart(3, "0");
        case "a":
          return days[d.getUTCDay()]!.slice(0, 3);
        case "A":
          return days[d.getUTCDay()]!;
        case "b":
          return months[this.month - 1]!.slice(0, 3);
        case "B":
          return months[this.month - 1]!;
        case "z":
          return this.aware ? "+0000" : "";
        case "Z":
          return this.aware ? "UTC" : "";
        case "%":
          return "%";
        default:
          return m;
      }
    });
  }

  isoformat(sep = "T"): string {
    const fraction = this.microsecond ? `.${String(this.microsecond).padStart(6, "0")}` : "";
    return (
      `${this.strftime("%Y-%m-%d")}${sep}${this.strftime("%H:%M:%S")}` +
      `${fraction}${this.aware ? "+00:00" : ""}`
    );
  }

  date(): PyDate {
    return new PyDate(this.year, this.month, this.day);
  }

  timestamp(): number {
    return this.epochMs / 1000 + this.microsecond / 1e6;
  }

  astimezone(): PyDateTime {
    return this;
  }

  toString(): string {
    return this.isoformat(" ");
  }
}

/** A calendar date as Python's date shows it. */
export class PyDate {
  constructor(
    readonly year: number,
    readonly month: number,
    readonly day: number,
  ) {}
  strftime(format: string): string {
    return new PyDateTime(Date.UTC(this.year, this.month - 1, this.day), 0, false).strftime(format);
  }
  isoformat(): string {
    return this.strftime("%Y-%m-%d");
  }
  toString(): string {
    return this.isoformat();
  }
}

/** Python regular expressions in JavaScript's dialect: named groups, \Z, inline (?i). */
function pyRegex(pattern: string, flags = 0, extra = ""): RegExp {
  let source = pattern
    .replace(/\(\?P<(\w+)>/g, "(?<$1>")
    .replace(/\(\?P=(\w+)\)/g, "\\k<$1>")
    .replace(/\\Z/g, "$")
    .replace(/\\A/g, "^");
  let f = extra;
  const inline = /^\(\?([imsx]+)\)/.exec(source);
  if (inline) {
    source = source.slice(inline[0].length);
    if (inline[1]!.includes("i")) flags |= 2;
    if (inline[1]!.includes("m")) flags |= 8;
    if (inline[1]!.includes("s")) flags |= 16;
  }
  if (flags & 2) f += "i";
  if (flags & 8) f += "m";
  if (flags & 16) f += "s";
  return new RegExp(source, f);
}

function matchObject(m: RegExpExecArray | null): Record<string, unknown> | null {
  if (!m) return null;
  return {
    group: (...which: (number | string)[]) => {
      const pick = (w: number | string) => (typeof w === "number" ? m[w] : m.groups?.[w]) ?? null;
      return which.length <= 1 ? pick(which[0] ?? 0) : which.map(pick);
    },
    groups: () => m.slice(1).map((g) => g ?? null),
    groupdict: () => ({ ...(m.groups ?? {}) }),
    start: () => m.index,
    end: () => m.index + m[0].length,
    span: () => [m.index, m.index + m[0].length],
  };
}

function pyReplacement(repl: string): string {
  return repl
    .replace(/\$/g, "$$$$")
    .replace(/\\g<(\w+)>/g, (_m, g: string) => (/^\d+$/.test(g) ? `$${g}` : `$<${g}>`))
    .replace(/\\(\d)/g, "$$$1");
}

const re = {
  I: 2,
  IGNORECASE: 2,
  M: 8,
  MULTILINE: 8,
  S: 16,
  DOTALL: 16,
  X: 64,
  VERBOSE: 64,
  compile: (pattern: string, flags = 0) => ({
    pattern,
    match: (s: string) => re.match(pattern, s, flags),
    search: (s: string) => re.search(pattern, s, flags),
    fullmatch: (s: string) => re.fullmatch(pattern, s, flags),
    findall: (s: string) => re.findall(pattern, s, flags),
    sub: (repl: string, s: string, count = 0) => re.sub(pattern, repl, s, count, flags),
    split: (s: string) => re.split(pattern, s, 0, flags),
  }),
  match: (pattern: string, s: string, flags = 0) => matchObject(pyRegex(pattern, flags, "y").exec(s)),
  search: (pattern: string, s: string, flags = 0) => matchObject(pyRegex(pattern, flags).exec(s)),
  fullmatch: (pattern: string, s: string, flags = 0) =>
    matchObject(pyRegex(`^(?:${pattern})$`, flags).exec(s)),
  findall: (pattern: string, s: string, flags = 0) =>
    [...s.matchAll(pyRegex(pattern, flags, "g"))].map((m) =>
      m.length === 1 ? m[0] : m.length === 2 ? (m[1] ?? "") : m.slice(1).map((g) => g ?? ""),
    ),
  sub: (pattern: string, repl: string, s: string, count = 0, flags = 0) => {
    if (count <= 0) return s.replace(pyRegex(pattern, flags, "g"), pyReplacement(repl));
    let out = s;
    for (let i = 0; i < count; i++) out = out.replace(pyRegex(pattern, flags), pyReplacement(repl));
    return out;
  },
  split: (pattern: string, s: string, _maxsplit = 0, flags = 0) => s.split(pyRegex(pattern, flags)),
  escape: (s: string) => s.replace(/[.*+?^${}()|[\]\\\-/#&~ ]/g, "\\$&"),
};

/** What the context needs from the compile: the model rendering now, and the run's identity. */
export interface DbtContextHooks {
  /** run_started_at as ISO text, and invocation_id: fixed per compile (see load.ts). */
  runStartedAt(): string;
  invocationId(): string;
  /** Where log(info=True), print() and exceptions.warn() write. */
  write(line: string): void;
  /**
   * What the node rendering now may ask the database; undefined where sluice cannot answer (hooks, tests).
   */
  introspection(): RenderIntrospection | undefined;
}

/** Adds dbt's context names, filters and tests to a nunjucks environment. */
export function addDbtContext(env: nunjucks.Environment, hooks: DbtContextHooks): void {
  const globals = (env as unknown as { globals: Record<string, unknown> }).globals;
  const keywordsOf = (args: unknown[]): Record<string, unknown> => {
    const last = args[args.length - 1] as Record<string, unknown> | undefined;
    if (last && typeof last === "object" && "__keywords" in last) {
      args.pop();
      const { __keywords, ...rest } = last;
      void __keywords;
      return rest;
    }
    return {};
  };
  // Failing rows are stored by the runner around the test's query (store_failures, see
  // runner/execute-step.ts), so a template selects its failures as usual.
  env.addGlobal("should_store_failures", () => false);
  // dbt's hook helpers: a hook run outside the model's transaction (before it for a pre_hook,
  // after its commit for a post_hook), as compiler/compile.ts orders them.
  env.addGlobal("before_begin", (sql: unknown) => ({ sql: String(sql), transaction: false }));
  env.addGlobal("after_commit", (sql: unknown) => ({ sql: String(sql), transaction: false }));
  env.addGlobal(SPREAD_GLOBAL, (value: unknown, kind: "*" | "**") => new Spread(value, kind));
  env.addGlobal("namespace", (...args: unknown[]) => ({
    ...(args[0] && typeof args[0] === "object" ? (args[0] as object) : {}),
    ...keywordsOf(args),
  }));
  env.addGlobal("return", (value: unknown) => {
    throw new MacroReturn(value);
  });
  env.addGlobal("log", (message: unknown, ...rest: unknown[]) => {
    const info = keywordsOf(rest)["info"] ?? rest[0];
    if (info === true) hooks.write(pythonRepr(message, true));
    return "";
  });
  env.addGlobal("print", (message: unknown) => {
    hooks.write(pythonRepr(message, true));
    return "";
  });
  env.addGlobal("exceptions", {
    raise_compiler_error: (message: unknown) => {
      throw new Error(pythonRepr(message, true));
    },
    raise_not_implemented: (message: unknown) => {
      throw new Error(`not implemented: ${pythonRepr(message, true)}`);
    },
    warn: (message: unknown) => {
      hooks.write(`warning: ${pythonRepr(message, true)}`);
      return "";
    },
  });
  env.addGlobal("tojson", (value: unknown) => JSON.stringify(value));
  env.addGlobal("fromjson", (text: string, fallback: unknown = null) => {
    try {
      return JSON.parse(text);
    } catch {
      return fallback;
    }
  });
  env.addGlobal("toyaml", (value: unknown) => toYamlText(value));
  env.addGlobal("fromyaml", (text: string) => parseYamlText(text));
  env.addGlobal("zip", (...lists: unknown[][]) => {
    const n = Math.min(...lists.map((l) => (Array.isArray(l) ? l.length : 0)));
    return Array.from({ length: n }, (_v, i) => lists.map((l) => l[i]));
  });
  env.addGlobal("dict", (...args: unknown[]) => {
    const keywords = keywordsOf(args);
    const base = Array.isArray(args[0])
      ? Object.fromEntries(args[0] as [string, unknown][])
      : ((args[0] as object | undefined) ?? {});
    return { ...base, ...keywords };
  });
  env.addGlobal("modules", {
    datetime: {
      datetime: {
        now: () => new PyDateTime(Math.floor(Date.now() / 1000) * 1000, 0, false),
        utcnow: () => new PyDateTime(Math.floor(Date.now() / 1000) * 1000, 0, false),
        fromisoformat: (text: string) => PyDateTime.fromIso(text),
      },
      date: {
        today: () => new PyDateTime(Date.now(), 0, false).date(),
        fromisoformat: (text: string) => PyDateTime.fromIso(`${text}T00:00:00`).date(),
      },
      timezone: { utc: "UTC" },
    },
    re,
    pytz: { utc: "UTC", timezone: (name: string) => name },
  });
  Object.defineProperty(globals, "run_started_at", {
    get: () => PyDateTime.fromIso(hooks.runStartedAt()),
    enumerable: true,
  });
  Object.defineProperty(globals, "invocation_id", { get: () => hooks.invocationId(), enumerable: true });
  addIntrospection(env, globals, hooks, keywordsOf);

  addFilters(env);
  addTests(env);
}

/** The prefix of the CTE an ephemeral model is inlined as (see render.ts), for Relation.is_cte. */
export const EPHEMERAL_PREFIX = "__sluice_ephemeral_";

/**
 * execute, run_query, statement/load_result/store_result, load_relation and flags. Each use is
 * noted on the render's introspection, so the compile can record that the model asks the database.
 */
function addIntrospection(
  env: nunjucks.Environment,
  globals: Record<string, unknown>,
  hooks: DbtContextHooks,
  keywordsOf: (args: unknown[]) => Record<string, unknown>,
): void {
  const current = (what: string) => introspectionFor(hooks.introspection(), what);
  Object.defineProperty(globals, "execute", {
    get: () => current("execute").answers.execute,
    enumerable: true,
  });
  Object.defineProperty(globals, "flags", {
    get: () => {
      const answers = hooks.introspection()?.answers;
      return {
        WHICH: answers?.command ?? "compile",
        FULL_REFRESH: answers?.fullRefresh ?? false,
        STORE_FAILURES: false,
        WARN_ERROR: false,
      };
    },
    enumerable: true,
  });
  const run = (what: string, sql: unknown) => {
    const introspection = current(what);
    if (!introspection.answers.execute) return undefined;
    return introspection.answers.query(String(sql).trim());
  };
  env.addGlobal("run_query", (sql: unknown) => {
    const facts = run("run_query", sql);
    return facts === undefined ? null : agateTable(facts);
  });
  // {% call statement('name', fetch_result=True) %}SQL{% endcall %}: as dbt's, it runs only when
  // `execute` is true, and stores its result for load_result(name).
  env.addGlobal("statement", (...args: unknown[]) => {
    const kw = keywordsOf(args);
    const name = (args[0] ?? kw["name"] ?? null) as string | null;
    const caller = kw["caller"] as (() => unknown) | undefined;
    const introspection = current("statement");
    if (!introspection.answers.execute || !caller) return "";
    const facts = run("statement", caller());
    if (facts !== undefined && name !== null) introspection.statements.set(name, statementResult(facts));
    return "";
  });
  env.addGlobal("load_result", (name: string) => current("load_result").statements.get(name) ?? null);
  env.addGlobal("store_result", (...args: unknown[]) => {
    const kw = keywordsOf(args);
    current("store_result").statements.set(String(args[0] ?? kw["name"]), {
      response: args[1] ?? kw["response"] ?? null,
      table: args[2] ?? kw["agate_table"] ?? null,
      data: [],
    });
    return "";
  });
  env.addGlobal("load_relation", (relation: unknown) => loadRelation(current("load_relation"), relation));
}

/** adapter.get_relation / load_relation: the relation when it exists, else None (also while compiling). */
export function loadRelation(introspection: RenderIntrospection, relation: unknown): Relation | null {
  if (relation === null || relation === undefined) return null;
  const parts = relationPartsOf(relation);
  if (!parts) return null;
  const kind = introspection.answers.execute ? introspection.answers.relationKind(parts) : undefined;
  if (!kind) return null;
  const found = relation instanceof Relation ? relation : relationFromSql(String(relation));
  return found.withType(kind);
}

function attribute(item: unknown, path: string): unknown {
  let value: unknown = item;
  for (const part of String(path).split("."))
    value = value === null || value === undefined ? undefined : (value as Record<string, unknown>)[part];
  return value;
}

function addFilters(env: nunjucks.Environment): void {
  const tests = (env as unknown as { tests: Record<string, (v: unknown, ...a: unknown[]) => boolean> }).tests;
  const filters = (env as unknown as { filters: Record<string, (...a: unknown[]) => unknown> }).filters;
  const testBy = (name: string | undefined) =>
    name === undefined ? (v: unknown) => Boolean(v) : tests[name];
  env.addFilter("tojson", (value: unknown, ...rest: unknown[]) => {
    const options = rest[rest.length - 1] as { sort_keys?: boolean } | undefined;
    return options?.sort_keys
      ? JSON.stringify(value, Object.keys(value as object).sort())
      : JSON.stringify(value);
  });
  env.addFilter("map", (items: unknown, ...args: unknown[]) => {
    const list = Array.isArray(items) ? items : [];
    const last = args[args.length - 1] as Record<string, unknown> | undefined;
    if (last && typeof last === "object" && "attribute" in last)
      return list.map((i) => attribute(i, String(last["attribute"])));
    const name = String(args[0]);
    const filter = filters[name];
    if (!filter) throw new Error(`map: no filter named '${name}'`);
    return list.map((i) => filter(i, ...args.slice(1)));
  });
  env.addFilter("unique", (items: unknown) => [...new Set(Array.isArray(items) ? items : [])]);
  env.addFilter("items", (value: Record<string, unknown>) => Object.entries(value ?? {}));
  env.addFilter("max", (items: number[]) =>
    Array.isArray(items) && items.length ? items.reduce((a, b) => Math.max(b, a)) : null,
  );
  env.addFilter("min", (items: number[]) =>
    Array.isArray(items) && items.length ? items.reduce((a, b) => Math.min(b, a)) : null,
  );
  env.addFilter("as_bool", (value: unknown) =>
    typeof value === "string" ? /^(true|1)$/i.test(value.trim()) : Boolean(value),
  );
  env.addFilter("as_number", (value: unknown) => Number(value));
  env.addFilter("as_text", (value: unknown) =>
    value === null || value === undefined ? "" : pythonRepr(value, true),
  );
  env.addFilter("as_native", (value: unknown) => value);
  env.addFilter("string", (value: unknown) => pythonRepr(value, true));
  env.addFilter("count", (value: unknown) =>
    Array.isArray(value) || typeof value === "string" ? value.length : Object.keys(value ?? {}).length,
  );
  env.addFilter("format", (format: string, ...args: unknown[]) => {
    let i = 0;
    return String(format).replace(/%[sdif%]/g, (m) => (m === "%%" ? "%" : pythonRepr(args[i++], true)));
  });
  env.addFilter("selectattr", (items: unknown, attr: string, test?: string, ...args: unknown[]) =>
    (Array.isArray(items) ? items : []).filter((i) => testBy(test)!(attribute(i, attr), ...args)),
  );
  env.addFilter("rejectattr", (items: unknown, attr: string, test?: string, ...args: unknown[]) =>
    (Array.isArray(items) ? items : []).filter((i) => !testBy(test)!(attribute(i, attr), ...args)),
  );
}

function addTests(nunjucksEnv: nunjucks.Environment): void {
  // addTest exists on nunjucks' Environment but not in its type definitions.
  const env = nunjucksEnv as unknown as { addTest(name: string, test: (...args: never[]) => boolean): void };
  env.addTest("sequence", (v: unknown) => Array.isArray(v) || typeof v === "string");
  env.addTest("boolean", (v: unknown) => typeof v === "boolean");
  env.addTest("integer", (v: unknown) => Number.isInteger(v));
  env.addTest("float", (v: unknown) => typeof v === "number" && !Number.isInteger(v));
  env.addTest("true", (v: unknown) => v === true);
  env.addTest("false", (v: unknown) => v === false);
}
