// What Hive and the Spark Thrift Server can do, as sluice sees them, declared once.
import type { Capabilities } from "../contract.js";

export const hiveCapabilities: Capabilities = {
  /** The metastore keeps table names in a 128-character column; temporary names are cut to fit. */
  maxIdentifierLength: 128,
};

/** Rows of a partitions-mode overwrite per statement: one INSERT branch per partition. */
export const MAX_PARTITIONS_PER_STATEMENT = 100;
