// Makes nunjucks read and render templates as Jinja (and so dbt) does, by patching its parser,
// code generator and runtime once, before any template is parsed: trailing commas, tuples,
// {% do %}, {% test %} and {% materialization %} blocks, `{% set ns.attr = … %}`, varargs/kwargs
// and return() in macros, Python's string/list/dict methods, and Jinja's rendering of True,
// lists, dicts and None. Every thread that parses or renders templates imports this module.
import nunjucks from "nunjucks";
import lexer from "nunjucks/src/lexer.js";
import lib from "nunjucks/src/lib.js";
import nodes from "nunjucks/src/nodes.js";
import runtime from "nunjucks/src/runtime.js";

/** Part of the template-code cache key: code generated before a change here must not be reused. */
export const JINJA_COMPAT_VERSION = "jinja-compat-4";

/** Thrown by return(); the macro that runs it returns the value instead of its text. */
export class MacroReturn {
  readonly sluiceReturn = true;
  constructor(readonly value: unknown) {}
}

/** The global that marks `*args` / `**kwargs` in a call; the call spreads what it marks. */
export const SPREAD_GLOBAL = "__sluice_spread";

/** What `*items` or `**mapping` evaluates to inside a call's argument list. */
export class Spread {
  constructor(
    readonly value: unknown,
    readonly kind: "*" | "**",
  ) {}
}

/** Name of the macro a {% materialization name, adapter %} block defines. */
export function materializationMacroName(name: string, adapter: string): string {
  return `materialization__${name}__${adapter}`;
}

// biome-ignore lint/suspicious/noExplicitAny: nunjucks hands template values over untyped
type Any = any;

const Parser = (nunjucks as Any).parser.Parser as Any;
const Compiler = (nunjucks as Any).compiler.Compiler as Any;

let installed = false;

/** Installs the patches; later calls do nothing. */
export function installJinjaCompat(): void {
  if (installed) return;
  installed = true;
  patchParser();
  // nunjucks' own compatibility layer: True/False/None, slices, Python list and dict methods.
  (nunjucks as Any).installJinjaCompat();
  patchCompiler();
  patchRuntime();
}

