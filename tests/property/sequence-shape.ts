// What one random sequence of the "incremental equals full" property draws, and the project it
// builds: the source's key (integers, text that looks like numbers, odd text, or a composite key),
// one or two partition columns of each type with NULLs and odd strings, the update stamp's type,
// rows written with no stamp at all, one or two untracked dimensions, a seed, a var(), a deletes
// table or none (deleted rows then go unrecorded), and an order header joined to its lines (a
// second change-tracked source). Pure: the same seed gives the same shape.

export type KeyKind = "int" | "numtext" | "text" | "composite";
export type PartKind = "int" | "date" | "timestamp" | "timestamptz" | "string";
export type StampKind = "bigint" | "timestamp" | "timestamptz";

export interface Shape {
  key: KeyKind;
  /** The partition columns pa (and pb), each of its own type. */
  parts: PartKind[];
  stamp: StampKind;
  /** Untracked dimensions joined: products, and stores when 2. */
  dims: 1 | 2;
  /** A seed (categories) joined through the products. */
  seed: boolean;
  /**
   * Deleted rows recorded in a deletes table. Without one the sequence still deletes rows (and
   * order headers), recorded nowhere sluice reads: the README says such deletes are not seen, so
   * a deleted row may stay in the lake until its partition is rebuilt or a `--full-refresh`.
   */
  deletes: boolean;
  /**
   * Some sales are written with a NULL update stamp (a writer that forgot it) until a later update
   * stamps them: no change window sees them (the plan warns), so until then they reach the lake
   * only with a rebuild of their partition or of the whole model.
   */
  nullStamps: boolean;
  /** An order header (a second tracked source) joined to the sales lines by a second model. */
  header: boolean;
  /**
   * The header's deletes table, whose key the joined model carries: that makes the join
   * incremental (without it, the model is rebuilt in full every build).
   */
  headerDeletes: boolean;
  /** full_rebuild_share of the lineage model: 1 keeps it incremental, 0.5 lets it switch to a full build. */
  share: 1 | 0.5;
  /** Builds spawned as CLI processes in changing time zones (slow: a few sequences only). */
  spawnTz: boolean;
  /** A DATE pa holds any day in the source and the model computes its month (else passes it through). */
  truncate: boolean;
  /** The lake: the embedded Parquet lake, or a database of its own on a Spark Thrift Server. */
  lake: LakeTarget;
}

export type LakeTarget = { kind: "duckdb" } | { kind: "hive"; host: string; port: number; database: string };

/** Strings a partition column holds: the ones Hive and the Parquet lake have special meanings for. */
export const ODD_STRINGS = [
  "a",
  "NULL",
  "null",
  "__HIVE_DEFAULT_PARTITION__",
  " sp ace ",
  "a/b",
  "k=v",
  "o'q",
  "é%20",
  "",
];

/**
 * The partition strings a lake can store: Hive (and Spark) name the NULL partition
 * `__HIVE_DEFAULT_PARTITION__` and cannot tell '' from it either, so sluice refuses to write those
 * two there (README, tests/integration/spark/null-partition.test.ts); the Parquet lake keeps all.
 */
export function partitionStrings(lake: LakeTarget): string[] {
  return lake.kind === "hive"
    ? ODD_STRINGS.filter((v) => v !== "" && v !== "__HIVE_DEFAULT_PARTITION__")
    : ODD_STRINGS;
}

export const LOOKBACK = 3;

export function drawShape(
  rand: () => number,
  spawnTz: boolean,
  lake: LakeTarget = { kind: "duckdb" },
): Shape {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const kinds: PartKind[] = ["int", "date", "timestamp", "timestamptz", "string"];
  const parts = rand() < 0.35 ? [pick(kinds), pick(kinds)] : [pick(kinds)];
  return {
    key: pick(["int", "numtext", "text", "composite"] as const),
    parts,
    stamp: spawnTz ? "timestamptz" : pick(["bigint", "timestamp", "timestamptz"] as const),
    dims: rand() < 0.5 ? 1 : 2,
    seed: rand() < 0.5,
    deletes: rand() < 0.75,
    nullStamps: rand() < 0.35,
    header: rand() < 0.3,
    headerDeletes: rand() < 0.6,
    share: rand() < 0.7 ? 1 : 0.5,
    spawnTz,
    truncate: parts[0] === "date" && rand() < 0.5,
    lake,
  };
}

export function describeShape(s: Shape): string {
  return `${s.key} keys, partitions ${s.parts.join("+")}, ${s.stamp} stamps, ${s.dims} dims${s.seed ? ", seed" : ""}${s.deletes ? ", deletes table" : ", unrecorded deletes"}${s.nullStamps ? ", NULL stamps" : ""}${s.header ? `, header/lines${s.headerDeletes ? " with header deletes" : ""}` : ""}, share ${s.share}${s.spawnTz ? ", spawned builds in changing TZ" : ""}${s.truncate ? ", pa computed" : ""}${s.lake.kind === "hive" ? `, lake on Spark (${s.lake.database})` : ""}`;
}

