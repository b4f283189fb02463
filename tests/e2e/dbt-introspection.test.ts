// Models that ask the database while rendering (dbt's execute, run_query, statement/load_result,
// adapter.get_columns_in_relation, load_relation), built with the sluice binary on real DuckDB from
// the fixture tests/fixtures/dbt-lookups, whose local package calls the database the way dbt_utils'
// star, union_relations, get_column_values, get_single_value, date_spine and
// get_relations_by_pattern do. With SLUICE_TEST_DBT_UTILS naming a dbt-utils checkout, the same
// questions are put through dbt_utils' own macros (copied into dbt_packages/ for the test only).
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Manifest, ModelNode } from "../../src/manifest/types.js";
import { sluice, type CliResult } from "../helpers/cli.js";
import { queryDuckDb } from "../helpers/duckdb.js";
import { REPO_ROOT } from "../helpers/temp-project.js";

const ENV = { DBT_PROFILES_DIR: "" };
let dir: string;
let compiled: CliResult;
let dbExistedAfterCompile: boolean;
let build: CliResult;

const table = (name: string) =>
  queryDuckDb({ lookups: join(dir, "lookups.duckdb") }, `select * from lookups.main.${name} order by all`);
const columns = async (name: string) =>
  (
    await queryDuckDb(
      { lookups: join(dir, "lookups.duckdb") },
      `select column_name from information_schema.columns where table_catalog = 'lookups' and table_name = '${name}' order by ordinal_position`,
    )
  ).map((r) => r["column_name"]);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "sluice-dbt-lookups-"));
  cpSync(join(REPO_ROOT, "tests/fixtures/dbt-lookups"), dir, { recursive: true });
  compiled = sluice(["compile", "--project-dir", dir], { env: ENV });
  dbExistedAfterCompile = existsSync(join(dir, "lookups.duckdb"));
  build = sluice(["build", "--project-dir", dir], { env: ENV });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("introspection while compiling, as dbt's parse renders it", () => {
  it("compiles with no database, `execute` false and every question given dbt's parse-time answer", () => {
    expect(compiled.stderr).toBe("");
    expect(compiled.code).toBe(0);
    expect(dbExistedAfterCompile).toBe(false);
    const manifest = JSON.parse(readFileSync(join(dir, "target/manifest.json"), "utf8")) as Manifest;
    const model = (name: string) => manifest.nodes[`model.${name}`] as ModelNode;
    expect(model("orders_recent").compiledSql).toBe('select *\nfrom "lookups"."main"."orders_2024"');
    expect(model("payment_methods").compiledSql).not.toMatch(/_amount/);
    expect(model("largest_order").compiledSql).toMatch(/amount = 0 as is_largest/);
  });

  it("names in the manifest each model that asks the database, and what it asked", () => {
    const manifest = JSON.parse(readFileSync(join(dir, "target/manifest.json"), "utf8")) as Manifest;
    const introspects = Object.fromEntries(
      Object.values(manifest.nodes)
        .filter((n): n is ModelNode => n.kind === "model")
        .map((n) => [n.name, n.introspects ?? null]),
    );
    expect(introspects).toEqual({
      first_week: ["load_result", "statement"],
      largest_order: ["execute", "statement"],
      order_counts: ["execute"],
      order_tables: ["load_result", "statement"],
      orders_all: ["execute"],
      orders_recent: ["execute"],
      payment_methods: ["execute"],
    });
  });
});

