// The fingerprint of an untracked MySQL source, for callers holding a relation name rather than
// its SQL: the dialect's two queries (the columns, then the hash of the rows; see mysql-dialect.ts).
import type { RelationName, Session } from "../contract.js";
import { mysqlDialect as d } from "./mysql-dialect.js";

/** `<rows>:<hash sum>` of `rel`, order-independent. */
export function mysqlFingerprintSql(rel: RelationName, columns: string[]): string {
  return d.fingerprintSql(d.relation(rel), columns);
}

export async function mysqlFingerprint(session: Session, rel: RelationName): Promise<string> {
  const { rows: columns } = await session.query(d.fingerprintColumnsSql(rel));
  const { rows } = await session.query(
    mysqlFingerprintSql(
      rel,
      columns.map((c) => String(c[0])),
    ),
  );
  return String(rows[0]?.[0] ?? "");
}
