// Schemas of the project's YAML files: project.yml, profiles.yml and the property files beside
// models. One zod schema per file gives the types, the validation errors and the JSON Schema
// editors use (project/json-schemas.ts; shipped in schemas/, printed by `sluice schema`).
import { z } from "zod";
import { ConnectionConfig, fromText } from "./connection-schema.js";

const identifier = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be letters, digits and _, not starting with a digit");
const stringList = z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v]));

export const Materialization = z.enum(["view", "table", "incremental", "ephemeral"]);
export type Materialization = z.infer<typeof Materialization>;

/** How an incremental model applies new rows. */
export const IncrementalStrategy = z.enum([
  /** Insert the new rows; nothing existing changes. */
  "append",
  /** Upsert on unique_key. */
  "merge",
  /** Delete rows matching the new rows' unique_key, then insert, in one transaction. */
  "delete+insert",
  /** Replace whole partitions (the dirty set the plan names), never the whole table. */
  "insert_overwrite",
]);
export type IncrementalStrategy = z.infer<typeof IncrementalStrategy>;

/** What an incremental build does when the model's columns differ from its table's (dbt's values). */
export const OnSchemaChange = z.enum([
  /** Write the table's columns; new columns of the SQL are left out (the default). */
  "ignore",
  /** Refuse the build, naming the columns that differ. */
  "fail",
  /** Add the SQL's new columns to the table; columns it dropped stay, NULL in new rows. */
  "append_new_columns",
  /** Add new columns, drop those the SQL dropped, change the types that changed. */
  "sync_all_columns",
]);
export type OnSchemaChange = z.infer<typeof OnSchemaChange>;

/** A model hook as dbt writes it: SQL, or `{sql, transaction}` (sluice runs every hook on its own). */
const ModelHook = z.union([
  z.string(),
  z.strictObject({ sql: z.string(), transaction: z.boolean().optional() }),
]);
const ModelHooks = z.union([ModelHook, z.array(ModelHook)]);

export const ModelConfig = z.strictObject({
  enabled: z.boolean().optional(),
  materialized: Materialization.optional(),
  connection: z.string().optional().describe("Where the model's result lives"),
  compute: z.string().optional().describe("Where the model's SQL runs; defaults to where its inputs live"),
  schema: z.string().optional(),
  alias: z.string().optional(),
  tags: stringList.optional(),
  partition_by: stringList.optional().describe("Partition columns of the result"),
  unique_key: stringList.optional(),
  strategy: IncrementalStrategy.optional(),
  full_refresh: z.boolean().optional().describe("false: --full-refresh leaves this model incremental"),
  on_schema_change: OnSchemaChange.optional().describe(
    "What an incremental build does when the SQL's columns differ from the table's (default ignore)",
  ),
  full_refresh_only: z
    .boolean()
    .optional()
    .describe("true: a lineage model outside the incremental contract, built in full every time"),
  full_rebuild_share: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe("share of stored partitions dirty at which a lineage plan rebuilds in full"),
  depends_on: z.array(z.string()).optional().describe("Refs the template builds dynamically"),
  pre_hook: ModelHooks.optional().describe("SQL run on the model's connection before each build of it"),
  post_hook: ModelHooks.optional().describe("SQL run on the model's connection after each build of it"),
  contract: z
    .strictObject({ enforced: z.boolean().optional(), alias_types: z.boolean().optional() })
    .optional()
    .describe("enforced: true checks the SQL's columns against the YAML columns' data_type before a build"),
  description: z.string().optional(),
});
export type ModelConfig = z.infer<typeof ModelConfig>;

const Severity = z.enum(["error", "warn"]);

/** Options every data test takes, next to its own arguments. */
export const TestOptions = z.strictObject({
  severity: Severity.optional(),
  where: z.string().optional(),
  error_if: z.string().optional().describe("Condition on the failure count, e.g. '>10'; default '!=0'"),
  warn_if: z.string().optional(),
  fail_calc: z.string().optional().describe("dbt: what warn_if/error_if compare; default 'count(*)'"),
  limit: z.number().int().min(0).optional().describe("dbt: count and store at most this many failing rows"),
  name: z.string().optional(),
  tags: stringList.optional(),
});

/** A test as written in YAML: a name, or `{ test_name: { args… , severity…} }`. */
export const TestEntry = z.union([
  z.string(),
  z.record(z.string(), z.record(z.string(), z.unknown()).nullable()),
]);
export type TestEntry = z.infer<typeof TestEntry>;

/**
 * A dbt constraint: not_null, unique and primary_key are enforced on the DuckDB tables of contracted models.
 */
export const Constraint = z.looseObject({
  type: z.string(),
  columns: z.array(z.string()).optional(),
  name: z.string().optional(),
});

