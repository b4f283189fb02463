// What MySQL and MariaDB (InnoDB) can do, as declared constants the runner and planner read.
import type { Capabilities } from "../contract.js";

// The write path relies on (not flags, since nothing else reads them): every DDL statement commits
// the open transaction first (an implicit commit), so no DDL rolls back with a transaction. Instead
// one RENAME TABLE statement that names several renames is atomic (all of them or none, and no
// reader sees the name missing, since it waits on the table's metadata lock), so a swap is
// `RENAME TABLE t TO old, staging TO t` and only the DROP of the old table comes after it. A crash
// between the two leaves an `__sluice_old` table beside the target, never a missing or half-loaded
// target. On InnoDB merge, delete+insert and partition replacement (DML only) commit all or
// nothing; there is no MERGE, so `merge` runs as delete+insert.
export const MYSQL_CAPABILITIES: Capabilities = {
  /** MySQL and MariaDB refuse table names longer than 64 characters. */
  maxIdentifierLength: 64,
};

/** DECIMAL precision tops out at 65 digits, scale at 30. */
export const MYSQL_MAX_DECIMAL_PRECISION = 65;
export const MYSQL_MAX_DECIMAL_SCALE = 30;

/** VARCHAR(n) of utf8mb4 fits a 65,535-byte row only up to about 16,383 characters; longer is LONGTEXT. */
export const MYSQL_MAX_VARCHAR_LENGTH = 16383;
