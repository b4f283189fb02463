// Reads a dbt property YAML file (schema.yml) into sluice's property shape. Every key dbt accepts
// is either used (models, columns, tests and data_tests with their arguments and config, sources,
// seeds) or reported as a warning naming what sluice does not do with it; none is an error.
import { isMap, isScalar, LineCounter, parseDocument } from "yaml";
import type { Diagnostics } from "./diagnostics.js";
import { mergeDbtConfig, normalizeModelConfig, normalizeSeedConfig } from "./dbt-config.js";
import { PropertiesFile } from "./schema.js";
import { readUnitTests, type UnitTestDecl } from "./dbt-unit-tests.js";

/** A dbt property file: sluice's properties, and the dbt unit tests it declares. */
export type DbtPropertiesFile = PropertiesFile & { unitTests?: UnitTestDecl[] };

type Json = Record<string, unknown>;
type Path = (string | number)[];

/** Top-level keys sluice does not build from, with what the user should know. */
const IGNORED_TOP: Record<string, string> = {
  snapshots: "snapshot properties (descriptions, columns, tests, YAML-defined snapshots) are not read yet",
  exposures: "exposures are not shown by sluice yet",
  metrics: "the semantic layer is not supported",
  semantic_models: "the semantic layer is not supported",
  saved_queries: "the semantic layer is not supported",
  analyses: "analyses are not compiled by sluice yet",
  groups: "groups have no effect in sluice",
};

/** Constraints a contracted model's DuckDB table is created with (see runner/contract.ts). */
const ENFORCED_CONSTRAINTS = new Set(["not_null", "unique", "primary_key", "check"]);

/** Keys with no effect on what is built: documentation and metadata. */
const QUIET = new Set([
  "meta",
  "docs",
  "quote",
  "policy_tags",
  "granularity",
  "access",
  "group",
  "time_spine",
  "overrides",
  "quoting",
  "loader",
  "macros",
]);

/**
 * A dbt property file as sluice properties; undefined (with diagnostics) when it is not YAML.
 * `testDefaults` is the `data_tests:` config of dbt_project.yml that applies to this file.
 */
