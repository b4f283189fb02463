// The Hive adapter against a real Spark Thrift Server (scripts/spark/start.sh). Runs only when
// SLUICE_TEST_SPARK=host:port is set; otherwise the suite is reported as skipped, saying why.
import { beforeAll, expect, it } from "vitest";
import { batchFromRows, batchRows } from "../../../src/adapters/batch.js";
import type {
  Adapter,
  Column,
  RelationName,
  Row,
  RowBatch,
  Session,
} from "../../../src/adapters/contract.js";
import {
  createHiveAdapter,
  EmptyPartitionSetError,
  HiveConnectionError,
} from "../../../src/adapters/hive/index.js";
import type { HiveIntrospector } from "../../../src/adapters/hive/hive-introspector.js";
import { SKIP_REASON, sparkConfig, sparkEndpoint, sparkSuite, useSparkSchema } from "./spark-schema.js";

const config = (overrides: Record<string, unknown> = {}) =>
  sparkConfig({ insert_batch_rows: 2, fetch_rows: 3, ...overrides });

sparkSuite(sparkEndpoint ? "Hive adapter on a real Spark Thrift Server" : SKIP_REASON, () => {
  const spark = useSparkSchema("sluice_it", () => config());
  const schema = spark.schema;
  const sales: RelationName = { schema, name: "sales_history" };
  let adapter: Adapter;
  let session: Session;
  let introspector: HiveIntrospector;
  beforeAll(() => ({ adapter, session, introspector } = spark));

  const salesSelect = (rows: Array<[number, string, number]>) =>
    `SELECT CAST(sale_id AS BIGINT) AS sale_id, CAST(amount AS DECIMAL(18,2)) AS amount, CAST(year_month AS INT) AS year_month\n` +
    `FROM VALUES ${rows.map(([id, amount, ym]) => `(${id}, '${amount}', ${ym})`).join(", ")} AS v(sale_id, amount, year_month)`;
  const salesRows = async () =>
    (
      await session.query(
        `SELECT sale_id, amount, year_month FROM ${adapter.dialect.relation(sales)} ORDER BY sale_id`,
      )
    ).rows;

  it("reports the engine version", async () => {
    expect(await adapter.version(session)).toMatch(/^HiveServer2 3\.5\./);
  });

  it("creates a Parquet table partitioned by year_month", async () => {
    await adapter.write(
      session,
      sales,
      salesSelect([
        [1, "10.00", 202101],
        [2, "20.00", 202102],
        [3, "30.00", 202103],
      ]),
      {
        kind: "replace",
        partitionBy: ["year_month"],
      },
    );
    expect(await introspector.relationKind(sales)).toBe("table");
    expect(await introspector.partitions(sales)).toEqual([["202101"], ["202102"], ["202103"]]);
    const columns = await introspector.columns(sales);
    expect(columns.map((c) => [c.name, c.nativeType])).toEqual([
      ["sale_id", "BIGINT"],
      ["amount", "DECIMAL(18,2)"],
      ["year_month", "INT"],
    ]);
    expect(await introspector.partitionColumns(sales)).toEqual(["year_month"]);
  });

  it("replaces exactly the two named partitions and leaves the third untouched", async () => {
    // The query also returns a row for 202103, which is not named: it must not land.
    // 202102 has no rows any more: the partition must end up empty (and be dropped).
    await adapter.write(
      session,
      sales,
      salesSelect([
        [11, "11.00", 202101],
        [12, "12.00", 202101],
        [99, "99.00", 202103],
      ]),
      {
        kind: "partitions",
        partitionBy: ["year_month"],
        partitions: [["202101"], ["202102"]],
      },
    );
    expect(await salesRows()).toEqual([
      [3n, "30.00", 202103],
      [11n, "11.00", 202101],
      [12n, "12.00", 202101],
    ]);
    expect(await introspector.partitions(sales)).toEqual([["202101"], ["202103"]]);
  });

  it("replaces a TIMESTAMP partition named in two spellings once, keeping its rows", async () => {
    // The planner gathers dirty partitions from the source (a DuckDB TIMESTAMPTZ prints `+00`) and
    // from the lake (Spark prints none): both name one partition, which must keep its new rows.
    const stamped: RelationName = { schema, name: "stamped" };
    const rowsAt = (ids: number[], at: string) =>
      `SELECT CAST(id AS BIGINT) AS id, CAST('${at}' AS TIMESTAMP) AS at FROM VALUES ${ids.map((i) => `(${i})`).join(", ")} AS v(id)`;
    await adapter.write(session, stamped, rowsAt([1], "2026-01-02 00:30:00"), {
      kind: "replace",
      partitionBy: ["at"],
    });
    await adapter.write(session, stamped, rowsAt([2, 3], "2026-01-02 00:30:00"), {
      kind: "partitions",
      partitionBy: ["at"],
      partitions: [["2026-01-02 00:30:00+00"], ["2026-01-02 00:30:00"]],
    });
    const { rows } = await session.query(
      `SELECT id, CAST(at AS STRING) FROM ${adapter.dialect.relation(stamped)} ORDER BY id`,
    );
    expect(rows).toEqual([
      [2n, "2026-01-02 00:30:00"],
      [3n, "2026-01-02 00:30:00"],
    ]);
    await expect(
      adapter.write(session, stamped, rowsAt([4], "2026-01-02 00:30:00"), {
        kind: "partitions",
        partitionBy: ["at"],
        partitions: [["not a time"]],
      }),
    ).rejects.toThrow(/cannot replace partition at = 'not a time' .*: it is not a TIMESTAMP/);
  });

  it("refuses an overwrite with an empty partition set and changes nothing", async () => {
    const before = await salesRows();
    await expect(
      adapter.write(session, sales, salesSelect([[50, "1.00", 202101]]), {
        kind: "partitions",
        partitionBy: ["year_month"],
        partitions: [],
      }),
    ).rejects.toThrow(EmptyPartitionSetError);
    await expect(
      adapter.load(session, sales, batchesOf([]), {
        kind: "partitions",
        partitionBy: ["year_month"],
        partitions: [],
      }),
    ).rejects.toThrow(EmptyPartitionSetError);
    expect(await salesRows()).toEqual(before);
  });

  it("appends rows into their partitions", async () => {
    await adapter.write(session, sales, salesSelect([[20, "20.50", 202104]]), { kind: "append" });
    expect((await salesRows()).map((r) => r[0])).toEqual([3n, 11n, 12n, 20n]);
    expect(await introspector.partitions(sales)).toContainEqual(["202104"]);
  });

  it("merges on the unique key: updates matches, inserts the rest, keeps the others", async () => {
    await adapter.write(
      session,
      sales,
      salesSelect([
        [11, "111.00", 202101],
        [30, "30.00", 202105],
      ]),
      { kind: "merge", uniqueKey: ["sale_id"] },
    );
    expect(await salesRows()).toEqual([
      [3n, "30.00", 202103],
      [11n, "111.00", 202101],
      [12n, "12.00", 202101],
      [20n, "20.50", 202104],
      [30n, "30.00", 202105],
    ]);
    expect(await introspector.partitionColumns(sales)).toEqual(["year_month"]);
    await adapter.write(session, sales, salesSelect([[12, "0.12", 202101]]), {
      kind: "delete+insert",
      uniqueKey: ["sale_id"],
    });
    expect((await salesRows()).find((r) => r[0] === 12n)).toEqual([12n, "0.12", 202101]);
  });

  it("creates a view over the table and replaces it", async () => {
    const view: RelationName = { schema, name: "v_sales" };
    await adapter.createView(
      session,
      view,
      `SELECT sale_id FROM ${adapter.dialect.relation(sales)} WHERE year_month = 202101`,
    );
    expect(await introspector.relationKind(view)).toBe("view");
    await adapter.createView(
      session,
      view,
      `SELECT sale_id, amount FROM ${adapter.dialect.relation(sales)} WHERE year_month = 202101`,
    );
    const { columns, rows } = await session.query(
      `SELECT * FROM ${adapter.dialect.relation(view)} ORDER BY sale_id`,
    );
    expect(columns.map((c) => c.name)).toEqual(["sale_id", "amount"]);
    expect(rows).toEqual([
      [11n, "111.00"],
      [12n, "0.12"],
    ]);
    await adapter.dropRelation(session, view);
    expect(await introspector.relationKind(view)).toBeNull();
  });

  it("replaces a whole table by swapping in a new one, even when its columns change", async () => {
    const rel: RelationName = { schema, name: "daily" };
    await adapter.write(session, rel, "SELECT 1 AS a", { kind: "replace" });
    await adapter.write(session, rel, "SELECT 2 AS a, 'x' AS b", { kind: "replace" });
    expect((await session.query(`SELECT * FROM ${adapter.dialect.relation(rel)}`)).rows).toEqual([[2, "x"]]);
    const leftovers = (await session.query(`SHOW TABLES IN \`${schema}\``)).rows.filter((r) =>
      String(r[1]).includes("__sluice_"),
    );
    expect(leftovers).toEqual([]);
  });

  const everyRow: Row[] = [
    [
      1,
      9007199254740993n,
      "12345678901234567890.123456789012345678",
      0.1,
      "Zoë's café — 東京 \\ \n",
      "2021-08-31",
      new Date(Date.UTC(2021, 7, 31, 23, 59, 59, 123)),
      true,
      new Uint8Array([0, 1, 255]),
    ],
    [
      2,
      9223372036854775807n,
      "-0.000000000000000001",
      -1.5e300,
      "plain",
      "1999-12-31",
      new Date(Date.UTC(1970, 0, 1)),
      false,
      new Uint8Array([]),
    ],
    [
      3,
      -9223372036854775808n,
      "99999999999999999999.999999999999999999",
      0,
      "",
      "2024-02-29",
      new Date(Date.UTC(2024, 1, 29, 12)),
      true,
      new Uint8Array([42]),
    ],
    [4, null, null, null, null, null, null, null, null],
    [
      5,
      0n,
      "0.000000000000000000",
      2.5,
      "🙂 emoji",
      "0001-01-01",
      new Date(Date.UTC(2038, 0, 19, 3, 14, 8)),
      false,
      null,
    ],
  ];

  it("loads rows of every logical type from an async iterable and reads them back identical", async () => {
    const rel: RelationName = { schema, name: "every_type" };
    const result = await adapter.load(
      session,
      rel,
      batchesOf([everyRow.slice(0, 2), everyRow.slice(2, 3), everyRow.slice(3)]),
      { kind: "replace" },
    );
    expect(result.rowsAffected).toBe(everyRow.length);
    const { columns, rows } = await session.query(
      `SELECT * FROM ${adapter.dialect.relation(rel)} ORDER BY id`,
    );
    expect(columns.map((c) => c.nativeType)).toEqual(everyTypeColumns().map((c) => c.nativeType));
    expect(rows).toEqual(everyRow);
    const streamed: Row[] = [];
    for await (const batch of session.stream(
      `SELECT * FROM ${adapter.dialect.relation(rel)} ORDER BY id`,
      2,
    )) {
      expect(batch.rowCount).toBeLessThanOrEqual(2);
      streamed.push(...batchRows(batch));
    }
    expect(streamed).toEqual(everyRow);
  });

  it("loads rows into named partitions of an existing table", async () => {
    const columns: Column[] = [
      { name: "sale_id", type: { kind: "integer", bits: 64 }, nativeType: "BIGINT" },
      { name: "amount", type: { kind: "decimal", precision: 18, scale: 2 }, nativeType: "DECIMAL(18,2)" },
      { name: "year_month", type: { kind: "integer", bits: 32 }, nativeType: "INT" },
    ];
    const before = await salesRows();
    const result = await adapter.load(
      session,
      sales,
      (async function* () {
        yield batchFromRows(columns, [[40n, "40.00", 202104]]);
      })(),
      { kind: "partitions", partitionBy: ["year_month"], partitions: [["202104"]] },
    );
    expect(result.rowsAffected).toBe(1);
    const after = await salesRows();
    expect(after.filter((r) => r[2] === 202104)).toEqual([[40n, "40.00", 202104]]);
    expect(after.filter((r) => r[2] !== 202104)).toEqual(before.filter((r) => r[2] !== 202104));
  });

  it("fails fast with a clear error when the auth mode does not match the server", async () => {
    const wrong = createHiveAdapter(
      "lake",
      config({ auth: "plain", user: "sluice", password: "x", connect_timeout_ms: 5000 }),
    );
    const started = Date.now();
    const error = await wrong.open().then(
      () => null,
      (e: unknown) => e,
    );
    const elapsed = Date.now() - started;
    await wrong.close();
    expect(error).toBeInstanceOf(HiveConnectionError);
    expect(String((error as Error).message)).toMatch(/auth/);
    expect(elapsed).toBeLessThan(15_000);
  });

  it("reports a clear error for a bad statement and keeps the session usable", async () => {
    await expect(session.query("SELECT no_such_column FROM VALUES (1) AS v(a)")).rejects.toThrow(
      /no_such_column/,
    );
    expect((await session.query("SELECT 1")).rows).toEqual([[1]]);
  });
});

function batchesOf(groups: Row[][]): AsyncIterable<RowBatch> {
  const columns = groups.length > 0 ? everyTypeColumns() : [];
  return (async function* () {
    for (const rows of groups) yield batchFromRows(columns, rows);
  })();
}

function everyTypeColumns(): Column[] {
  return [
    { name: "id", type: { kind: "integer", bits: 32 }, nativeType: "INT" },
    { name: "big", type: { kind: "integer", bits: 64 }, nativeType: "BIGINT" },
    { name: "amount", type: { kind: "decimal", precision: 38, scale: 18 }, nativeType: "DECIMAL(38,18)" },
    { name: "ratio", type: { kind: "float", bits: 64 }, nativeType: "DOUBLE" },
    { name: "name", type: { kind: "string" }, nativeType: "STRING" },
    { name: "day", type: { kind: "date" }, nativeType: "DATE" },
    { name: "at", type: { kind: "timestamp" }, nativeType: "TIMESTAMP" },
    { name: "flag", type: { kind: "boolean" }, nativeType: "BOOLEAN" },
    { name: "raw", type: { kind: "binary" }, nativeType: "BINARY" },
  ];
}
