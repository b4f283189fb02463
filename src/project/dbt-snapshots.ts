// dbt snapshots: the {% snapshot name %} … {% endsnapshot %} blocks of the files under
// snapshot-paths, each read as a node whose template is the block's body, and the snapshot config
// (strategy, unique_key, updated_at, check_cols, hard deletes, target_schema) merged from
// dbt_project.yml's `snapshots:` tree and the block's config() the way dbt merges them.
import type { Diagnostics } from "./diagnostics.js";
import { configFromTree, normalizeModelConfig } from "./dbt-config.js";
import type { DbtSettings } from "./dbt-project.js";
import type { ModelFile, ProjectFileText } from "./load.js";

/** How a snapshot records the history of its query's rows (dbt's SCD type 2). */
export interface SnapshotConfig {
  /** `timestamp`: a row changed when its updated_at is later; `check`: when a checked column differs. */
  strategy: "timestamp" | "check";
  uniqueKey: string[];
  /** The timestamp strategy's column. */
  updatedAt: string | null;
  /** The check strategy's columns, or every column of the query. */
  checkCols: string[] | "all";
  /** `invalidate`: a row gone from the query gets its dbt_valid_to set; `ignore`: it stays current. */
  hardDeletes: "ignore" | "invalidate";
  /** dbt's legacy target_schema: the schema used as it is, not through generate_schema_name. */
  targetSchema: string | null;
}

/** The keys of a snapshot's config that say how it snapshots, as dbt spells them. */
export const SNAPSHOT_KEYS = [
  "strategy",
  "unique_key",
  "updated_at",
  "check_cols",
  "invalidate_hard_deletes",
  "hard_deletes",
  "target_schema",
  "target_database",
  "snapshot_meta_column_names",
  "dbt_valid_to_current",
] as const;

/** One snapshot block read from its file. */
export interface SnapshotBlock {
  name: string;
  /** The block's body, with the lines before it blanked, so line numbers stay the file's. */
  body: string;
  /** Where the block opens (1-based line). */
  line: number;
}

const BLOCK = /\{%-?\s*snapshot\s+([A-Za-z_][A-Za-z0-9_]*)\s*-?%\}([\s\S]*?)\{%-?\s*endsnapshot\s*-?%\}/g;

/** The snapshot blocks of a file; an error for a file with none, or a block left open. */
export function readSnapshotBlocks(path: string, text: string, diagnostics: Diagnostics): SnapshotBlock[] {
  const blocks: SnapshotBlock[] = [];
  for (const m of text.matchAll(BLOCK)) {
    const bodyStart = m.index + m[0].indexOf("%}") + 2;
    const blank = text.slice(0, bodyStart).replace(/[^\n]/g, "");
    blocks.push({ name: m[1]!, body: blank + m[2]!, line: text.slice(0, m.index).split("\n").length });
  }
  if (blocks.length === 0) {
    const open = /\{%-?\s*snapshot\b/.exec(text);
    diagnostics.error(
      path,
      open ? text.slice(0, open.index).split("\n").length : 1,
      1,
      open
        ? "{% snapshot %} block is not closed"
        : "no {% snapshot name %} block in a file under snapshot-paths",
      open ? "end it with {% endsnapshot %}" : "wrap the query in {% snapshot name %} … {% endsnapshot %}",
    );
  }
  return blocks;
}

/** A snapshot's config from dbt_project.yml's `snapshots:` tree, split into snapshot keys and the rest. */
export function snapshotTreeConfig(
  tree: unknown,
  fqn: string[],
): { snapshot: Record<string, unknown>; rest: Record<string, unknown> } {
  return splitSnapshotConfig(configFromTree(tree, fqn));
}

export function splitSnapshotConfig(raw: Record<string, unknown>): {
  snapshot: Record<string, unknown>;
  rest: Record<string, unknown>;
} {
  const snapshot: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw))
    if ((SNAPSHOT_KEYS as readonly string[]).includes(key)) snapshot[key] = value;
    else rest[key] = value;
  return { snapshot, rest };
}