export const ColumnProperties = z.strictObject({
  name: z.string(),
  description: z.string().optional(),
  data_type: z.string().optional(),
  constraints: z.array(Constraint).optional(),
  tests: z.array(TestEntry).optional(),
  tags: stringList.optional(),
});

export const ModelProperties = z.strictObject({
  name: z.string(),
  description: z.string().optional(),
  config: ModelConfig.optional(),
  columns: z.array(ColumnProperties).optional(),
  constraints: z.array(Constraint).optional(),
  tests: z.array(TestEntry).optional(),
});

export const ChangeTracking = z.strictObject({
  updated_at: z.string().describe("Column stamped when a row is inserted or updated"),
  deletes: z
    .strictObject({
      table: z.string(),
      schema: z.string().optional(),
      key: z.string(),
      deleted_at: z.string(),
      partition_columns: z.array(z.string()).optional(),
    })
    .optional(),
  lookback: z.string().optional().describe("Interval re-read for late writers, e.g. '10 minutes'"),
  stamp_problems: z
    .enum(["warn", "error"])
    .optional()
    .describe("rows with a NULL stamp or one after the source's clock: warn (default) or fail the plan"),
});

export const SourceTable = z.strictObject({
  name: z.string(),
  identifier: z.string().optional(),
  description: z.string().optional(),
  columns: z.array(ColumnProperties).optional(),
  tests: z.array(TestEntry).optional(),
  change_tracking: ChangeTracking.optional(),
  tags: stringList.optional(),
});

export const SourceProperties = z.strictObject({
  name: z.string(),
  description: z.string().optional(),
  connection: z.string().optional(),
  database: z.string().optional(),
  schema: z.string().optional(),
  tables: z.array(SourceTable),
  tags: stringList.optional(),
});

export const SeedProperties = z.strictObject({
  name: z.string(),
  description: z.string().optional(),
  config: z
    .strictObject({
      connection: z.string().optional(),
      schema: z.string().optional(),
      alias: z.string().optional(),
      column_types: z.record(z.string(), z.string()).optional(),
      delimiter: z.string().optional(),
      tags: stringList.optional(),
      enabled: z.boolean().optional(),
    })
    .optional(),
  columns: z.array(ColumnProperties).optional(),
  tests: z.array(TestEntry).optional(),
});

/** A YAML file beside the models: properties of models, sources and seeds. */
export const PropertiesFile = z.strictObject({
  version: z.number().optional(),
  models: z.array(ModelProperties).optional(),
  sources: z.array(SourceProperties).optional(),
  seeds: z.array(SeedProperties).optional(),
});
export type PropertiesFile = z.infer<typeof PropertiesFile>;

export const Hook = z.strictObject({
  connection: z.string(),
  sql: z.string(),
  /**
   * The engine types the hook is written for; on a target where `connection` is another type the
   * hook is left out (not rendered, not run). Default: every type.
   */
  connection_types: z
    .array(z.enum(["duckdb", "sqlserver", "hive", "postgres", "mysql"]))
    .min(1)
    .optional()
    .describe("Engine types this hook's SQL is written for, e.g. [duckdb]; skipped on other types"),
});

export const ProjectFile = z.strictObject({
  name: identifier,
  version: z.union([z.string(), z.number()]).optional(),
  default_target: z.string().optional(),
  model_paths: z.array(z.string()).default(["models"]),
  macro_paths: z.array(z.string()).default(["macros"]),
  test_paths: z.array(z.string()).default(["tests"]),
  seed_paths: z.array(z.string()).default(["seeds"]),
  target_path: z.string().default("target"),
  state_path: z.string().default(".sluice"),
  vars: z.record(z.string(), z.unknown()).default({}),
  /** Config defaults by folder under the model paths; the longest matching folder wins. */
  models: z.record(z.string(), ModelConfig).default({}),
  on_run_start: z.array(Hook).default([]),
  on_run_end: z.array(Hook).default([]),
});
export type ProjectFile = z.infer<typeof ProjectFile>;

export const LedgerConfig = z.strictObject({
  /**
   * A ledger on one of the target's connections instead of the DuckDB file under the state folder;
   * refused at run time until it is supported (runner/workspace.ts). A `schema` key for it is
   * added with it: nothing would read one today.
   */
  connection: z.string().optional(),
});

export const TargetConfig = z.strictObject({
  connections: z.record(z.string(), ConnectionConfig),
  /** Connection of models that have no inputs and name none. */
  default_connection: z.string().optional(),
  threads: fromText(z.number().int().positive()).default(4),
  ledger: LedgerConfig.default({}),
});
export type TargetConfig = z.infer<typeof TargetConfig>;

export const ProfilesFile = z.strictObject({
  default_target: z.string().optional(),
  targets: z.record(z.string(), TargetConfig),
});
export type ProfilesFile = z.infer<typeof ProfilesFile>;
