// The manifest: the typed, versioned result of compiling, and the only contract between compile,
// plan, run, docs and PR checks. It has no JSON Schema yet: readers check `manifestVersion`
// (manifest/io.ts); the YAML files users write do have theirs (project/json-schemas.ts).
import type { Materialization, IncrementalStrategy } from "../project/schema.js";
import type { SnapshotConfig } from "../project/dbt-snapshots.js";

export const MANIFEST_VERSION = 1;

/** Where a relation lives: a connection of the target and a name on it. */
export interface RelationRef {
  connection: string;
  database?: string;
  schema: string;
  name: string;
}

export interface ColumnDoc {
  name: string;
  description?: string;
  dataType?: string;
  tags: string[];
}

export interface Location {
  path: string;
  line: number;
}

interface NodeBase {
  /** `model.sales_history`, `source.production.sales`, `seed.countries`, `test.unique_sales_sale_id`. */
  id: string;
  name: string;
  location: Location;
  description: string;
  tags: string[];
  /** Ids of the nodes this one reads. */
  dependsOn: string[];
  /** Hash of what defines the node (SQL, config, macros used); a change gives it a new version. */
  checksum: string;
}

export interface ResolvedModelConfig {
  materialized: Materialization;
  connection: string;
  compute: string;
  schema: string;
  alias: string;
  tags: string[];
  partitionBy: string[];
  uniqueKey: string[];
  strategy: IncrementalStrategy | null;
  fullRefresh: boolean | null;
  /** dbt's on_schema_change of an incremental model, when not `ignore` (see runner/schema-change.ts). */
  onSchemaChange?: "fail" | "append_new_columns" | "sync_all_columns";
  /** Built in full on every build, declared by the model (outside the incremental contract on purpose). */
  fullRefreshOnly?: boolean;
  /** Share of stored partitions at which a lineage plan rebuilds in full instead (default 0.5). */
  fullRebuildShare?: number;
  /** The pre_hook and post_hook templates, as written (their rendered SQL is ModelNode.hooks). */
  preHook?: string[];
  postHook?: string[];
}

export interface ModelNode extends NodeBase {
  kind: "model";
  config: ResolvedModelConfig;
  relation: RelationRef;
  columns: ColumnDoc[];
  rawSql: string;
  /** The SQL as it runs on `config.compute` in a full build. */
  compiledSql: string;
  /** The SQL of an incremental run (is_incremental() true); only for incremental models. */
  compiledIncrementalSql: string | null;
  /**
   * For a partitioned incremental model reading change-tracked sources: the model's SQL with each
   * tracked source narrowed to its change window, whose bounds are placeholders the planner fills
   * (see planner/watermarks.ts). Its partitions are the partitions the changes touch.
   */
  /**
   * For an insert_overwrite model that is not a lineage model: for each model it reads, why it
   * cannot inherit the partitions replaced there (null: it can). Read from its
   * SQL at compile time (compiler/incremental-contract.ts), so that a plan
   * parses no SQL for it.
   */
  inheritance?: Record<string, string | null>;
  lineage: {
    trackedSources: string[];
    changesSql: string;
    /**
     * Why the model's SQL is outside the incremental contract, so
     * every build is full (see compiler/incremental-contract.ts).
     */
    fullRebuild?: string | null;
    /** Where a changed source row is found in the model's table (see compiler/incremental-contract.ts). */
    keys?: { source: string; sourceColumn: string; modelColumn: string }[];
  } | null;
  macrosUsed: string[];
  /** pre_hook and post_hook rendered (`this` is the model), run on its connection around each build of it. */
  hooks?: { pre: string[]; post: string[] };
  /**
   * The introspection its template used while compiling (dbt's `execute`, `run_query`,
   * `adapter.get_columns_in_relation`, …), where it used any. Its SQL above is then what dbt's parse
   * renders (`execute` false); a build renders it again against its compute connection, after its
   * inputs are built, and runs that (see compiler/dbt-run-render.ts).
   */
  introspects?: string[];
  /**
   * True when its template or a macro it reaches reads dbt's `flags`: its SQL above is rendered with
   * flags.FULL_REFRESH false, and a build under `--full-refresh` renders it again with it true.
   */
  readsFlags?: true;
  /** The enforced contract its table is built to (see runner/contract.ts). */
  contract?: ModelContract;
  /** For a dbt snapshot: how the table keeps the history of the query's rows (see runner/snapshot.ts). */
  snapshot?: SnapshotConfig;
}

/** A model's enforced contract (dbt's `contract: {enforced: true}`), checked before each full build. */
export interface ModelContract {
  /** The property YAML entry that declares the columns. */
  location: Location;
  /** In the YAML's order, which is the table's; `dataType` as written there. */
  columns: { name: string; dataType: string; line: number; notNull: boolean; unique: boolean }[];
  primaryKey: string[];
  /** Model-level unique constraints over several columns. */
  unique: string[][];
  /**
   * dbt's `check` constraints, as the table's CHECK clauses: a column's and the model's, with the
   * name a model-level one gives. Absent in manifests written before checks were applied.
   */
  checks?: { expression: string; name?: string }[];
}

