// Pins the statements of the Hive adapter's Parquet staging (stage_dir) against golden files in
// tests/golden/hive/ (UPDATE_GOLDEN=1 rewrites them), and runs the staging with real DuckDB against
// a recording stand-in for the Hive session: it proves the files, their types, the order of the
// statements and the cleanup. What Spark makes of the files is tested against a real server in
// tests/integration/spark/hive-parquet-stage.test.ts.
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { batchFromRows } from "../../src/adapters/batch.js";
import type { Column, RelationName, Row, RowBatch, Session } from "../../src/adapters/contract.js";
import { DuckDbEngine } from "../../src/adapters/duckdb/duckdb-connection.js";
import { hiveDialect as d } from "../../src/adapters/hive/hive-dialect.js";
import {
  copyToParquet,
  stageDirOf,
  stagedColumns,
  stagingStatements,
  withParquetStage,
} from "../../src/adapters/hive/hive-parquet-stage.js";
import { HiveConnection } from "../../src/project/connection-schema.js";
import { goldenFiles } from "../helpers/golden.js";

const expectGolden = goldenFiles("hive");

const columns: Column[] = [
  { name: "id", type: { kind: "integer", bits: 32 }, nativeType: "INTEGER" },
  { name: "big", type: { kind: "integer", bits: 64 }, nativeType: "BIGINT" },
  { name: "price", type: { kind: "decimal", precision: 18, scale: 2 }, nativeType: "DECIMAL(18,2)" },
  { name: "amount", type: { kind: "decimal", precision: 38, scale: 18 }, nativeType: "DECIMAL(38,18)" },
  { name: "ratio", type: { kind: "float", bits: 64 }, nativeType: "DOUBLE" },
  { name: "Customer Name", type: { kind: "string" }, nativeType: "VARCHAR" },
  { name: "day", type: { kind: "date" }, nativeType: "DATE" },
  { name: "at", type: { kind: "timestamp" }, nativeType: "TIMESTAMP" },
  { name: "flag", type: { kind: "boolean" }, nativeType: "BOOLEAN" },
  { name: "raw", type: { kind: "binary" }, nativeType: "BLOB" },
];
const names = {
  files: { schema: "lake", name: "sales_history__sluice_stg_r1_1" },
  view: { schema: "lake", name: "sales_history__sluice_stg_r1_2" },
} satisfies Record<string, RelationName>;

describe("Parquet staging statements match their golden text", () => {
  const staged = stagedColumns(columns, d);
  const statements = stagingStatements(
    d,
    names,
    staged,
    "hdfs://nn:8020/sluice/stage/sales_history__sluice_stg_r1_1",
  );

  it("writes the rows with positional names and file types Hive's and Spark's readers both take", () =>
    expectGolden(
      "stage-copy-parquet",
      copyToParquet(
        'SELECT * FROM "stage"."main"."staged_rows"',
        staged,
        "/mnt/stage/sales_history__sluice_stg_r1_1",
      ),
    ));
  it("declares the files as an external Parquet table", () =>
    expectGolden("stage-external-table", statements.createFiles));
  it("gives the staged columns their real names and types through a view", () =>
    expectGolden("stage-view", statements.createView));
});

describe("stage_dir", () => {
  const parse = (stage_dir: unknown) => HiveConnection.safeParse({ type: "hive", host: "h", stage_dir });

  it("is off unless set, so loads keep going through INSERT statements", () => {
    expect(stageDirOf(HiveConnection.parse({ type: "hive", host: "h" }).stage_dir)).toBeUndefined();
  });
  it("reads a plain path as the same directory on both sides, through file://", () => {
    expect(stageDirOf(parse("/srv/stage").data?.stage_dir)).toEqual({
      local: "/srv/stage",
      remote: "file:///srv/stage",
    });
  });
  it("takes the server's name of the directory from remote", () => {
    expect(
      stageDirOf(parse({ local: "/mnt/lake/stage", remote: "hdfs://nn:8020/lake/stage/" }).data?.stage_dir),
    ).toEqual({
      local: "/mnt/lake/stage",
      remote: "hdfs://nn:8020/lake/stage",
    });
  });
  it("refuses a relative path, saying why", () => {
    expect(parse("stage").error?.issues[0]?.message).toMatch(/absolute path/);
    expect(parse({ local: "./stage", remote: "file:///stage" }).error?.issues[0]?.message).toMatch(
      /absolute path/,
    );
    expect(parse({ local: "/stage" }).success).toBe(false);
  });
});