const SQL_TYPE: Record<PartKind, string> = {
  int: "int",
  date: "date",
  timestamp: "timestamp",
  timestamptz: "timestamptz",
  string: "varchar",
};

export function partColumns(s: Shape): string[] {
  return s.parts.map((_, i) => (i === 0 ? "pa" : "pb"));
}

/** The source's key columns: k1, and k2 (a line number) for a composite key. */
export function keyColumns(s: Shape): string[] {
  return s.key === "composite" ? ["k1", "k2"] : ["k1"];
}

/** The DDL of the source tables. */
export function sourceDdl(s: Shape): string {
  const k1 = s.key === "int" ? "int" : "varchar";
  const keys = s.key === "composite" ? `k1 ${k1}, k2 int` : `k1 ${k1}`;
  const parts = s.parts.map((p, i) => `${partColumns(s)[i]} ${SQL_TYPE[p]}`).join(", ");
  const stamp = s.stamp === "bigint" ? "bigint" : s.stamp;
  return [
    "create schema app",
    `create table app.sales (${keys}, order_id int, product_id int, store_id int, amount int, ${parts}, updated_at ${stamp})`,
    // A composite key is recorded by its first column only: a lookup by it finds a superset.
    // Without a deletes table this is the harness's own record of what sluice cannot see.
    `create table app.removed (k1 ${k1}, removed_at ${stamp}, ${parts})`,
    "create table app.products (product_id int, name varchar, cat varchar)",
    "insert into app.products values (1, 'tee', 'c1'), (2, 'cap', 'c2'), (3, 'hat', 'c1')",
    "create table app.stores (store_id int, city varchar)",
    "insert into app.stores values (1, 'Porto'), (2, 'Braga')",
    `create table app.orders (order_id int, customer varchar, region varchar, updated_at ${stamp})`,
    `create table app.orders_removed (order_id int, removed_at ${stamp})`,
  ].join(";\n");
}

/**
 * The target: builds in this process share one workspace, so the databases can live in memory;
 * spawned builds (each its own process) need files. In process DuckDB runs one thread: the test
 * files already fill every core, and a sequence's tiny statements cost a quarter less CPU that
 * way (an instance setting, taken from the first DuckDB connection that sets it). The spawned
 * builds keep DuckDB's default threads, so parallel writes stay covered. The lake is Parquet
 * under lake_root, or a database on the Spark Thrift Server.
 */
function profile(s: Shape): string {
  const path = (name: string) => (s.spawnTz ? `.sluice/${name}.duckdb` : '":memory:"');
  const threads = s.spawnTz ? "" : ", threads: 1";
  const lake =
    s.lake.kind === "hive"
      ? `{ type: hive, host: "${s.lake.host}", port: ${s.lake.port}, database: ${s.lake.database}, auth: nosasl }`
      : `{ type: duckdb, path: ${path("lake")}, lake_root: lake${threads} }`;
  return `targets:
  dev:
    connections:
      src: { type: duckdb, path: ${path("src")}${s.lake.kind === "hive" ? threads : ""} }
      lake: ${lake}
`;
}

