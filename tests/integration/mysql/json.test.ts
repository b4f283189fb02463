// A JSON column on a real MariaDB (or MySQL) server read through the MySQL adapter: it is text, the
// server's own, in a query, in a stream and after a load into DuckDB. mysql2 parses JSON into JS
// objects unless told otherwise (MariaDB's JSON is LONGTEXT, but the driver learns of it from
// MariaDB's extended column metadata), and an object in a text column is wrong data.
// Runs when SLUICE_TEST_MYSQL holds a connection URL; skipped otherwise.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Adapter, RowBatch } from "../../../src/adapters/contract.js";
import { createDuckDbAdapter, DuckDbEngine } from "../../../src/adapters/duckdb/index.js";
import { createMySqlAdapter } from "../../../src/adapters/mysql/index.js";
import { DuckDbConnection } from "../../../src/project/connection-schema.js";
import { queryDuckDb } from "../../helpers/duckdb.js";
import { mysqlConfig, NO_MYSQL, uniqueName } from "../servers.js";

const url = process.env["SLUICE_TEST_MYSQL"];
const suite = url ? describe : describe.skip;
if (!url)
  console.log("skipped: no MySQL/MariaDB server (set SLUICE_TEST_MYSQL, e.g. from `npm run mariadb:start`)");

const DOC = '{"a": 1, "b": [1, 2], "c": "x\\"y"}';

suite("a MySQL JSON column", () => {
  const database = uniqueName("json").toLowerCase();
  const adapter = (): Adapter => createMySqlAdapter("source", { ...mysqlConfig(url ?? NO_MYSQL), database });
  let serverText: string;

  beforeAll(async () => {
    const admin = createMySqlAdapter("admin", mysqlConfig(url ?? NO_MYSQL));
    const session = await admin.open();
    try {
      await session.execute(`CREATE DATABASE \`${database}\``);
      await session.execute(`CREATE TABLE \`${database}\`.docs (id INT, doc JSON)`);
      await session.execute(
        `INSERT INTO \`${database}\`.docs VALUES (1, '${DOC.replaceAll("\\", "\\\\")}'), (2, NULL)`,
      );
      // What the server prints for the stored document, whatever its JSON type keeps of the input.
      const { rows } = await session.query(`SELECT CAST(doc AS CHAR) FROM \`${database}\`.docs WHERE id = 1`);
      serverText = String(rows[0]?.[0]);
    } finally {
      await session.close();
      await admin.close();
    }
  });
  afterAll(async () => {
    const admin = createMySqlAdapter("admin", mysqlConfig(url ?? NO_MYSQL));
    const session = await admin.open();
    await session.execute(`DROP DATABASE IF EXISTS \`${database}\``).finally(() => session.close());
    await admin.close();
  });

  it("reads as the server's text in a query and in a stream", async () => {
    const source = adapter();
    const session = await source.open();
    try {
      const { columns, rows } = await session.query("SELECT id, doc FROM docs ORDER BY id");
      expect(columns[1]?.type).toEqual({ kind: "string" });
      expect(rows).toEqual([
        [1, serverText],
        [2, null],
      ]);
      const streamed: unknown[] = [];
      for await (const batch of session.stream("SELECT doc FROM docs ORDER BY id", 10))
        streamed.push(...cellsOf(batch));
      expect(streamed).toEqual([serverText, null]);
    } finally {
      await session.close();
      await source.close();
    }
  });

  it("lands in DuckDB as the same text", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sluice-json-"));
    const engine = new DuckDbEngine({ threads: 1 });
    const duck = createDuckDbAdapter(
      "lake",
      DuckDbConnection.parse({ type: "duckdb", path: "lake.duckdb" }),
      engine,
      dir,
      "json",
    );
    const source = adapter();
    const from = await source.open();
    const to = await duck.open();
    try {
      await duck.ensureSchema(to, "main");
      const batches = from.stream("SELECT id, doc FROM docs ORDER BY id", 10);
      await duck.load(to, { schema: "main", name: "docs" }, batches, { kind: "replace" });
    } finally {
      await from.close();
      await source.close();
      await to.close();
      await duck.close();
      await engine.close();
    }
    try {
      expect(
        await queryDuckDb(
          { lake: join(dir, "lake.duckdb") },
          "select id, doc from lake.main.docs order by id",
        ),
      ).toEqual([
        { id: 1, doc: serverText },
        { id: 2, doc: null },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The values of a one-column batch, whatever its vector encoding. */
function cellsOf(batch: RowBatch): unknown[] {
  const vector = batch.vectors[0] as { encoding: string; values?: unknown[] } | undefined;
  if (!vector?.values) throw new Error(`unexpected vector encoding ${vector?.encoding}`);
  return vector.values;
}
