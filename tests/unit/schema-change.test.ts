// The on_schema_change decision as a table: given the SQL's and the table's columns, what each
// setting writes, alters or refuses (runner/schema-change.ts). The built tables are checked on real
// DuckDB in tests/e2e/dbt-on-schema-change.test.ts.
import { describe, expect, it } from "vitest";
import { duckdbDialect } from "../../src/adapters/duckdb/duckdb-dialect.js";
import {
  decideSchemaChange,
  diffColumns,
  schemaChangeSelect,
  type ColumnShape,
} from "../../src/runner/schema-change.js";
import type { OnSchemaChange } from "../../src/project/schema.js";

const cols = (spec: string): ColumnShape[] =>
  spec.split(",").map((c) => {
    const [name, nativeType] = c.trim().split(" ");
    return { name: name!, nativeType: nativeType! };
  });
const TABLE = cols("id INTEGER, name VARCHAR, amount INTEGER");
const rel = { database: "shop", schema: "main", name: "orders" };
const model = (strategy: "append" | "merge" | "delete+insert") => ({
  name: "orders",
  location: { path: "models/orders.sql", line: 1 },
  config: { strategy },
});
const decide = (setting: OnSchemaChange, query: string, strategy: "append" | "merge" = "append") =>
  decideSchemaChange(model(strategy), setting, cols(query), TABLE, rel, duckdbDialect);

describe("diffColumns", () => {
  it("finds added, removed and retyped columns, names without case", () => {
    expect(diffColumns(cols("ID INTEGER, amount DOUBLE, extra VARCHAR"), TABLE)).toEqual({
      added: [{ name: "extra", nativeType: "VARCHAR" }],
      removed: [{ name: "name", nativeType: "VARCHAR" }],
      retyped: [{ name: "amount", from: "INTEGER", to: "DOUBLE" }],
    });
    expect(diffColumns(cols("id INTEGER, name VARCHAR, amount INTEGER"), TABLE)).toEqual({
      added: [],
      removed: [],
      retyped: [],
    });
  });
});

describe("decideSchemaChange", () => {
  const same = "id INTEGER, name VARCHAR, amount INTEGER";
  const added = "id INTEGER, name VARCHAR, amount INTEGER, extra VARCHAR";
  const removed = "id INTEGER, name VARCHAR";
  const retyped = "id INTEGER, name VARCHAR, amount DOUBLE";

  it.each([
    ["ignore", same, ["id", "name", "amount"]],
    ["ignore", added, ["id", "name", "amount"]],
    ["ignore", retyped, ["id", "name", "amount"]],
    ["fail", same, ["id", "name", "amount"]],
    ["append_new_columns", added, ["id", "name", "amount", "extra"]],
    ["append_new_columns", removed, ["id", "name"]],
    ["sync_all_columns", removed, ["id", "name"]],
  ] as const)("%s with SQL columns (%s) writes %j", (setting, query, written) => {
    const decision = decide(setting, query);
    expect(decision.kind).toBe("write");
    if (decision.kind === "write") expect(decision.columns).toEqual(written);
  });

  it("ignore refuses a SQL that dropped a table column, naming it", () => {
    const decision = decide("ignore", removed);
    expect(decision).toMatchObject({ kind: "fail" });
    if (decision.kind === "fail") {
      expect(decision.message).toContain("models/orders.sql: incremental model 'orders'");
      expect(decision.message).toContain("amount (INTEGER)");
      expect(decision.message).toContain("append_new_columns or sync_all_columns");
    }
  });

  it.each([
    [added, "new in the SQL: extra (VARCHAR)"],
    [removed, "in the table, not in the SQL: amount (INTEGER)"],
    [retyped, "type changed: amount INTEGER -> DOUBLE"],
  ])("fail refuses SQL columns (%s), saying %s", (query, said) => {
    const decision = decide("fail", query);
    expect(decision.kind).toBe("fail");
    if (decision.kind === "fail") {
      expect(decision.message).toContain("on_schema_change 'fail'");
      expect(decision.message).toContain(said);
      expect(decision.message).toContain('"shop"."main"."orders"');
    }
  });

  it("append_new_columns adds new columns and leaves types and dropped columns alone", () => {
    expect(decide("append_new_columns", `${removed}, extra VARCHAR`)).toEqual({
      kind: "write",
      alter: ['ALTER TABLE "shop"."main"."orders" ADD COLUMN "extra" VARCHAR'],
      columns: ["id", "name", "extra"],
      keep: [],
    });
    expect(decide("append_new_columns", retyped)).toMatchObject({ alter: [] });
  });

  it("a merge under append_new_columns keeps a dropped column's value in the rows it matches", () => {
    const decision = decide("append_new_columns", removed, "merge");
    expect(decision).toMatchObject({ kind: "write", keep: ["amount"] });
    if (decision.kind !== "write") return;
    const select = schemaChangeSelect("select 1 as id, 'a' as name", decision, rel, ["id"], duckdbDialect);
    expect(select).toBe(
      'select sluice_new."id", sluice_new."name", sluice_old."amount"\nfrom (\nselect 1 as id, \'a\' as name\n) sluice_new\n' +
        'left join (select distinct on ("id") "id", "amount" from "shop"."main"."orders") sluice_old on sluice_new."id" = sluice_old."id"',
    );
  });

  it("sync_all_columns adds and drops columns in place", () => {
    expect(decide("sync_all_columns", "id INTEGER, amount INTEGER, extra VARCHAR", "merge")).toEqual({
      kind: "write",
      alter: [
        'ALTER TABLE "shop"."main"."orders" ADD COLUMN "extra" VARCHAR',
        'ALTER TABLE "shop"."main"."orders" DROP COLUMN "name"',
      ],
      columns: ["id", "amount", "extra"],
      keep: [],
    });
  });

  it("sync_all_columns rebuilds the table for a changed type, the column last as dbt leaves it", () => {
    expect(decide("sync_all_columns", "amount DOUBLE, id INTEGER, extra VARCHAR")).toEqual({
      kind: "write",
      alter: [],
      rebuild:
        'SELECT "id", CAST(NULL AS VARCHAR) AS "extra", CAST("amount" AS DOUBLE) AS "amount" FROM "shop"."main"."orders"',
      columns: ["amount", "id", "extra"],
      keep: [],
    });
  });
});
