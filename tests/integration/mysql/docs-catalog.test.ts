// The docs catalog suite (tests/integration/docs-catalog-on-server.ts) on a real MySQL/MariaDB
// server. Runs when SLUICE_TEST_MYSQL holds a connection URL; skipped otherwise.
import { describe } from "vitest";
import { createMySqlAdapter } from "../../../src/adapters/mysql/index.js";
import { docsCatalogSuite } from "../docs-catalog-on-server.js";
import { mysqlConfig, NO_MYSQL } from "../servers.js";

const url = process.env["SLUICE_TEST_MYSQL"];
const suite = url ? describe : describe.skip;
if (!url)
  console.log("skipped: no MySQL/MariaDB server (set SLUICE_TEST_MYSQL, e.g. from `npm run mariadb:start`)");

suite("docs catalog on MySQL", () => {
  const config = mysqlConfig(url ?? NO_MYSQL);
  docsCatalogSuite({
    connectionYaml: (schema) =>
      `{ type: mysql, host: ${config.host}, port: ${config.port}, database: ${schema}, user: ${config.user}, ` +
      `password: "{{ env_var('SLUICE_TEST_MYSQL_PASSWORD', '') }}" }`,
    env: { SLUICE_TEST_MYSQL_PASSWORD: config.password ?? "" },
    adapter: () => createMySqlAdapter("admin", config),
    createSchemaSql: (schema) => `CREATE DATABASE IF NOT EXISTS \`${schema}\``,
    dropSchemaSql: (schema) => `DROP DATABASE IF EXISTS \`${schema}\``,
  });
});
