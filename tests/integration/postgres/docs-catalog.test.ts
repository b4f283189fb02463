// The docs catalog suite (tests/integration/docs-catalog-on-server.ts) on a real PostgreSQL server.
// Runs when SLUICE_TEST_POSTGRES holds a connection URL; skipped otherwise.
import { describe } from "vitest";
import { createPostgresAdapter } from "../../../src/adapters/postgres/index.js";
import { docsCatalogSuite } from "../docs-catalog-on-server.js";
import { NO_POSTGRES, postgresConfig } from "../servers.js";

const url = process.env["SLUICE_TEST_POSTGRES"];
const suite = url ? describe : describe.skip;
if (!url)
  console.log("skipped: no PostgreSQL server (set SLUICE_TEST_POSTGRES, e.g. from `npm run pg:start`)");

suite("docs catalog on PostgreSQL", () => {
  const config = postgresConfig(url ?? NO_POSTGRES);
  docsCatalogSuite({
    connectionYaml: (schema) =>
      `{ type: postgres, host: ${config.host}, port: ${config.port}, database: ${config.database}, user: ${config.user}, ` +
      `password: "{{ env_var('SLUICE_TEST_PG_PASSWORD', '') }}", schema: ${schema} }`,
    env: { SLUICE_TEST_PG_PASSWORD: config.password ?? "" },
    adapter: () => createPostgresAdapter("admin", config),
    createSchemaSql: (schema) => `CREATE SCHEMA IF NOT EXISTS "${schema}"`,
    dropSchemaSql: (schema) => `DROP SCHEMA IF EXISTS "${schema}" CASCADE`,
  });
});
