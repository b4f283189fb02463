// examples/star-schema with its OLTP database and its mart on a real MariaDB server (the
// production shape of its profiles.yml, with the lake embedded): the same rows give the same star
// schema as the embedded build, table by table, from empty and after a day of changes, and the
// build after the changes equals a full refresh, surrogate keys included. Runs when
// SLUICE_TEST_MYSQL holds a connection URL; skipped otherwise. The OLTP database keeps the
// example's name, `classicmodels` (the sources name it), so two runs of this suite must not share
// one server at the same time.
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMySqlAdapter } from "../../../src/adapters/mysql/index.js";
import {
  buildExample,
  copyExample,
  type ExampleCopy,
  lastActions,
  runExampleOperation,
} from "../../helpers/examples.js";
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

  /** Every table of the embedded mart, as sorted text rows, from the embedded mart and the server's. */
  async function marts(): Promise<{
    embedded: Record<string, string[][]>;
    server: Record<string, string[][]>;
  }> {
    const names = await queryDuckDb(
      { mart: copy.file("mart") },
      "select table_name from information_schema.tables where table_catalog = 'mart' order by 1",
    );
    const embedded: Record<string, string[][]> = {};
    const server: Record<string, string[][]> = {};
    for (const { table_name } of names) {
      const table = String(table_name);
      const rows = await embeddedRows(copy.file("mart"), table);
      expect(rows.rows.length, table).toBeGreaterThan(0);
      embedded[table] = rows.rows;
      server[table] = await serverRows(adapter(mart), `\`${mart}\`.\`${table}\``, rows.columns);
    }
    return { embedded, server };
  }

  async function copySource(): Promise<void> {
    const tables = await copySourceTables(copy, "classicmodels", adapter(config!.database), {
      schema: "classicmodels",
    });
    expect(tables).toEqual(expect.arrayContaining(["orders", "orderdetails", "customers"]));
  }

  let fromEmpty: Record<string, string[][]>;

  it("builds from the server's OLTP tables the same star schema in the server's mart", async () => {
    buildExample(copy, ["--vars", "{classic_orders: 800}"]);
    await copySource();
    buildExample(copy, ["--target", "server"], env);
    // The server target has neither an embedded source nor an embedded mart.
    expect(existsSync(copy.file("source", "server"))).toBe(false);
    expect(existsSync(copy.file("mart", "server"))).toBe(false);

    const { embedded, server } = await marts();
    expect(Object.keys(embedded)).toEqual(
      expect.arrayContaining(["dim_customer", "fact_order_lines", "sales_by_country_product_line"]),
    );
    for (const table of Object.keys(embedded)) expect(server[table], table).toEqual(embedded[table]);
    fromEmpty = server;
  });

  it("after a day of OLTP changes, builds the embedded star schema, equal to a full refresh", async () => {
    runExampleOperation(copy, "classic_mutate", '{day: "2026-01-10", seed: 1}');
    buildExample(copy);
    await copySource();
    buildExample(copy, ["--target", "server"], env);
    // Every model is a table: the build after the changes rebuilds each one from the lake.
    expect(new Set(Object.values(lastActions(copy)))).toEqual(new Set(["build_table"]));

    const { embedded, server } = await marts();
    for (const table of Object.keys(embedded)) {
      expect(server[table], table).toEqual(embedded[table]);
      // The day's changes reached every table of the mart.
      expect(server[table], table).not.toEqual(fromEmpty[table]);
    }
    buildExample(copy, ["--target", "server", "--full-refresh"], env);
    expect((await marts()).server).toEqual(server);

    // A surrogate key is the md5 of its natural key (macros/surrogate_key.sql): a customer or
    // product that was there before the changes keeps its key through them and through the full
    // refresh, so a fact row never points at another dimension row after a rebuild. The columns are
    // the dimensions' first two: the key, then the natural key.
    for (const table of ["dim_customer", "dim_product"]) {
      const before = new Map(fromEmpty[table]!.map(([key, natural]) => [natural, key]));
      const kept = server[table]!.filter(([, natural]) => before.has(natural!));
      // The day deletes no customer and no product.
      expect(kept.length, table).toBe(before.size);
      for (const [key, natural] of kept) expect(key, `${table} ${natural}`).toBe(before.get(natural!));
    }
  });
});
