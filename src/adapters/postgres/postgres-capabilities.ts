// What PostgreSQL can do, as declared constants the runner and planner read through the contract.
// The write path relies on (not flags, since nothing else reads them): CREATE, ALTER TABLE ...
// RENAME and DROP run inside a transaction and roll back with it, so a swap commits as one unit;
// merge, delete+insert and partition replacement commit all or nothing; `merge` uses MERGE
// (PostgreSQL 15 and later); named partitions are replaced by delete-where plus insert.
import type { Capabilities } from "../contract.js";

export const POSTGRES_CAPABILITIES: Capabilities = {
  /**
   * NAMEDATALEN - 1: longer identifiers are silently truncated by the server, so sluice shortens them itself.
   */
  maxIdentifierLength: 63,
};

/** NUMERIC's declared precision tops out at 1000 digits. */
export const POSTGRES_MAX_NUMERIC_PRECISION = 1000;
