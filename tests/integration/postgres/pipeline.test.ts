// The pipeline suite (tests/integration/pipeline.ts) with source and mart on a real PostgreSQL
// server. Runs when SLUICE_TEST_POSTGRES holds a connection URL; skipped otherwise.
import { describe } from "vitest";
import { createPostgresAdapter } from "../../../src/adapters/postgres/index.js";
import { pipelineSuite } from "../pipeline.js";
import { postgresConfig, NO_POSTGRES } from "../servers.js";

const url = process.env["SLUICE_TEST_POSTGRES"];
const suite = url ? describe : describe.skip;
if (!url)
  console.log("skipped: no PostgreSQL server (set SLUICE_TEST_POSTGRES, e.g. from `npm run pg:start`)");

suite("PostgreSQL pipeline", () => {
  const config = postgresConfig(url ?? NO_POSTGRES);
  pipelineSuite({
    type: "postgres",
    host: config.host,
    port: config.port,
    adapter: () => createPostgresAdapter("admin", config),
    connectionYaml: (schema, port) =>
      `{ type: postgres, host: ${config.host}, port: ${port}, database: ${config.database}, user: ${config.user}, ` +
      `password: "{{ env_var('SLUICE_TEST_PG_PASSWORD', '') }}", schema: ${schema} }`,
    env: { SLUICE_TEST_PG_PASSWORD: config.password ?? "" },
    yearMonth: "(EXTRACT(YEAR FROM sale_date)::int * 100 + EXTRACT(MONTH FROM sale_date)::int)",
    seriesSql: (n) => `SELECT g.i::int AS i FROM generate_series(1, ${n}) AS g(i)`,
    dropSchemaSql: (schema) => `DROP SCHEMA IF EXISTS "${schema}" CASCADE`,
    dayOf2026: (days) => `(DATE '2026-01-01' + (${days})::int)`,
  });
});
