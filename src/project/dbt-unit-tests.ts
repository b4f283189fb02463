// Reads dbt's `unit_tests:` (dbt 1.8) from a property YAML file into checked declarations, each
// with the line it starts on. What sluice does not run (format: sql, model versions, overriding a
// macro other than is_incremental) is an error naming the line, never a test that silently passes.
// Fixture files are named here and read at compile time (compiler/unit-tests.ts), so a cached
// reading of the YAML does not keep a fixture's old rows.
import type { Diagnostics } from "./diagnostics.js";

type Json = Record<string, unknown>;
type Path = (string | number)[];

/** A fixture's rows: inline dicts, inline CSV text, or a CSV file under a `fixtures/` test folder. */
export type FixtureRows =
  | { format: "dict"; rows: Json[] }
  | { format: "csv"; csv: string }
  | { format: "csv"; fixture: string };

export interface UnitTestInput {
  /** As written: `ref('stg_orders')`, `source('ecom', 'raw_stores')` or `this`. */
  input: string;
  line: number;
  rows: FixtureRows;
}

export interface UnitTestDecl {
  name: string;
  model: string;
  description?: string;
  /** Where the entry starts in the property file. */
  path: string;
  line: number;
  given: UnitTestInput[];
  expect: { line: number; rows: FixtureRows };
  overrides: { vars: Json; envVars: Record<string, string>; isIncremental?: boolean };
  tags: string[];
}

/** Macros an override may replace; dbt allows any, sluice only the one that picks a model's variant. */
const OVERRIDABLE_MACROS = new Set(["is_incremental"]);

/**
 * The unit tests of one file. `lineOf(path)` is the 1-based line of the YAML node at `path`
 * (`["unit_tests", 0, "given", 1]`). Entries with errors are reported and left out.
 */
export function readUnitTests(
  file: string,
  value: unknown,
  lineOf: (path: Path) => number,
  diagnostics: Diagnostics,
): UnitTestDecl[] {
  if (!Array.isArray(value)) {
    diagnostics.error(file, lineOf(["unit_tests"]), 1, "unit_tests must be a list of unit tests");
    return [];
  }
  const out: UnitTestDecl[] = [];
  for (const [i, entry] of value.entries()) {
    const path: Path = ["unit_tests", i];
    const errorsBefore = diagnostics.items.filter((d) => d.severity === "error").length;
    const error = (at: Path, message: string, hint?: string) =>
      diagnostics.error(file, lineOf(at), 1, message, hint);
    if (!isJson(entry)) {
      error(path, "a unit test must be a mapping with name, model, given and expect");
      continue;
    }
    const name = entry["name"];
    const label = typeof name === "string" ? `unit test '${name}'` : "unit test";
    if (typeof name !== "string" || name === "") error(path, "a unit test needs a name");
    const config = isJson(entry["config"]) ? entry["config"] : {};
    if (config["enabled"] === false) continue;
    for (const key of Object.keys(entry))
      if (!KNOWN_KEYS.has(key))
        error(
          [...path, key],
          key === "versions"
            ? `${label}: 'versions' is not supported: sluice builds no model versions`
            : `${label}: '${key}' is not a unit test key`,
          key === "versions" ? "remove it; the test runs on the model itself" : KNOWN_HINT,
        );
    const model = entry["model"];
    if (typeof model !== "string" || model === "")
      error(path, `${label} needs 'model': the name of the model it tests`);
    const given: UnitTestInput[] = [];
    const givenValue = entry["given"] ?? [];
    if (!Array.isArray(givenValue)) error([...path, "given"], `${label}: 'given' must be a list of inputs`);
    else
      givenValue.forEach((g, j) => {
        const at: Path = [...path, "given", j];
        if (!isJson(g) || typeof g["input"] !== "string") {
          error(at, `${label}: each given entry needs 'input': ref('model'), source('s', 't') or this`);
          return;
        }
        const rows = fixtureRows(g, at, label, error);
        if (rows) given.push({ input: g["input"].trim(), line: lineOf(at), rows });
      });
    const expectValue = entry["expect"];
    let expected: FixtureRows | undefined;
    if (!isJson(expectValue))
      error(path, `${label} needs 'expect' with the rows the model must return`, "add expect: {rows: [...]}");
    else expected = fixtureRows(expectValue, [...path, "expect"], label, error);
    const overrides = readOverrides(entry["overrides"], [...path, "overrides"], label, error);
    const tags = [config["tags"], entry["tags"]].flatMap((t) =>
      typeof t === "string" ? [t] : Array.isArray(t) ? t.map(String) : [],
    );
    const errorsAfter = diagnostics.items.filter((d) => d.severity === "error").length;
    if (errorsAfter > errorsBefore || !expected || typeof name !== "string" || typeof model !== "string")
      continue;
    out.push({
      name,
      model,
      ...(typeof entry["description"] === "string" ? { description: entry["description"] } : {}),
      path: file,
      line: lineOf(path),
      given,
      expect: { line: lineOf([...path, "expect"]), rows: expected },
      overrides,
      tags,
    });
  }
  return out;
}

