// The pipeline suite (tests/integration/pipeline.ts) with source and mart on a real MariaDB (or
// MySQL) server. Runs when SLUICE_TEST_MYSQL holds a connection URL; skipped otherwise.
import { describe } from "vitest";
import { createMySqlAdapter } from "../../../src/adapters/mysql/index.js";
import { pipelineSuite } from "../pipeline.js";
import { mysqlConfig, NO_MYSQL } from "../servers.js";
import { seriesSql } from "./series.js";

const url = process.env["SLUICE_TEST_MYSQL"];
const suite = url ? describe : describe.skip;
if (!url)
  console.log("skipped: no MySQL/MariaDB server (set SLUICE_TEST_MYSQL, e.g. from `npm run mariadb:start`)");

suite("MySQL pipeline", () => {
  const config = mysqlConfig(url ?? NO_MYSQL);
  pipelineSuite({
    type: "mysql",
    host: config.host,
    port: config.port,
    adapter: () => createMySqlAdapter("admin", config),
    connectionYaml: (schema, port) =>
      `{ type: mysql, host: ${config.host}, port: ${port}, database: ${schema}, user: ${config.user}, ` +
      `password: "{{ env_var('SLUICE_TEST_MYSQL_PASSWORD', '') }}" }`,
    env: { SLUICE_TEST_MYSQL_PASSWORD: config.password ?? "" },
    yearMonth: "(YEAR(sale_date) * 100 + MONTH(sale_date))",
    seriesSql: (n) => seriesSql(n, 0),
    dropSchemaSql: (schema) => `DROP DATABASE IF EXISTS \`${schema}\``,
    dayOf2026: (days) => `DATE_ADD(DATE '2026-01-01', INTERVAL (${days}) DAY)`,
  });
});
