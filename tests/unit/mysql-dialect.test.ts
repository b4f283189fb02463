// Pins the SQL the MySQL/MariaDB adapter generates: dialect rules by table, builders by golden
// files, and the LOAD DATA text every value is loaded as. UPDATE_GOLDEN=1 rewrites the golden files.
import { describe, expect, it } from "vitest";
import type { FieldPacket } from "mysql2";
import { goldenFiles } from "../helpers/golden.js";
import type { Column, LogicalType, RelationName } from "../../src/adapters/contract.js";
import { batchWithExactTimestamps } from "../../src/adapters/exact-text.js";
import { withoutOwnTransaction } from "../../src/adapters/mysql/mysql-connection.js";
import { mysqlDialect as d } from "../../src/adapters/mysql/mysql-dialect.js";
import { mysqlFingerprintSql } from "../../src/adapters/mysql/mysql-fingerprint.js";
import * as sql from "../../src/adapters/mysql/mysql-sql.js";
import { loadText, nativeTypeOf, valuesLists } from "../../src/adapters/mysql/mysql-values.js";

const expectGolden = goldenFiles("mysql");

const sales: RelationName = { schema: "mart", name: "sales" };
const salesStg: RelationName = { schema: "mart", name: "sales__sluice_stg_r1_1" };
const salesOld: RelationName = { schema: "mart", name: "sales__sluice_old_r1_2" };
const salesTmp: RelationName = { schema: "mart", name: "sales__sluice_tmp_r1_3" };
const columns = ["sale_id", "year_month", "amount", "customer"];
const modelSql =
  "WITH s AS (SELECT * FROM source.sales WHERE note <> 'it''s')\nSELECT sale_id, year_month, amount, customer FROM s;\n";
const col = (name: string, type: LogicalType): Column => ({ name, type, nativeType: "" });
const field = (f: {
  columnType: number;
  columnLength?: number;
  decimals?: number;
  flags?: number;
  characterSet?: number;
}) => ({ name: "c", decimals: 0, flags: 0, ...f }) as unknown as FieldPacket;

describe("MySQL dialect", () => {
  it("backquotes identifiers, doubling a backquote inside, and names relations database.name", () => {
    expect(d.quoteIdentifier("odd`name")).toBe("`odd``name`");
    expect(d.relation({ schema: "mart", name: "sales" })).toBe("`mart`.`sales`");
  });

  it.each<[Parameters<typeof d.literal>[0], string]>([
    [null, "NULL"],
    [false, "FALSE"],
    [-9223372036854775808n, "-9223372036854775808"],
    ["O'Brien \\ Ω", "'O''Brien \\\\ Ω'"],
    [new Date("2021-08-01T12:34:56.789Z"), "TIMESTAMP '2021-08-01 12:34:56.789'"],
    [new Uint8Array([0xde, 0xad]), "X'dead'"],
  ])("writes %s as the literal %s", (value, literal) => {
    expect(d.literal(value)).toBe(literal);
  });

  it("refuses NaN and infinities, which MySQL cannot store", () => {
    expect(() => d.literal(Number.POSITIVE_INFINITY)).toThrow(/no value for Infinity/);
  });

  it.each<[LogicalType, string]>([
    [{ kind: "boolean" }, "BOOLEAN"],
    [{ kind: "integer", bits: 8 }, "TINYINT"],
    [{ kind: "integer", bits: 64 }, "BIGINT"],
    [{ kind: "decimal", precision: 38, scale: 10 }, "DECIMAL(38,10)"],
    [{ kind: "string" }, "LONGTEXT"],
    [{ kind: "string", length: 20 }, "VARCHAR(20)"],
    [{ kind: "timestamp" }, "DATETIME(6)"],
    [{ kind: "binary" }, "LONGBLOB"],
  ])("maps %j to %s and back", (type, native) => {
    expect(d.nativeType(type)).toBe(native);
    expect(d.logicalType(native)).toEqual(type);
  });

  it("reads COLUMN_TYPE spellings: TINYINT(1) as boolean, unsigned types one size wider", () => {
    expect(d.logicalType("tinyint(1)")).toEqual({ kind: "boolean" });
    expect(d.logicalType("tinyint(4)")).toEqual({ kind: "integer", bits: 8 });
    expect(d.logicalType("int(10) unsigned")).toEqual({ kind: "integer", bits: 64 });
    expect(d.logicalType("bigint(20) unsigned")).toEqual({ kind: "decimal", precision: 20, scale: 0 });
    expect(d.logicalType("decimal(18,2)")).toEqual({ kind: "decimal", precision: 18, scale: 2 });
    expect(d.logicalType("varbinary(16)")).toEqual({ kind: "binary" });
    expect(d.logicalType("enum('a','b')")).toEqual({ kind: "string" });
  });

  it("spells a result column's type from the protocol's metadata", () => {
    expect(nativeTypeOf(field({ columnType: 246, columnLength: 20, decimals: 2 }))).toBe("decimal(18,2)");
    expect(nativeTypeOf(field({ columnType: 246, columnLength: 19, decimals: 2, flags: 32 }))).toBe(
      "decimal(18,2) unsigned",
    );
    expect(nativeTypeOf(field({ columnType: 1, columnLength: 1 }))).toBe("tinyint(1)");
    expect(nativeTypeOf(field({ columnType: 252, characterSet: 63 }))).toBe("longblob");
    expect(nativeTypeOf(field({ columnType: 12, decimals: 6 }))).toBe("datetime(6)");
  });
});

