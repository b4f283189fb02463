// "Incremental equals full" (tests/integration/sequences.ts) with the source on a real PostgreSQL
// server. Runs when SLUICE_TEST_POSTGRES holds a connection URL; skipped otherwise.
import { describe } from "vitest";
import { createPostgresAdapter } from "../../../src/adapters/postgres/index.js";
import { sequencesOnServer } from "../sequences.js";
import { postgresConfig, NO_POSTGRES } from "../servers.js";

const url = process.env["SLUICE_TEST_POSTGRES"];
const suite = url ? describe : describe.skip;
if (!url)
  console.log("skipped: no PostgreSQL server (set SLUICE_TEST_POSTGRES, e.g. from `npm run pg:start`)");

suite("PostgreSQL source", () => {
  const config = postgresConfig(url ?? NO_POSTGRES);
  sequencesOnServer({
    type: "postgres",
    adapter: () => createPostgresAdapter("admin", config),
    connectionYaml: (schema) =>
      `{ type: postgres, host: ${config.host}, port: ${config.port}, database: ${config.database}, user: ${config.user}, ` +
      `password: "{{ env_var('SLUICE_TEST_PG_PASSWORD', '') }}", schema: ${schema} }`,
    env: { SLUICE_TEST_PG_PASSWORD: config.password ?? "" },
    yearMonth: "(EXTRACT(YEAR FROM sale_date)::int * 100 + EXTRACT(MONTH FROM sale_date)::int)",
    dropSchemaSql: (schema) => `DROP SCHEMA IF EXISTS "${schema}" CASCADE`,
  });
});
