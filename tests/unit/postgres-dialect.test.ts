// Pins the SQL the PostgreSQL adapter generates: dialect rules by table, builders by golden files,
// and the COPY text every value is loaded as. UPDATE_GOLDEN=1 rewrites the golden files.
import { describe, expect, it } from "vitest";
import { goldenFiles } from "../helpers/golden.js";
import type { Column, LogicalType, RelationName } from "../../src/adapters/contract.js";
import { batchWithExactTimestamps } from "../../src/adapters/exact-text.js";
import { postgresDialect as d } from "../../src/adapters/postgres/postgres-dialect.js";
import { postgresFingerprintSql } from "../../src/adapters/postgres/postgres-fingerprint.js";
import { columnsSql, relationKindSql } from "../../src/adapters/postgres/postgres-introspector.js";
import { withoutOwnTransaction } from "../../src/adapters/postgres/postgres-connection.js";
import * as sql from "../../src/adapters/postgres/postgres-sql.js";
import { copyText, nativeTypeOf } from "../../src/adapters/postgres/postgres-values.js";

const expectGolden = goldenFiles("postgres");

const sales: RelationName = { schema: "mart", name: "sales" };
const salesStg: RelationName = { schema: "mart", name: "sales__sluice_stg_r1_1" };
const salesOld: RelationName = { schema: "mart", name: "sales__sluice_old_r1_2" };
const salesTmp: RelationName = { schema: "mart", name: "sales__sluice_tmp_r1_3" };
const columns = ["sale_id", "year_month", "amount", "customer"];
const modelSql =
  "WITH s AS (SELECT * FROM source.sales WHERE note <> 'it''s')\nSELECT sale_id, year_month, amount, customer FROM s;\n";
const col = (name: string, type: LogicalType): Column => ({ name, type, nativeType: "" });

describe("PostgreSQL dialect", () => {
  it("double-quotes identifiers, doubling a quote inside, and names relations schema.name", () => {
    expect(d.quoteIdentifier('odd"name')).toBe('"odd""name"');
    expect(d.relation({ database: "ignored", schema: "mart", name: "sales" })).toBe('"mart"."sales"');
  });

  it.each<[Parameters<typeof d.literal>[0], string]>([
    [null, "NULL"],
    [true, "TRUE"],
    [9007199254740993n, "9007199254740993"],
    [Number.NaN, "'NaN'::double precision"],
    ["O'Brien \\ Ω", "'O''Brien \\ Ω'"],
    [new Date("2021-08-01T12:34:56.789Z"), "TIMESTAMP '2021-08-01 12:34:56.789'"],
    [new Uint8Array([0xde, 0xad]), "'\\xdead'::bytea"],
  ])("writes %s as the literal %s", (value, literal) => {
    expect(d.literal(value)).toBe(literal);
  });

  it.each<[LogicalType, string]>([
    [{ kind: "integer", bits: 8 }, "SMALLINT"],
    [{ kind: "integer", bits: 64 }, "BIGINT"],
    [{ kind: "decimal", precision: 38, scale: 10 }, "NUMERIC(38,10)"],
    [{ kind: "string" }, "TEXT"],
    [{ kind: "string", length: 20 }, "VARCHAR(20)"],
    [{ kind: "timestamp" }, "TIMESTAMP(6)"],
    [{ kind: "binary" }, "BYTEA"],
  ])("maps %j to %s and back", (type, native) => {
    expect(d.nativeType(type)).toBe(native);
    expect(d.logicalType(native)).toEqual(
      type.kind === "integer" && type.bits === 8 ? { kind: "integer", bits: 16 } : type,
    );
  });

  it("reads format_type() spellings, an unconstrained NUMERIC as exact text", () => {
    expect(d.logicalType("numeric(18,2)")).toEqual({ kind: "decimal", precision: 18, scale: 2 });
    expect(d.logicalType("numeric")).toEqual({ kind: "string" });
    expect(d.logicalType("timestamp with time zone")).toEqual({ kind: "timestamp", withTimeZone: true });
    expect(d.logicalType("character varying(12)")).toEqual({ kind: "string", length: 12 });
    expect(d.logicalType("double precision")).toEqual({ kind: "float", bits: 64 });
  });

  it("spells a result column's type from its OID and type modifier", () => {
    expect(nativeTypeOf({ dataTypeID: 1700, dataTypeModifier: ((18 << 16) | 2) + 4 })).toBe("numeric(18,2)");
    expect(nativeTypeOf({ dataTypeID: 1043, dataTypeModifier: 24 })).toBe("character varying(20)");
    expect(nativeTypeOf({ dataTypeID: 1700, dataTypeModifier: -1 })).toBe("numeric");
  });

  it("refuses a decimal wider than NUMERIC allows", () => {
    expect(() => d.nativeType({ kind: "decimal", precision: 1001, scale: 0 })).toThrow(/1\.\.1000/);
  });
});

