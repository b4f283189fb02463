// Pins the HiveQL the Hive adapter generates: each builder's text against a checked-in golden file
// in tests/golden/hive/ (UPDATE_GOLDEN=1 rewrites them), plus quoting, literals and type mapping.
import { describe, expect, it } from "vitest";
import { goldenFiles } from "../helpers/golden.js";
import type { RelationName } from "../../src/adapters/contract.js";
import { hiveDialect as d } from "../../src/adapters/hive/hive-dialect.js";
import { parseTimestamp, plainDecimal } from "../../src/adapters/hive/hive-connection.js";
import { parsePartitionPath } from "../../src/adapters/hive/hive-introspector.js";
import * as sql from "../../src/adapters/hive/hive-sql.js";

const expectGolden = goldenFiles("hive");

const sales: RelationName = { schema: "lake", name: "sales_history" };
const staging: RelationName = { schema: "lake", name: "sales_history__sluice_stg_r1_1" };
const select = "SELECT sale_id, amount, year_month\nFROM src.sales";

describe("hive-sql builders match their golden HiveQL", () => {
  it("creates a schema", () => expectGolden("create-schema", sql.createSchema(d, "lake")));
  it("reads named partitions as the partition columns' types print them", () =>
    expectGolden(
      "typed-partition-keys",
      sql.typedPartitionKeys(
        d,
        ["TIMESTAMP", "INT"],
        [
          ["2026-01-02 00:30:00+00", "0202401"],
          [null, "202402"],
        ],
      ),
    ));
  it("creates or replaces a view", () =>
    expectGolden("create-view", sql.createView(d, { schema: "lake", name: "v_sales" }, select)));
  it("creates an unpartitioned Parquet table from a query", () =>
    expectGolden("create-table-as", sql.createTableAs(d, staging, select)));
  it("creates a partitioned Parquet table with partition columns last", () =>
    expectGolden(
      "create-partitioned-table",
      sql.createTable(
        d,
        sales,
        [
          { name: "sale_id", nativeType: "BIGINT" },
          { name: "amount", nativeType: "DECIMAL(18,2)" },
        ],
        [{ name: "year_month", nativeType: "INT" }],
      ),
    ));
  it("fills a fresh partitioned table with a dynamic-partition insert", () =>
    expectGolden(
      "insert-dynamic-partitions",
      sql.insertSelect(d, sales, {
        overwrite: true,
        columns: ["sale_id", "amount", "year_month"],
        partitionBy: ["year_month"],
        selectSql: select,
      }),
    ));
  it("appends by column name in table order", () =>
    expectGolden(
      "append",
      sql.insertSelect(d, sales, {
        overwrite: false,
        columns: ["sale_id", "amount", "year_month"],
        partitionBy: ["year_month"],
        selectSql: select,
      }),
    ));
  it("overwrites exactly the named partitions with static partition specs", () =>
    expectGolden(
      "overwrite-partitions",
      sql
        .overwritePartitions(d, sales, {
          dataColumns: ["sale_id", "amount"],
          partitionBy: ["year_month"],
          partitions: [["202108"], ["202111"]],
          source: staging,
        })
        .join(";\n"),
    ));
  it("drops partitions an overwrite left empty", () =>
    expectGolden(
      "drop-partitions",
      sql.dropPartitions(
        d,
        sales,
        ["year_month", "region"],
        [
          ["202108", "north"],
          ["202111", "o'brien"],
        ],
      ),
    ));
  it("overwrites and drops the NULL partition as Hive's default partition, with IS NULL", () =>
    expectGolden(
      "overwrite-null-partition",
      [
        ...sql.overwritePartitions(d, sales, {
          dataColumns: ["sale_id"],
          partitionBy: ["region"],
          partitions: [[null], ["NULL"]],
          source: staging,
        }),
        sql.dropPartitions(d, sales, ["region"], [[null]]),
        sql.ambiguousPartitionValues(d, staging, ["region"]),
      ].join(";\n"),
    ));
  it.each(["", "__HIVE_DEFAULT_PARTITION__"])(
    "refuses the partition value %j, which Hive would read back as NULL",
    (value) =>
      expect(() =>
        sql.overwritePartitions(d, sales, {
          dataColumns: ["sale_id"],
          partitionBy: ["region"],
          partitions: [[value]],
          source: staging,
        }),
      ).toThrow(/Hive and Spark store it as the NULL partition/),
  );
  it("builds a merge as old rows without a new key plus the new rows", () =>
    expectGolden(
      "merge-select",
      sql.mergeSelect(d, sales, staging, {
        columns: ["sale_id", "amount", "year_month"],
        uniqueKey: ["sale_id"],
      }),
    ));
  it("filters a query to the named partitions", () =>
    expectGolden(
      "partition-filter",
      `SELECT * FROM q\nWHERE ${sql.partitionFilter(d, "q", ["year_month"], [["202108"], ["202111"]])}`,
    ));
  it("renames a table", () => expectGolden("rename-table", sql.renameTable(d, staging, sales)));
  it("lands rows with one multi-row INSERT of typed literals", () =>
    expectGolden(
      "insert-values",
      sql.insertValues(
        d,
        staging,
        [
          { kind: "integer", bits: 64 },
          { kind: "decimal", precision: 38, scale: 18 },
          { kind: "string" },
          { kind: "date" },
          { kind: "timestamp" },
          { kind: "boolean" },
          { kind: "binary" },
        ],
        [
          [
            9007199254740993n,
            "12345678901234567890.123456789012345678",
            "Zoë's \\ café",
            "2021-08-31",
            new Date(Date.UTC(2021, 7, 31, 23, 59, 59, 123)),
            true,
            new Uint8Array([0, 255]),
          ],
          [null, null, null, null, null, null, null],
        ],
      ),
    ));
});

