// Pins the T-SQL the SQL Server adapter generates: dialect rules by table, builders by golden files.
// UPDATE_GOLDEN=1 rewrites the golden files; review the diff like any other code change.
import { describe, expect, it } from "vitest";
import { goldenFiles } from "../helpers/golden.js";
import {
  temporaryName,
  type Column,
  type LogicalType,
  type RelationName,
} from "../../src/adapters/contract.js";
import { sqlServerDialect as d } from "../../src/adapters/sqlserver/sqlserver-dialect.js";
import {
  columnsSql,
  declaredType,
  relationKindSql,
} from "../../src/adapters/sqlserver/sqlserver-introspector.js";
import { asDerivedTable, queryShape } from "../../src/adapters/sqlserver/sqlserver-query-shape.js";
import {
  appendSql,
  createSchemaSql,
  createStagingTableSql,
  createViewSql,
  deleteInsertSql,
  deletePartitionsSql,
  describeResultSql,
  dropRelationSql,
  EmptyPartitionSetError,
  exactDecimalSelectSql,
  keepPartitionsSql,
  mergeSql,
  replacePartitionsSql,
  selectIntoSql,
  stagedSelectSql,
  swapTableSql,
} from "../../src/adapters/sqlserver/sqlserver-sql.js";

const expectGolden = goldenFiles("sqlserver");

const sales: RelationName = { schema: "mart", name: "sales" };
const salesStg: RelationName = { schema: "mart", name: "sales__sluice_stg_r1_1" };
const salesOld: RelationName = { schema: "mart", name: "sales__sluice_old_r1_2" };
const salesTmp: RelationName = { schema: "mart", name: "sales__sluice_tmp_r1_3" };
const columns = ["sale_id", "year_month", "amount", "customer"];
const modelSql = [
  "-- monthly sales, newest first",
  "WITH s AS (SELECT sale_id, amount, sold_on FROM [source].[sales] WHERE note <> 'it''s (odd)'),",
  "m (sale_id, ym) AS (SELECT sale_id, FORMAT(sold_on, 'yyyyMM') FROM s)",
  "SELECT s.sale_id, m.ym AS year_month, s.amount, N'x' AS customer",
  "FROM s JOIN m ON m.sale_id = s.sale_id",
  "ORDER BY s.sale_id;",
].join("\n");

describe("SQL Server dialect", () => {
  it("brackets identifiers and doubles a closing bracket inside them", () => {
    expect(d.quoteIdentifier("sales")).toBe("[sales]");
    expect(d.quoteIdentifier("odd]name")).toBe("[odd]]name]");
    expect(d.relation({ database: "dw", schema: "mart", name: "sales" })).toBe("[dw].[mart].[sales]");
  });

  it.each<[Parameters<typeof d.literal>[0], string]>([
    [null, "NULL"],
    [true, "CAST(1 AS BIT)"],
    [42, "42"],
    [9007199254740993n, "9007199254740993"],
    ["O'Brien – Ω", "N'O''Brien – Ω'"],
    [new Date("2021-08-01T12:34:56.789Z"), "CAST('2021-08-01T12:34:56.789' AS DATETIME2(6))"],
    [new Uint8Array([0xde, 0xad]), "0xDEAD"],
  ])("writes %s as the literal %s", (value, literal) => {
    expect(d.literal(value)).toBe(literal);
  });

  it("refuses non-finite numbers as literals", () => {
    expect(() => d.literal(Number.NaN)).toThrow(/no literal/);
  });

  it.each<[LogicalType, string]>([
    [{ kind: "boolean" }, "BIT"],
    [{ kind: "integer", bits: 8 }, "SMALLINT"],
    [{ kind: "integer", bits: 32 }, "INT"],
    [{ kind: "integer", bits: 64 }, "BIGINT"],
    [{ kind: "decimal", precision: 38, scale: 10 }, "DECIMAL(38,10)"],
    [{ kind: "float", bits: 64 }, "FLOAT"],
    [{ kind: "string", length: 200 }, "NVARCHAR(200)"],
    [{ kind: "string" }, "NVARCHAR(MAX)"],
    [{ kind: "string", length: 5000 }, "NVARCHAR(MAX)"],
    [{ kind: "date" }, "DATE"],
    [{ kind: "timestamp" }, "DATETIME2(6)"],
    [{ kind: "binary" }, "VARBINARY(MAX)"],
  ])("maps %j to %s", (logical, native) => {
    expect(d.nativeType(logical)).toBe(native);
  });

  it.each<[string, LogicalType]>([
    ["BIGINT", { kind: "integer", bits: 64 }],
    ["int", { kind: "integer", bits: 32 }],
    ["TINYINT", { kind: "integer", bits: 16 }],
    ["DECIMAL(18,2)", { kind: "decimal", precision: 18, scale: 2 }],
    ["numeric", { kind: "decimal", precision: 18, scale: 0 }],
    ["MONEY", { kind: "decimal", precision: 19, scale: 4 }],
    ["NVARCHAR(200)", { kind: "string", length: 200 }],
    ["nvarchar(max)", { kind: "string" }],
    ["VARCHAR(10)", { kind: "string", length: 10 }],
    ["DATE", { kind: "date" }],
    ["DATETIME2(7)", { kind: "timestamp" }],
    ["DATETIME", { kind: "timestamp" }],
    ["BIT", { kind: "boolean" }],
    ["VARBINARY(MAX)", { kind: "binary" }],
    ["REAL", { kind: "float", bits: 32 }],
    ["FLOAT(53)", { kind: "float", bits: 64 }],
  ])("reads %s as %j", (native, logical) => {
    expect(d.logicalType(native)).toEqual(logical);
  });

  it("refuses decimals wider than SQL Server's 38 digits and unknown native types, saying what to do", () => {
    expect(() => d.nativeType({ kind: "decimal", precision: 40, scale: 2 })).toThrow(
      /precision must be 1..38/,
    );
    expect(() => d.logicalType("GEOGRAPHY")).toThrow(/cast it to a supported type/);
  });

  it("spells sys.columns types as declared", () => {
    expect(declaredType("nvarchar", 400, 0, 0)).toBe("NVARCHAR(200)");
    expect(declaredType("nvarchar", -1, 0, 0)).toBe("NVARCHAR(MAX)");
    expect(declaredType("decimal", 9, 18, 2)).toBe("DECIMAL(18,2)");
    expect(declaredType("datetime2", 8, 27, 7)).toBe("DATETIME2(7)");
    expect(declaredType("bigint", 8, 19, 0)).toBe("BIGINT");
  });

  it("keeps temporary names unique per call and within 128 characters", () => {
    const long: RelationName = { schema: "mart", name: "x".repeat(200) };
    const a = temporaryName(long, "stg", "run42", 128);
    const b = temporaryName(long, "stg", "run42", 128);
    expect(a.name).not.toBe(b.name);
    expect(a.name.length).toBeLessThanOrEqual(128);
    expect(a.name).toContain("__sluice_stg_run42_");
  });
});

