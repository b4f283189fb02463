// Schemas of the connections a profile declares, one per engine type. Adapters read these typed
// configs; the loader validates them before any adapter exists.
import { z } from "zod";

const name = z.string().min(1);

/**
 * A number a profile may also give as text: values rendered from env_var() stay strings (so a
 * digit-only password stays a password), and the fields that are numbers read them here.
 */
export function fromText<T extends z.ZodType>(schema: T) {
  return z.preprocess(
    (v) => (typeof v === "string" && /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v),
    schema,
  );
}
/** A yes/no a profile may also give as the text `true` or `false`. */
function flag() {
  return z.preprocess(
    (v) =>
      typeof v === "string" && /^(true|false)$/i.test(v.trim()) ? v.trim().toLowerCase() === "true" : v,
    z.boolean(),
  );
}

export const DuckDbConnection = z.strictObject({
  type: z.literal("duckdb"),
  /** Database file, relative to the project directory; `:memory:` for a throwaway database. */
  path: z.string().min(1).describe("DuckDB database file, relative to the project directory, or :memory:"),
  /**
   * When set, tables of this connection are stored as hive-partitioned Parquet under this folder
   * and read through views in the database file: the embedded data lake.
   */
  lake_root: z
    .string()
    .min(1)
    .optional()
    .describe("Folder of Parquet tables; makes this connection an embedded lake"),
  schema: name.default("main").describe("Default schema for relations"),
  threads: fromText(z.number().int().positive()).optional().describe("DuckDB worker threads"),
  memory_limit: z.string().optional().describe("DuckDB memory_limit, e.g. 2GB"),
});
export type DuckDbConnection = z.infer<typeof DuckDbConnection>;

export const SqlServerConnection = z.strictObject({
  type: z.literal("sqlserver"),
  host: name,
  port: fromText(z.number().int().positive()).default(1433),
  database: name,
  schema: name.default("dbo"),
  user: z.string().optional(),
  password: z.string().optional(),
  encrypt: flag().default(true),
  trust_server_certificate: flag().default(false),
  connect_timeout_ms: fromText(z.number().int().positive()).default(15000),
  request_timeout_ms: fromText(z.number().int().nonnegative()).default(0),
  /** Rows per bulk-load chunk; bounds memory when landing rows from another engine. */
  bulk_chunk_rows: fromText(z.number().int().positive()).default(10000),
  max_retries: fromText(z.number().int().nonnegative()).default(3),
  pool_max: fromText(z.number().int().positive()).default(4),
});
export type SqlServerConnection = z.infer<typeof SqlServerConnection>;

export const HiveConnection = z.strictObject({
  type: z.literal("hive"),
  host: name,
  port: fromText(z.number().int().positive()).default(10000),
  database: name.default("default"),
  transport: z.enum(["binary", "http"]).default("binary"),
  /** HTTP transport path, e.g. `cliservice`. */
  http_path: z.string().default("cliservice"),
  auth: z.enum(["nosasl", "plain", "none"]).default("nosasl"),
  user: z.string().optional(),
  password: z.string().optional(),
  connect_timeout_ms: fromText(z.number().int().positive()).default(10000),
  /** Rows per fetch when streaming results. */
  fetch_rows: fromText(z.number().int().positive()).default(10000),
  /** Rows per INSERT statement when landing rows from another engine. */
  insert_batch_rows: fromText(z.number().int().positive()).default(1000),
  /**
   * A directory both sluice and the server reach. When set, rows from other engines are staged
   * there as Parquet files the server reads, instead of going through INSERT ... VALUES. A plain
   * path is one the server reads under the same name (as file://); otherwise `local` is where
   * sluice writes and `remote` the same directory as the server names it (file://, hdfs://, s3a://).
   */
  stage_dir: z
    .union([z.string(), z.strictObject({ local: z.string(), remote: z.string().min(1) })])
    .optional()
    .refine((v) => v === undefined || /^(?:\/|[A-Za-z]:[\\/])/.test(typeof v === "string" ? v : v.local), {
      message:
        "stage_dir must be an absolute path (its `local` path when it is " +
        "an object): sluice may run from another folder than the project's",
    })
    .describe(
      "Directory shared with the server for staging loaded rows as Parquet: a path, or { local, remote }",
    ),
  /** Session settings sent with every session (must be plain strings). */
  session_conf: z.record(z.string(), z.string()).default({}),
});
export type HiveConnection = z.infer<typeof HiveConnection>;

export const PostgresConnection = z.strictObject({
  type: z.literal("postgres"),
  host: name,
  port: z.number().int().positive().default(5432),
  database: name,
  schema: name.default("public").describe("Default schema for relations"),
  user: z.string().optional(),
  password: z.string().optional(),
  ssl: z.boolean().default(false).describe("TLS to the server (certificate verified)"),
  connect_timeout_ms: z.number().int().positive().default(15000),
  /** Rows per cursor fetch when streaming results: the most rows a read holds at once. */
  fetch_rows: z.number().int().positive().default(10000),
  pool_max: z.number().int().positive().default(4),
});
export type PostgresConnection = z.infer<typeof PostgresConnection>;

export const MySqlConnection = z.strictObject({
  type: z.literal("mysql"),
  host: name,
  port: z.number().int().positive().default(3306),
  /** MySQL's schemas are its databases: relations that name no schema land here. */
  database: name,
  user: z.string().optional(),
  password: z.string().optional(),
  ssl: z.boolean().default(false).describe("TLS to the server (certificate verified)"),
  connect_timeout_ms: z.number().int().positive().default(15000),
  /** Rows per batch when streaming results: the most rows a read holds at once. */
  fetch_rows: z.number().int().positive().default(10000),
  /**
   * How rows from other engines land: `local_infile` streams them through LOAD DATA LOCAL INFILE
   * (the server must allow local_infile); `insert` sends multi-row INSERTs of `insert_batch_rows`.
   */
  bulk_load: z.enum(["local_infile", "insert"]).default("local_infile"),
  insert_batch_rows: z.number().int().positive().default(1000),
  pool_max: z.number().int().positive().default(4),
});
export type MySqlConnection = z.infer<typeof MySqlConnection>;

export const ConnectionConfig = z.discriminatedUnion("type", [
  DuckDbConnection,
  SqlServerConnection,
  HiveConnection,
  PostgresConnection,
  MySqlConnection,
]);
export type ConnectionConfig = z.infer<typeof ConnectionConfig>;
