// Loads through a shared staging directory (`stage_dir`) against a real Spark Thrift Server
// (scripts/spark/start.sh): rows of every type land as Parquet files the server reads, every write
// mode applies from them, and the files and staging relations are gone afterwards, also on failure.
// Runs only when SLUICE_TEST_SPARK=host:port is set, with the server on this machine (it reads the
// files through file://); otherwise the suite is reported as skipped, saying why.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { batchFromRows } from "../../../src/adapters/batch.js";
import type {
  Adapter,
  Column,
  RelationName,
  Row,
  RowBatch,
  Session,
} from "../../../src/adapters/contract.js";
import { createHiveAdapter } from "../../../src/adapters/hive/index.js";
import type { HiveIntrospector } from "../../../src/adapters/hive/hive-introspector.js";
import { SKIP_REASON, sparkConfig, sparkEndpoint, sparkSuite, useSparkSchema } from "./spark-schema.js";

sparkSuite(
  sparkEndpoint ? "Hive adapter loads through Parquet files in a shared stage_dir" : SKIP_REASON,
  () => {
    // sluice writes through a symlink, the server reads the real path: `local` and `remote` differ.
    let root: string;
    let real: string;
    let local: string;
    let adapter: Adapter;
    let session: Session;
    let introspector: HiveIntrospector;

    const config = (overrides: Record<string, unknown> = {}) =>
      sparkConfig({ stage_dir: { local, remote: `file://${real}` }, ...overrides });
    const q = (rel: RelationName) => adapter.dialect.relation(rel);
    const leftovers = async () => ({
      files: readdirSync(real),
      relations: (await session.query(`SHOW TABLES IN \`${schema}\``)).rows
        .map((r) => String(r[1]))
        .filter((n) => n.includes("__sluice_")),
    });

    beforeAll(() => {
      root = mkdtempSync(join(tmpdir(), "sluice-stage-it-"));
      real = join(root, "shared");
      local = join(root, "mounted");
      mkdirSync(real);
      symlinkSync(real, local);
    });
    const spark = useSparkSchema("sluice_stage_it", () => config());
    const schema = spark.schema;
    beforeAll(() => ({ adapter, session, introspector } = spark));
    afterAll(() => {
      if (root) rmSync(root, { recursive: true, force: true });
    });

    it("loads rows of every type as Parquet files and reads them back identical", async () => {
      const rel: RelationName = { schema, name: "every_type" };
      const { session: recorded, statements } = recording(session);
      const result = await adapter.load(
        recorded,
        rel,
        batches(everyTypeColumns(), [everyRow.slice(0, 2), everyRow.slice(2, 3), everyRow.slice(3)]),
        {
          kind: "replace",
        },
      );
      expect(result.rowsAffected).toBe(everyRow.length);
      expect(statements.some((s) => s.startsWith("CREATE EXTERNAL TABLE"))).toBe(true);
      expect(statements.some((s) => /\bVALUES\b/.test(s))).toBe(false);
      const { columns, rows } = await session.query(`SELECT * FROM ${q(rel)} ORDER BY id`);
      expect(columns.map((c) => c.nativeType)).toEqual(everyTypeColumns().map((c) => c.nativeType));
      expect(rows).toEqual(everyRow);
      expect(await leftovers()).toEqual({ files: [], relations: [] });
    });

    it("keeps timestamps to the microsecond and shifts no value by a time zone", async () => {
      const rel: RelationName = { schema, name: "micros" };
      const columns: Column[] = [
        { name: "id", type: { kind: "integer", bits: 32 }, nativeType: "INT" },
        { name: "at", type: { kind: "timestamp" }, nativeType: "TIMESTAMP" },
      ];
      const batch: RowBatch = {
        columns,
        rowCount: 3,
        vectors: [
          { encoding: "int32", values: Int32Array.of(1, 2, 3) },
          // 2021-08-31 23:59:59.123456, 1969-12-31 23:59:59.999999 and 2021-03-28 01:30:00 UTC (a DST gap in Europe).
          { encoding: "int64", values: BigInt64Array.of(1630454399123456n, -1n, 1616895000000000n) },
        ],
      };
      await adapter.load(
        session,
        rel,
        (async function* () {
          yield batch;
        })(),
        { kind: "replace" },
      );
      const { rows } = await session.query(
        `SELECT id, CAST(at AS STRING), CAST(unix_micros(at) AS STRING) FROM ${q(rel)} ORDER BY id`,
      );
      expect(rows).toEqual([
        [1, "2021-08-31 23:59:59.123456", "1630454399123456"],
        [2, "1969-12-31 23:59:59.999999", "-1"],
        [3, "2021-03-28 01:30:00", "1616895000000000"],
      ]);
    });

    const sales: RelationName = { schema, name: "sales" };
    const salesColumns: Column[] = [
      { name: "sale_id", type: { kind: "integer", bits: 64 }, nativeType: "BIGINT" },
      { name: "amount", type: { kind: "decimal", precision: 18, scale: 2 }, nativeType: "DECIMAL(18,2)" },
      { name: "year_month", type: { kind: "integer", bits: 32 }, nativeType: "INT" },
    ];
    const salesRows = async () =>
      (await session.query(`SELECT sale_id, amount, year_month FROM ${q(sales)} ORDER BY sale_id`)).rows;

    it("replaces a partitioned table, appends to it, and overwrites only the named partitions", async () => {
      await adapter.load(
        session,
        sales,
        batches(salesColumns, [
          [
            [1n, "9999999999999999.99", 202101],
            [2n, "-0.01", 202102],
          ],
          [[3n, "30.00", 202103]],
        ]),
        { kind: "replace", partitionBy: ["year_month"] },
      );
      expect(await introspector.partitionColumns(sales)).toEqual(["year_month"]);
      expect(await salesRows()).toEqual([
        [1n, "9999999999999999.99", 202101],
        [2n, "-0.01", 202102],
        [3n, "30.00", 202103],
      ]);

      await adapter.load(
        session,
        sales,
        batches(salesColumns, [
          [
            [4n, "4.00", 202103],
            [5n, "5.00", 202104],
          ],
        ]),
        { kind: "append" },
      );
      expect((await salesRows()).map((r) => r[0])).toEqual([1n, 2n, 3n, 4n, 5n]);

      // 202101 gets new rows, 202102 gets none (so it empties), 202103 and 202104 are not named: a
      // row for 202103 in the load must not land, and their rows must stay.
      const result = await adapter.load(
        session,
        sales,
        batches(salesColumns, [
          [
            [11n, "11.00", 202101],
            [12n, "12.00", 202101],
            [99n, "99.00", 202103],
          ],
        ]),
        { kind: "partitions", partitionBy: ["year_month"], partitions: [["202101"], ["202102"]] },
      );
      expect(result.rowsAffected).toBe(3);
      expect(await salesRows()).toEqual([
        [3n, "30.00", 202103],
        [4n, "4.00", 202103],
        [5n, "5.00", 202104],
        [11n, "11.00", 202101],
        [12n, "12.00", 202101],
      ]);
      expect(await introspector.partitions(sales)).toEqual([["202101"], ["202103"], ["202104"]]);
      expect(await leftovers()).toEqual({ files: [], relations: [] });
    });

    it("merges on the unique key from staged files", async () => {
      await adapter.load(
        session,
        sales,
        batches(salesColumns, [
          [
            [11n, "111.00", 202101],
            [30n, "30.00", 202105],
          ],
        ]),
        { kind: "merge", uniqueKey: ["sale_id"] },
      );
      const rows = await salesRows();
      expect(rows.find((r) => r[0] === 11n)).toEqual([11n, "111.00", 202101]);
      expect(rows.find((r) => r[0] === 30n)).toEqual([30n, "30.00", 202105]);
      expect(rows).toHaveLength(6);
    });

    it("empties a named partition when the load brings no batch at all", async () => {
      await adapter.load(session, sales, (async function* (): AsyncGenerator<RowBatch> {})(), {
        kind: "partitions",
        partitionBy: ["year_month"],
        partitions: [["202105"]],
      });
      expect((await salesRows()).filter((r) => r[2] === 202105)).toEqual([]);
      expect(await leftovers()).toEqual({ files: [], relations: [] });
    });

    it("removes the staged files and relations when applying the mode fails", async () => {
      const before = await salesRows();
      const wrongPartitioning = adapter.load(
        session,
        sales,
        batches(salesColumns, [[[50n, "1.00", 202101]]]),
        {
          kind: "partitions",
          partitionBy: ["sale_id"],
          partitions: [["50"]],
        },
      );
      await expect(wrongPartitioning).rejects.toThrow(/partitioned by \(year_month\)/);
      expect(await leftovers()).toEqual({ files: [], relations: [] });
      expect(await salesRows()).toEqual(before);
    });

    it("removes the staged files when the incoming rows fail half way", async () => {
      const before = await salesRows();
      const failing = (async function* () {
        yield batchFromRows(salesColumns, [[60n, "1.00", 202101]]);
        throw new Error("source went away");
      })();
      await expect(adapter.load(session, sales, failing, { kind: "append" })).rejects.toThrow(
        "source went away",
      );
      expect(await leftovers()).toEqual({ files: [], relations: [] });
      expect(await salesRows()).toEqual(before);
    });

    it("loads a hundred thousand rows in many batches exactly", async () => {
      const rel: RelationName = { schema, name: "many" };
      const total = 100_000;
      const perBatch = 7_000;
      const columns: Column[] = [
        { name: "id", type: { kind: "integer", bits: 64 }, nativeType: "BIGINT" },
        { name: "amount", type: { kind: "decimal", precision: 18, scale: 2 }, nativeType: "DECIMAL(18,2)" },
        { name: "label", type: { kind: "string" }, nativeType: "STRING" },
      ];
      const result = await adapter.load(
        session,
        rel,
        (async function* () {
          for (let start = 0; start < total; start += perBatch) {
            const rows: Row[] = [];
            for (let i = start; i < Math.min(total, start + perBatch); i++)
              rows.push([BigInt(i), `${i}.${String(i % 100).padStart(2, "0")}`, `row ${i} ü`]);
            yield batchFromRows(columns, rows);
          }
        })(),
        { kind: "replace" },
      );
      expect(result.rowsAffected).toBe(total);
      const { rows } = await session.query(
        `SELECT count(*), sum(id), CAST(sum(amount) AS STRING), count(DISTINCT label) FROM ${q(rel)}`,
      );
      const sumIds = (BigInt(total) * BigInt(total - 1)) / 2n;
      const sumCents = Array.from({ length: total }, (_, i) => BigInt(i) * 100n + BigInt(i % 100)).reduce(
        (a, b) => a + b,
        0n,
      );
      expect(rows).toEqual([
        [
          BigInt(total),
          sumIds,
          `${sumCents / 100n}.${String(sumCents % 100n).padStart(2, "0")}`,
          BigInt(total),
        ],
      ]);
      expect(await leftovers()).toEqual({ files: [], relations: [] });
    });

    it("writes files that Hive's own Parquet reader (as Spark bundles it) reads identical", async () => {
      const hiveReader = createHiveAdapter(
        "lake",
        config({ session_conf: { "spark.sql.hive.convertMetastoreParquet": "false" } }),
      );
      const hiveSession = await hiveReader.open();
      try {
        const rel: RelationName = { schema, name: "every_type_serde" };
        await hiveReader.load(hiveSession, rel, batches(everyTypeColumns("name"), [everyRow]), {
          kind: "replace",
        });
        const { rows } = await hiveSession.query(`SELECT * FROM ${q(rel)} ORDER BY id`);
        expect(rows).toEqual(everyRow);
      } finally {
        await hiveReader.close();
      }
      expect(await leftovers()).toEqual({ files: [], relations: [] });
    });
  },
);