export function readDbtProperties(
  file: string,
  text: string,
  testDefaults: Json,
  diagnostics: Diagnostics,
): DbtPropertiesFile | undefined {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
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
  if (doc.errors.length > 0) return undefined;
  const warn = (path: Path, message: string) => {
    // Points at the key when the path ends in one, else at the node.
    const last = path[path.length - 1];
    const parent = doc.getIn(path.slice(0, -1), true);
    const pair =
      typeof last === "string" && isMap(parent)
        ? parent.items.find((p) => isScalar(p.key) && p.key.value === last)
        : undefined;
    const node = (pair?.key ?? doc.getIn(path, true)) as { range?: number[] } | undefined;
    const pos = lines.linePos(node?.range?.[0] ?? 0);
    diagnostics.warn(file, pos.line, pos.col, message);
  };
  /** The line of the key at the end of `path` when it ends in one, else of the node. */
  const lineAt = (path: Path): number => {
    for (let n = path.length; n > 0; n--) {
      const head = path.slice(0, n);
      const last = head[head.length - 1];
      const parent = doc.getIn(head.slice(0, -1), true);
      const pair =
        typeof last === "string" && isMap(parent)
          ? parent.items.find((p) => isScalar(p.key) && p.key.value === last)
          : undefined;
      const node = (pair?.key ?? doc.getIn(head, true)) as { range?: number[] } | undefined;
      if (node?.range) return lines.linePos(node.range[0]!).line;
    }
    return 1;
  };
  const raw = (doc.toJS() ?? {}) as Json;
  const out: Json = {};
  let unitTests: UnitTestDecl[] | undefined;
  for (const [key, value] of Object.entries(raw)) {
    if (key === "version") out["version"] = typeof value === "number" ? value : Number(value) || undefined;
    else if (key === "models") out["models"] = list(value).map((m, i) => model(m, ["models", i]));
    else if (key === "sources") out["sources"] = list(value).map((s, i) => source(s, ["sources", i]));
    else if (key === "seeds") out["seeds"] = list(value).map((s, i) => seed(s, ["seeds", i]));
    else if (key === "macros") continue;
    else if (key === "unit_tests") unitTests = readUnitTests(file, value, lineAt, diagnostics);
    else warn([key], `'${key}' is ignored: ${IGNORED_TOP[key] ?? "not a property key sluice knows"}`);
  }

  function model(m: Json, path: Path): Json {
    const config = modelConfig(m["config"], [...path, "config"]);
    const out: Json = { name: m["name"] };
    for (const [key, value] of Object.entries(m)) {
      if (key === "name" || key === "config" || key === "columns" || key === "tests" || key === "data_tests")
        continue;
      if (key === "description") out["description"] = value;
      else if (key === "tags")
        config["tags"] = mergeDbtConfig({ tags: config["tags"] }, { tags: value })["tags"];
      else if (key === "versions" || key === "latest_version")
        warn(
          [...path, key],
          `'${key}' is ignored: model versions are not supported; the ` +
            `model is built once under its own name, not as <name>_v<N>`,
        );
      else if (key === "constraints") out["constraints"] = constraints(value, [...path, key]);
      else if (key === "deprecation_date" || QUIET.has(key)) continue;
      else warn([...path, key], `'${key}' is ignored: not a model property sluice knows`);
    }
    if (Object.keys(config).length > 0) out["config"] = config;
    out["columns"] = columns(m["columns"], [...path, "columns"]);
    out["tests"] = tests(m);
    return out;
  }

  function modelConfig(value: unknown, path: Path): Json {
    if (!isJson(value)) return {};
    const normalized = normalizeModelConfig(value);
    for (const { key, why } of normalized.ignored) warn([...path, key], `config '${key}' is ignored: ${why}`);
    if (normalized.unsupportedMaterialization)
      normalized.config["materialized"] = normalized.unsupportedMaterialization;
    return normalized.config;
  }

  function columns(value: unknown, path: Path): Json[] {
    return list(value).map((c, i) => {
      const out: Json = { name: c["name"] };
      for (const [key, v] of Object.entries(c)) {
        if (key === "description" || key === "data_type") out[key] = v;
        else if (key === "tags") out["tags"] = v;
        else if (key === "constraints") out["constraints"] = constraints(v, [...path, i, key]);
        else if (key === "config" && isJson(v)) {
          if (v["tags"] !== undefined) out["tags"] = v["tags"];
        } else if (!["name", "tests", "data_tests"].includes(key) && !QUIET.has(key))
          warn([...path, i, key], `'${key}' is ignored: not a column property sluice knows`);
      }
      out["tests"] = tests(c);
      return out;
    });
  }

  /** The constraints a contracted DuckDB table enforces; the others are reported as not applied. */
  function constraints(value: unknown, path: Path): Json[] {
    return list(value).filter((c, i) => {
      if (ENFORCED_CONSTRAINTS.has(String(c["type"]))) return true;
      warn(
        [...path, i],
        `constraint '${String(c["type"])}' is not applied by ` +
          `sluice (it enforces not_null, unique, primary_key and check)`,
      );
      return false;
    });
  }

  function tests(owner: Json): unknown[] {
    const entries = [...list(owner["tests"], true), ...list(owner["data_tests"], true)];
    return entries.map((t) => testEntry(t));
  }

  /** `- unique`, `- accepted_values: {values: …}`, `{arguments: …, config: …}`, `{test_name: …, name: …}`. */
  function testEntry(entry: unknown): unknown {
    if (typeof entry === "string")
      return Object.keys(testDefaults).length > 0 ? { [entry]: { config: { ...testDefaults } } } : entry;
    if (!isJson(entry)) return entry;
    let type: string;
    let body: Json;
    if (typeof entry["test_name"] === "string") {
      const { test_name, ...rest } = entry;
      type = test_name as string;
      body = rest;
    } else {
      const keys = Object.keys(entry);
      if (keys.length !== 1) return entry;
      type = keys[0]!;
      body = isJson(entry[type]) ? (entry[type] as Json) : {};
    }
    const { arguments: args, config, ...rest } = body;
    const flat: Json = { ...rest, ...(isJson(args) ? args : {}) };
    const testConfig: Json = { ...testDefaults, ...(isJson(config) ? config : {}) };
    // store_failures, store_failures_as, schema and alias stay: they place the stored failures;
    // limit and fail_calc stay: the runner counts failures with them.
    for (const key of ["meta", "database", "enabled"]) {
      if (testConfig[key] === undefined) continue;
      if (key === "enabled" && testConfig[key] === false)
        return { [type]: { ...flat, config: { ...testConfig, enabled: undefined }, __disabled: true } };
      delete testConfig[key];
    }
    delete flat["meta"];
    return { [type]: Object.keys(testConfig).length > 0 ? { ...flat, config: testConfig } : flat };
  }

  function source(s: Json, path: Path): Json {
    // dbt: a source's schema defaults to its name.
    const out: Json = { name: s["name"], schema: s["schema"] ?? s["name"] };
    for (const [key, value] of Object.entries(s)) {
      if (["description", "database", "tags"].includes(key)) out[key] = value;
      // Read by `sluice source freshness` (see dbt-freshness.ts); nothing to build from them.
      else if (key === "freshness" || key === "loaded_at_field") continue;
      else if (key === "config" && isJson(value)) {
        if (value["enabled"] === false) out["__disabled"] = true;
      } else if (!["name", "schema", "tables"].includes(key) && !QUIET.has(key))
        warn([...path, key], `'${key}' is ignored: not a source property sluice knows`);
    }
    out["tables"] = list(s["tables"]).map((t, i) => {
      const table: Json = { name: t["name"] };
      for (const [key, value] of Object.entries(t)) {
        if (["identifier", "description", "tags"].includes(key)) table[key] = value;
        else if (key === "freshness" || key === "loaded_at_field") continue;
        else if (key === "external")
          warn(
            [...path, "tables", i, key],
            "'external' is ignored: external tables are not staged by sluice",
          );
        else if (!["name", "columns", "tests", "data_tests", "config"].includes(key) && !QUIET.has(key))
          warn([...path, "tables", i, key], `'${key}' is ignored: not a source table property sluice knows`);
      }
      table["columns"] = columns(t["columns"], [...path, "tables", i, "columns"]);
      table["tests"] = tests(t);
      return table;
    });
    return out;
  }

  function seed(s: Json, path: Path): Json {
    const out: Json = { name: s["name"] };
    if (s["description"] !== undefined) out["description"] = s["description"];
    if (isJson(s["config"])) {
      const normalized = normalizeSeedConfig(s["config"]);
      for (const { key, why } of normalized.ignored)
        warn([...path, "config", key], `config '${key}' is ignored: ${why}`);
      out["config"] = normalized.config;
    }
    for (const key of Object.keys(s)) {
      if (
        !["name", "description", "config", "columns", "tests", "data_tests"].includes(key) &&
        !QUIET.has(key)
      )
        warn([...path, key], `'${key}' is ignored: not a seed property sluice knows`);
    }
    out["columns"] = columns(s["columns"], [...path, "columns"]);
    out["tests"] = tests(s);
    return out;
  }

  const cleaned = dropDisabled(out);
  const parsed = PropertiesFile.safeParse(cleaned);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
      const node = doc.getIn(path, true) as { range?: number[] } | undefined;
      const pos = lines.linePos(node?.range?.[0] ?? 0);
      diagnostics.error(file, pos.line, pos.col, `${path.join(".") || "top level"}: ${issue.message}`);
    }
    return undefined;
  }
  return unitTests?.length ? { ...parsed.data, unitTests } : parsed.data;
}

/** Drops tests and sources switched off with `enabled: false`. */
function dropDisabled(out: Json): Json {
  const keepTest = (t: unknown) =>
    !(isJson(t) && isJson(Object.values(t)[0]) && (Object.values(t)[0] as Json)["__disabled"] === true);
  const clean = (owner: Json) => {
    if (Array.isArray(owner["tests"])) owner["tests"] = (owner["tests"] as unknown[]).filter(keepTest);
    for (const c of list(owner["columns"]))
      if (Array.isArray(c["tests"])) c["tests"] = (c["tests"] as unknown[]).filter(keepTest);
  };
  for (const m of list(out["models"])) clean(m);
  for (const s of list(out["seeds"])) clean(s);
  if (Array.isArray(out["sources"])) {
    out["sources"] = list(out["sources"]).filter((s) => s["__disabled"] !== true);
    for (const s of list(out["sources"])) for (const t of list(s["tables"])) clean(t);
  }
  return out;
}

function list(value: unknown, keepScalars = false): Json[] {
  if (!Array.isArray(value)) return [];
  return (keepScalars ? value : value.filter(isJson)) as Json[];
}

function isJson(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
