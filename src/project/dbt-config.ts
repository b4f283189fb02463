// dbt's configs in sluice's terms: resolves the `models:`/`seeds:`/`data_tests:` trees of a
// dbt_project.yml for one node (`+` keys, per-project nesting, parent tags added as dbt adds them),
// merges config layers the way dbt does, and turns dbt config keys into sluice's, naming every key
// that has an effect in dbt but none here so the loader can report it instead of dropping it.

/** Configs whose value is a mapping, so a mapping under a plain key is not always a folder. */
const MAPPING_CONFIGS = new Set([
  "docs",
  "meta",
  "persist_docs",
  "grants",
  "contract",
  "quoting",
  "column_types",
  "config",
]);

/** Keys dbt merges instead of replacing: tags and hooks add up, dictionaries merge key by key. */
const ADDITIVE_LISTS = new Set(["tags", "pre_hook", "post_hook"]);
const MERGED_MAPS = new Set(["meta", "grants", "persist_docs", "docs"]);

/**
 * The config a node gets from a dbt_project.yml tree: `tree` is the `models:` (or `seeds:`,
 * `data_tests:`) mapping, `path` the node's fqn without the resource type, e.g.
 * `['jaffle_shop', 'staging', 'stg_orders']`. Configs nearer the node win; tags add up.
 */
export function configFromTree(tree: unknown, path: string[]): Record<string, unknown> {
  let merged: Record<string, unknown> = {};
  let level: unknown = tree;
  for (let depth = 0; ; depth++) {
    if (!isMapping(level)) break;
    merged = mergeDbtConfig(merged, configKeysOf(level));
    const next = path[depth];
    if (next === undefined) break;
    const child = level[next];
    if (!isMapping(child) || MAPPING_CONFIGS.has(next)) break;
    level = child;
  }
  return merged;
}

/** The config keys of one level of a tree: `+key` always, a plain key when its value is not a folder. */
function configKeysOf(level: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(level)) {
    if (key.startsWith("+")) out[canonicalKey(key.slice(1))] = value;
    else if (!isMapping(value) || MAPPING_CONFIGS.has(key)) out[canonicalKey(key)] = value;
  }
  return out;
}

/** dbt spells hooks with a dash or an underscore. */
function canonicalKey(key: string): string {
  return key === "pre-hook" ? "pre_hook" : key === "post-hook" ? "post_hook" : key;
}

/** `later` over `earlier` as dbt merges config layers. */
export function mergeDbtConfig(
  earlier: Record<string, unknown>,
  later: Record<string, unknown>,
): Record<string, unknown> {
  const out = { ...earlier };
  for (const [rawKey, value] of Object.entries(later)) {
    const key = canonicalKey(rawKey);
    if (value === undefined) continue;
    if (ADDITIVE_LISTS.has(key)) {
      const seen = asList(out[key]);
      for (const item of asList(value)) if (!seen.includes(item)) seen.push(item);
      out[key] = seen;
    } else if (MERGED_MAPS.has(key) && isMapping(value) && isMapping(out[key])) {
      out[key] = { ...(out[key] as Record<string, unknown>), ...value };
    } else {
      out[key] = value;
    }
  }
  return out;
}

function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? [...value] : [value];
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Model materializations sluice builds. */
const MATERIALIZATIONS = new Set(["view", "table", "incremental", "ephemeral"]);

/** Keys that mean the same in both tools, or that dbt names differently. */
const MODEL_KEYS: Record<string, string> = {
  enabled: "enabled",
  materialized: "materialized",
  schema: "schema",
  alias: "alias",
  tags: "tags",
  unique_key: "unique_key",
  partition_by: "partition_by",
  incremental_strategy: "strategy",
  full_refresh: "full_refresh",
  on_schema_change: "on_schema_change",
  description: "description",
};

/** Keys that change nothing about the tables dbt builds (documentation, metadata, adapter hints). */
const HARMLESS_KEYS = new Set([
  "docs",
  "meta",
  "persist_docs",
  "group",
  "access",
  "quoting",
  "file_format",
  "location_root",
  "sql_header",
  "bind",
  "event_time",
  "packages",
  "latest_version",
  "deprecation_date",
  "column_types",
  "snowflake_warehouse",
  "cluster_by",
  "as_columnstore",
]);

export interface NormalizedConfig {
  /** In sluice's keys, ready for ModelConfig. */
  config: Record<string, unknown>;
  /** Keys kept out, each with why, for the loader's warnings. */
  ignored: { key: string; why: string }[];
  /** A materialization sluice does not build, when the config names one. */
  unsupportedMaterialization?: string;
}

/**
 * A dbt model config in sluice's keys. Unknown keys are legal in dbt (any key is a config); those
 * with an effect sluice does not implement are returned in `ignored` so the user is told.
 */
export function normalizeModelConfig(raw: Record<string, unknown>): NormalizedConfig {
  const config: Record<string, unknown> = {};
  const ignored: { key: string; why: string }[] = [];
  let unsupportedMaterialization: string | undefined;
  for (const [rawKey, value] of Object.entries(raw)) {
    const key = canonicalKey(rawKey);
    if (key === "__keywords") continue;
    const mapped = MODEL_KEYS[key];
    if (key === "materialized" && typeof value === "string" && !MATERIALIZATIONS.has(value)) {
      unsupportedMaterialization = value;
    } else if (key === "unique_key" && value === null) {
    } else if (key === "incremental_strategy" && value === "microbatch") {
      ignored.push({
        key,
        why: "the microbatch strategy is not supported; the model uses sluice's default strategy",
      });
    } else if (mapped) {
      config[mapped] = value;
    } else if (key === "pre_hook" || key === "post_hook") {
      if (asList(value).length > 0) config[key] = asList(value);
    } else if (key === "contract") {
      if (isMapping(value)) config["contract"] = value;
    } else if (key === "grants") {
      if (isMapping(value) && Object.keys(value).length > 0)
        ignored.push({ key, why: "grants are not applied by sluice" });
    } else if (key === "database") {
      ignored.push({ key, why: "every model of a dbt project lives on the profile's one connection" });
    } else if (!HARMLESS_KEYS.has(key)) {
      ignored.push({ key, why: "not a config sluice knows; it has no effect" });
    }
  }
  return { config, ignored, unsupportedMaterialization };
}

/** Seed config keys sluice reads; the rest are reported the same way as a model's. */
export function normalizeSeedConfig(raw: Record<string, unknown>): NormalizedConfig {
  const config: Record<string, unknown> = {};
  const ignored: { key: string; why: string }[] = [];
  for (const [rawKey, value] of Object.entries(raw)) {
    const key = canonicalKey(rawKey);
    if (["schema", "alias", "column_types", "delimiter", "tags", "enabled"].includes(key))
      config[key] = value;
    else if (key === "quote_columns" || HARMLESS_KEYS.has(key) || key === "full_refresh") continue;
    else if (key === "pre_hook" || key === "post_hook") {
      if (asList(value).length > 0) ignored.push({ key, why: "seed hooks are not run by sluice yet" });
    } else ignored.push({ key, why: "not a seed config sluice knows; it has no effect" });
  }
  return { config, ignored };
}
