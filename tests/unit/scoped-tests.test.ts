// Data tests narrowed to the partitions a build replaced: the SQL run on DuckDB against tables
// built here (so its semantics, not just its text, are pinned), and the planner's rule for when
// narrowing is sound, on the example project's manifest.
import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import {
  genericTestSql,
  scopedGenericTestSql,
  type GenericTestInput,
} from "../../src/compiler/data-tests.js";
import { partitionPredicate } from "../../src/compiler/partition-sql.js";
import { quoteIdentifier } from "../../src/compiler/relations.js";
import { compileProject } from "../../src/compiler/compile.js";
import { scopedReconcileSql, scopedTestSql } from "../../src/compiler/test-nodes.js";
import type { NodeOutcome } from "../../src/ledger/ledger.js";
import type { TestNode } from "../../src/manifest/types.js";
import { passMeansNoFailures, scopeTest } from "../../src/planner/test-scope.js";
import { loadProject } from "../../src/project/load.js";
import { REPO_ROOT } from "../helpers/temp-project.js";

async function rows(setup: string, sql: string): Promise<unknown[][]> {
  const instance = await DuckDBInstance.create(":memory:");
  const c = await instance.connect();
  try {
    await c.run(setup);
    const reader = await c.runAndReadAll(`${sql}\norder by all`);
    return reader.getRows().map((r) => r.map((v) => (typeof v === "bigint" ? Number(v) : v)));
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

/** A generic test on table t (partitioned by ym), whole and narrowed to the given months. */
function both(
  type: GenericTestInput["type"],
  column: string | null,
  args: Record<string, unknown>,
  months: number[],
  where?: string,
) {
  const q = (n: string) => quoteIdentifier("duckdb", n);
  const input: GenericTestInput = {
    type,
    engine: "duckdb",
    relation: where ? `(select * from t where ${where})` : "t",
    column,
    args,
    quote: q,
    parent: "p",
  };
  const predicate = partitionPredicate(
    "duckdb",
    ["ym"],
    months.map((m) => [String(m)]),
  );
  const scoped = scopedGenericTestSql(
    input,
    `(select * from t where (${predicate})${where ? ` and (${where})` : ""})`,
  );
  if (typeof scoped !== "string") throw new Error("not scoped");
  return { whole: genericTestSql(input) as string, scoped };
}

const SALES = `create table t (id int, code varchar, ym int, status varchar, amount int);
insert into t values
  (1, 'a', 202301, 'ok', 5), (2, 'a', 202301, 'ok', 5), (2, 'b', 202302, 'ok', 5),
  (3, 'c', 202302, 'ok', 5), (3, 'c', 202302, 'ok', 5),
  (null, 'd', 202301, 'ok', 5), (null, 'd', 202301, 'ok', 5),
  (4, null, 202301, 'bad', -1), (5, null, 202302, 'bad', -1);
create table p (code varchar); insert into p values ('a'), ('b');`;

describe("a unique test narrowed to replaced partitions", () => {
  it("catches a key duplicated across a replaced and an untouched partition, counted over the whole table", async () => {
    const { scoped } = both("unique", "id", {}, [202301]);
    expect(await rows(SALES, scoped)).toEqual([[2, 2]]);
  });

  it("leaves out NULL keys on both sides, as the whole-table test does", async () => {
    const { whole, scoped } = both("unique", "id", {}, [202301, 202302]);
    expect(await rows(SALES, scoped)).toEqual(await rows(SALES, whole));
    expect(await rows(SALES, whole)).toEqual([
      [2, 2],
      [3, 2],
    ]);
  });

  it("checks multi-column keys, skipping keys with any NULL column", async () => {
    const { whole, scoped } = both("unique", null, { columns: ["id", "code"] }, [202302]);
    expect(await rows(SALES, scoped)).toEqual([[3, "c", 2]]);
    expect(await rows(SALES, whole)).toEqual([[3, "c", 2]]);
  });

  it("applies the test's where on both sides", async () => {
    const { scoped } = both("unique", "id", {}, [202301], "code <> 'b'");
    expect(await rows(SALES, scoped)).toEqual([]);
  });
});

describe("row-wise tests narrowed to replaced partitions", () => {
  it("not_null reads only the replaced partitions", async () => {
    const { whole, scoped } = both("not_null", "code", {}, [202302]);
    expect((await rows(SALES, whole)).map((r) => r[0])).toEqual([4, 5]);
    expect((await rows(SALES, scoped)).map((r) => r[0])).toEqual([5]);
  });

  it("accepted_values, expression and relationships see only the replaced rows", async () => {
    expect(await rows(SALES, both("accepted_values", "status", { values: ["ok"] }, [202301]).scoped)).toEqual(
      [["bad", 1]],
    );
    expect(
      (await rows(SALES, both("expression", "amount", { expression: ">= 0" }, [202302]).scoped)).map(
        (r) => r[0],
      ),
    ).toEqual([5]);
    expect(await rows(SALES, both("relationships", "code", { field: "code" }, [202302]).scoped)).toEqual([
      ["c"],
      ["c"],
    ]);
    expect(await rows(SALES, both("relationships", "code", { field: "code" }, [202301]).scoped)).toEqual([
      ["d"],
      ["d"],
    ]);
  });

  it("keeps the test's where", async () => {
    expect(await rows(SALES, both("not_null", "code", {}, [202301, 202302], "amount > 0").scoped)).toEqual(
      [],
    );
  });
});

describe("when a test may be narrowed", () => {
  const { manifest } = compileProject(loadProject({ projectDir: REPO_ROOT, target: "dev", env: {} }));
  const test = (id: string) => manifest.nodes[id] as TestNode;
  const months = [["202309"], ["202310"]];
  const at = (t: string) => `2026-11-25 10:00:0${t}`;
  const passed = (...ids: string[]): Map<string, NodeOutcome> =>
    new Map([
      [
        "model.sales_history",
        { version: manifest.nodes["model.sales_history"]!.checksum, status: "success", at: at("1") },
      ],
      [
        "seed.countries",
        { version: manifest.nodes["seed.countries"]!.checksum, status: "success", at: at("1") },
      ],
      ...ids.map((id): [string, NodeOutcome] => [
        id,
        { version: manifest.nodes[id]!.checksum, status: "pass", at: at("1") },
      ]),
    ]);
  const inputs = (outcomes: Map<string, NodeOutcome>, changing: string[] = []) => ({
    manifest,
    replacing: new Map([["model.sales_history", months]]),
    changing: new Set(["model.sales_history", ...changing]),
    outcomes,
  });

  it("narrows a test that passed at this version when only its model's replaced partitions changed", () => {
    const scoped = scopeTest(
      test("test.unique_sales_history_sale_id"),
      inputs(passed("test.unique_sales_history_sale_id")),
    );
    expect(scoped.scope?.partitions).toEqual(months);
    expect("describe" in scoped && scoped.describe).toBe("on partitions 202309, 202310 of sales_history");
  });

  it("reads the whole table when the test failed or never ran, or the model was written since", () => {
    const id = "test.not_null_sales_history_sale_id";
    expect(
      scopeTest(
        test(id),
        inputs(new Map([...passed(), [id, { version: test(id).checksum, status: "fail", at: at("1") }]])),
      ).scope,
    ).toBeNull();
    expect(scopeTest(test(id), inputs(passed()))).toEqual({ scope: null, whole: "it has not run before" });
    const later = passed(id);
    later.set("model.sales_history", { ...later.get("model.sales_history")!, at: at("2") });
    expect(scopeTest(test(id), inputs(later))).toEqual({
      scope: null,
      whole: "sales_history was written since the test last passed",
    });
  });

  it("reads the whole table for relationships whose parent this build writes", () => {
    const id = "test.relationships_sales_history_country";
    expect(scopeTest(test(id), inputs(passed(id))).scope).not.toBeNull();
    expect(scopeTest(test(id), inputs(passed(id), ["seed.countries"]))).toEqual({
      scope: null,
      whole: "countries is written in this build",
    });
  });

  it("never narrows row_count, tests of other models, or thresholds that pass with failures", () => {
    expect(
      scopeTest(test("test.row_count_sales_history"), inputs(passed("test.row_count_sales_history"))).scope,
    ).toBeNull();
    expect(
      scopeTest(
        test("test.unique_sales_by_country_month"),
        inputs(passed("test.unique_sales_by_country_month")),
      ),
    ).toEqual({ scope: null });
    const lax = {
      ...test("test.unique_sales_history_sale_id"),
      config: { severity: "error" as const, errorIf: ">10", warnIf: ">10", where: null },
    };
    expect(passMeansNoFailures(lax)).toBe(false);
    expect(scopeTest(lax, inputs(passed("test.unique_sales_history_sale_id"))).scope).toBeNull();
  });

  it("refuses where and expression SQL that may look beyond the row, and SQL another version compiled", () => {
    const base = test("test.expression_sales_history_revenue");
    expect(scopedTestSql(manifest, base, months)).toHaveProperty("sql");
    expect(
      scopedTestSql(
        manifest,
        { ...base, config: { ...base.config, where: "sale_date > current_date - 30" } },
        months,
      ),
    ).toHaveProperty("whole");
    expect(
      scopedTestSql(
        manifest,
        { ...base, args: { expression: "revenue <= (select max(revenue) from x)" } },
        months,
      ),
    ).toHaveProperty("whole");
    expect(scopedTestSql(manifest, { ...base, compiledSql: "select 1" }, months)).toHaveProperty("whole");
  });

  it.each([
    ["error", "!=0", "!=0", true],
    ["error", ">10", "!=0", true],
    ["error", ">10", ">10", false],
    ["warn", "!=0", ">5", false],
    ["warn", "!=0", ">=1", true],
  ] as const)(
    "severity %s, error_if %s, warn_if %s: a pass means no failing row is %s",
    (severity, errorIf, warnIf, expected) => {
      expect(
        passMeansNoFailures({
          ...test("test.unique_sales_history_sale_id"),
          config: { severity, errorIf, warnIf, where: null },
        }),
      ).toBe(expected);
    },
  );
});

describe("a reconcile test narrowed to replaced partitions", () => {
  const { manifest } = compileProject(loadProject({ projectDir: REPO_ROOT, target: "dev", env: {} }));
  const reconcile = manifest.nodes["test.reconcile_sales_history"] as TestNode;
  const at = "2026-11-25 10:00:01";
  const outcomes = (status: string): Map<string, NodeOutcome> =>
    new Map([
      [
        "model.sales_history",
        { version: manifest.nodes["model.sales_history"]!.checksum, status: "success", at },
      ],
      [reconcile.id, { version: reconcile.checksum, status, at }],
    ]);
  const inputs = (status: string) => ({
    manifest,
    replacing: new Map([["model.sales_history", [["202309"]]]]),
    changing: new Set(["model.sales_history"]),
    outcomes: outcomes(status),
  });
  // The lake copy of sales_history and its source tables, as the example names them: one sale of
  // 202309 with a quantity that does not match the source, one good sale of 202310.
  const SETUP = `attach ':memory:' as lake; attach ':memory:' as source; create schema source.production;
create table source.production.sales (sale_id int, sale_date date, quantity int, unit_price decimal(10,2), update_date timestamp, client_id int, product_id int);
create table source.production.clients (client_id int, client_name varchar, country varchar);
create table source.production.products (product_id int, product_name varchar, category varchar);
insert into source.production.sales values (1, '2023-09-05', 2, 10, null, 1, 1), (2, '2023-10-05', 1, 10, null, 1, 1);
insert into source.production.clients values (1, 'Ana', 'PT'); insert into source.production.products values (1, 'Tee', 'T-shirts');
create table lake.main.sales_history as select 1 as sale_id, 3 as quantity, 30.00 as revenue, 202309 as year_month
  union all select 2, 1, 10.00, 202310;`;

  it("profiles just the replaced partitions on both sides, so a wrong row in one of them still differs", async () => {
    const scoped = scopeTest(reconcile, inputs("pass"));
    expect(scoped.scope?.partitions).toEqual([["202309"]]);
    const stored = await rows(SETUP, scoped.scope!.sql);
    const computed = await rows(SETUP, scoped.scope!.computedSql!);
    expect(stored).toEqual([["202309", 1, "3", "30.00"]]);
    expect(computed).toEqual([["202309", 1, "2", "20.00"]]);
  });

  it("profiles the whole table when it did not pass last time, so a drift outside the replaced partitions is not hidden", () => {
    expect(scopeTest(reconcile, inputs("fail"))).toEqual({
      scope: null,
      whole: "it did not pass last time (fail)",
    });
  });

  it("profiles the whole table when it groups by columns other than the partition columns", () => {
    const byCountry = { ...reconcile, reconcile: { ...reconcile.reconcile!, keyColumns: ["country"] } };
    expect(scopedReconcileSql(manifest, byCountry, [["202309"]])).toEqual({
      whole: "it profiles by country, not by the partition columns",
    });
    expect(
      scopeTest(manifest.nodes["test.reconcile_sales_by_country_month"] as TestNode, inputs("pass")).scope,
    ).toBeNull();
  });
});

describe("the tests of a table recomputing the groups of replaced months", () => {
  const { manifest } = compileProject(loadProject({ projectDir: REPO_ROOT, target: "dev", env: {} }));
  const mart = "model.sales_by_country_month";
  const at = "2026-11-25 10:00:01";
  const outcomes = (...ids: string[]): Map<string, NodeOutcome> =>
    new Map([
      [mart, { version: manifest.nodes[mart]!.checksum, status: "success", at }],
      ...ids.map((id): [string, NodeOutcome] => [
        id,
        { version: manifest.nodes[id]!.checksum, status: "pass", at },
      ]),
    ]);
  const inputs = (ids: string[], grouped = true) => ({
    manifest,
    replacing: new Map([[mart, [["202309"]]]]),
    changing: new Set(["model.sales_history", mart]),
    outcomes: outcomes(...ids),
    ...(grouped ? { groupedBy: new Map([[mart, ["year_month"]]]) } : {}),
  });
  const SETUP = `attach ':memory:' as mart; attach ':memory:' as lake;
create table mart.main.sales_by_country_month as select * from (values
  ('PT', 'Portugal', 202309, 2, 3, 30.00), ('PT', 'Portugal', 202309, 1, 1, 10.00),
  ('ES', 'Spain', 202310, 1, 1, 10.00), ('ES', 'Spain', 202310, 1, 1, 10.00))
  t(country, country_name, year_month, sales, units, revenue);`;

  it("checks just the recomputed groups, so a duplicate among them is still caught", async () => {
    const id = "test.unique_sales_by_country_month";
    const scoped = scopeTest(manifest.nodes[id] as TestNode, inputs([id]));
    expect("describe" in scoped && scoped.describe).toBe("on partition 202309 of sales_by_country_month");
    // The duplicate in 202310 (an untouched group) is not read: it passed before, so it is not there.
    expect(await rows(SETUP, scoped.scope!.sql)).toEqual([["PT", 202309, 2]]);
  });

  it("profiles the reconcile on the recomputed groups only, on the mart and on the lake", () => {
    const id = "test.reconcile_sales_by_country_month";
    const scoped = scopeTest(manifest.nodes[id] as TestNode, inputs([id]));
    expect(scoped.scope?.sql).toContain(`where ("year_month" = '202309')`);
    expect(scoped.scope?.computedSql).toContain(`where ("year_month" = '202309')`);
  });

  it("tests the whole table when the plan does not say which column the groups are in", () => {
    const id = "test.unique_sales_by_country_month";
    expect(scopeTest(manifest.nodes[id] as TestNode, inputs([id], false))).toEqual({
      scope: null,
      whole: "it does not test a partitioned model",
    });
  });
});