describe("PostgreSQL statements", () => {
  it("pins every builder in golden files", () => {
    expectGolden("create-schema", sql.createSchemaSql("mart"));
    expectGolden("create-view", sql.createViewSql(sales, modelSql, null));
    expectGolden("create-view-replacing-table", sql.createViewSql(sales, modelSql, "table"));
    expectGolden("create-table-as", sql.createTableAsSql(salesStg, modelSql));
    expectGolden(
      "swap-first-build",
      sql.swapTableSql({ target: sales, staging: salesStg, old: salesOld, existing: null }),
    );
    expectGolden(
      "swap-table",
      sql.swapTableSql({ target: sales, staging: salesStg, old: salesOld, existing: "table" }),
    );
    expectGolden(
      "swap-replacing-view",
      sql.swapTableSql({ target: sales, staging: salesStg, old: salesOld, existing: "view" }),
    );
    expectGolden("append", sql.appendSql(sales, salesTmp, columns));
    expectGolden("delete-insert", sql.deleteInsertSql(sales, salesTmp, columns, ["sale_id", "year_month"]));
    expectGolden("merge", sql.mergeSql(sales, salesTmp, columns, ["sale_id"]));
    expectGolden(
      "replace-partitions",
      sql.replacePartitionsSql(sales, salesTmp, columns, ["year_month"], [["202108"], ["it's"]]),
    );
    expectGolden(
      "replace-partitions-two-columns",
      sql.replacePartitionsSql(sales, salesTmp, columns, ["year_month", "customer"], [["202108", "a"]]),
    );
    expectGolden("keep-partitions", sql.keepPartitionsSql(salesTmp, ["year_month"], [["202108"]]));
    expectGolden("delete-partitions", sql.deletePartitionsSql(sales, ["year_month"], [["202108"]]));
    const typed = [
      col("sale_id", { kind: "integer", bits: 64 }),
      col("amount", { kind: "decimal", precision: 18, scale: 2 }),
      col("at", { kind: "timestamp" }),
    ];
    expectGolden("create-staging-table", sql.createStagingTableSql(salesStg, typed));
    expectGolden("copy-from-stdin", sql.copyFromStdinSql(salesStg, typed));
    expectGolden("drop-view", sql.dropRelationSql(sales, "view"));
    expectGolden("relation-kind", relationKindSql({ schema: "it's", name: "sales" }));
    expectGolden("columns", columnsSql(sales));
    expectGolden("fingerprint", postgresFingerprintSql(d.relation(sales)));
  });

  it("refuses an empty partition set and a key-less merge", () => {
    expect(() => sql.replacePartitionsSql(sales, salesTmp, columns, ["year_month"], [])).toThrow(
      sql.EmptyPartitionSetError,
    );
    expect(() => sql.deletePartitionsSql(sales, ["year_month"], [])).toThrow(/partition set is empty/);
    expect(() => sql.mergeSql(sales, salesTmp, columns, [])).toThrow(/needs a unique_key/);
  });

  it("leaves an atomic block's own BEGIN/COMMIT out inside an open transaction", () => {
    expect(withoutOwnTransaction(sql.atomic(["DELETE FROM t;", "INSERT INTO t SELECT 1;"]))).toBe(
      "DELETE FROM t;\nINSERT INTO t SELECT 1;",
    );
    expect(withoutOwnTransaction("SELECT 1")).toBe("SELECT 1");
  });

  it("writes COPY text with tabs, newlines and backslashes escaped, \\N for NULL and bytea as hex", () => {
    const columns = [
      col("s", { kind: "string" }),
      col("b", { kind: "boolean" }),
      col("t", { kind: "timestamp" }),
      col("x", { kind: "binary" }),
      col("n", { kind: "integer", bits: 64 }),
    ];
    const batch = batchWithExactTimestamps(columns, [
      ["a\tb\nc\\d\re", true, "2026-11-20 10:00:00.000001", new Uint8Array([0, 255]), 9223372036854775807n],
      [null, false, null, null, null],
    ]);
    expect(copyText(batch)).toBe(
      "a\\tb\\nc\\\\d\\re\tt\t2026-11-20 10:00:00.000001\t\\\\x00ff\t9223372036854775807\n\\N\tf\t\\N\t\\N\t\\N\n",
    );
  });
});