function patchParser(): void {
  /** Arguments of a call, with a trailing comma allowed as Python allows it. */
  Parser.prototype.parseSignature = function parseSignature(
    this: Any,
    tolerant?: boolean,
    noParens?: boolean,
  ) {
    let tok = this.peekToken();
    if (!noParens && tok.type !== lexer.TOKEN_LEFT_PAREN) {
      if (tolerant) return null;
      this.fail("expected arguments", tok.lineno, tok.colno);
    }
    if (tok.type === lexer.TOKEN_LEFT_PAREN) tok = this.nextToken();
    const args = new nodes.NodeList(tok.lineno, tok.colno);
    const kwargs = new nodes.KeywordArgs(tok.lineno, tok.colno);
    let first = true;
    for (;;) {
      const next = this.peekToken();
      if (!noParens && next.type === lexer.TOKEN_RIGHT_PAREN) {
        this.nextToken();
        break;
      }
      if (noParens && next.type === lexer.TOKEN_BLOCK_END) break;
      if (!first) {
        if (!this.skip(lexer.TOKEN_COMMA))
          this.fail("parseSignature: expected comma after expression", next.lineno, next.colno);
        const after = this.peekToken();
        if (!noParens && after.type === lexer.TOKEN_RIGHT_PAREN) {
          this.nextToken();
          break;
        }
      }
      const star = this.peekToken();
      if (star.type === lexer.TOKEN_OPERATOR && (star.value === "*" || star.value === "**")) {
        // f(*items) and f(**mapping): marked here, spread when the call runs (see callWrap below).
        this.nextToken();
        const spread = this.parseExpression();
        const kind = new nodes.Literal(star.lineno, star.colno, star.value);
        args.addChild(
          new nodes.FunCall(
            star.lineno,
            star.colno,
            new nodes.Symbol(star.lineno, star.colno, SPREAD_GLOBAL),
            new nodes.NodeList(star.lineno, star.colno, [spread, kind]),
          ),
        );
        first = false;
        continue;
      }
      const arg = this.parseExpression();
      if (this.skipValue(lexer.TOKEN_OPERATOR, "="))
        kwargs.addChild(new nodes.Pair(arg.lineno, arg.colno, arg, this.parseExpression()));
      else args.addChild(arg);
      first = false;
    }
    if (kwargs.children.length) args.addChild(kwargs);
    return args;
  };

  /** Lists, dicts and parentheses, with trailing commas; `(a, b)` and `(a,)` are tuples (lists). */
  Parser.prototype.parseAggregate = function parseAggregate(this: Any) {
    const tok = this.nextToken();
    let node: Any;
    if (tok.type === lexer.TOKEN_LEFT_PAREN) node = new nodes.Group(tok.lineno, tok.colno);
    else if (tok.type === lexer.TOKEN_LEFT_BRACKET) node = new nodes.Array(tok.lineno, tok.colno);
    else if (tok.type === lexer.TOKEN_LEFT_CURLY) node = new nodes.Dict(tok.lineno, tok.colno);
    else return null;
    let commas = 0;
    for (;;) {
      const type = this.peekToken().type;
      if (
        type === lexer.TOKEN_RIGHT_PAREN ||
        type === lexer.TOKEN_RIGHT_BRACKET ||
        type === lexer.TOKEN_RIGHT_CURLY
      ) {
        this.nextToken();
        break;
      }
      if (node.children.length > 0) {
        if (!this.skip(lexer.TOKEN_COMMA))
          this.fail("parseAggregate: expected comma after expression", tok.lineno, tok.colno);
        commas++;
        const after = this.peekToken().type;
        if (
          after === lexer.TOKEN_RIGHT_PAREN ||
          after === lexer.TOKEN_RIGHT_BRACKET ||
          after === lexer.TOKEN_RIGHT_CURLY
        ) {
          this.nextToken();
          break;
        }
      }
      if (node instanceof nodes.Dict) {
        const key = this.parsePrimary();
        if (!this.skip(lexer.TOKEN_COLON))
          this.fail("parseAggregate: expected colon after dict key", tok.lineno, tok.colno);
        const value = this.parseExpression();
        node.addChild(new nodes.Pair(key.lineno, key.colno, key, value));
      } else {
        node.addChild(this.parseExpression());
      }
    }
    if (node instanceof nodes.Group && (commas > 0 || node.children.length === 0)) {
      return new nodes.Array(tok.lineno, tok.colno, node.children);
    }
    return node;
  };

  const parseStatement = Parser.prototype.parseStatement;
  Parser.prototype.parseStatement = function patchedParseStatement(this: Any) {
    const tok = this.peekToken();
    if (tok.type === lexer.TOKEN_SYMBOL && !(this.breakOnBlocks ?? []).includes(tok.value)) {
      if (tok.value === "do") return parseDo(this);
      if (tok.value === "test") return parseBlockMacro(this, "test", (name) => `test_${name}`);
      if (tok.value === "materialization") return parseMaterialization(this);
    }
    return parseStatement.call(this);
  };
}

/** `{% do expr %}`: evaluates the expression and writes nothing. */
function parseDo(parser: Any): Any {
  const tok = parser.nextToken();
  const expr = parser.parseExpression();
  parser.advanceAfterBlockEnd(tok.value);
  return new nodes.Set(tok.lineno, tok.colno, [new nodes.Symbol(tok.lineno, tok.colno, "_sluice_do")], expr);
}

/** `{% test name(args) %}…{% endtest %}` is a macro named `test_name`, as dbt defines it. */
function parseBlockMacro(parser: Any, tag: string, rename: (name: string) => string): Any {
  const tok = parser.nextToken();
  const name = parser.parsePrimary(true);
  const args = parser.parseSignature();
  const macro = new nodes.Macro(
    tok.lineno,
    tok.colno,
    new nodes.Symbol(name.lineno, name.colno, rename(name.value)),
    args,
  );
  parser.advanceAfterBlockEnd(tok.value);
  macro.body = parser.parseUntilBlocks(`end${tag}`);
  parser.advanceAfterBlockEnd();
  return macro;
}