describe("MySQL statements", () => {
  it("pins every builder in golden files", () => {
    expectGolden("create-schema", sql.createSchemaSql("mart"));
    expectGolden("create-view", sql.createViewSql(sales, modelSql, null, salesTmp, salesOld).join("\n"));
    expectGolden(
      "create-view-replacing-table",
      sql.createViewSql(sales, modelSql, "table", salesTmp, salesOld).join("\n"),
    );
    expectGolden("create-table-as", sql.createTableAsSql(salesStg, modelSql));
    expectGolden(
      "swap-first-build",
      sql.swapTableSql({ target: sales, staging: salesStg, old: salesOld, existing: null }).join("\n"),
    );
    expectGolden(
      "swap-table",
      sql.swapTableSql({ target: sales, staging: salesStg, old: salesOld, existing: "table" }).join("\n"),
    );
    expectGolden(
      "swap-replacing-view",
      sql.swapTableSql({ target: sales, staging: salesStg, old: salesOld, existing: "view" }).join("\n"),
    );
    expectGolden("append", sql.appendSql(sales, salesTmp, columns));
    expectGolden("delete-insert", sql.deleteInsertSql(sales, salesTmp, columns, ["sale_id", "year_month"]));
    expectGolden(
      "replace-partitions",
      sql.replacePartitionsSql(sales, salesTmp, columns, ["year_month"], [["202108"], ["it's \\"]]),
    );
    expectGolden("keep-partitions", sql.keepPartitionsSql(salesTmp, ["year_month"], [["202108"]]));
    expectGolden("delete-partitions", sql.deletePartitionsSql(sales, ["year_month"], [["202108"]]));
    const typed = [
      col("sale_id", { kind: "integer", bits: 64 }),
      col("payload", { kind: "binary" }),
      col("at", { kind: "timestamp" }),
    ];
    expectGolden("create-staging-table", sql.createStagingTableSql(salesStg, typed));
    expectGolden("load-data", sql.loadDataSql(salesStg, typed, salesStg.name));
    expectGolden("insert-values-head", sql.insertValuesHead(salesStg, typed));
    expectGolden("relation-kind", sql.relationKindSql({ schema: "it's", name: "sales" }));
    expectGolden("columns", sql.columnsSql(sales));
    expectGolden("fingerprint", mysqlFingerprintSql(sales, ["client_id", "name"]));
  });

  it("refuses an empty partition set and a key-less delete+insert", () => {
    expect(() => sql.replacePartitionsSql(sales, salesTmp, columns, ["year_month"], [])).toThrow(
      sql.EmptyPartitionSetError,
    );
    expect(() => sql.deleteInsertSql(sales, salesTmp, columns, [])).toThrow(/needs a unique_key/);
  });

  it("leaves an atomic block's own START TRANSACTION/COMMIT out inside an open transaction", () => {
    expect(withoutOwnTransaction(sql.atomic(["DELETE FROM t;"]))).toBe("DELETE FROM t;");
  });

  it("writes LOAD DATA text with \\ escapes, \\N for NULL, booleans as 1/0 and bytes as hex", () => {
    const columns = [
      col("s", { kind: "string" }),
      col("b", { kind: "boolean" }),
      col("t", { kind: "timestamp" }),
      col("x", { kind: "binary" }),
    ];
    const batch = batchWithExactTimestamps(columns, [
      ["a\tb\nc\\d\0e", true, "2026-11-20 10:00:00.000001", new Uint8Array([0, 255])],
      [null, false, null, null],
    ]);
    expect(loadText(batch)).toBe(
      "a\\tb\\nc\\\\d\\0e\t1\t2026-11-20 10:00:00.000001\t00ff\n\\N\t0\t\\N\t\\N\n",
    );
    expect(valuesLists(batch)).toEqual([
      "('a\tb\nc\\\\d\\0e', 1, '2026-11-20 10:00:00.000001', X'00ff')",
      "(NULL, 0, NULL, NULL)",
    ]);
  });
});
