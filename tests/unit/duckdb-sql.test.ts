// Pins the SQL the DuckDB database-file adapter generates, builder by builder, against golden files
// in tests/golden/duckdb/ (UPDATE_GOLDEN=1 rewrites them).
import { describe, expect, it } from "vitest";
import type { Column, RelationName } from "../../src/adapters/contract.js";
import { duckdbDialect as d, logicalType, nativeType } from "../../src/adapters/duckdb/duckdb-dialect.js";
import * as sql from "../../src/adapters/duckdb/duckdb-sql.js";
import { goldenFiles } from "../helpers/golden.js";

const expectGolden = goldenFiles("duckdb");
const sales: RelationName = { database: "mart", schema: "main", name: "sales" };
const staging: RelationName = { database: "mart", schema: "main", name: "sales__sluice_stg_r1_1" };
const select = 'SELECT sale_id, amount, year_month FROM "source"."production"."sales"';
const columns: Column[] = [
  { name: "sale_id", nativeType: "BIGINT", type: { kind: "integer", bits: 64 } },
  { name: "amount", nativeType: "DECIMAL(18,2)", type: { kind: "decimal", precision: 18, scale: 2 } },
  { name: "sold_on", nativeType: "DATE", type: { kind: "date" } },
];

describe("DuckDB SQL", () => {
  it.each([
    ["create-table-as", sql.createTableAs(sales, select)],
    ["create-or-replace-view", sql.createOrReplaceView(sales, select)],
    ["rename-table", sql.renameTable(staging, "sales")],
    ["insert-by-name", sql.insertByName(sales, select)],
    ["create-schema", sql.createSchema("marts", "mart")],
    ["delete-matching", sql.deleteMatching(sales, staging, ["sale_id", "line"])],
    ["delete-partitions", sql.deletePartitions(sales, ["year_month"], [["202108"], ["202111"]])],
    ["select-partitions", sql.selectPartitions(select, ["country", "year_month"], [["PT", "202108"]])],
    ["create-staging", sql.createStaging(staging, columns)],
    ["select-staged", sql.selectStaged(staging, columns)],
  ])("builds %s", (name, text) => expectGolden(name, text));

  it("refuses a partition overwrite with an empty partition set", () => {
    expect(() => sql.deletePartitions(sales, ["year_month"], [])).toThrow(/empty partition set/);
    expect(() => sql.selectPartitions(select, ["year_month"], [])).toThrow(/empty partition set/);
  });

  it("quotes identifiers and literals", () => {
    expect(d.quoteIdentifier('we"ird')).toBe('"we""ird"');
    expect(d.literal("it's")).toBe("'it''s'");
    expect(d.literal(null)).toBe("NULL");
    expect(d.literal(12345678901234567890n)).toBe("12345678901234567890");
  });

  it.each([
    "BIGINT",
    "DECIMAL(18,2)",
    "VARCHAR",
    "DATE",
    "TIMESTAMP",
    "BOOLEAN",
    "DOUBLE",
    "BLOB",
    "INTEGER",
  ])("maps %s both ways", (native) => {
    expect(nativeType(logicalType(native))).toBe(native);
  });
});