/** `{% materialization name, adapter='x' %}` (or `, default`): parsed as a macro, never run. */
function parseMaterialization(parser: Any): Any {
  const tok = parser.nextToken();
  const name = parser.parsePrimary(true);
  let adapter = "default";
  while (parser.skip(lexer.TOKEN_COMMA)) {
    const part = parser.parseExpression();
    if (parser.skipValue(lexer.TOKEN_OPERATOR, "=")) {
      const value = parser.parseExpression();
      if (part.value === "adapter" && typeof value.value === "string") adapter = value.value;
    }
  }
  const args = new nodes.NodeList(tok.lineno, tok.colno);
  const macro = new nodes.Macro(
    tok.lineno,
    tok.colno,
    new nodes.Symbol(name.lineno, name.colno, materializationMacroName(name.value, adapter)),
    args,
  );
  parser.advanceAfterBlockEnd(tok.value);
  macro.body = parser.parseUntilBlocks("endmaterialization");
  parser.advanceAfterBlockEnd();
  return macro;
}

function patchCompiler(): void {
  /** A call's name goes into generated code as a string for error messages: keep it on one line. */
  const getNodeName = Compiler.prototype._getNodeName;
  Compiler.prototype._getNodeName = function patchedGetNodeName(this: Any, node: Any) {
    return String(getNodeName.call(this, node)).replace(/[\r\n\u2028\u2029\\]/g, " ");
  };

  /**
   * Dict keys may be any expression, as in Python: {key.lower(): value}. A bare name is the value of
   * that variable where one is defined ({relation: []}, as dbt_utils' union_relations writes), and
   * the name itself where none is (nunjucks' {materialized: 'table'}).
   */
  const compilePair = Compiler.prototype.compilePair;
  Compiler.prototype.compilePair = function patchedCompilePair(this: Any, node: Any, frame: Any) {
    const key = node.key;
    if (key instanceof nodes.Symbol && !node.sluiceKeyword) {
      this._emit("[runtime.sluiceDictKey(");
      this._compileExpression(key, frame);
      this._emit(`, ${JSON.stringify(key.value)})]: `);
      this._compileExpression(node.value, frame);
      return;
    }
    if (key instanceof nodes.Symbol || (key instanceof nodes.Literal && typeof key.value === "string"))
      return compilePair.call(this, node, frame);
    this._emit("[");
    this._compileExpression(key, frame);
    this._emit("]: ");
    this._compileExpression(node.value, frame);
  };

  /** A keyword argument's name is a name, never the value of a variable of that name (`except=`). */
  const compileKeywordArgs = Compiler.prototype.compileKeywordArgs;
  Compiler.prototype.compileKeywordArgs = function patchedKeywordArgs(this: Any, node: Any, frame: Any) {
    for (const pair of node.children) pair.sluiceKeyword = true;
    return compileKeywordArgs.call(this, node, frame);
  };

  /** Macros named `_…` are exported too: dbt reaches a package's private macros (dbt_utils._is_relation). */
  const compileMacroTag = Compiler.prototype.compileMacro;
  Compiler.prototype.compileMacro = function patchedCompileMacroTag(this: Any, node: Any, frame: Any) {
    compileMacroTag.call(this, node, frame);
    const name = node.name.value as string;
    if (!frame.parent && name.startsWith("_")) this._emitLine(`context.addExport(${JSON.stringify(name)});`);
  };

  /**
   * Conditions are true or false as in Python: an empty list, dict or rendered block is false
   * (`{% if exclude and include %}` with two empty lists is not taken), and `a or b` / `a and b`
   * give the operand that decided, as Python's do.
   */
  const Truthy = nodes.FunCall.extend("SluiceTruthy", { fields: ["expr"] });
  Compiler.prototype.compileSluiceTruthy = function compileSluiceTruthy(this: Any, node: Any, frame: Any) {
    this._emit("runtime.sluiceTruthy(");
    this.compile(node.expr, frame);
    this._emit(")");
  };
  const truthy = (expr: Any) => new Truthy(expr.lineno, expr.colno, expr);
  for (const tag of ["compileIf", "compileInlineIf"]) {
    const original = Compiler.prototype[tag];
    Compiler.prototype[tag] = function patchedCondition(this: Any, node: Any, frame: Any, ...rest: Any[]) {
      if (!(node.cond instanceof Truthy)) node.cond = truthy(node.cond);
      return original.call(this, node, frame, ...rest);
    };
  }
  Compiler.prototype.compileNot = function compileNot(this: Any, node: Any, frame: Any) {
    this._emit("!");
    this.compile(truthy(node.target), frame);
  };
  for (const [tag, helper] of [
    ["compileOr", "sluiceOr"],
    ["compileAnd", "sluiceAnd"],
  ] as const) {
    Compiler.prototype[tag] = function patchedBoolean(this: Any, node: Any, frame: Any) {
      this._emit(`runtime.${helper}(`);
      this.compile(node.left, frame);
      this._emit(", function() { return ");
      this.compile(node.right, frame);
      this._emit("; })");
    };
  }

  /** `{% set ns.attr = value %}` (namespace() objects) assigns the attribute. */
  const compileSet = Compiler.prototype.compileSet;
  Compiler.prototype.compileSet = function patchedCompileSet(this: Any, node: Any, frame: Any) {
    const target = node.targets[0];
    if (node.targets.length !== 1 || !(target instanceof nodes.LookupVal))
      return compileSet.call(this, node, frame);
    this._emit("(");
    this._compileExpression(target.target, frame);
    this._emit(")[");
    this._compileExpression(target.val, frame);
    this._emit("] = ");
    if (node.value) this._compileExpression(node.value, frame);
    else this.compile(node.body, frame);
    this._emitLine(";");
  };

  /**
   * Macros see `varargs` and `kwargs` (the arguments they did not declare), and a return() in
   * their body returns its value; the macro's frame is restored either way.
   */
  const compileMacro = Compiler.prototype._compileMacro;
  Compiler.prototype._compileMacro = function patchedCompileMacro(this: Any, node: Any, frame: Any) {
    const declared: string[] = [];
    for (const arg of node.args.children) {
      if (arg instanceof nodes.Dict || arg instanceof nodes.KeywordArgs)
        for (const pair of arg.children) declared.push(pair.key.value);
      else declared.push(arg.value);
    }
    const keepFrame = frame !== undefined;
    const scoped = this._withScopedSyntax;
    let wrapped = false;
    this._withScopedSyntax = function bodyOnce(this: Any, body: () => void) {
      this._withScopedSyntax = scoped;
      if (wrapped) return scoped.call(this, body);
      wrapped = true;
      const saved = this._tmpid();
      this._emitLine(`frame.set("varargs", kwargs.__varargs || []);`);
      this._emitLine(
        `frame.set("kwargs", runtime.sluiceExtraKeywords(kwargs, ${JSON.stringify(declared)}));`,
      );
      this._emitLine(`var ${saved} = frame;`);
      this._emitLine("try {");
      scoped.call(this, body);
      this._emitLine(
        `} catch (e) { frame = ${keepFrame ? `${saved}.pop()` : "callerFrame"}` +
          `; if (e && e.sluiceReturn) return e.value; throw e; }`,
      );
    };
    try {
      return compileMacro.call(this, node, frame);
    } finally {
      this._withScopedSyntax = scoped;
    }
  };
}

