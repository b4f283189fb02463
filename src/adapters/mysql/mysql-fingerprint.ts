// The fingerprint of an untracked MySQL source (see src/planner/fingerprints.ts): its row count and
// the SUM of a 60-bit hash of each row. MySQL has no row-to-text, so the columns are listed first
// and each row's text is the QUOTE() of every column (QUOTE(NULL) is the bare word NULL, distinct
// from the string 'NULL'). A sum, unlike an XOR, changes when a duplicate row comes or goes.
import type { RelationName, Session } from "../contract.js";
import { mysqlDialect as d } from "./mysql-dialect.js";
import { columnsSql } from "./mysql-sql.js";

/** `<rows>:<hash sum>` of `rel`, order-independent. */
export function mysqlFingerprintSql(rel: RelationName, columns: string[]): string {
  if (columns.length === 0) throw new Error(`${d.relation(rel)} has no columns to fingerprint (does it exist?)`);
  const row = `CONCAT_WS(',', ${columns.map((c) => `QUOTE(${d.quoteIdentifier(c)})`).join(", ")})`;
  return [
    "SELECT CONCAT(COUNT(*), ':',",
    `  COALESCE(SUM(CAST(CONV(LEFT(MD5(${row}), 15), 16, 10) AS UNSIGNED)), 0))`,
    `FROM ${d.relation(rel)}`,
  ].join("\n");
}

export async function mysqlFingerprint(session: Session, rel: RelationName): Promise<string> {
  const { rows: columns } = await session.query(columnsSql(rel));
  const { rows } = await session.query(
    mysqlFingerprintSql(
      rel,
      columns.map((c) => String(c[0])),
    ),
  );
  return String(rows[0]?.[0] ?? "");
}
