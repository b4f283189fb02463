// Reads a dbt_project.yml as it is: its paths, vars, config trees, hooks, dispatch and flags become
// sluice's project settings plus the dbt settings the compiler needs (config trees are resolved per
// node later, see dbt-config.ts). Keys dbt knows that sluice does not use are warnings, never errors.
import nunjucks from "nunjucks";
import { isMap, isScalar, LineCounter, parseDocument, type Node } from "yaml";
import type { Diagnostics } from "./diagnostics.js";
import { ProjectFile } from "./schema.js";

export const DBT_PROJECT_FILE = "dbt_project.yml";

/** One entry of dbt_project.yml's `dispatch:`: where adapter.dispatch looks for a namespace's macros. */
export interface DispatchEntry {
  macro_namespace: string;
  search_order: string[];
}

/** What a dbt project says beyond sluice's own project settings. */
export interface DbtSettings {
  /** The project's name: the first key of its config trees and its macro namespace. */
  projectName: string;
  /** The profile in profiles.yml its connection comes from. */
  profile: string;
  /** The config trees as written; resolved per node by configFromTree. */
  trees: { models: unknown; seeds: unknown; tests: unknown; snapshots: unknown };
  /** Folders of snapshot files (`snapshot-paths`, default snapshots). */
  snapshotPaths: string[];
  dispatch: DispatchEntry[];
  flags: Record<string, unknown>;
  /** on-run-start / on-run-end SQL templates; they run on the profile's connection. */
  onRunStart: string[];
  onRunEnd: string[];
  /** The folder packages are installed in (`packages-install-path`, default dbt_packages). */
  packagesPath: string;
}

/** Keys of dbt_project.yml that sluice reads. */
const READ_KEYS = new Set([
  "name",
  "version",
  "config-version",
  "profile",
  "model-paths",
  "source-paths",
  "macro-paths",
  "test-paths",
  "seed-paths",
  "data-paths",
  "target-path",
  "vars",
  "models",
  "seeds",
  "tests",
  "data_tests",
  "on-run-start",
  "on-run-end",
  "dispatch",
  "flags",
  "packages-install-path",
  "require-dbt-version",
  "clean-targets",
  "snapshots",
  "snapshot-paths",
]);

/** Keys that change nothing sluice builds, accepted without a word. */
const QUIET_KEYS = new Set([
  "log-path",
  "docs-paths",
  "asset-paths",
  "analysis-paths",
  "query-comment",
  "dbt-cloud",
  "restrict-access",
]);

/** Parses dbt_project.yml; undefined (with diagnostics) when it cannot be read. */
export function readDbtProject(
  text: string,
  env: Record<string, string | undefined>,
  diagnostics: Diagnostics,
  /** --vars, which dbt_project.yml's own var() calls see over its vars. */
  cliVars: Record<string, unknown> = {},
): { config: ProjectFile; dbt: DbtSettings } | undefined {
  const file = DBT_PROJECT_FILE;
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
  const at = (key: string) => {
    const pair = isMap(doc.contents)
      ? doc.contents.items.find((p) => isScalar(p.key) && p.key.value === key)
      : undefined;
    return lines.linePos((pair?.key as Node | undefined)?.range?.[0] ?? 0);
  };
  const raw = (doc.toJS() ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (READ_KEYS.has(key) || QUIET_KEYS.has(key)) continue;
    const pos = at(key);
    const why = [
      "sources",
      "metrics",
      "exposures",
      "semantic-models",
      "saved-queries",
      "unit_tests",
      "analyses",
    ].includes(key)
      ? "its configs are not used by sluice"
      : key === "quoting"
        ? "sluice quotes every identifier"
        : "not a dbt_project.yml key sluice knows";
    diagnostics.warn(file, pos.line, pos.col, `'${key}' is ignored: ${why}`);
  }
  const name = raw["name"];
  if (typeof name !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    const pos = at("name");
    diagnostics.error(
      file,
      pos.line,
      pos.col,
      "name must be letters, digits and _, not starting with a digit",
      "set name: my_project",
    );
    return undefined;
  }
  const vars = projectVars(raw["vars"], name);
  const render = (value: unknown) => renderSetting(value, env, { ...vars, ...cliVars });
  try {
    return settingsOf(raw, name, vars, render);
  } catch (e) {
    diagnostics.error(
      file,
      1,
      1,
      e instanceof Error ? e.message.replace(/^\(.*?\)\s*/s, "").replace(/^Error: /, "") : String(e),
      "set the environment variable or give env_var() a default",
    );
    return undefined;
  }
}

