// What PostgreSQL can do, as declared constants the runner and planner read through the contract.
import type { Capabilities } from "../contract.js";

export const POSTGRES_CAPABILITIES: Capabilities = {
  /**
   * True: CREATE, ALTER TABLE ... RENAME and DROP run inside a transaction and roll back with it,
   * so a swap (rename the old table away, rename the new one in, drop the old) commits as one unit.
   * Readers hold their lock on the old table until they finish; later ones see the new table.
   */
  supportsTransactionalDdl: true,
  /** True: merge, delete+insert and partition replacement commit all or nothing. */
  supportsTransactions: true,
  /** True: `merge` writes use MERGE (PostgreSQL 15 and later). */
  supportsMerge: true,
  /** False: named partitions are replaced by delete-where plus insert in one transaction. */
  supportsPartitionOverwrite: false,
  /** NAMEDATALEN - 1: longer identifiers are silently truncated by the server, so sluice shortens them itself. */
  maxIdentifierLength: 63,
};

/** NUMERIC's declared precision tops out at 1000 digits. */
export const POSTGRES_MAX_NUMERIC_PRECISION = 1000;
