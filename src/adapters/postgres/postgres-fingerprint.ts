// The fingerprint SQL of an untracked PostgreSQL source; the text lives in the dialect (see
// postgres-dialect.ts), kept here under its old name for the adapter's exports.
import { postgresDialect } from "./postgres-dialect.js";

/** `<rows>:<hash sum>` of `relation` (already quoted), one query, order-independent. */
export function postgresFingerprintSql(relation: string): string {
  return postgresDialect.fingerprintSql(relation);
}