const list = (value: unknown): string[] =>
  value === undefined || value === null ? [] : (Array.isArray(value) ? value : [value]).map(String);

/**
 * The snapshot config from its merged dbt keys, or undefined with an error for each thing missing
 * or not supported, at `path`:`line`.
 */
export function resolveSnapshotConfig(
  raw: Record<string, unknown>,
  path: string,
  line: number,
  diagnostics: Diagnostics,
): SnapshotConfig | undefined {
  const errors = diagnostics.items.length;
  const fail = (message: string, hint: string) => diagnostics.error(path, line, 1, message, hint);
  const strategy = raw["strategy"];
  if (strategy !== "timestamp" && strategy !== "check")
    fail(
      strategy === undefined
        ? "snapshot config needs strategy"
        : `snapshot strategy '${String(strategy)}' is not one sluice runs`,
      "set strategy='timestamp' (with updated_at) or strategy='check' (with check_cols)",
    );
  const uniqueKey = list(raw["unique_key"]);
  if (uniqueKey.length === 0)
    fail("snapshot config needs unique_key", "name the column(s) identifying a row");
  const updatedAt = typeof raw["updated_at"] === "string" ? raw["updated_at"] : null;
  if (strategy === "timestamp" && !updatedAt)
    fail("the timestamp strategy needs updated_at", "name the column holding when the row last changed");
  const checkCols = raw["check_cols"] === "all" ? "all" : list(raw["check_cols"]);
  if (strategy === "check" && checkCols !== "all" && checkCols.length === 0)
    fail("the check strategy needs check_cols", "list the columns to compare, or check_cols='all'");
  const hard = raw["hard_deletes"] ?? (raw["invalidate_hard_deletes"] === true ? "invalidate" : "ignore");
  if (hard !== "ignore" && hard !== "invalidate")
    fail(
      `hard_deletes '${String(hard)}' is not supported by sluice`,
      "use hard_deletes: invalidate (or invalidate_hard_deletes: true), or ignore",
    );
  for (const key of ["snapshot_meta_column_names", "dbt_valid_to_current", "target_database"] as const)
    if (raw[key] !== undefined && raw[key] !== null)
      fail(
        `snapshot config '${key}' is not supported by sluice`,
        key === "target_database"
          ? "a dbt project's snapshots live on the profile's database; drop target_database"
          : "drop it: sluice writes dbt's default columns (dbt_scd_id, " +
              "dbt_updated_at, dbt_valid_from, dbt_valid_to with NULL for current rows)",
      );
  if (diagnostics.items.length > errors) return undefined;
  return {
    strategy: strategy as "timestamp" | "check",
    uniqueKey,
    updatedAt,
    checkCols,
    hardDeletes: hard as "ignore" | "invalidate",
    targetSchema: typeof raw["target_schema"] === "string" ? raw["target_schema"] : null,
  };
}

/**
 * A dbt project's snapshots as model files: one per block, its template the block's body, its
 * dbt_project.yml config split into the model keys (`defaults`) and the snapshot keys.
 */
export function readDbtSnapshots(
  dbt: DbtSettings,
  files: ProjectFileText[],
  diagnostics: Diagnostics,
): ModelFile[] {
  const out: ModelFile[] = [];
  for (const file of files) {
    const folder = file.path.split("/").slice(1, -1).join("/");
    for (const block of readSnapshotBlocks(file.path, file.text, diagnostics)) {
      const fqn = [dbt.projectName, ...folder.split("/").filter(Boolean), block.name];
      const { snapshot, rest } = snapshotTreeConfig(dbt.trees.snapshots, fqn);
      const normalized = normalizeModelConfig(rest);
      for (const { key, why } of normalized.ignored)
        diagnostics.warn("dbt_project.yml", 1, 1, `${block.name}: config '${key}' is ignored: ${why}`);
      out.push({
        path: file.path,
        text: block.body,
        name: block.name,
        folder,
        defaults: normalized.config,
        snapshot: { tree: snapshot },
      });
    }
  }
  return out;
}