describe("withParquetStage with real DuckDB and a recording Hive session", () => {
  let root: string;
  let reader: DuckDbEngine;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "sluice-stage-unit-"));
    reader = new DuckDbEngine();
  });
  afterEach(async () => {
    await reader.close();
    rmSync(root, { recursive: true, force: true });
  });

  const rows: Row[] = [
    [
      1,
      9223372036854775807n,
      "9999999999999999.99",
      "12345678901234567890.123456789012345678",
      0.1,
      "Zoë — 東京 \\ '",
      "1200-03-01",
      new Date(Date.UTC(2021, 7, 31, 23, 59, 59, 123)),
      true,
      new Uint8Array([0, 255]),
    ],
    [2, null, null, null, null, null, null, null, null, null],
  ];
  const batches = (): AsyncIterable<RowBatch> =>
    (async function* () {
      yield batchFromRows(columns, rows.slice(0, 1));
      yield batchFromRows(columns, rows.slice(1));
    })();

  interface Seen {
    statements: string[];
    /** The staged folder's files, its Parquet schema and some values, read when the table is declared. */
    files: string[];
    schema: unknown[][];
    values: unknown[][];
  }
  const nothingSeen = (): Seen => ({ statements: [], files: [], schema: [], values: [] });

  /** A Hive session that records statements and, when the external table is declared, reads its files with DuckDB. */
  function hiveStandIn(seen: Seen): Session {
    const remote = "file:///server/view/of/stage";
    return {
      async execute(text) {
        seen.statements.push(text);
        const location = /LOCATION '([^']+)'/.exec(text)?.[1];
        if (location) {
          const dir = join(root, location.slice(remote.length + 1));
          seen.files = readdirSync(dir);
          const duck = await reader.open();
          try {
            seen.schema = (
              await duck.query(
                `SELECT name, type, logical_type FROM parquet_schema('${dir}/*.parquet') WHERE name LIKE 'c%'`,
              )
            ).rows;
            seen.values = (
              await duck.query(
                `SELECT c0, CAST(c1 AS VARCHAR), CAST(c2 AS VARCHAR), CAST(c3 AS VARCHAR), c6, c7 FROM read_parquet('${dir}/*.parquet') ORDER BY c0`,
              )
            ).rows;
          } finally {
            await duck.close();
          }
        }
        return { rowsAffected: null };
      },
      query: () => Promise.reject(new Error("not used")),
      stream: () => {
        throw new Error("not used");
      },
      transaction: (work) => work(),
      close: async () => undefined,
    };
  }

  it("writes the files, declares them, hands over the view, then drops both and deletes the files", async () => {
    const seen = nothingSeen();
    const stage = { local: root, remote: "file:///server/view/of/stage" };
    const result = await withParquetStage(
      hiveStandIn(seen),
      d,
      stage,
      names,
      batches(),
      "lake.sales_history",
      async (view, count) => {
        seen.statements.push(`-- use ${view.name} (${count} rows)`);
        return count;
      },
    );
    expect(result).toBe(2);
    expect(seen.files).toEqual(["part-0.parquet"]);
    expect(seen.statements.map((s) => s.split("\n", 1)[0])).toEqual([
      "CREATE EXTERNAL TABLE `lake`.`sales_history__sluice_stg_r1_1` (",
      "CREATE VIEW `lake`.`sales_history__sluice_stg_r1_2` AS",
      "-- use sales_history__sluice_stg_r1_2 (2 rows)",
      "DROP VIEW IF EXISTS `lake`.`sales_history__sluice_stg_r1_2`",
      "DROP TABLE IF EXISTS `lake`.`sales_history__sluice_stg_r1_1`",
    ]);
    expect(seen.statements[0]).toContain(
      "LOCATION 'file:///server/view/of/stage/sales_history__sluice_stg_r1_1'",
    );
    // Decimals as 16-byte fixed-length, dates and timestamps as text: see fileType().
    expect(seen.schema.map((r) => [r[0], r[1]])).toEqual([
      ["c0", "INT32"],
      ["c1", "INT64"],
      ["c2", "FIXED_LEN_BYTE_ARRAY"],
      ["c3", "FIXED_LEN_BYTE_ARRAY"],
      ["c4", "DOUBLE"],
      ["c5", "BYTE_ARRAY"],
      ["c6", "BYTE_ARRAY"],
      ["c7", "BYTE_ARRAY"],
      ["c8", "BOOLEAN"],
      ["c9", "BYTE_ARRAY"],
    ]);
    expect(seen.values).toEqual([
      [
        1,
        "9223372036854775807",
        "9999999999999999.99",
        "12345678901234567890.123456789012345678",
        "1200-03-01",
        "2021-08-31 23:59:59.123",
      ],
      [2, null, null, null, null, null],
    ]);
    expect(readdirSync(root)).toEqual([]);
  });

  it("drops what it declared and deletes the files when the mode fails to apply", async () => {
    const seen = nothingSeen();
    const stage = { local: root, remote: "file:///server/view/of/stage" };
    const failing = withParquetStage(
      hiveStandIn(seen),
      d,
      stage,
      names,
      batches(),
      "lake.sales_history",
      async () => {
        throw new Error("overwrite failed");
      },
    );
    await expect(failing).rejects.toThrow("overwrite failed");
    expect(seen.files).toEqual(["part-0.parquet"]);
    expect(seen.statements.slice(-2).map((s) => s.split(" ", 2).join(" "))).toEqual([
      "DROP VIEW",
      "DROP TABLE",
    ]);
    expect(readdirSync(root)).toEqual([]);
  });

  it("declares nothing and leaves no file when the rows fail before the files are written", async () => {
    const seen = nothingSeen();
    const stage = { local: root, remote: "file:///server/view/of/stage" };
    const broken = (async function* () {
      yield batchFromRows(columns, rows.slice(0, 1));
      throw new Error("source went away");
    })();
    await expect(
      withParquetStage(hiveStandIn(seen), d, stage, names, broken, "lake.sales_history", async () => 0),
    ).rejects.toThrow("source went away");
    expect(seen.statements).toEqual([]);
    expect(readdirSync(root)).toEqual([]);
  });

  it("refuses a staging directory that does not exist, before reading any row", async () => {
    const seen = nothingSeen();
    const missing = { local: join(root, "not-mounted"), remote: "hdfs://nn/stage" };
    await expect(
      withParquetStage(hiveStandIn(seen), d, missing, names, batches(), "lake.sales_history", async () => 0),
    ).rejects.toThrow(
      /stage_dir .*not-mounted does not exist: create it, as the directory the server reads as hdfs:\/\/nn\/stage/,
    );
    expect(existsSync(missing.local)).toBe(false);
  });
});
