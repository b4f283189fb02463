// Pins the SQL the embedded lake generates: each builder's text against a checked-in golden file in
// tests/golden/duckdb-lake/ (UPDATE_GOLDEN=1 rewrites them).
import { describe, expect, it } from "vitest";
import { goldenFiles } from "../helpers/golden.js";
import type { RelationName } from "../../src/adapters/contract.js";
import * as sql from "../../src/adapters/duckdb/duckdb-lake-sql.js";
import type { LakeFolder, LakeTableDefinition } from "../../src/adapters/duckdb/duckdb-lake-sql.js";

const expectGolden = goldenFiles("duckdb-lake");

const sales: RelationName = { database: "lake", schema: "lake", name: "sales_history" };
const select = "SELECT sale_id, amount, year_month\nFROM source.production.sales";
const lakeRoot = "/lake-root";
const definition: LakeTableDefinition = {
  columns: [
    { name: "sale_id", nativeType: "BIGINT" },
    { name: "amount", nativeType: "DECIMAL(18,2)" },
    { name: "sale_date", nativeType: "DATE" },
    { name: "year_month", nativeType: "INTEGER" },
  ],
  partitionBy: ["year_month"],
  valuesInFiles: true,
};
const folder = (
  month: string,
  version: string,
  rowCount: number,
  columns: LakeFolder["columns"] = definition.columns,
): LakeFolder => ({
  key: [month],
  filesDir: `lake/sales_history/year_month=${month}/${version}`,
  rowCount,
  columns,
});
const staged = sql.tempRelation("sales_history__sluice_stg_r1_1");

