// Reads one YAML file against its schema and turns every problem into a diagnostic that points at
// the line and column of the offending key, with the nearest valid key for unknown ones.
import { isMap, LineCounter, parseDocument, type Document, type Node } from "yaml";
import { z } from "zod";
import { didYouMean, type Diagnostics } from "./diagnostics.js";

type Path = (string | number)[];

/**
 * What a salvaging parse left out to get a valid value: each path dropped, with the values along it
 * as they were before (`along[0]` is the whole document, `along[i]` the value at `path.slice(0, i)`),
 * so a caller can tell whose entry lost something. `unparsed` holds the readable part of a file
 * whose YAML syntax is broken, when no value could be salvaged from it.
 */
export interface Salvage {
  dropped: { path: Path; along: unknown[] }[];
  unparsed?: unknown;
}

/**
 * Parses `text` (from `file`) with `schema`; records diagnostics on failure and returns undefined,
 * or, given `salvage`, the value that remains valid once the offending keys and entries are left out.
 */
export function parseYaml<S extends z.ZodType>(
  file: string,
  text: string,
  schema: S,
  diagnostics: Diagnostics,
  /** Changes the parsed document before validation; node positions stay those of the text. */
  prepare?: (doc: Document) => void,
  salvage?: Salvage,
): z.infer<S> | undefined {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  for (const error of doc.errors) {
    const pos = lines.linePos(error.pos[0]);
    diagnostics.error(
      file,
      pos.line,
      pos.col,
      `invalid YAML: ${error.message.split("\n")[0]}`,
      "fix the YAML syntax",
    );
  }
  if (doc.errors.length > 0) {
    if (salvage) salvage.unparsed = readablePart(doc);
    return undefined;
  }
  prepare?.(doc);
  const parsed = schema.safeParse(doc.toJS() ?? {});
  if (parsed.success) return parsed.data;
  reportIssues(file, schema, doc, lines, parsed.error.issues, diagnostics);
  return salvage ? salvageValue(schema, doc.toJS() ?? {}, parsed.error.issues, salvage) : undefined;
}

function reportIssues(
  file: string,
  schema: z.ZodType,
  doc: ReturnType<typeof parseDocument>,
  lines: LineCounter,
  issues: z.core.$ZodIssue[],
  diagnostics: Diagnostics,
): void {
  for (const issue of issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
    if (issue.code === "unrecognized_keys") {
      const valid = keysAt(schema, path, doc.toJS());
      for (const key of issue.keys) {
        const node = doc.getIn([...path, key], true) as Node | undefined;
        const keyNode = keyNodeOf(doc.getIn(path, true) as Node | undefined, key) ?? node;
        const pos = lines.linePos(keyNode?.range?.[0] ?? 0);
        const hint = didYouMean(key, valid) ?? (valid.length ? `valid keys: ${valid.join(", ")}` : undefined);
        diagnostics.error(file, pos.line, pos.col, `unknown key '${key}' at ${describePath(path)}`, hint);
      }
      continue;
    }
    const node = nodeAt(doc, path);
    const pos = lines.linePos(node?.range?.[0] ?? 0);
    diagnostics.error(file, pos.line, pos.col, `${describePath(path)}: ${issue.message}`, hintFor(issue));
  }
}

/**
 * Leaves out what the issues point at, round by round, until the rest is valid: a key that is
 * unknown or wrong, or the object that lacks a required key (and so up to the entry holding it).
 * Undefined when only an empty document would remain valid.
 */
function salvageValue<S extends z.ZodType>(
  schema: S,
  value: unknown,
  firstIssues: z.core.$ZodIssue[],
  salvage: Salvage,
): z.infer<S> | undefined {
  const current = structuredClone(value);
  let issues = firstIssues;
  // Each round drops at least one node, so a document of n nodes needs at most n rounds; 100 bounds
  // the work on a file with a great many mistakes, which is then not salvaged.
  for (let round = 0; round < 100; round++) {
    const targets = new Map<string, Path>();
    for (const issue of issues) {
      const at = issue.path.filter((p): p is string | number => typeof p !== "symbol");
      const paths = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...at, k]) : [at];
      for (const p of paths) {
        const target = valueAlong(current, p).length === p.length + 1 ? p : p.slice(0, -1);
        targets.set(JSON.stringify(target), target);
      }
    }
    // Deepest and last first, so dropping one array element does not move another still to drop.
    const ordered = [...targets.values()].sort(comparePathsDescending);
    if (ordered.length === 0 || ordered.some((p) => p.length === 0)) return undefined;
    for (const path of ordered) {
      salvage.dropped.push({ path, along: valueAlong(current, path) });
      dropAt(current, path);
    }
    const parsed = schema.safeParse(current);
    if (parsed.success) return parsed.data;
    issues = parsed.error.issues;
  }
  return undefined;
}