function settingsOf(
  raw: Record<string, unknown>,
  name: string,
  vars: Record<string, unknown>,
  render: (v: unknown) => unknown,
): { config: ProjectFile; dbt: DbtSettings } {
  const paths = (key: string, legacy: string | undefined, fallback: string) => {
    const value = raw[key] ?? (legacy ? raw[legacy] : undefined);
    return value === undefined
      ? [fallback]
      : (Array.isArray(value) ? value : [value]).map((v) => String(render(v)));
  };
  const tests = raw["data_tests"] ?? raw["tests"];
  const config = ProjectFile.parse({
    name,
    version:
      typeof raw["version"] === "string" || typeof raw["version"] === "number" ? raw["version"] : undefined,
    model_paths: paths("model-paths", "source-paths", "models"),
    macro_paths: paths("macro-paths", undefined, "macros"),
    test_paths: paths("test-paths", undefined, "tests"),
    seed_paths: paths("seed-paths", "data-paths", "seeds"),
    target_path: String(render(raw["target-path"] ?? "target")),
    vars,
  });
  const dispatch = Array.isArray(raw["dispatch"])
    ? (raw["dispatch"] as DispatchEntry[]).filter(
        (d) => typeof d?.macro_namespace === "string" && Array.isArray(d.search_order),
      )
    : [];
  return {
    config,
    dbt: {
      projectName: name,
      profile: String(render(raw["profile"] ?? name)),
      trees: {
        models: renderTree(raw["models"], render),
        seeds: renderTree(raw["seeds"], render),
        tests: renderTree(tests, render),
        snapshots: renderTree(raw["snapshots"], render),
      },
      snapshotPaths: paths("snapshot-paths", undefined, "snapshots"),
      dispatch,
      flags:
        typeof raw["flags"] === "object" && raw["flags"] !== null
          ? (raw["flags"] as Record<string, unknown>)
          : {},
      onRunStart: hookList(raw["on-run-start"]),
      onRunEnd: hookList(raw["on-run-end"]),
      packagesPath: String(raw["packages-install-path"] ?? "dbt_packages"),
    },
  };
}

/** Global vars, with those scoped to this project (`vars: {project: {...}}`) over them. */
function projectVars(value: unknown, projectName: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null) return {};
  const { [projectName]: scoped, ...global } = value as Record<string, unknown>;
  return {
    ...global,
    ...(typeof scoped === "object" && scoped !== null ? (scoped as Record<string, unknown>) : {}),
  };
}

function hookList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** Hooks stay templates: they render at run time with the model context, as dbt renders them. */
const TEMPLATE_KEYS = new Set([
  "pre-hook",
  "post-hook",
  "+pre-hook",
  "+post-hook",
  "pre_hook",
  "post_hook",
  "+pre_hook",
  "+post_hook",
]);

function renderTree(tree: unknown, render: (v: unknown) => unknown): unknown {
  if (Array.isArray(tree)) return tree.map((v) => renderTree(v, render));
  if (typeof tree === "object" && tree !== null) {
    return Object.fromEntries(
      Object.entries(tree).map(([k, v]) => [k, TEMPLATE_KEYS.has(k) ? v : renderTree(v, render)]),
    );
  }
  return render(tree);
}

/**
 * dbt renders dbt_project.yml values with env_var() and var(); "True"/"False" become booleans as
 * dbt's YAML rendering turns them.
 */
function renderSetting(
  value: unknown,
  env: Record<string, string | undefined>,
  vars: Record<string, unknown>,
): unknown {
  if (typeof value !== "string" || !value.includes("{{")) return value;
  const renderer = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true });
  const out = renderer
    .renderString(value, {
      env_var: (name: string, fallback?: string) => {
        const v = env[name] ?? fallback;
        if (v === undefined) throw new Error(`env_var('${name}') is not set`);
        return v;
      },
      var: (name: string, fallback?: unknown) => (name in vars ? vars[name] : fallback),
      target: {},
    })
    .trim();
  if (out === "True" || out === "true") return true;
  if (out === "False" || out === "false") return false;
  return /^-?\d+$/.test(out) ? Number(out) : out;
}
