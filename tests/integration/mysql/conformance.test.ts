// The adapter conformance suite against a real MariaDB (or MySQL) server. Runs when SLUICE_TEST_MYSQL
// holds a connection URL (`npm run mariadb:start` prints one; .ci/run starts a server); skipped otherwise.
import { afterAll, describe, expect, it } from "vitest";
import { createMySqlAdapter } from "../../../src/adapters/mysql/index.js";
import {
  adapterConformance,
  batchesOf,
  EXPECTED,
  readAll,
  TYPED_COLUMNS,
  TYPED_ROWS,
} from "../conformance.js";
import { mysqlConfig, uniqueName } from "../servers.js";
import { seriesSql } from "./series.js";

const url = process.env["SLUICE_TEST_MYSQL"];
const suite = url ? describe : describe.skip;
if (!url)
  console.log("skipped: no MySQL/MariaDB server (set SLUICE_TEST_MYSQL, e.g. from `npm run mariadb:start`)");

suite("MySQL", () => {
  const schema = uniqueName("sluice_conf");
  const adapter = () => createMySqlAdapter("mart", mysqlConfig(url!), { runId: "conf" });
  adapterConformance({
    type: "mysql",
    schema,
    adapter,
    seriesSql,
  });
  it("loads every type exactly through multi-row INSERTs too (bulk_load: insert)", async () => {
    const a = createMySqlAdapter("mart", mysqlConfig(url!, { bulk_load: "insert", insert_batch_rows: 2 }), {
      runId: "ins",
    });
    const s = await a.open();
    try {
      const rel = { schema, name: "typed_inserted" };
      await a.load(s, rel, batchesOf(TYPED_COLUMNS, TYPED_ROWS, 3), { kind: "replace" });
      expect(await readAll(s, `SELECT * FROM ${a.dialect.relation(rel)} ORDER BY id`)).toEqual(EXPECTED);
    } finally {
      await s.close();
      await a.close();
    }
  });
  afterAll(async () => {
    const a = createMySqlAdapter("admin", mysqlConfig(url!));
    const s = await a.open();
    await s.execute(`DROP DATABASE IF EXISTS \`${schema}\``);
    await s.close();
    await a.close();
  });
});