/** The values from the root down to `path`, as far as they exist. */
function valueAlong(root: unknown, path: Path): unknown[] {
  const out = [root];
  let value = root;
  for (const step of path) {
    if (value === null || typeof value !== "object" || !(step in value)) break;
    value = (value as Record<string | number, unknown>)[step];
    out.push(value);
  }
  return out;
}

function dropAt(root: unknown, path: Path): void {
  const parent = valueAlong(root, path.slice(0, -1)).at(-1);
  const last = path[path.length - 1]!;
  if (Array.isArray(parent) && typeof last === "number") parent.splice(last, 1);
  else if (parent && typeof parent === "object") delete (parent as Record<string | number, unknown>)[last];
}

function comparePathsDescending(a: Path, b: Path): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (typeof x === "number" && typeof y === "number") return y - x;
    return String(y).localeCompare(String(x));
  }
  return b.length - a.length;
}

/** What the yaml library could read of a document with syntax errors; undefined when nothing. */
function readablePart(doc: ReturnType<typeof parseDocument>): unknown {
  try {
    return doc.toJS();
  } catch {
    return undefined;
  }
}

function nodeAt(doc: ReturnType<typeof parseDocument>, path: (string | number)[]): Node | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as Node | undefined;
    if (node && typeof node === "object" && "range" in node) return node;
  }
  return undefined;
}

function keyNodeOf(parent: Node | undefined, key: string): Node | undefined {
  if (!parent || !isMap(parent)) return undefined;
  const pair = parent.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
  return (pair?.key as Node | undefined) ?? undefined;
}

function describePath(path: (string | number)[]): string {
  if (path.length === 0) return "top level";
  return path
    .map((p) => (typeof p === "number" ? `[${p}]` : p))
    .join(".")
    .replace(/\.\[/g, "[");
}

function hintFor(issue: z.core.$ZodIssue): string | undefined {
  if (issue.code === "invalid_value" && "values" in issue) return `use one of: ${issue.values.join(", ")}`;
  if (issue.code === "invalid_type") return `expected ${issue.expected}`;
  if (issue.code === "invalid_union" && "note" in issue && issue.note === "No matching discriminator") {
    return "set 'type' to one of the supported values";
  }
  return undefined;
}

/** The keys an object schema accepts at `path`, unwrapping optionals, defaults, arrays and unions. */
export function keysAt(schema: z.ZodType, path: (string | number)[], value: unknown): string[] {
  let current: z.ZodType | undefined = schema;
  let data: unknown = value;
  for (const step of path) {
    current = current && unwrap(current, data);
    if (!current) return [];
    data = (data as Record<string | number, unknown> | undefined)?.[step];
    if (current instanceof z.ZodObject) current = current.shape[step as string] as z.ZodType | undefined;
    else if (current instanceof z.ZodArray) current = current.element as z.ZodType;
    else if (current instanceof z.ZodRecord) current = current.valueType as z.ZodType;
    else return [];
  }
  current = current && unwrap(current, data);
  return current instanceof z.ZodObject ? Object.keys(current.shape) : [];
}

function unwrap(schema: z.ZodType, data: unknown): z.ZodType | undefined {
  let s: z.ZodType = schema;
  for (;;) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault) {
      s = s.unwrap() as z.ZodType;
    } else if (s instanceof z.ZodPipe) {
      s = s.in as z.ZodType;
    } else if (s instanceof z.ZodDiscriminatedUnion || s instanceof z.ZodUnion) {
      const options = s.options as z.ZodType[];
      const objectOptions = options
        .map((o) => unwrap(o, data))
        .filter((o) => o instanceof z.ZodObject) as z.ZodObject[];
      const type = (data as { type?: unknown } | undefined)?.type;
      const chosen =
        objectOptions.find((o) => {
          const t = o.shape["type"];
          return t instanceof z.ZodLiteral && t.values.has(type as never);
        }) ?? objectOptions[0];
      if (chosen) return chosen;
      const arrayOption = options.find((o) => o instanceof z.ZodArray);
      return arrayOption ?? options[0];
    } else {
      return s;
    }
  }
}