describe("introspection at build time, after the model's inputs are built", () => {
  it("builds every model and seed", () => {
    expect(build.stderr).toBe("");
    expect(build.code).toBe(0);
    expect(build.stdout).toMatch(/PASS 10 WARN 0 ERROR 0 SKIP 0 UNCHANGED 0 TOTAL 10/);
  });

  it("lists a relation's columns less the excepted ones (star)", async () => {
    expect(await columns("orders_recent")).toEqual(["order_id", "customer", "amount", "channel"]);
    expect(await table("orders_recent")).toEqual([
      { order_id: 4, customer: "cy", amount: 30, channel: "web" },
      { order_id: 5, customer: "ana", amount: 12, channel: "shop" },
    ]);
  });

  it("stacks relations with different columns, NULL where one lacks a column (union_relations)", async () => {
    expect(await columns("orders_all")).toEqual([
      "_source",
      "order_id",
      "customer",
      "amount",
      "channel",
      "note",
    ]);
    expect(await table("orders_all")).toEqual([
      { _source: "orders_2023", order_id: 1, customer: "ana", amount: 10.5, channel: null, note: null },
      { _source: "orders_2023", order_id: 2, customer: "ben", amount: 20, channel: null, note: null },
      { _source: "orders_2023", order_id: 3, customer: "ana", amount: 7.25, channel: null, note: null },
      { _source: "orders_2024", order_id: 4, customer: "cy", amount: 30, channel: "web", note: "first" },
      { _source: "orders_2024", order_id: 5, customer: "ana", amount: 12, channel: "shop", note: null },
    ]);
  });

  it("makes a column per value found in the data (get_column_values)", async () => {
    expect(await columns("payment_methods")).toEqual([
      "order_id",
      "card_amount",
      "cash_amount",
      "voucher_amount",
    ]);
    expect(await table("payment_methods")).toEqual([
      { order_id: 1, card_amount: 10.5, cash_amount: 0, voucher_amount: 0 },
      { order_id: 2, card_amount: 20, cash_amount: 0, voucher_amount: 0 },
      { order_id: 3, card_amount: 0, cash_amount: 7.25, voucher_amount: 0 },
      { order_id: 4, card_amount: 30, cash_amount: 0, voucher_amount: 0 },
      { order_id: 5, card_amount: 0, cash_amount: 0, voucher_amount: 12 },
    ]);
  });

  it("reads one value from a model built earlier in the same build (get_single_value)", async () => {
    const rows = await table("largest_order");
    expect(rows.filter((r) => r["is_largest"]).map((r) => r["order_id"])).toEqual([4]);
    expect(readFileSync(join(dir, "target/run/models/largest_order.sql"), "utf8")).toMatch(
      /amount = 30\.0 as is_largest/,
    );
  });

  it("counts days with one query and spans them (date_spine)", async () => {
    const days = (await table("first_week")).map((r) => r["date_day"]);
    expect(days).toEqual([
      "2024-01-01",
      "2024-01-02",
      "2024-01-03",
      "2024-01-04",
      "2024-01-05",
      "2024-01-06",
      "2024-01-07",
    ]);
  });

  it("finds relations by a name pattern and reads rows by column name (get_relations_by_pattern)", async () => {
    expect(await table("order_tables")).toEqual([
      { table_name: "orders_2023", row_count: "3" },
      { table_name: "orders_2024", row_count: "2" },
      { table_name: "orders_all", row_count: "5" },
      { table_name: "orders_recent", row_count: "2" },
    ]);
  });

  it("iterates run_query's rows, by position and by name", async () => {
    expect(await table("order_counts")).toEqual([{ ana_orders: "3", ben_orders: "1", cy_orders: "1" }]);
  });
});

describe("the next build renders with the data as it is then", () => {
  let second: CliResult;
  beforeAll(() => {
    appendFileSync(join(dir, "seeds/payments.csv"), "6,5,wallet,4\n");
    second = sluice(["build", "--project-dir", dir], { env: ENV });
  });

  it("adds the column of a value that appeared, and never skips such a model as unchanged", async () => {
    expect(second.code).toBe(0);
    expect(await columns("payment_methods")).toEqual([
      "order_id",
      "card_amount",
      "cash_amount",
      "voucher_amount",
      "wallet_amount",
    ]);
    // Models whose inputs did not change are skipped; the ones that ask the database are rebuilt.
    expect(second.stdout).toMatch(/PASS\s+build_table model\.first_week/);
    expect(second.stdout).toMatch(/PASS\s+build_table model\.orders_recent/);
  });
});

describe("a question the database cannot answer", () => {
  it("fails the model, naming it and the query, and writes nothing for it", async () => {
    writeFileSync(
      join(dir, "models/bad_lookup.sql"),
      "{% set r = run_query('select missing_column from orders_2023') %}\nselect 1 as x\n",
    );
    const run = sluice(["run", "--project-dir", dir, "-s", "bad_lookup"], { env: ENV });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /models\/bad_lookup\.sql: rendering 'bad_lookup' at run time asked the query\s+select missing_column from orders_2023\s+and the database answered: .*missing_column/,
    );
    expect(await columns("bad_lookup")).toEqual([]);
    rmSync(join(dir, "models/bad_lookup.sql"));
  });
});

