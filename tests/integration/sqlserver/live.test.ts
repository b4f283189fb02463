// The SQL Server adapter against a real SQL Server: the semantics the TDS test double cannot give
// (SELECT INTO, sp_rename swaps, MERGE, partition replacement, bulk load, deadlocks, rollbacks).
// Runs only when SLUICE_TEST_MSSQL holds a connection string; otherwise it is reported as skipped.
// Everything it creates lives in a schema of its own, dropped at the end.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchFromRows } from "../../../src/adapters/batch.js";
import type {
  Adapter,
  CellValue,
  Column,
  RelationName,
  RowBatch,
  Session,
} from "../../../src/adapters/contract.js";
import { createSqlServerAdapter } from "../../../src/adapters/sqlserver/index.js";
import { parseSqlServerConnectionString } from "./connection-string.js";

const connectionString = process.env.SLUICE_TEST_MSSQL;
const SKIPPED = "skipped: no SQL Server (set SLUICE_TEST_MSSQL)";
if (!connectionString) console.log(SKIPPED);
const suite = connectionString ? describe : describe.skip;

const runId = `live${Date.now().toString(36)}`;
const schema = `sluice_${runId}`;
const rel = (name: string): RelationName => ({ schema, name });

suite(connectionString ? "SQL Server live" : SKIPPED, () => {
  let adapter: Adapter;
  let session: Session;

  const rows = async (sql: string): Promise<CellValue[][]> => (await session.query(sql)).rows;
  const sorted = (r: CellValue[][]): CellValue[][] =>
    [...r].sort((a, b) => String(a[0]).localeCompare(String(b[0]), "en", { numeric: true }));

  beforeAll(async () => {
    const config = { ...parseSqlServerConnectionString(connectionString ?? ""), bulk_chunk_rows: 10_000 };
    adapter = createSqlServerAdapter("mart", config, { runId, retryBaseDelayMs: 50 });
    session = await adapter.open();
    await adapter.ensureSchema(session, schema);
  });

  afterAll(async () => {
    if (!session) return;
    await session.execute(
      [
        "DECLARE @sql NVARCHAR(MAX) = N'';",
        `SELECT @sql += N'DROP VIEW ' + QUOTENAME(s.name) + N'.' + QUOTENAME(v.name) + N';' FROM sys.views v JOIN sys.schemas s ON s.schema_id = v.schema_id WHERE s.name = N'${schema}';`,
        `SELECT @sql += N'DROP TABLE ' + QUOTENAME(s.name) + N'.' + QUOTENAME(t.name) + N';' FROM sys.tables t JOIN sys.schemas s ON s.schema_id = t.schema_id WHERE s.name = N'${schema}';`,
        "EXEC sp_executesql @sql;",
        `IF SCHEMA_ID(N'${schema}') IS NOT NULL EXEC(N'DROP SCHEMA [${schema}]');`,
      ].join("\n"),
    );
    await adapter.close();
  });

  it("reports a SQL Server version and creates its schema idempotently", async () => {
    expect(await adapter.version(session)).toMatch(/Microsoft SQL Server/);
    await adapter.ensureSchema(session, schema);
    expect(await rows(`SELECT COUNT(*) FROM sys.schemas WHERE name = N'${schema}'`)).toEqual([[1]]);
  });

  const salesSql = (amountSuffix: string) => `
    WITH base AS (
      SELECT CAST(9007199254740993 AS BIGINT) AS sale_id, CAST('12345678901234567890.123456789${amountSuffix}' AS DECIMAL(38,10)) AS amount,
             CAST('2021-08-01' AS DATE) AS sold_on, N'Łódź' AS city, CAST('2021-08-01T12:34:56.789' AS DATETIME2(6)) AS loaded_at,
             CAST(1 AS BIT) AS is_return, N'202108' AS year_month
      UNION ALL
      SELECT 2, 19.9, '2021-09-15', N'Porto', '2021-09-15T00:00:00', CAST(0 AS BIT), N'202109'
    )
    SELECT * FROM base ORDER BY sale_id;`;

  it("materializes a table from a model with CTEs and ORDER BY, and reads every type back exactly", async () => {
    await adapter.write(session, rel("sales"), salesSql("1"), { kind: "replace" });
    expect(await adapter.introspector(session).relationKind(rel("sales"))).toBe("table");
    const cols = await adapter.introspector(session).columns(rel("sales"));
    expect(cols.map((c) => c.nativeType)).toEqual([
      "BIGINT",
      "DECIMAL(38,10)",
      "DATE",
      "NVARCHAR(5)",
      "DATETIME2(6)",
      "BIT",
      "NVARCHAR(6)",
    ]);
    const result = await session.query(
      `SELECT sale_id, amount, sold_on, city, loaded_at, is_return FROM [${schema}].[sales] WHERE sale_id > 2`,
    );
    expect(result.rows).toEqual([
      [
        9007199254740993n,
        "12345678901234567890.1234567891",
        "2021-08-01",
        "Łódź",
        new Date("2021-08-01T12:34:56.789Z"),
        true,
      ],
    ]);
    expect(result.columns[1]?.type).toEqual({ kind: "decimal", precision: 38, scale: 10 });
  });

  it("replaces a table atomically: concurrent readers always see a full table, and no temporary table is left", async () => {
    const reader = await adapter.open();
    let stop = false;
    const seen: number[] = [];
    const poll = (async () => {
      while (!stop) {
        const r = await reader.query(`SELECT COUNT(*) AS n FROM [${schema}].[sales]`);
        seen.push(Number(r.rows[0]?.[0]));
      }
    })();
    try {
      for (let i = 0; i < 5; i++)
        await adapter.write(session, rel("sales"), salesSql(String(i)), { kind: "replace" });
    } finally {
      stop = true;
      await poll;
      await reader.close();
    }
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((n) => n === 2)).toBe(true);
    expect(
      await rows(
        `SELECT COUNT(*) FROM sys.tables t JOIN sys.schemas s ON s.schema_id = t.schema_id WHERE s.name = N'${schema}' AND t.name LIKE N'%[_][_]sluice[_]%'`,
      ),
    ).toEqual([[0]]);
  });

  it("turns a table into a view and back inside one transaction each", async () => {
    await adapter.write(session, rel("shape"), "SELECT 1 AS a", { kind: "replace" });
    await adapter.createView(session, rel("shape"), "SELECT 2 AS a ORDER BY a");
    expect(await adapter.introspector(session).relationKind(rel("shape"))).toBe("view");
    expect(await rows(`SELECT a FROM [${schema}].[shape]`)).toEqual([[2]]);
    await adapter.write(session, rel("shape"), "SELECT 3 AS a", { kind: "replace" });
    expect(await adapter.introspector(session).relationKind(rel("shape"))).toBe("table");
    await adapter.dropRelation(session, rel("shape"));
    expect(await adapter.introspector(session).relationKind(rel("shape"))).toBeNull();
  });

  it("appends, deletes+inserts and merges on a unique key", async () => {
    const target = rel("orders");
    await adapter.write(session, target, "SELECT 1 AS id, N'a' AS v UNION ALL SELECT 2, N'b'", {
      kind: "append",
    });
    await adapter.write(session, target, "SELECT 3 AS id, N'c' AS v", { kind: "append" });
    await adapter.write(session, target, "SELECT 2 AS id, N'B' AS v", {
      kind: "delete+insert",
      uniqueKey: ["id"],
    });
    await adapter.write(session, target, "SELECT 3 AS id, N'C' AS v UNION ALL SELECT 4, N'd'", {
      kind: "merge",
      uniqueKey: ["id"],
    });
    expect(sorted(await rows(`SELECT id, v FROM [${schema}].[orders]`))).toEqual([
      [1, "a"],
      [2, "B"],
      [3, "C"],
      [4, "d"],
    ]);
  });

  it("replaces only the named partitions and refuses an empty partition set", async () => {
    const target = rel("monthly");
    const initial =
      "SELECT N'202108' AS ym, 1 AS n UNION ALL SELECT N'202109', 2 UNION ALL SELECT N'202110', 3";
    await adapter.write(session, target, initial, {
      kind: "partitions",
      partitionBy: ["ym"],
      partitions: [["202108"], ["202109"], ["202110"]],
    });
    const rebuild =
      "SELECT N'202108' AS ym, 10 AS n UNION ALL SELECT N'202109', 20 UNION ALL SELECT N'202110', 30 UNION ALL SELECT N'202110', 31";
    await adapter.write(session, target, rebuild, {
      kind: "partitions",
      partitionBy: ["ym"],
      partitions: [["202108"], ["202110"]],
    });
    expect(sorted(await rows(`SELECT ym, n FROM [${schema}].[monthly] ORDER BY ym, n`))).toEqual([
      ["202108", 10],
      ["202109", 2],
      ["202110", 30],
      ["202110", 31],
    ]);
    await expect(
      adapter.write(session, target, rebuild, { kind: "partitions", partitionBy: ["ym"], partitions: [] }),
    ).rejects.toThrow(/partition set is empty/);
    expect(await rows(`SELECT COUNT(*) FROM [${schema}].[monthly]`)).toEqual([[4]]);
  });

  it("bulk-loads 25,000 rows from another engine in chunks, keeping every decimal digit", async () => {
    const columns: Column[] = [
      { name: "id", nativeType: "BIGINT", type: { kind: "integer", bits: 64 } },
      { name: "amount", nativeType: "DECIMAL(38,10)", type: { kind: "decimal", precision: 38, scale: 10 } },
      { name: "day", nativeType: "DATE", type: { kind: "date" } },
      { name: "label", nativeType: "NVARCHAR(50)", type: { kind: "string", length: 50 } },
      { name: "at", nativeType: "DATETIME2(6)", type: { kind: "timestamp" } },
      { name: "flag", nativeType: "BIT", type: { kind: "boolean" } },
      { name: "blob", nativeType: "VARBINARY(MAX)", type: { kind: "binary" } },
    ];
    async function* source(): AsyncIterable<RowBatch> {
      for (let b = 0; b < 25; b++) {
        yield batchFromRows(
          columns,
          Array.from({ length: 1000 }, (_, i) => {
            const id = b * 1000 + i;
            return [
              BigInt(id) + 9_007_199_254_740_000n,
              `12345678901234567890.${String(id).padStart(10, "0")}`,
              "2021-08-01",
              `Łódź ${id}`,
              new Date(Date.UTC(2021, 7, 1, 0, 0, id % 60)),
              id % 2 === 0,
              new Uint8Array([id % 256]),
            ];
          }),
        );
      }
    }
    const result = await adapter.load(session, rel("landed"), source(), { kind: "replace" });
    expect(result.rowsAffected).toBe(25_000);
    expect(await rows(`SELECT COUNT(*) FROM [${schema}].[landed]`)).toEqual([[25_000]]);
    const sample = await rows(
      `SELECT id, amount, day, label, flag FROM [${schema}].[landed] WHERE id = 9007199254764999`,
    );
    expect(sample).toEqual([
      [9_007_199_254_764_999n, "12345678901234567890.0000024999", "2021-08-01", "Łódź 24999", false],
    ]);
  });

  it("rolls a session transaction back when its work throws", async () => {
    await adapter.write(session, rel("ledger"), "SELECT 1 AS id", { kind: "replace" });
    await expect(
      session.transaction(async () => {
        await session.execute(`INSERT INTO [${schema}].[ledger] (id) VALUES (2)`);
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await rows(`SELECT id FROM [${schema}].[ledger]`)).toEqual([[1]]);
  });

  it("retries a batch chosen as deadlock victim (1205) and then succeeds", async () => {
    await adapter.write(session, rel("lock_a"), "SELECT 1 AS id, 0 AS v", { kind: "replace" });
    await adapter.write(session, rel("lock_b"), "SELECT 1 AS id, 0 AS v", { kind: "replace" });
    const other = await adapter.open();
    let victim: Promise<unknown> = Promise.resolve();
    try {
      await session.transaction(async () => {
        await session.execute(`UPDATE [${schema}].[lock_a] SET v = 1`);
        // The other session takes lock_b, then waits for lock_a; it volunteers as the victim.
        victim = other.execute(
          [
            "SET DEADLOCK_PRIORITY LOW;",
            "SET XACT_ABORT ON;",
            "BEGIN TRANSACTION;",
            `UPDATE [${schema}].[lock_b] SET v = v + 10;`,
            `UPDATE [${schema}].[lock_a] SET v = v + 10;`,
            "COMMIT TRANSACTION;",
          ].join("\n"),
        );
        await new Promise((resolve) => setTimeout(resolve, 500));
        await session.execute(`UPDATE [${schema}].[lock_b] SET v = 1`);
      });
      // The victim's retry waits on our locks until we commit, so it is awaited after the commit.
      await victim;
    } finally {
      await other.close();
    }
    expect(await rows(`SELECT v FROM [${schema}].[lock_a]`)).toEqual([[11]]);
    expect(await rows(`SELECT v FROM [${schema}].[lock_b]`)).toEqual([[11]]);
  }, 60_000);
});