describe("SQL Server query shape", () => {
  it("splits leading CTEs (with column lists, strings and comments) from the body", () => {
    const shape = queryShape(modelSql);
    expect(shape.ctes.startsWith("-- monthly sales, newest first\nWITH s AS")).toBe(true);
    expect(shape.ctes.endsWith("FROM s)")).toBe(true);
    expect(shape.body.startsWith("SELECT s.sale_id")).toBe(true);
    expect(shape.body.endsWith("ORDER BY s.sale_id")).toBe(true);
    expect(shape.orderBy).toBe(true);
    expect(shape.limited).toBe(false);
  });

  it.each([
    ["SELECT a FROM t", false, false],
    ["SELECT TOP (5) a FROM t ORDER BY a", true, true],
    ["SELECT a FROM t ORDER BY a OFFSET 5 ROWS", true, true],
    ["SELECT a FROM (SELECT TOP 1 a FROM t ORDER BY a) AS x", false, false],
    ["SELECT 'ORDER BY' AS a, [order by] FROM t", false, false],
  ])("reads %s as orderBy=%s limited=%s", (sql, orderBy, limited) => {
    const shape = queryShape(sql);
    expect([shape.orderBy, shape.limited]).toEqual([orderBy, limited]);
  });

  it("makes a top-level ORDER BY legal in a derived table with OFFSET 0 ROWS", () => {
    expect(asDerivedTable("SELECT a FROM t ORDER BY a").source).toBe(
      "(\nSELECT a FROM t ORDER BY a\nOFFSET 0 ROWS\n) AS [sluice_src]",
    );
    expect(asDerivedTable("SELECT TOP 3 a FROM t ORDER BY a").source).toBe(
      "(\nSELECT TOP 3 a FROM t ORDER BY a\n) AS [sluice_src]",
    );
  });
});