export interface ChangeTrackingDoc {
  updatedAt: string;
  deletes: { relation: RelationRef; key: string; deletedAt: string; partitionColumns: string[] } | null;
  lookback: string | null;
  /** What a plan does about rows with a NULL stamp or a stamp after the source's clock (default warn). */
  stampProblems?: "warn" | "error";
}

export interface SourceNode extends NodeBase {
  kind: "source";
  sourceName: string;
  tableName: string;
  relation: RelationRef;
  columns: ColumnDoc[];
  changeTracking: ChangeTrackingDoc | null;
}

export interface SeedNode extends NodeBase {
  kind: "seed";
  relation: RelationRef;
  columns: ColumnDoc[];
  columnTypes: Record<string, string>;
  delimiter: string;
}

/** `generic`: a test defined by a {% test %} block in the project's macros. */
export type TestType =
  | "unique"
  | "not_null"
  | "accepted_values"
  | "relationships"
  | "expression"
  | "row_count"
  | "reconcile"
  | "singular"
  | "generic"
  /** A dbt unit test: the model's SQL on fixture rows, compared with expected rows (TestNode.unit). */
  | "unit";

export interface TestConfig {
  severity: "error" | "warn";
  errorIf: string;
  warnIf: string;
  where: string | null;
  /**
   * dbt's `fail_calc`: the aggregate over the failing rows that warn_if and error_if compare
   * (absent: `count(*)`). DuckDB only.
   */
  failCalc?: string;
  /** dbt's `limit`: at most this many failing rows are counted and stored. DuckDB only. */
  limit?: number;
}

export interface TestNode extends NodeBase {
  kind: "test";
  testType: TestType;
  /**
   * The test as the YAML names it (`unique`, `dbt_utils.expression_is_true`), or the singular
   * test's file name. Absent in manifests written before it was recorded (read with --state).
   */
  testName?: string;
  /** The model, seed or source the test checks (generic tests). */
  attachedTo: string | null;
  column: string | null;
  args: Record<string, unknown>;
  config: TestConfig;
  /** Connection the test query runs on. */
  connection: string;
  /** A query returning the failing rows; for `reconcile`, the per-partition profile of the stored table. */
  compiledSql: string;
  /**
   * For `reconcile`: the same profile of the model's SQL, run where the model computes. A build
   * that replaced some partitions profiles just those, on both sides.
   */
  reconcile: { connection: string; sql: string; keyColumns: string[]; sums: string[] } | null;
  /**
   * dbt's `store_failures`: the relation the failing rows are kept in after each run (dbt's
   * `<target schema>_dbt_test__audit.<test name>`), as a table or a view (`store_failures_as`).
   */
  storeFailures?: {
    relation: RelationRef;
    as: "table" | "view";
    /** `flag`: the test sets no store_failures, so they are stored under `--store-failures` only. */
    when?: "flag";
  };
  /** For a dbt unit test: what the runner types, runs and compares (see runner/unit-test.ts). */
  unit?: UnitTestSpec;
}

/** A value of a fixture row as YAML or CSV gave it. */
export type FixtureValue = string | number | boolean | null;

/**
 * A unit test, compiled: the model's SQL with each input read from a CTE of fixture rows. The
 * fixtures are typed at run time from the input relations' columns (as dbt does), so the CTEs are
 * written by the runner, not here.
 */
export interface UnitTestSpec {
  /** The model tested. */
  model: string;
  /** The model's SQL with each input replaced by its CTE's name, and no CTE for them yet. */
  sql: string;
  inputs: {
    /** The node the fixture stands in for (`this`: the model itself, for an incremental run). */
    node: string;
    cte: string;
    line: number;
    /** Columns the YAML declares for the input (name, data_type as written): types when it is not built. */
    declared: { name: string; dataType?: string }[];
    /** Column names in the order first given, then one array per row (undefined: not given). */
    columns: string[];
    rows: (FixtureValue | undefined)[][];
    /** Given as CSV: every value is text, so each column needs a type from the input or its YAML. */
    csv?: true;
  }[];
  /** The columns compared (those given in expect) and the rows expected, as a multiset. */
  expect: { line: number; columns: string[]; rows: (FixtureValue | undefined)[][] };
}

export type ManifestNode = ModelNode | SourceNode | SeedNode | TestNode;

export interface Manifest {
  manifestVersion: typeof MANIFEST_VERSION;
  sluiceVersion: string;
  generatedAt: string;
  project: string;
  target: string;
  /** Connection names and engine types of the target; never credentials. */
  connections: Record<
    string,
    { type: "duckdb" | "sqlserver" | "hive" | "postgres" | "mysql" | "postgres" | "mysql"; lake: boolean }
  >;
  nodes: Record<string, ManifestNode>;
  /** Statements run on a connection before and after every build, rendered at compile time. */
  hooks: { on_run_start: Hook[]; on_run_end: Hook[] };
  /** Macro name → file and checksum, for state comparison. */
  macros: Record<string, { path: string; checksum: string }>;
}

export interface Hook {
  connection: string;
  sql: string;
}

export function isModel(n: ManifestNode | undefined): n is ModelNode {
  return n?.kind === "model";
}