describe("partition overwrite guard", () => {
  it("refuses an overwrite with an empty partition set instead of widening it to the whole table", () => {
    expect(() =>
      sql.overwritePartitions(d, sales, {
        dataColumns: ["sale_id"],
        partitionBy: ["year_month"],
        partitions: [],
        source: staging,
      }),
    ).toThrow(sql.EmptyPartitionSetError);
    expect(() => sql.assertPartitionSet(d, sales, ["year_month"], [])).toThrow(/names no partition/);
  });

  it("refuses a partition whose values do not match the partition columns", () => {
    expect(() => sql.assertPartitionSet(d, sales, ["year_month", "region"], [["202108"]])).toThrow(
      /has 1 values/,
    );
  });

  it("names each partition once even when the plan repeats it", () => {
    const [statement] = sql.overwritePartitions(d, sales, {
      dataColumns: ["a"],
      partitionBy: ["year_month"],
      partitions: [["1"], ["1"]],
      source: staging,
    });
    expect(statement?.match(/INSERT OVERWRITE/g)).toHaveLength(1);
  });
});

describe("HiveDialect", () => {
  it("quotes identifiers with backticks, doubling embedded ones", () => {
    expect(d.quoteIdentifier("we`ird")).toBe("`we``ird`");
    expect(d.relation({ schema: "lake", name: "t", database: "ignored" })).toBe("`lake`.`t`");
  });

  it("writes literals that survive Hive's backslash unescaping", () => {
    expect(d.literal("it's a \\ path\n")).toBe("'it\\'s a \\\\ path\\n'");
    expect(d.literal(null)).toBe("NULL");
    expect(d.literal(true)).toBe("TRUE");
    expect(d.literal(42)).toBe("42");
    expect(d.literal(1.5)).toBe("CAST('1.5' AS DOUBLE)");
    expect(d.literal(9223372036854775807n)).toBe("9223372036854775807L");
    expect(d.literal(-9223372036854775808n)).toBe("CAST('-9223372036854775808' AS BIGINT)");
    expect(d.literal(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)))).toBe("TIMESTAMP '2024-01-02 03:04:05.006'");
    expect(d.literal(new Uint8Array([1, 171]))).toBe("unhex('01AB')");
  });

  it("maps logical types to Hive types and back", () => {
    expect(d.nativeType({ kind: "integer", bits: 64 })).toBe("BIGINT");
    expect(d.nativeType({ kind: "decimal", precision: 40, scale: 10 })).toBe("DECIMAL(38,10)");
    expect(d.nativeType({ kind: "string", length: 20 })).toBe("STRING");
    expect(d.logicalType("decimal(18,2)")).toEqual({ kind: "decimal", precision: 18, scale: 2 });
    expect(d.logicalType("DECIMAL")).toEqual({ kind: "decimal", precision: 10, scale: 0 });
    expect(d.logicalType("varchar(20)")).toEqual({ kind: "string", length: 20 });
    expect(d.logicalType("bigint")).toEqual({ kind: "integer", bits: 64 });
    expect(d.logicalType("timestamp_ntz")).toEqual({ kind: "timestamp" });
    expect(d.logicalType("array<int>")).toEqual({ kind: "string" });
    expect(() => d.logicalType("geometry")).toThrow(/unknown Hive type/);
  });
});

describe("result decoding helpers", () => {
  it("reads partition paths with escaped values", () => {
    expect(parsePartitionPath("year_month=202101/region=north%2Fwest", ["year_month", "region"])).toEqual([
      "202101",
      "north/west",
    ]);
    expect(parsePartitionPath("region=__HIVE_DEFAULT_PARTITION__", ["region"])).toEqual([null]);
    expect(parsePartitionPath("region=NULL", ["region"])).toEqual(["NULL"]);
  });
  it("reads decimal text without an exponent", () => {
    expect(plainDecimal("1E-10")).toBe("0.0000000001");
    expect(plainDecimal("-1.25E+3")).toBe("-1250");
    expect(plainDecimal("123.4500")).toBe("123.4500");
  });
  it("reads timestamps as UTC instants", () => {
    expect(parseTimestamp("2024-02-29 23:59:59.123456").toISOString()).toBe("2024-02-29T23:59:59.123Z");
    expect(parseTimestamp("2024-02-29 00:00:00").toISOString()).toBe("2024-02-29T00:00:00.000Z");
  });
});
