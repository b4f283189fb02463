// The real SQL Server adapter, through the real `mssql`/tedious driver, against the TDS test double.
// These tests pin what goes over the wire (batches, RPCs, transaction requests, bulk-load chunks) and
// how replies are read back. The double executes no SQL: what the server would do with these
// statements is covered by the live suite in tests/integration/sqlserver/.
import sql from "mssql";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { batchFromRows, batchRows } from "../../src/adapters/batch.js";
import type { Adapter, Column, RelationName, RowBatch, Session } from "../../src/adapters/contract.js";
import { DuckDbEngine, createDuckDbAdapter } from "../../src/adapters/duckdb/index.js";
import { createSqlServerAdapter } from "../../src/adapters/sqlserver/index.js";
import { DuckDbConnection, SqlServerConnection } from "../../src/project/connection-schema.js";
import { TdsTestDouble, type RecordedEvent, type ScriptedColumn } from "../doubles/tds/index.js";

const double = new TdsTestDouble();
let adapter: Adapter;
let session: Session;
const sales: RelationName = { schema: "mart", name: "sales" };
const CHUNK = 10_000;

beforeAll(async () => {
  const port = await double.start();
  const config = SqlServerConnection.parse({
    type: "sqlserver",
    host: "127.0.0.1",
    port,
    database: "coolwear_mart",
    user: "sluice",
    password: "not-a-secret",
    encrypt: false,
    bulk_chunk_rows: CHUNK,
  });
  adapter = createSqlServerAdapter("mart", config, { runId: "wire", retryBaseDelayMs: 1 });
  session = await adapter.open();
});

afterEach(() => double.reset());

afterAll(async () => {
  await adapter.close();
  await double.close();
});

const batchText = (e: RecordedEvent): string => (e.kind === "batch" ? (e.text ?? "") : "");

const nv = (name: string, length = 128): ScriptedColumn => ({ name, type: { kind: "nvarchar", length } });
const int = (name: string): ScriptedColumn => ({ name, type: { kind: "int" } });

/** Scripts the introspection replies for an existing table `mart.sales` and a staging table's columns. */
function scriptExistingSales(columns: Array<[string, string, number, number, number]>): void {
  double.when((e) => /INFORMATION_SCHEMA\.TABLES/.test(batchText(e)) && batchText(e).includes("N'sales'"), {
    resultSets: [{ columns: [nv("TABLE_TYPE")], rows: [["BASE TABLE"]] }],
  });
  double.when((e) => /sys\.columns/.test(batchText(e)), {
    resultSets: [
      {
        columns: [nv("name"), nv("type_name"), int("max_length"), int("precision"), int("scale")],
        rows: columns,
      },
    ],
  });
}

/** Scripts a 25-row result of bigint, wide and narrow decimals, date, nvarchar, datetime2 and bit. */
function scriptSalesResult(): { query: string; loadedAt: Date } {
  const query = "SELECT id, amount, price, sold_on, name, loaded_at, flag FROM src.sales";
  double.when((e) => batchText(e).includes("dm_exec_describe_first_result_set"), {
    resultSets: [
      {
        columns: [nv("name"), nv("system_type_name"), int("precision"), int("scale")],
        rows: [
          ["id", "bigint", 19, 0],
          ["amount", "decimal(38,10)", 38, 10],
          ["price", "decimal(9,2)", 9, 2],
          ["sold_on", "date", 10, 0],
          ["name", "nvarchar(50)", 0, 0],
          ["loaded_at", "datetime2(7)", 27, 7],
          ["flag", "bit", 1, 0],
        ],
      },
    ],
  });
  const loadedAt = new Date("2021-08-01T12:34:56.789Z");
  double.when((e) => batchText(e).includes("CAST([amount] AS VARCHAR(48)) AS [amount]"), {
    resultSets: [
      {
        columns: [
          { name: "id", type: { kind: "bigint" } },
          { name: "amount", type: { kind: "nvarchar", length: 48 } },
          { name: "price", type: { kind: "decimal", precision: 9, scale: 2 } },
          { name: "sold_on", type: { kind: "date" } },
          { name: "name", type: { kind: "nvarchar", length: 50 } },
          { name: "loaded_at", type: { kind: "datetime2", scale: 7 } },
          { name: "flag", type: { kind: "bit" } },
        ],
        rows: Array.from({ length: 25 }, (_, i) => [
          9_007_199_254_740_993n + BigInt(i),
          i === 24 ? null : "12345678901234567890.1234567891",
          "19.90",
          "2021-08-01",
          "Łódź",
          loadedAt,
          i % 2 === 0,
        ]),
      },
    ],
  });
  return { query, loadedAt };
}