/** The project's files for a shape; `vars` and `seedRows` change between builds. */
export function projectFiles(
  s: Shape,
  vars: { bonus: number },
  seedRows: [string, string][],
): Record<string, string> {
  const parts = partColumns(s);
  const lookback = s.stamp === "bigint" ? String(LOOKBACK) : `${LOOKBACK} seconds`;
  const deletes = s.deletes
    ? `\n          deletes: { table: removed, key: k1, deleted_at: removed_at, partition_columns: [${parts.join(", ")}] }`
    : "";
  const tables = ["products", "stores", ...(s.deletes ? ["removed"] : [])];
  const orderDeletes = s.headerDeletes
    ? "\n          deletes: { table: orders_removed, key: order_id, deleted_at: removed_at }"
    : "";
  const orders = s.header
    ? `\n      - name: orders\n        change_tracking:\n          updated_at: updated_at\n          lookback: "${lookback}"${orderDeletes}`
    : "";
  const unique = s.key === "composite" ? "['id', 'k2']" : "'id'";
  const dimColumns = [
    "p.name as product",
    ...(s.dims === 2 ? ["st.city"] : []),
    ...(s.seed ? ["c.label as category"] : []),
  ];
  const joins = [
    "join {{ source('app', 'products') }} p on p.product_id = s.product_id",
    ...(s.dims === 2 ? ["left join {{ source('app', 'stores') }} st on st.store_id = s.store_id"] : []),
    ...(s.seed ? ["left join {{ ref('categories') }} c on c.code = p.cat"] : []),
  ];
  const sPart = parts
    .map((p, i) => (i === 0 && s.truncate ? "date_trunc('month', s.pa)::date as pa" : `s.${p}`))
    .join(", ");
  const hPart = parts.map((p) => `h.${p}`).join(", ");
  const partitionBy = `[${parts.map((p) => `'${p}'`).join(", ")}]`;
  const files: Record<string, string> = {
    "project.yml": `name: property\nvars:\n  bonus: ${vars.bonus}\n`,
    "profiles.yml": profile(s),
    "models/sources.yml": `sources:
  - name: app
    connection: src
    schema: app
    tables:
      - name: sales
        change_tracking:
          updated_at: updated_at
          lookback: "${lookback}"${deletes}
${tables.map((t) => `      - name: ${t}`).join("\n")}${orders}
`,
    // The key is renamed on the way (k1 → id), the amount takes a var, the dimensions are joined.
    "models/hist.sql": `{{ config(materialized='incremental', connection='lake', compute='src', partition_by=${partitionBy}, unique_key=${unique}, full_rebuild_share=${s.share}) }}
select s.k1 as id,${s.key === "composite" ? " s.k2," : ""} s.amount + {{ var('bonus') }} as amount, ${dimColumns.join(", ")}, ${sPart}
from {{ source('app', 'sales') }} s
${joins.join("\n")}`,
    "models/hist.yml": `models:
  - name: hist
    tests:
      - unique: { columns: ${s.key === "composite" ? "[id, k2]" : "[id]"} }
    columns:
      - name: id
        tests: [not_null]
      - name: amount
        tests:
          - expression: { expression: ">= 0" }
`,
    // Inherits hist's replaced partitions (its incremental SQL returns nothing of its own).
    "models/hist_copy.sql": `{{ config(materialized='incremental', connection='lake', partition_by=${partitionBy}) }}
select h.id, h.amount * 2 as doubled, ${hPart} from {{ ref('hist') }} h
{% if is_incremental() %}where false{% endif %}`,
    "models/monthly.sql": `{{ config(materialized='table', connection='lake') }}
select pa, count(*) as n, cast(sum(amount) as bigint) as total from {{ ref('hist') }} group by pa`,
    // An aggregate per partition inherits the replaced partitions: its rows depend on their own partition only.
    "models/per_partition.sql": `{{ config(materialized='incremental', connection='lake', partition_by=${partitionBy}) }}
select ${hPart}, count(*) as n, cast(sum(h.amount) as bigint) as total from {{ ref('hist') }} h
{% if is_incremental() %}where false{% endif %}
group by ${hPart}`,
    // Keeps the name pa for other values: it must not inherit hist's partitions by name. (Not a
    // cast of pa to text: a timestamptz's text depends on the session's zone, which would make the
    // model's own result change with the TZ of the build.)
    "models/relabel.sql": `{{ config(materialized='incremental', connection='lake', partition_by=${partitionBy}) }}
select h.id, h.pa as original, cast(h.amount % 3 as string) as pa${parts.length > 1 ? ", h.pb" : ""} from {{ ref('hist') }} h
{% if is_incremental() %}where false{% endif %}`,
  };
  if (s.seed) {
    files["seeds/categories.csv"] = `code,label\n${seedRows.map((r) => r.join(",")).join("\n")}\n`;
    files["seeds/categories.yml"] =
      "seeds:\n  - name: categories\n    config: { connection: src, column_types: { code: varchar, label: varchar } }\n";
  }
  if (s.header) {
    files["models/order_lines.sql"] =
      `{{ config(materialized='incremental', connection='lake', compute='src', partition_by=${partitionBy}, unique_key=${unique}, full_rebuild_share=${s.share}) }}
select s.k1 as id,${s.key === "composite" ? " s.k2," : ""} o.order_id as oid, o.customer, s.amount, ${sPart}
from {{ source('app', 'sales') }} s join {{ source('app', 'orders') }} o on o.order_id = s.order_id`;
    // Partitioned by a column of the header: a header change moves all its lines.
    files["models/order_regions.sql"] =
      `{{ config(materialized='incremental', connection='lake', compute='src', partition_by='region', unique_key=${unique}, full_rebuild_share=${s.share}) }}
select s.k1 as id,${s.key === "composite" ? " s.k2," : ""} o.order_id as oid, o.region, s.amount
from {{ source('app', 'orders') }} o join {{ source('app', 'sales') }} s on s.order_id = o.order_id`;
  }
  return files;
}
