// The adapter conformance suite against a real MariaDB (or MySQL) server. Runs when SLUICE_TEST_MYSQL
// holds a connection URL (`npm run mariadb:start` prints one; .ci/run starts a server); skipped otherwise.
import { afterAll, describe } from "vitest";
import { createMySqlAdapter } from "../../../src/adapters/mysql/index.js";
import { adapterConformance } from "../conformance.js";
import { mysqlConfig, uniqueName } from "../servers.js";
import { seriesSql } from "./series.js";

const url = process.env["SLUICE_TEST_MYSQL"];
const suite = url ? describe : describe.skip;
if (!url) console.log("skipped: no MySQL/MariaDB server (set SLUICE_TEST_MYSQL, e.g. from `npm run mariadb:start`)");

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