function patchRuntime(): void {
  const makeMacro = runtime.makeMacro;
  /** Positional arguments beyond the declared ones go to `varargs`, as in Jinja. */
  runtime.makeMacro = function patchedMakeMacro(argNames: string[], kwargNames: string[], func: Any) {
    const macro = makeMacro(argNames, kwargNames, func);
    const limit = argNames.length + kwargNames.length;
    return function sluiceMacro(this: unknown, ...args: unknown[]) {
      const last = args[args.length - 1] as Any;
      const hasKeywords = last !== null && typeof last === "object" && Object.hasOwn(last, "__keywords");
      const positional = hasKeywords ? args.slice(0, -1) : args;
      if (positional.length <= limit) return macro.apply(this, args);
      const keywords = { ...(hasKeywords ? last : {}), __keywords: true, __varargs: positional.slice(limit) };
      return macro.apply(this, [...positional.slice(0, limit), keywords]);
    };
  };
  runtime.sluiceTruthy = pythonTruthy;
  runtime.sluiceOr = (left: unknown, right: () => unknown) => (pythonTruthy(left) ? left : right());
  runtime.sluiceAnd = (left: unknown, right: () => unknown) => (pythonTruthy(left) ? right() : left);
  runtime.sluiceDictKey = (value: unknown, name: string) =>
    value === undefined || value === null ? name : value;
  runtime.sluiceExtraKeywords = (kwargs: Record<string, unknown>, declared: string[]) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(kwargs ?? {}))
      if (!["__keywords", "__varargs", "caller", ...declared].includes(k)) out[k] = v;
    return out;
  };

  const callWrap = runtime.callWrap;
  /** Spreads `*items` into positional arguments and `**mapping` into keyword arguments. */
  runtime.callWrap = function patchedCallWrap(obj: unknown, name: string, context: unknown, args: unknown[]) {
    if (!args.some((a) => a instanceof Spread)) return callWrap(obj, name, context, args);
    const positional: unknown[] = [];
    let keywords: Record<string, unknown> | undefined;
    for (const arg of args) {
      if (arg instanceof Spread && arg.kind === "*")
        positional.push(...(Array.isArray(arg.value) ? arg.value : []));
      else if (arg instanceof Spread) keywords = { ...keywords, ...(arg.value as object), __keywords: true };
      else if (arg !== null && typeof arg === "object" && Object.hasOwn(arg, "__keywords"))
        keywords = { ...keywords, ...(arg as object) };
      else positional.push(arg);
    }
    return callWrap(obj, name, context, keywords ? [...positional, keywords] : positional);
  };

  /** None renders empty; only an undefined name is an error. */
  runtime.ensureDefined = function ensureDefined(val: unknown, lineno: number, colno: number) {
    if (val === undefined)
      throw new lib.TemplateError("attempted to output an undefined value", lineno + 1, colno + 1);
    return val;
  };

  /** Values render as Jinja renders them: True, [1, 'a'], {'k': 1}; None as nothing. */
  runtime.suppressValue = function suppressValue(val: unknown, autoescape: boolean) {
    if (val === undefined || val === null) return "";
    // A Number object (a query's float) renders by its own toString, not the number it wraps.
    const out =
      typeof val === "boolean" || Array.isArray(val) || isPlainObject(val)
        ? pythonRepr(val, true)
        : val instanceof Number
          ? val.toString()
          : val;
    return autoescape && !(out instanceof runtime.SafeString) ? lib.escape(String(out)) : out;
  };

  const memberLookup = runtime.memberLookup;
  runtime.memberLookup = function patchedMemberLookup(obj: Any, val: Any, ...rest: unknown[]) {
    if (rest.length === 0) {
      // An object's own method wins over the dict method of its name (a result column's values()).
      if (
        obj !== null &&
        typeof obj === "object" &&
        Object.hasOwn(obj, val) &&
        typeof obj[val] === "function"
      )
        return obj[val].bind(obj);
      if (isStringLike(obj, val) && Object.hasOwn(STRING_METHODS, val))
        return (STRING_METHODS[val] as Any).bind(String(obj));
      if (Array.isArray(obj) && Object.hasOwn(LIST_METHODS, val)) return (LIST_METHODS[val] as Any).bind(obj);
      if (isPlainObject(obj) && Object.hasOwn(DICT_METHODS, val) && !Object.hasOwn(obj, val))
        return (DICT_METHODS[val] as Any).bind(obj);
    }
    return memberLookup.call(this, obj, val, ...rest);
  };
}

