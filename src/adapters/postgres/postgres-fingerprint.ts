// The fingerprint of an untracked PostgreSQL source (see src/planner/fingerprints.ts): its row
// count and the SUM of a 60-bit hash of each row's text. A sum, unlike an XOR, changes when a
// duplicate row is added or removed, so the fingerprint is that of the multiset of rows.
/** `<rows>:<hash sum>` of `relation` (already quoted), one query, order-independent. */
export function postgresFingerprintSql(relation: string): string {
  return [
    "SELECT count(*)::text || ':' ||",
    "  coalesce(sum(('x' || left(md5(sluice_row::text), 15))::bit(60)::bigint), 0)::text",
    `FROM ${relation} AS sluice_row`,
  ].join("\n");
}
