// The NULL partition on a real Spark Thrift Server: NULL is its own partition (Hive's default
// partition), the texts 'NULL' and 'null' stay texts, and the values Spark cannot keep apart from
// NULL ('' and '__HIVE_DEFAULT_PARTITION__') are refused before anything is written. Runs when
// SLUICE_TEST_SPARK=host:port is set.
import { beforeAll, expect, it } from "vitest";
import { batchFromRows } from "../../../src/adapters/batch.js";
import type {
  Adapter,
  Column,
  RelationName,
  Row,
  RowBatch,
  Session,
} from "../../../src/adapters/contract.js";
import type { HiveIntrospector } from "../../../src/adapters/hive/hive-introspector.js";
import { SKIP_REASON, sparkConfig, sparkEndpoint, sparkSuite, useSparkSchema } from "./spark-schema.js";

sparkSuite(sparkEndpoint ? "the NULL partition on a real Spark Thrift Server" : SKIP_REASON, () => {
  const spark = useSparkSchema("sluice_null", () => sparkConfig({ insert_batch_rows: 10 }));
  const rel = (): RelationName => ({ schema: spark.schema, name: "by_region" });
  let adapter: Adapter;
  let session: Session;
  let introspector: HiveIntrospector;
  beforeAll(() => ({ adapter, session, introspector } = spark));

  const select = (rows: [number, string | null][]) =>
    `SELECT CAST(id AS INT) AS id, CAST(region AS STRING) AS region FROM VALUES ${rows.map(([id, r]) => `(${id}, ${r === null ? "NULL" : `'${r}'`})`).join(", ")} AS v(id, region)`;
  const rows = async () =>
    (await session.query(`SELECT id, region FROM ${adapter.dialect.relation(rel())} ORDER BY id`)).rows;
  const columns: Column[] = [
    { name: "id", nativeType: "INT", type: { kind: "integer", bits: 32 } },
    { name: "region", nativeType: "STRING", type: { kind: "string" } },
  ];
  async function* batches(values: Row[]): AsyncIterable<RowBatch> {
    yield batchFromRows(columns, values);
  }

  it("keeps NULL, 'NULL' and 'null' as three partitions after a full build", async () => {
    await adapter.write(
      session,
      rel(),
      select([
        [1, null],
        [2, "NULL"],
        [3, "null"],
        [4, "north"],
      ]),
      { kind: "replace", partitionBy: ["region"] },
    );
    expect(await rows()).toEqual([
      [1, null],
      [2, "NULL"],
      [3, "null"],
      [4, "north"],
    ]);
    expect(await introspector.partitions(rel())).toEqual(
      expect.arrayContaining([[null], ["NULL"], ["null"], ["north"]]),
    );
  });

  it("replaces the NULL partition alone, then empties it, leaving the text 'NULL' alone", async () => {
    await adapter.write(
      session,
      rel(),
      select([
        [5, null],
        [6, "NULL"],
      ]),
      { kind: "partitions", partitionBy: ["region"], partitions: [[null]] },
    );
    expect(await rows()).toEqual([
      [2, "NULL"],
      [3, "null"],
      [4, "north"],
      [5, null],
    ]);
    await adapter.load(session, rel(), batches([[7, "north"]]), {
      kind: "partitions",
      partitionBy: ["region"],
      partitions: [[null], ["north"]],
    });
    expect(await rows()).toEqual([
      [2, "NULL"],
      [3, "null"],
      [7, "north"],
    ]);
  });

  it.each(["", "__HIVE_DEFAULT_PARTITION__"])(
    "refuses the value %j before writing, whichever way the rows come",
    async (value) => {
      const before = await rows();
      await expect(
        adapter.load(session, rel(), batches([[8, value]]), { kind: "replace", partitionBy: ["region"] }),
      ).rejects.toThrow(/store it as the NULL partition/);
      await expect(
        adapter.write(session, rel(), select([[8, "x"]]), {
          kind: "partitions",
          partitionBy: ["region"],
          partitions: [[value]],
        }),
      ).rejects.toThrow(/store it as the NULL partition/);
      expect(await rows()).toEqual(before);
    },
  );
});