/** Python's truth of a value: empty lists, dicts and rendered blocks are false. */
function pythonTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof runtime.SafeString) return String(value).length > 0;
  if (isPlainObject(value)) return Object.keys(value).some((k) => k !== "__keywords");
  if (value instanceof Number) return value.valueOf() !== 0 && !Number.isNaN(value.valueOf());
  return Boolean(value);
}

/** A string, or a String object (a relation) whose own class does not define `name`. */
function isStringLike(obj: unknown, name: string): boolean {
  if (typeof obj === "string") return true;
  if (!(obj instanceof String)) return false;
  for (let p = Object.getPrototypeOf(obj); p && p !== String.prototype; p = Object.getPrototypeOf(p)) {
    if (Object.hasOwn(p, name)) return false;
  }
  return !Object.hasOwn(obj, name);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Python's repr() of a value; `top` renders a string as itself, as str() does. */
export function pythonRepr(value: unknown, top = false): string {
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "string" || value instanceof String)
    return top ? String(value) : `'${String(value).replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  if (Array.isArray(value)) return `[${value.map((v) => pythonRepr(v)).join(", ")}]`;
  if (isPlainObject(value)) {
    return `{${Object.entries(value)
      .filter(([k]) => k !== "__keywords")
      .map(([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v)}`)
      .join(", ")}}`;
  }
  return String(value);
}

const WHITESPACE = " \t\n\r\x0b\x0c";

function stripChars(s: string, chars: string | undefined | null, left: boolean, right: boolean): string {
  const set = chars ?? WHITESPACE;
  let start = 0;
  let end = s.length;
  if (left) while (start < end && set.includes(s[start]!)) start++;
  if (right) while (end > start && set.includes(s[end - 1]!)) end--;
  return s.slice(start, end);
}

/** Python's str methods that dbt macros call. */
const STRING_METHODS: Record<string, (this: string, ...args: Any[]) => unknown> = {
  lower() {
    return this.toLowerCase();
  },
  upper() {
    return this.toUpperCase();
  },
  strip(chars?: string) {
    return stripChars(this, chars, true, true);
  },
  lstrip(chars?: string) {
    return stripChars(this, chars, true, false);
  },
  rstrip(chars?: string) {
    return stripChars(this, chars, false, true);
  },
  split(sep?: string | null, maxsplit?: number) {
    const parts =
      sep === undefined || sep === null
        ? this.trim()
            .split(/\s+/)
            .filter((p) => p !== "")
        : this.split(sep);
    if (
      maxsplit === undefined ||
      maxsplit < 0 ||
      parts.length <= maxsplit + 1 ||
      sep === undefined ||
      sep === null
    )
      return parts;
    return [...parts.slice(0, maxsplit), parts.slice(maxsplit).join(sep)];
  },
  rsplit(sep?: string | null, maxsplit?: number) {
    if (sep === undefined || sep === null || maxsplit === undefined || maxsplit < 0)
      return STRING_METHODS["split"]!.call(this, sep);
    const parts = this.split(sep);
    if (parts.length <= maxsplit + 1) return parts;
    return [parts.slice(0, parts.length - maxsplit).join(sep), ...parts.slice(parts.length - maxsplit)];
  },
  join(items: unknown) {
    return toList(items)
      .map((v) => (typeof v === "string" ? v : pythonRepr(v, true)))
      .join(this);
  },
  replace(old: string, replacement: string, count?: number) {
    if (count === undefined || count < 0) return this.split(old).join(replacement);
    let out = this;
    let from = 0;
    for (let i = 0; i < count; i++) {
      const at = out.indexOf(old, from);
      if (at < 0) break;
      out = out.slice(0, at) + replacement + out.slice(at + old.length);
      from = at + replacement.length;
    }
    return out;
  },
  startswith(prefix: string | string[]) {
    return (Array.isArray(prefix) ? prefix : [prefix]).some((p) => this.startsWith(p));
  },
  endswith(suffix: string | string[]) {
    return (Array.isArray(suffix) ? suffix : [suffix]).some((p) => this.endsWith(p));
  },
  find(sub: string) {
    return this.indexOf(sub);
  },
  rfind(sub: string) {
    return this.lastIndexOf(sub);
  },
  index(sub: string) {
    const at = this.indexOf(sub);
    if (at < 0) throw new Error("ValueError: substring not found");
    return at;
  },
  count(sub: string) {
    return sub === "" ? this.length + 1 : this.split(sub).length - 1;
  },
  title() {
    return this.toLowerCase().replace(
      /(^|[^A-Za-z])([a-z])/g,
      (_m, a: string, b: string) => a + b.toUpperCase(),
    );
  },
  capitalize() {
    return this.charAt(0).toUpperCase() + this.slice(1).toLowerCase();
  },
  isdigit() {
    return /^\d+$/.test(this);
  },
  isnumeric() {
    return /^\d+$/.test(this);
  },
  isalpha() {
    return /^[A-Za-z]+$/.test(this);
  },
  isalnum() {
    return /^[A-Za-z0-9]+$/.test(this);
  },
  isupper() {
    return /[A-Z]/.test(this) && this === this.toUpperCase();
  },
  islower() {
    return /[a-z]/.test(this) && this === this.toLowerCase();
  },
  isspace() {
    return /^\s+$/.test(this);
  },
  zfill(width: number) {
    return this.length >= width
      ? this
      : this.startsWith("-")
        ? `-${this.slice(1).padStart(width - 1, "0")}`
        : this.padStart(width, "0");
  },
  ljust(width: number, fill = " ") {
    return this.padEnd(width, fill);
  },
  rjust(width: number, fill = " ") {
    return this.padStart(width, fill);
  },
  center(width: number, fill = " ") {
    const total = Math.max(0, width - this.length);
    const left = Math.floor(total / 2);
    return fill.repeat(left) + this + fill.repeat(total - left);
  },
  partition(sep: string) {
    const at = this.indexOf(sep);
    return at < 0 ? [this, "", ""] : [this.slice(0, at), sep, this.slice(at + sep.length)];
  },
  format(...args: unknown[]) {
    const last = args[args.length - 1] as Any;
    const keywords =
      last && typeof last === "object" && last.__keywords ? (args.pop() as Record<string, unknown>) : {};
    let auto = 0;
    return this.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (m, field: string | undefined) => {
      if (m === "{{") return "{";
      if (m === "}}") return "}";
      const key = (field ?? "").split(":")[0]!;
      const value = key === "" ? args[auto++] : /^\d+$/.test(key) ? args[Number(key)] : keywords[key];
      return pythonRepr(value, true);
    });
  },
  encode() {
    return this;
  },
  decode() {
    return this;
  },
};

function toList(items: unknown): unknown[] {
  if (Array.isArray(items)) return items;
  if (typeof items === "string") return [...items];
  if (items && typeof items === "object") return Object.keys(items).filter((k) => k !== "__keywords");
  return [];
}

/** Python's list methods, returning None where Python does. */
const LIST_METHODS: Record<string, (this: unknown[], ...args: Any[]) => unknown> = {
  append(item: unknown) {
    this.push(item);
    return null;
  },
  extend(items: unknown) {
    this.push(...toList(items));
    return null;
  },
  insert(index: number, item: unknown) {
    this.splice(index, 0, item);
    return null;
  },
  remove(item: unknown) {
    const at = this.indexOf(item);
    if (at < 0) throw new Error("ValueError: list.remove(x): x not in list");
    this.splice(at, 1);
    return null;
  },
  pop(index?: number) {
    if (this.length === 0) throw new Error("IndexError: pop from empty list");
    const at = index === undefined ? this.length - 1 : index < 0 ? this.length + index : index;
    return this.splice(at, 1)[0];
  },
  index(item: unknown) {
    const at = this.indexOf(item);
    if (at < 0) throw new Error("ValueError: item is not in list");
    return at;
  },
  count(item: unknown) {
    return this.filter((v) => v === item).length;
  },
  reverse() {
    this.reverse();
    return null;
  },
  sort() {
    this.sort();
    return null;
  },
  copy() {
    return [...this];
  },
  clear() {
    this.length = 0;
    return null;
  },
};

/** Python's dict methods. */
const DICT_METHODS: Record<string, (this: Record<string, unknown>, ...args: Any[]) => unknown> = {
  items() {
    return Object.entries(this).filter(([k]) => k !== "__keywords");
  },
  keys() {
    return Object.keys(this).filter((k) => k !== "__keywords");
  },
  values() {
    return Object.entries(this)
      .filter(([k]) => k !== "__keywords")
      .map(([, v]) => v);
  },
  get(key: string, fallback: unknown = null) {
    return Object.hasOwn(this, key) ? this[key] : fallback;
  },
  update(other: Record<string, unknown>) {
    for (const [k, v] of Object.entries(other ?? {})) if (k !== "__keywords") this[k] = v;
    return null;
  },
  pop(key: string, fallback?: unknown) {
    if (!Object.hasOwn(this, key)) {
      if (fallback === undefined) throw new Error(`KeyError: '${key}'`);
      return fallback;
    }
    const value = this[key];
    delete this[key];
    return value;
  },
  setdefault(key: string, fallback: unknown = null) {
    if (!Object.hasOwn(this, key)) this[key] = fallback;
    return this[key];
  },
  copy() {
    return { ...this };
  },
  has_key(key: string) {
    return Object.hasOwn(this, key);
  },
};

installJinjaCompat();