const dbtUtils = process.env["SLUICE_TEST_DBT_UTILS"];

describe.skipIf(!dbtUtils)("dbt_utils' own macros (SLUICE_TEST_DBT_UTILS: a dbt-utils checkout)", () => {
  let utilsDir: string;
  let utilsBuild: CliResult;
  beforeAll(() => {
    utilsDir = mkdtempSync(join(tmpdir(), "sluice-dbt-utils-"));
    cpSync(join(REPO_ROOT, "tests/fixtures/dbt-lookups"), utilsDir, { recursive: true });
    rmSync(join(utilsDir, "packages.yml"));
    rmSync(join(utilsDir, "models"), { recursive: true });
    mkdirSync(join(utilsDir, "models"));
    cpSync(dbtUtils!, join(utilsDir, "dbt_packages/dbt_utils"), {
      recursive: true,
      filter: (p) => !p.includes(`${join(dbtUtils!, ".git")}`) && !p.includes("integration_tests"),
    });
    const models: Record<string, string> = {
      u_star:
        "select {{ dbt_utils.star(ref('orders_2024'), except=['note']) }} from {{ ref('orders_2024') }}",
      u_union: "{{ dbt_utils.union_relations(relations=[ref('orders_2023'), ref('orders_2024')]) }}",
      u_values:
        "{%- set methods = dbt_utils.get_column_values(ref('payments'), 'method', order_by='method') -%}\nselect order_id{% for m in methods %}, sum(case when method = '{{ m }}' then amount else 0 end) as {{ m }}_amount{% endfor %}\nfrom {{ ref('payments') }} group by order_id",
      u_single:
        "select {{ dbt_utils.get_single_value(\"select max(amount) from \" ~ ref('payments')) }} as top_amount",
      u_spine:
        "{{ dbt_utils.date_spine(datepart='day', start_date=\"cast('2024-01-01' as date)\", end_date=\"cast('2024-01-08' as date)\") }}",
    };
    for (const [name, sql] of Object.entries(models))
      writeFileSync(join(utilsDir, `models/${name}.sql`), `${sql}\n`);
    utilsBuild = sluice(["build", "--project-dir", utilsDir], { env: ENV });
  });
  afterAll(() => rmSync(utilsDir, { recursive: true, force: true }));

  const utilsTable = (sql: string) => queryDuckDb({ lookups: join(utilsDir, "lookups.duckdb") }, sql);

  it("builds star, union_relations, get_column_values, get_single_value and date_spine", async () => {
    expect(utilsBuild.stdout).toMatch(/PASS 8 WARN 0 ERROR 0 SKIP 0/);
    expect(await utilsTable("select * from lookups.main.u_star order by all")).toEqual([
      { order_id: 4, customer: "cy", amount: 30, channel: "web" },
      { order_id: 5, customer: "ana", amount: 12, channel: "shop" },
    ]);
    expect(
      await utilsTable(
        "select _dbt_source_relation, order_id, channel, note from lookups.main.u_union order by order_id",
      ),
    ).toEqual([
      { _dbt_source_relation: '"lookups"."main"."orders_2023"', order_id: 1, channel: null, note: null },
      { _dbt_source_relation: '"lookups"."main"."orders_2023"', order_id: 2, channel: null, note: null },
      { _dbt_source_relation: '"lookups"."main"."orders_2023"', order_id: 3, channel: null, note: null },
      { _dbt_source_relation: '"lookups"."main"."orders_2024"', order_id: 4, channel: "web", note: "first" },
      { _dbt_source_relation: '"lookups"."main"."orders_2024"', order_id: 5, channel: "shop", note: null },
    ]);
    expect(
      (
        await utilsTable(
          "select column_name from information_schema.columns where table_name = 'u_values' order by ordinal_position",
        )
      ).map((r) => r["column_name"]),
    ).toEqual(["order_id", "card_amount", "cash_amount", "voucher_amount"]);
    // The maximum of a DOUBLE column renders as Python renders a float: 30.0, a DECIMAL(3,1) literal.
    expect(
      await utilsTable("select top_amount, typeof(top_amount) as type from lookups.main.u_single"),
    ).toEqual([{ top_amount: "30.0", type: "DECIMAL(3,1)" }]);
    expect((await utilsTable("select count(*) as n from lookups.main.u_spine"))[0]).toEqual({ n: "7" });
  });
});
