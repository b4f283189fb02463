// The adapter conformance suite against a real MariaDB (or MySQL) server. Runs when SLUICE_TEST_MYSQL
// holds a connection URL (`npm run mariadb:start` prints one; .ci/run starts a server); skipped otherwise.
import { afterAll, describe } from "vitest";
import { createMySqlAdapter } from "../../../src/adapters/mysql/index.js";
import { adapterConformance } from "../conformance.js";
import { mysqlConfig, uniqueName } from "../servers.js";

const url = process.env["SLUICE_TEST_MYSQL"];
const suite = url ? describe : describe.skip;
if (!url) console.log("skipped: no MySQL/MariaDB server (set SLUICE_TEST_MYSQL, e.g. from `npm run mariadb:start`)");

/**
 * 1..n from cross joins of ten digits: MariaDB's seq_ tables are not MySQL's, and a recursive CTE
 * stops at max_recursive_iterations (1000 by default on MariaDB).
 */
export function seriesSql(n: number, chars: number): string {
  const digits = "(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 " +
    "UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)";
  const levels = Math.max(1, Math.ceil(Math.log10(n + 1)));
  const names = Array.from({ length: levels }, (_, k) => `d${k}`);
  const value = names.map((t, k) => `${t}.d * ${10 ** k}`).join(" + ");
  return `SELECT CAST(${value} + 1 AS SIGNED) AS i, REPEAT('x', ${chars}) AS payload FROM ${names.map((t) => `${digits} AS ${t}`).join(" CROSS JOIN ")} WHERE ${value} < ${n}`;
}

suite("MySQL", () => {
  const schema = uniqueName("sluice_conf");
  const adapter = () => createMySqlAdapter("mart", mysqlConfig(url!), { runId: "conf" });
  adapterConformance({
    type: "mysql",
    schema,
    adapter,
    seriesSql,
  });
  afterAll(async () => {
    const a = createMySqlAdapter("admin", mysqlConfig(url!));
    const s = await a.open();
    await s.execute(`DROP DATABASE IF EXISTS \`${schema}\``);
    await s.close();
    await a.close();
  });
});
