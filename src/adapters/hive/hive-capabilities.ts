// What Hive and the Spark Thrift Server can do, as sluice sees them, declared once.
import type { Capabilities } from "../contract.js";

export const hiveCapabilities: Capabilities = {
  /** False: DDL auto-commits, so a table swap is two metastore renames, not one transaction. */
  supportsTransactionalDdl: false,
  /** False: plain (non-ACID) Hive tables and Spark have no multi-statement transactions. */
  supportsTransactions: false,
  /** False: MERGE needs ACID tables; sluice emulates merge by rebuilding beside and swapping. */
  supportsMerge: false,
  /** True: `INSERT OVERWRITE ... PARTITION (p='v')` replaces one partition whole. */
  supportsPartitionOverwrite: true,
  /** The metastore keeps table names in a 128-character column; temporary names are cut to fit. */
  maxIdentifierLength: 128,
};

/** Rows of a partitions-mode overwrite per statement: one INSERT branch per partition. */
export const MAX_PARTITIONS_PER_STATEMENT = 100;
