// Rows 1..n computed by a MySQL or MariaDB server, for suites that need many rows without a table.
/**
 * 1..n from cross joins of ten digits: MariaDB's seq_ tables are not MySQL's, and a recursive CTE
 * stops at max_recursive_iterations (1000 by default on MariaDB).
 */
export function seriesSql(n: number, chars: number): string {
  const digits =
    "(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 " +
    "UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)";
  const levels = Math.max(1, Math.ceil(Math.log10(n + 1)));
  const names = Array.from({ length: levels }, (_, k) => `d${k}`);
  const value = names.map((t, k) => `${t}.d * ${10 ** k}`).join(" + ");
  return `SELECT CAST(${value} + 1 AS SIGNED) AS i, REPEAT('x', ${chars}) AS payload FROM ${names.map((t) => `${digits} AS ${t}`).join(" CROSS JOIN ")} WHERE ${value} < ${n}`;
}
