// "Incremental equals full" (tests/integration/sequences.ts) with the source on a real MariaDB
// (or MySQL) server. Runs when SLUICE_TEST_MYSQL holds a connection URL; skipped otherwise.
import { describe } from "vitest";
import { createMySqlAdapter } from "../../../src/adapters/mysql/index.js";
import { sequencesOnServer } from "../sequences.js";
import { mysqlConfig, NO_MYSQL } from "../servers.js";

const url = process.env["SLUICE_TEST_MYSQL"];
const suite = url ? describe : describe.skip;
if (!url)
  console.log("skipped: no MySQL/MariaDB server (set SLUICE_TEST_MYSQL, e.g. from `npm run mariadb:start`)");

suite("MySQL source", () => {
  const config = mysqlConfig(url ?? NO_MYSQL);
  sequencesOnServer({
    type: "mysql",
    adapter: () => createMySqlAdapter("admin", config),
    connectionYaml: (schema) =>
      `{ type: mysql, host: ${config.host}, port: ${config.port}, database: ${schema}, user: ${config.user}, ` +
      `password: "{{ env_var('SLUICE_TEST_MYSQL_PASSWORD', '') }}" }`,
    env: { SLUICE_TEST_MYSQL_PASSWORD: config.password ?? "" },
    yearMonth: "(YEAR(sale_date) * 100 + MONTH(sale_date))",
    dropSchemaSql: (schema) => `DROP DATABASE IF EXISTS \`${schema}\``,
  });
});
