// What SQL Server can do, as declared constants the runner and planner read through the contract.
import type { Capabilities } from "../contract.js";

export const SQL_SERVER_CAPABILITIES: Capabilities = {
  /**
   * True: CREATE/DROP/sp_rename run inside a transaction and roll back with it, so a table swap
   * (rename old away, rename staging in, drop old) commits as one unit and readers never see a gap.
   */
  supportsTransactionalDdl: true,
  /** True: merge, delete+insert and partition replacement commit all or nothing. */
  supportsTransactions: true,
  /** True: `merge` writes use T-SQL MERGE (with HOLDLOCK so concurrent upserts do not race). */
  supportsMerge: true,
  /**
   * False: SQL Server has no INSERT OVERWRITE; named partitions are replaced by delete-where-partition-in
   * plus insert in one transaction, which gives the same all-or-nothing result.
   */
  supportsPartitionOverwrite: false,
  /** sysname is NVARCHAR(128): longer identifiers are refused by the server. */
  maxIdentifierLength: 128,
};

/** DECIMAL/NUMERIC precision tops out at 38 digits. */
export const SQL_SERVER_MAX_DECIMAL_PRECISION = 38;

/** NVARCHAR(n) allows n up to 4000; anything longer is NVARCHAR(MAX). */
export const SQL_SERVER_MAX_NVARCHAR_LENGTH = 4000;

/**
 * Decimals up to this precision survive tedious' conversion to a JS number exactly (every decimal of
 * at most 15 significant digits round-trips through an IEEE double); wider ones are read as text.
 */
export const EXACT_NUMBER_DECIMAL_PRECISION = 15;
