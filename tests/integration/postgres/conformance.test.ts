// The adapter conformance suite against a real PostgreSQL server. Runs when SLUICE_TEST_POSTGRES
// holds a connection URL (`npm run pg:start` prints one; .ci/run starts a server); skipped otherwise.
import { afterAll, describe } from "vitest";
import { createPostgresAdapter } from "../../../src/adapters/postgres/index.js";
import { adapterConformance } from "../conformance.js";
import { postgresConfig, uniqueName } from "../servers.js";

const url = process.env["SLUICE_TEST_POSTGRES"];
const suite = url ? describe : describe.skip;
if (!url)
  console.log("skipped: no PostgreSQL server (set SLUICE_TEST_POSTGRES, e.g. from `npm run pg:start`)");

suite("PostgreSQL", () => {
  const schema = uniqueName("sluice_conf");
  const adapter = () => createPostgresAdapter("mart", postgresConfig(url!, { schema }), { runId: "conf" });
  adapterConformance({
    type: "postgres",
    schema,
    adapter,
    seriesSql: (n, chars) =>
      `SELECT g.i::bigint AS i, repeat('x', ${chars}) AS payload FROM generate_series(1, ${n}) AS g(i)`,
  });
  afterAll(async () => {
    const a = adapter();
    const s = await a.open();
    await s.execute(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await s.close();
    await a.close();
  });
});
