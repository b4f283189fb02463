// examples/star-schema with its OLTP database and its mart on a real MariaDB server (the
// production shape of its profiles.yml, with the lake embedded): the same rows give the same star
// schema as the embedded build, table by table. Runs when SLUICE_TEST_MYSQL holds a connection
// URL; skipped otherwise. The OLTP database keeps the example's name, `classicmodels` (the
// sources name it), so two runs of this suite must not share one server at the same time.
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMySqlAdapter } from "../../../src/adapters/mysql/index.js";
import { buildExample, copyExample, type ExampleCopy } from "../../helpers/examples.js";
import { queryDuckDb } from "../../helpers/duckdb.js";
import { addServerTarget, copySourceTables, embeddedRows, serverRows } from "../examples-on-server.js";
import { mysqlConfig, uniqueName } from "../servers.js";

const url = process.env["SLUICE_TEST_MYSQL"];
const suite = url ? describe : describe.skip;
if (!url) console.log("skipped: no MySQL server (set SLUICE_TEST_MYSQL, e.g. from `npm run mariadb:start`)");

suite("examples/star-schema on MariaDB", () => {
  const config = url ? mysqlConfig(url) : undefined;
  const mart = uniqueName("classic_mart").toLowerCase();
  const env = { SLUICE_TEST_MYSQL_PASSWORD: config?.password ?? "" };
  const adapter = (db: string) => createMySqlAdapter("admin", { ...config!, database: db });
  const connection = (db: string) =>
    `{ type: mysql, host: ${config!.host}, port: ${config!.port ?? 3306}, database: ${db}, ` +
    `user: ${config!.user}, password: "{{ env_var('SLUICE_TEST_MYSQL_PASSWORD', '') }}" }`;
  let copy: ExampleCopy;

  async function onAdmin(...statements: string[]): Promise<void> {
    const admin = adapter(config!.database);
    const session = await admin.open();
    try {
      for (const sql of statements) await session.execute(sql);
    } finally {
      await session.close();
      await admin.close();
    }
  }

  beforeAll(async () => {
    copy = copyExample("star-schema");
    await onAdmin("DROP DATABASE IF EXISTS classicmodels", `CREATE DATABASE \`${mart}\``);
    addServerTarget(copy, "mart", { source: connection(config!.database), mart: connection(mart) });
  });
  afterAll(async () => {
    copy?.remove();
    if (config) await onAdmin("DROP DATABASE IF EXISTS classicmodels", `DROP DATABASE IF EXISTS \`${mart}\``);
  });

  it("builds from the server's OLTP tables the same star schema in the server's mart", async () => {
    buildExample(copy, ["--vars", "{classic_orders: 800}"]);
    const tables = await copySourceTables(copy, "classicmodels", adapter(config!.database), {
      schema: "classicmodels",
    });
    expect(tables).toEqual(expect.arrayContaining(["orders", "orderdetails", "customers"]));
    buildExample(copy, ["--target", "server"], env);
    // The server target has neither an embedded source nor an embedded mart.
    expect(existsSync(copy.file("source", "server"))).toBe(false);
    expect(existsSync(copy.file("mart", "server"))).toBe(false);

    const names = await queryDuckDb(
      { mart: copy.file("mart") },
      "select table_name from information_schema.tables where table_catalog = 'mart' order by 1",
    );
    expect(names.map((n) => n["table_name"])).toEqual(
      expect.arrayContaining(["dim_customer", "fact_order_lines", "sales_by_country_product_line"]),
    );
    for (const { table_name } of names) {
      const table = String(table_name);
      const embedded = await embeddedRows(copy.file("mart"), table);
      expect(embedded.rows.length, table).toBeGreaterThan(0);
      const onServer = await serverRows(adapter(mart), `\`${mart}\`.\`${table}\``, embedded.columns);
      expect(onServer, table).toEqual(embedded.rows);
    }
  });
});