const KNOWN_KEYS = new Set([
  "name",
  "model",
  "description",
  "given",
  "expect",
  "overrides",
  "config",
  "tags",
]);
const KNOWN_HINT = "a unit test has name, model, description, given, expect, overrides and config";

function fixtureRows(
  owner: Json,
  at: Path,
  label: string,
  error: (at: Path, message: string, hint?: string) => void,
): FixtureRows | undefined {
  const format = owner["format"] ?? "dict";
  if (format === "sql") {
    error(
      [...at, "format"],
      `${label}: format: sql is not supported by sluice`,
      "write the rows as format: dict or format: csv",
    );
    return undefined;
  }
  if (format !== "dict" && format !== "csv") {
    error([...at, "format"], `${label}: unknown fixture format '${String(format)}'`, "use dict or csv");
    return undefined;
  }
  const rows = owner["rows"];
  const fixture = owner["fixture"];
  if (rows !== undefined && fixture !== undefined) {
    error(at, `${label}: give either rows or fixture, not both`);
    return undefined;
  }
  if (typeof fixture === "string") {
    if (format !== "csv") {
      error(
        [...at, "fixture"],
        `${label}: a fixture file is read as CSV`,
        "add format: csv (sluice reads fixtures/<name>.csv)",
      );
      return undefined;
    }
    return { format: "csv", fixture };
  }
  if (format === "csv") {
    if (typeof rows !== "string") {
      error(at, `${label}: format: csv needs rows as CSV text (a header line, then rows) or a fixture`);
      return undefined;
    }
    return { format: "csv", csv: rows };
  }
  const list = rows ?? [];
  if (!Array.isArray(list) || !list.every(isJson)) {
    error([...at, "rows"], `${label}: rows must be a list of mappings, one per row ({column: value})`);
    return undefined;
  }
  return { format: "dict", rows: list };
}

function readOverrides(
  value: unknown,
  at: Path,
  label: string,
  error: (at: Path, message: string, hint?: string) => void,
): UnitTestDecl["overrides"] {
  const out: UnitTestDecl["overrides"] = { vars: {}, envVars: {} };
  if (value === undefined || value === null) return out;
  if (!isJson(value)) {
    error(at, `${label}: overrides must be a mapping of macros, vars and env_vars`);
    return out;
  }
  for (const [key, v] of Object.entries(value)) {
    if (key === "vars" && isJson(v)) out.vars = v;
    else if (key === "env_vars" && isJson(v))
      out.envVars = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
    else if (key === "macros" && isJson(v)) {
      for (const [macro, result] of Object.entries(v)) {
        if (!OVERRIDABLE_MACROS.has(macro))
          error(
            [...at, "macros", macro],
            `${label}: overriding macro '${macro}' is not supported; sluice overrides is_incremental only`,
            "remove the override, or set what the macro reads through vars or env_vars",
          );
        else if (typeof result !== "boolean")
          error([...at, "macros", macro], `${label}: is_incremental must be overridden with true or false`);
        else out.isIncremental = result;
      }
    } else error([...at, key], `${label}: overrides take macros, vars and env_vars (mappings), not '${key}'`);
  }
  return out;
}

function isJson(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