const everyRow: Row[] = [
  [
    1,
    9007199254740993n,
    "12345678901234567890.123456789012345678",
    "9999999999999999.99",
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
    "-9007199254740993.01",
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
    "0.00",
    0,
    "",
    "2024-02-29",
    new Date(Date.UTC(2024, 1, 29, 12)),
    true,
    new Uint8Array([42]),
  ],
  [4, null, null, null, null, null, null, null, null, null],
  [
    5,
    0n,
    "0.000000000000000000",
    "1.50",
    2.5,
    "🙂 emoji",
    "1200-03-01",
    new Date(Date.UTC(2038, 0, 19, 3, 14, 8)),
    false,
    null,
  ],
];

/** Every logical type; the string column's name has spaces, which Hive's own writer refuses. */
function everyTypeColumns(stringColumn = "Name With Space"): Column[] {
  return [
    { name: "id", type: { kind: "integer", bits: 32 }, nativeType: "INT" },
    { name: "big", type: { kind: "integer", bits: 64 }, nativeType: "BIGINT" },
    { name: "amount", type: { kind: "decimal", precision: 38, scale: 18 }, nativeType: "DECIMAL(38,18)" },
    { name: "price", type: { kind: "decimal", precision: 18, scale: 2 }, nativeType: "DECIMAL(18,2)" },
    { name: "ratio", type: { kind: "float", bits: 64 }, nativeType: "DOUBLE" },
    { name: stringColumn, type: { kind: "string" }, nativeType: "STRING" },
    { name: "day", type: { kind: "date" }, nativeType: "DATE" },
    { name: "at", type: { kind: "timestamp" }, nativeType: "TIMESTAMP" },
    { name: "flag", type: { kind: "boolean" }, nativeType: "BOOLEAN" },
    { name: "raw", type: { kind: "binary" }, nativeType: "BINARY" },
  ];
}

function batches(columns: Column[], groups: Row[][]): AsyncIterable<RowBatch> {
  return (async function* () {
    for (const rows of groups) yield batchFromRows(columns, rows);
  })();
}

/** `session`, recording every statement sent through it. */
function recording(session: Session): { session: Session; statements: string[] } {
  const statements: string[] = [];
  return {
    statements,
    session: {
      execute: (sql) => {
        statements.push(sql);
        return session.execute(sql);
      },
      query: (sql) => {
        statements.push(sql);
        return session.query(sql);
      },
      stream: (sql, batchSize) => {
        statements.push(sql);
        return session.stream(sql, batchSize);
      },
      transaction: (work) => session.transaction(work),
      close: () => session.close(),
    },
  };
}
