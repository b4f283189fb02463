// What embedded DuckDB can do, as declared constants.
import type { Capabilities } from "../contract.js";

export const DUCKDB_CAPABILITIES: Capabilities = {
  /** CREATE, DROP and RENAME roll back with their transaction: a table swap is one transaction. */
  supportsTransactionalDdl: true,
  supportsTransactions: true,
  /** Upserts run as delete+insert in one transaction, which DuckDB makes atomic. */
  supportsMerge: false,
  /** Partitions are rows of a table (database file) or versioned Parquet folders (lake). */
  supportsPartitionOverwrite: true,
  maxIdentifierLength: 255,
};