describe("duckdb-lake-sql builders match their golden SQL", () => {
  it("creates the bookkeeping tables", () =>
    expectGolden("create-metadata", sql.createMetadata("lake").join(";\n")));
  it("reads every table with its live folders and view, to re-point views on open", () =>
    expectGolden("read-all-tables", sql.selectAllTables("lake")));
  it("copies partitioned rows to a staging folder", () =>
    expectGolden(
      "copy-partitioned",
      sql.copyToStaging(select, "/lake-root/lake/sales_history/_staging_r1_1", ["year_month"]),
    ));
  it("copies unpartitioned rows to one file", () =>
    expectGolden(
      "copy-unpartitioned",
      sql.copyToStaging(select, "/lake-root/lake/clients/_staging_r1_1", []),
    ));
  it("describes a query's columns", () => expectGolden("describe", sql.describe(select)));
  it("keeps 128-bit integers exact as DECIMAL(38,0)", () =>
    expectGolden("exact-wide-integers", sql.exactWideIntegers(select, ["amount", "year_month"])));
  it("prints named partition values as the table's typed values", () =>
    expectGolden(
      "typed-partition-keys",
      sql.typedPartitionKeys(
        ["INTEGER", "DATE"],
        [
          ["0202401", "2024-1-1"],
          [null, "2024-02-01"],
        ],
      ),
    ));
  it("points the view at the live folders with typed partition columns", () =>
    expectGolden(
      "view-partitioned",
      sql.createLakeView(
        sales,
        definition,
        [folder("202101", "_vr0_1", 10), folder("202101", "_vr1_2", 3), folder("202102", "_vr1_2", 7)],
        lakeRoot,
      ),
    ));
  it("reads every file's schema by name when a folder was written with other columns", () =>
    expectGolden(
      "view-partitioned-mixed",
      sql.createLakeView(
        sales,
        definition,
        [
          folder("202101", "_vr0_1", 10, definition.columns.slice(0, 2)),
          folder("202101", "_vr1_2", 3),
          folder("202102", "_vr1_2", 7, [
            ...definition.columns.slice(0, 3),
            { name: "year_month", nativeType: "BIGINT" },
          ]),
        ],
        lakeRoot,
      ),
    ));
  it("reads partition values from folder names in a table written before they lived in files", () =>
    expectGolden(
      "view-partitioned-legacy",
      sql.createLakeView(
        sales,
        { ...definition, valuesInFiles: false },
        [folder("202101", "_vr0_1", 10, null)],
        lakeRoot,
      ),
    ));
  it("copies rows of a table written before values lived in files as then", () =>
    expectGolden(
      "copy-partitioned-legacy",
      sql.copyToStaging(select, "/lake-root/lake/sales_history/_staging_r1_1", ["year_month"], false),
    ));
  it("reads an unpartitioned table without hive partitioning", () =>
    expectGolden(
      "view-unpartitioned",
      sql.createLakeView(
        sales,
        { ...definition, partitionBy: [] },
        [{ key: [], filesDir: "lake/sales_history/_vr1_1", rowCount: 4, columns: definition.columns }],
        lakeRoot,
      ),
    ));
  it("keeps the column types of a table with no live folder", () =>
    expectGolden("view-empty", sql.createLakeView(sales, definition, [], lakeRoot)));
  it("commits a partition overwrite in one transaction's statements", () =>
    expectGolden(
      "commit-partitions",
      sql
        .commitStatements({
          catalog: "lake",
          rel: sales,
          definition,
          superseded: [folder("202102", "_vr0_1", 5)],
          added: [folder("202102", "_vr1_2", 7)],
          live: [folder("202101", "_vr0_1", 10), folder("202102", "_vr1_2", 7)],
          lakeRoot,
          writtenAt: new Date("2024-05-06T07:08:09.000Z"),
          dropTable: false,
        })
        .join(";\n"),
    ));
  it("drops a database table standing where a first write lands", () =>
    expectGolden(
      "commit-first-write",
      sql
        .commitStatements({
          catalog: "lake",
          rel: sales,
          definition,
          superseded: [],
          added: [
            {
              key: [null],
              filesDir: "lake/sales_history/year_month=__HIVE_DEFAULT_PARTITION__/_vr1_1",
              rowCount: 2,
              columns: definition.columns,
            },
          ],
          live: [
            {
              key: [null],
              filesDir: "lake/sales_history/year_month=__HIVE_DEFAULT_PARTITION__/_vr1_1",
              rowCount: 2,
              columns: definition.columns,
            },
          ],
          lakeRoot,
          writtenAt: new Date("2024-05-06T07:08:09.000Z"),
          dropTable: true,
        })
        .join(";\n"),
    ));
  it("forgets a table", () => expectGolden("forget-table", sql.forgetTable("lake", sales).join(";\n")));
  it("stages upsert rows in a temporary table", () =>
    expectGolden("create-temp-table", sql.createTempTable("sales_history__sluice_stg_r1_1", select)));
  it("finds the partitions an upsert touches", () =>
    expectGolden("affected-partitions", sql.affectedPartitions(sales, staged, ["sale_id"], ["year_month"])));
  it("rewrites the touched partitions of an upsert", () =>
    expectGolden(
      "upsert-partitions",
      sql.upsertRows(sales, staged, ["sale_id"], ["year_month"], [["202101"], [null]]),
    ));
  it("rewrites a whole unpartitioned table on upsert", () =>
    expectGolden("upsert-unpartitioned", sql.upsertRows(sales, staged, ["sale_id", "line"], [], undefined)));
});

describe("duckdb-lake-sql guards", () => {
  it("refuses a predicate over no partitions", () =>
    expect(() => sql.keyPredicate(["year_month"], [])).toThrow(/empty partition set/));
  it("refuses a partition column the table lacks", () =>
    expect(() =>
      sql.createLakeView(
        sales,
        { ...definition, partitionBy: ["region"] },
        [folder("202101", "_vr1_1", 1)],
        lakeRoot,
      ),
    ).toThrow(/partition column 'region'/));
  it("escapes quotes in paths and values", () =>
    expect(sql.keyPredicate(["name"], [["O'Brien"]])).toBe(`("name" = 'O''Brien')`));
});