describe("SQL Server adapter on the wire (TDS test double)", () => {
  it("logs in with the configured database and sets XACT_ABORT for the whole session", () => {
    expect(double.logins.at(-1)).toMatchObject({ user: "sluice", database: "coolwear_mart" });
    const setup = double.events.find((e) => e.connectionSetup);
    expect(setup?.text).toMatch(/set xact_abort on/);
  });

  it("materializes a table by SELECT INTO staging, then swaps it in as ONE batch with XACT_ABORT and its own transaction", async () => {
    const result = await adapter.write(
      session,
      sales,
      "WITH s AS (SELECT 1 AS a) SELECT a FROM s ORDER BY a",
      { kind: "replace" },
    );
    expect(result.rowsAffected).toBe(0);
    const requests = double.requests();
    expect(requests.map((e) => e.kind)).toEqual(["batch", "batch"]);
    const [build, swap] = requests.map(batchText);
    expect(build).toMatch(/SELECT \*\nINTO \[mart\]\.\[sales__sluice_stg_wire_\d+\]/);
    expect(build).toContain("WITH s AS (SELECT 1 AS a)");
    const lines = (swap ?? "").split("\n");
    expect(lines.slice(0, 2)).toEqual(["SET XACT_ABORT ON;", "BEGIN TRANSACTION;"]);
    expect(lines.at(-1)).toBe("COMMIT TRANSACTION;");
    const renameAway = (swap ?? "").indexOf("sp_rename N'[mart].[sales]'");
    const renameIn = (swap ?? "").search(/sp_rename N'\[mart\]\.\[sales__sluice_stg_wire_\d+\]', N'sales'/);
    const dropOld = (swap ?? "").search(/DROP TABLE \[mart\]\.\[sales__sluice_old_wire_\d+\]/);
    expect(renameAway).toBeGreaterThan(0);
    expect(renameIn).toBeGreaterThan(renameAway);
    expect(dropOld).toBeGreaterThan(renameIn);
  });

  it("sends multi-statement work as SQL batches, never through sp_executesql", async () => {
    scriptExistingSales([
      ["sale_id", "bigint", 8, 19, 0],
      ["amount", "decimal", 9, 18, 2],
    ]);
    await session.execute("UPDATE mart.a SET x = 1;\nUPDATE mart.b SET y = 2;");
    await adapter.write(session, sales, "SELECT sale_id, amount FROM src.sales", {
      kind: "delete+insert",
      uniqueKey: ["sale_id"],
    });
    const requests = double.requests();
    expect(requests.filter((e) => e.kind !== "batch")).toEqual([]);
    expect(batchText(requests[0]!)).toBe("UPDATE mart.a SET x = 1;\nUPDATE mart.b SET y = 2;");
    const upsert = requests.map(batchText).find((t) => t.includes("DELETE [sluice_target]"));
    expect(upsert).toMatch(/^SET XACT_ABORT ON;\nBEGIN TRANSACTION;\nDELETE \[sluice_target\]/);
    expect(upsert).toContain("INSERT INTO [mart].[sales] ([sale_id], [amount])");
    expect(requests.map(batchText).at(-1)).toMatch(/DROP TABLE \[mart\]\.\[sales__sluice_tmp_wire_\d+\]/);
  });

  it("refuses a partition replacement with an empty partition set before sending anything", async () => {
    await expect(
      adapter.write(session, sales, "SELECT 1 AS a", {
        kind: "partitions",
        partitionBy: ["year_month"],
        partitions: [],
      }),
    ).rejects.toThrow(/partition set is empty/);
    expect(double.requests()).toEqual([]);
  });

  it("bulk-loads 25,000 rows in chunks of bulk_chunk_rows with bounded memory, decimals staged as exact text", async () => {
    const columns: Column[] = [
      { name: "sale_id", nativeType: "BIGINT", type: { kind: "integer", bits: 64 } },
      { name: "amount", nativeType: "DECIMAL(38,10)", type: { kind: "decimal", precision: 38, scale: 10 } },
      { name: "sold_on", nativeType: "DATE", type: { kind: "date" } },
      { name: "customer", nativeType: "NVARCHAR(100)", type: { kind: "string", length: 100 } },
    ];
    let produced = 0;
    let maxInFlight = 0;
    async function* source(): AsyncIterable<RowBatch> {
      for (let b = 0; b < 25; b++) {
        maxInFlight = Math.max(maxInFlight, produced - double.bulkRows);
        const rows = Array.from({ length: 1000 }, (_, i) => {
          const id = b * 1000 + i;
          return [
            9_007_199_254_740_993n + BigInt(id),
            "12345678901234567890.1234567891",
            "2021-08-01",
            `Łódź ${id}`,
          ];
        });
        produced += rows.length;
        yield batchFromRows(columns, rows);
      }
    }
    const result = await adapter.load(session, sales, source(), { kind: "replace" });
    expect(result.rowsAffected).toBe(25_000);
    const chunks = double.requests().filter((e) => e.kind === "bulk");
    expect(chunks.map((e) => e.rows)).toEqual([10_000, 10_000, 5_000]);
    expect(new Set(chunks.map((e) => e.connectionId)).size).toBe(1);
    expect(maxInFlight).toBeLessThanOrEqual(CHUNK + 1000);
    expect(chunks[0]?.text).toMatch(
      /^insert bulk \[mart\]\.\[sales__sluice_stg_wire_\d+\]\(\[sale_id\] bigint, \[amount\] nvarchar\(64\), \[sold_on\] date, \[customer\] nvarchar\(100\)\)/,
    );
    expect(chunks[0]?.firstRow).toEqual([
      9_007_199_254_740_993n,
      "12345678901234567890.1234567891",
      "2021-08-01",
      "Łódź 0",
    ]);
    const texts = double.requests().map(batchText);
    expect(texts[0]).toMatch(/CREATE TABLE \[mart\]\.\[sales__sluice_stg_wire_\d+\]/);
    expect(texts.some((t) => /CAST\(\[amount\] AS DECIMAL\(38,10\)\) AS \[amount\]/.test(t))).toBe(true);
    expect(texts.at(-1)).toMatch(/DROP TABLE \[mart\]\.\[sales__sluice_stg_wire_\d+\]/);
  });

  it("retries a swap that lost a deadlock (1205) on its first attempt, and succeeds", async () => {
    double.when(
      (e) => batchText(e).includes("sp_rename"),
      {
        error: {
          number: 1205,
          class: 13,
          message:
            "Transaction (Process ID 57) was deadlocked on lock resources with another process and has been chosen as the deadlock victim. Rerun the transaction.",
        },
      },
      1,
    );
    await expect(adapter.write(session, sales, "SELECT 1 AS a", { kind: "replace" })).resolves.toBeDefined();
    const swaps = double.requests().filter((e) => batchText(e).includes("sp_rename"));
    expect(swaps).toHaveLength(2);
    expect(swaps[0]?.text).toBe(swaps[1]?.text);
  });

  it("does not retry a deadlock inside a caller's transaction: the caller's whole unit failed", async () => {
    double.when(
      (e) => batchText(e).startsWith("UPDATE"),
      { error: { number: 1205, class: 13, message: "deadlock victim" } },
      1,
    );
    await expect(session.transaction(() => session.execute("UPDATE mart.a SET x = 1"))).rejects.toMatchObject(
      { number: 1205 },
    );
    const kinds = double.requests().map((e) => `${e.kind}:${e.kind === "txn" ? e.text : ""}`);
    expect(kinds).toEqual(["txn:begin", "batch:", "txn:rollback"]);
  });

  it("runs a transaction's work on the pinned connection inside the transaction, then commits", async () => {
    await session.transaction(async () => {
      await session.execute("DELETE FROM mart.a WHERE 1 = 0");
      await session.execute("INSERT INTO mart.a VALUES (1)");
    });
    const requests = double.requests();
    expect(requests.map((e) => e.kind)).toEqual(["txn", "batch", "batch", "txn"]);
    expect(requests.map((e) => e.text)).toEqual([
      "begin",
      "DELETE FROM mart.a WHERE 1 = 0",
      "INSERT INTO mart.a VALUES (1)",
      "commit",
    ]);
    expect(requests.slice(1, 3).every((e) => e.inTransaction)).toBe(true);
    expect(new Set(requests.map((e) => e.connectionId)).size).toBe(1);
  });

  it("streams a result set in batches, mapping bigint, wide decimals, dates, nvarchar, datetime2 and bit", async () => {
    const { query, loadedAt } = scriptSalesResult();
    const batches: RowBatch[] = [];
    for await (const batch of session.stream(query, 10)) {
      await new Promise((resolve) => setTimeout(resolve, 5)); // a slow consumer: the driver is paused meanwhile
      batches.push(batch);
    }
    expect(batches.map((b) => b.rowCount)).toEqual([10, 10, 5]);
    const columns = batches[0]?.columns ?? [];
    expect(columns.map((c) => c.nativeType)).toEqual([
      "BIGINT",
      "DECIMAL(38,10)",
      "DECIMAL(9,2)",
      "DATE",
      "NVARCHAR(50)",
      "DATETIME2(7)",
      "BIT",
    ]);
    expect(columns[1]?.type).toEqual({ kind: "decimal", precision: 38, scale: 10 });
    expect(batchRows(batches[0]!)[0]).toEqual([
      9_007_199_254_740_993n,
      "12345678901234567890.1234567891",
      "19.90",
      "2021-08-01",
      "Łódź",
      loadedAt,
      true,
    ]);
    expect(batchRows(batches[2]!)[4]?.[1]).toBeNull();
    expect(double.requests().filter((e) => e.kind === "rpc")).toEqual([]);
  });

  it("bulk-loads a DuckDB stream (typed column batches) with every value as DuckDB holds it", async () => {
    const engine = new DuckDbEngine();
    const duck = createDuckDbAdapter(
      "lake",
      DuckDbConnection.parse({ type: "duckdb", path: ":memory:" }),
      engine,
      ".",
      "wire",
    );
    try {
      const source = await duck.open();
      const select = `SELECT (9007199254740993 + i)::BIGINT AS sale_id, (i * 1.25 - 3)::DECIMAL(18, 2) AS amount, DATE '0099-12-31' + i::INTEGER AS sold_on,
        TIMESTAMP '2021-08-01 12:34:56.789' + to_seconds(i) AS sold_at, 'Łódź ' || i AS customer, i % 2 = 0 AS paid, CASE WHEN i > 0 THEN i END::INTEGER AS n
        FROM range(3000) r(i)`;
      const result = await adapter.load(session, sales, source.stream(select), { kind: "replace" });
      expect(result.rowsAffected).toBe(3000);
      const chunks = double.requests().filter((e) => e.kind === "bulk");
      expect(chunks.map((e) => e.rows)).toEqual([3000]);
      expect(chunks[0]?.text).toMatch(
        /\(\[sale_id\] bigint, \[amount\] nvarchar\(\d+\), \[sold_on\] date, \[sold_at\] datetime2\(\d\), \[customer\] nvarchar\(\w+\), \[paid\] bit, \[n\] int\)/,
      );
      expect(chunks[0]?.firstRow).toEqual([
        9_007_199_254_740_993n,
        "-3.00",
        "0099-12-31",
        new Date("2021-08-01T12:34:56.789Z"),
        "Łódź 0",
        true,
        null,
      ]);
    } finally {
      await engine.close();
    }
  });

  it("lands a streamed result in DuckDB with every value as SQL Server sent it", async () => {
    const { query, loadedAt } = scriptSalesResult();
    const engine = new DuckDbEngine();
    const duck = createDuckDbAdapter(
      "lake",
      DuckDbConnection.parse({ type: "duckdb", path: ":memory:" }),
      engine,
      ".",
      "wire",
    );
    try {
      const target = await duck.open();
      const landed: RelationName = { database: "lake", schema: "main", name: "sales" };
      expect(
        (await duck.load(target, landed, session.stream(query, 10), { kind: "replace" })).rowsAffected,
      ).toBe(25);
      const { columns, rows } = await target.query(`SELECT * FROM lake.main.sales ORDER BY id`);
      expect(columns.map((c) => c.nativeType)).toEqual([
        "BIGINT",
        "DECIMAL(38,10)",
        "DECIMAL(9,2)",
        "DATE",
        "VARCHAR",
        "TIMESTAMP",
        "BOOLEAN",
      ]);
      expect(rows[0]).toEqual([
        9_007_199_254_740_993n,
        "12345678901234567890.1234567891",
        "19.90",
        "2021-08-01",
        "Łódź",
        loadedAt,
        true,
      ]);
      expect(rows[24]).toEqual([9_007_199_254_741_017n, null, "19.90", "2021-08-01", "Łódź", loadedAt, true]);
      expect(rows.filter((r) => r[6] === false)).toHaveLength(12);
    } finally {
      await engine.close();
    }
  });

  it("pauses the driver while a full batch waits for a slow consumer (at most one batch of rows in hand)", async () => {
    const rows = Array.from({ length: 30_000 }, (_, i) => [`${"x".repeat(100)}${i}`]);
    double.when((e) => batchText(e) === "SELECT note FROM src.notes", {
      resultSets: [{ columns: [nv("note", 200)], rows }],
    });
    // Counts rows the driver hands over between two takes by the consumer.
    const proto = sql.Request.prototype as unknown as {
      emit: (event: string, ...args: unknown[]) => boolean;
    };
    const emit = proto.emit;
    let sinceTake = 0;
    let most = 0;
    proto.emit = function (this: unknown, event: string, ...args: unknown[]) {
      if (event === "row") most = Math.max(most, ++sinceTake);
      return emit.call(this, event, ...args);
    };
    let total = 0;
    try {
      for await (const batch of session.stream("SELECT note FROM src.notes", 1000)) {
        sinceTake = 0;
        total += batch.rowCount;
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    } finally {
      proto.emit = emit;
    }
    expect(total).toBe(30_000);
    expect(most).toBeLessThanOrEqual(1000);
  });

  it("streams a query with no wide decimals as is, without wrapping it", async () => {
    double.when((e) => batchText(e) === "SELECT 1 AS one", {
      resultSets: [{ columns: [int("one")], rows: [[1]] }],
    });
    const result = await session.query("SELECT 1 AS one");
    expect(result.rows).toEqual([[1]]);
    expect(result.columns).toEqual([{ name: "one", nativeType: "INT", type: { kind: "integer", bits: 32 } }]);
    expect(double.requests().map(batchText).at(-1)).toBe("SELECT 1 AS one");
  });

  it("rejects with the server's error number and message, and the session stays usable", async () => {
    double.when((e) => batchText(e).startsWith("SELEC FROM"), {
      error: { number: 102, message: "Incorrect syntax near 'FROM'." },
    });
    await expect(session.execute("SELEC FROM nowhere")).rejects.toMatchObject({
      number: 102,
      message: "Incorrect syntax near 'FROM'.",
    });
    expect(double.requests().filter((e) => batchText(e).startsWith("SELEC"))).toHaveLength(1);
    await expect(session.execute("SELECT 1")).resolves.toEqual({ rowsAffected: 0 });
  });

  it("cancels a stream the caller stops early, and the session stays usable", async () => {
    double.when((e) => batchText(e) === "SELECT n FROM src.many", {
      resultSets: [{ columns: [int("n")], rows: Array.from({ length: 5000 }, (_, i) => [i]) }],
    });
    for await (const batch of session.stream("SELECT n FROM src.many", 100)) {
      expect(batchRows(batch)[0]).toEqual([0]);
      break;
    }
    await expect(session.execute("SELECT 2")).resolves.toEqual({ rowsAffected: 0 });
  });

  it("reports the server version", async () => {
    double.when((e) => batchText(e) === "SELECT @@VERSION;", {
      resultSets: [{ columns: [nv("v", 200)], rows: [["Microsoft SQL Server 2022 (TDS test double)"]] }],
    });
    expect(await adapter.version(session)).toBe("Microsoft SQL Server 2022 (TDS test double)");
  });
});