describe("SQL Server builders (golden T-SQL)", () => {
  it("creates a schema only if missing, through EXEC", () => {
    expectGolden("create-schema", createSchemaSql("mart"));
    expectGolden("create-schema-other-database", createSchemaSql("mart", "dw"));
  });

  it("creates or alters a view, and replaces a table of the same name in one transaction", () => {
    expectGolden("create-view", createViewSql(sales, modelSql));
    expectGolden("create-view-replacing-table", createViewSql(sales, modelSql, true));
    expectGolden(
      "create-view-other-database",
      createViewSql({ ...sales, database: "dw" }, "SELECT 1 AS one"),
    );
  });

  it("drops a table or a view, whichever holds the name", () => {
    expectGolden("drop-relation", dropRelationSql(sales));
  });

  it("builds a staging table from a model with CTEs and ORDER BY", () => {
    expectGolden("select-into-staging", selectIntoSql(salesStg, modelSql));
  });

  it("swaps staging in as one batch inside XACT_ABORT and one transaction", () => {
    const sql = swapTableSql({ target: sales, staging: salesStg, old: salesOld });
    expect(sql.split("\n")[0]).toBe("SET XACT_ABORT ON;");
    expect(sql.split("\n")[1]).toBe("BEGIN TRANSACTION;");
    expect(sql.trimEnd().endsWith("COMMIT TRANSACTION;")).toBe(true);
    expectGolden("swap-table", sql);
    expectGolden(
      "swap-table-other-database",
      swapTableSql({
        target: { ...sales, database: "dw" },
        staging: { ...salesStg, database: "dw" },
        old: { ...salesOld, database: "dw" },
      }),
    );
  });

  it("appends, deletes+inserts and merges on a unique key", () => {
    expectGolden("append", appendSql(sales, salesTmp, columns));
    expectGolden("delete-insert", deleteInsertSql(sales, salesTmp, columns, ["sale_id"]));
    expectGolden("merge", mergeSql(sales, salesTmp, columns, ["sale_id", "year_month"]));
  });

  it("replaces exactly the named partitions in one transaction", () => {
    expectGolden(
      "replace-partitions",
      replacePartitionsSql(sales, salesTmp, columns, ["year_month"], [["202108"], ["202111"]]),
    );
    expectGolden(
      "replace-partitions-two-columns",
      replacePartitionsSql(
        sales,
        salesTmp,
        columns,
        ["year_month", "customer"],
        [
          ["202108", "a"],
          ["202111", "b'c"],
        ],
      ),
    );
    expectGolden("keep-partitions", keepPartitionsSql(salesTmp, ["year_month"], [["202108"]]));
    expectGolden("delete-partitions", deletePartitionsSql(sales, ["year_month"], [["202108"]]));
  });

  it("refuses an empty partition set instead of widening it to the whole table", () => {
    expect(() => replacePartitionsSql(sales, salesTmp, columns, ["year_month"], [])).toThrow(
      EmptyPartitionSetError,
    );
    expect(() => keepPartitionsSql(salesTmp, ["year_month"], [])).toThrow(EmptyPartitionSetError);
    expect(() => deletePartitionsSql(sales, ["year_month"], [])).toThrow(/partition set is empty/);
  });

  it("refuses partitions whose arity or columns do not match partition_by", () => {
    expect(() => replacePartitionsSql(sales, salesTmp, columns, ["year_month"], [["202108", "x"]])).toThrow(
      /has 2 values/,
    );
    expect(() => replacePartitionsSql(sales, salesTmp, columns, ["region"], [["eu"]])).toThrow(
      /region are not in the result/,
    );
  });

  it("stages bulk loads with decimals as text and casts them back", () => {
    const loadColumns: Column[] = [
      { name: "sale_id", nativeType: "BIGINT", type: { kind: "integer", bits: 64 } },
      { name: "amount", nativeType: "DECIMAL(38,10)", type: { kind: "decimal", precision: 38, scale: 10 } },
      { name: "customer", nativeType: "NVARCHAR(200)", type: { kind: "string", length: 200 } },
      { name: "sold_on", nativeType: "DATE", type: { kind: "date" } },
      { name: "loaded_at", nativeType: "DATETIME2(6)", type: { kind: "timestamp" } },
      { name: "is_return", nativeType: "BIT", type: { kind: "boolean" } },
      { name: "receipt", nativeType: "VARBINARY(MAX)", type: { kind: "binary" } },
    ];
    expectGolden("create-staging-table", createStagingTableSql(salesStg, loadColumns));
    expectGolden("staged-select", stagedSelectSql(salesStg, loadColumns));
  });

  it("describes a query and reads wide decimals as text, and only then", () => {
    expectGolden("describe-result", describeResultSql(modelSql));
    const described = [
      { name: "sale_id", systemTypeName: "bigint", precision: 19, scale: 0 },
      { name: "amount", systemTypeName: "decimal(38,10)", precision: 38, scale: 10 },
      { name: "price", systemTypeName: "decimal(9,2)", precision: 9, scale: 2 },
    ];
    expectGolden("exact-decimal-select", exactDecimalSelectSql(modelSql, described) ?? "");
    expect(exactDecimalSelectSql(modelSql, [described[0]!, described[2]!])).toBeNull();
    expect(() =>
      exactDecimalSelectSql("SELECT 1, CAST(1 AS DECIMAL(30,2))", [
        { name: null, systemTypeName: "int", precision: 10, scale: 0 },
        described[1]!,
      ]),
    ).toThrow(/unique alias/);
  });

  it("introspects through INFORMATION_SCHEMA and sys.columns", () => {
    expectGolden("introspect-relation-kind", relationKindSql({ ...sales, database: "dw" }));
    expectGolden("introspect-columns", columnsSql(sales));
  });
});
