// dbt unit tests (`unit_tests:` in property YAML) on real DuckDB through the sluice binary: the
// model runs on fixture rows typed from its inputs' columns, and its rows are compared with the
// expected ones as a multiset; `build` runs them before the model and skips a model whose unit
// test fails; what sluice does not run is refused with the YAML file and line.
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sluice } from "../helpers/cli.js";
import { executeOnDuckDb, queryDuckDb } from "../helpers/duckdb.js";
import { emptyProject, type TempProject } from "../helpers/temp-project.js";

let project: TempProject | undefined;
afterEach(() => project?.remove());

const UNIT_TESTS = `version: 2
sources:
  - name: ecom
    schema: main
    tables:
      - name: raw_stores
unit_tests:
  - name: opened_at_truncates_to_a_day
    model: stg_stores
    overrides:
      env_vars: {SHOP_REGION: us}
    given:
      - input: source('ecom', 'raw_stores')
        rows:
          - {id: 1, name: Vice City, opened_at: "2016-09-01T10:30:00"}
          - {id: 2, name: San Andreas, opened_at: "2079-10-27 23:59:59.9999"}
    expect:
      rows:
        - {store_id: 1, opened_date: "2016-09-01", region: us}
        - {store_id: 2, opened_date: "2079-10-27", region: us}
  - name: orders_join_their_store
    model: orders
    config: {tags: [joins]}
    overrides:
      vars: {rate: 2}
    given:
      - input: ref('raw_orders')
        rows:
          - {id: 1, store_id: 1, amount: 10.5}
          - {id: 2, store_id: 9, amount: 1}
          - {id: 2, store_id: 9, amount: 1}
      - input: ref('stg_stores')
        rows:
          - {store_id: 1, store_name: Vice City}
    expect:
      rows:
        - {order_id: 1, amount: 21, store_name: Vice City}
        - {order_id: 2, amount: 2, store_name: null}
        - {order_id: 2, amount: 2, store_name: null}
  - name: orders_from_csv
    model: orders
    given:
      - input: ref('raw_orders')
        format: csv
        rows: |
          id,store_id,amount
          3,1,4.25
      - input: ref('stg_stores')
        format: csv
        fixture: two_stores
    expect:
      format: csv
      rows: |
        order_id,store_name
        3,Vice City
  - name: only_new_orders_when_incremental
    model: orders_since
    overrides:
      macros: {is_incremental: true}
    given:
      - input: ref('raw_orders')
        rows: [{id: 1}, {id: 2}, {id: 3}]
      - input: this
        rows: [{id: 2}]
    expect:
      rows: [{id: 3}]
`;

const FAILING = `version: 2
unit_tests:
  - name: orders_double_the_amount
    model: orders
    given:
      - input: ref('raw_orders')
        rows: [{id: 1, store_id: 1, amount: 10}]
      - input: ref('stg_stores')
        rows: []
    expect:
      rows:
        - {order_id: 1, amount: 20}
`;

function dbtProject(): TempProject {
  const p = emptyProject("sluice-dbt-unit-");
  p.write("dbt_project.yml", "name: shop\nprofile: shop\nvars:\n  rate: 1\n");
  p.write(
    "profiles.yml",
    "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: shop.duckdb\n",
  );
  p.write(
    "seeds/raw_orders.csv",
    "id,store_id,amount,ordered_at\n1,1,10.50,2024-01-02\n2,2,3.00,2024-01-03\n",
  );
  p.write("models/_properties.yml", UNIT_TESTS);
  p.write("tests/fixtures/two_stores.csv", "store_id,store_name\n1,Vice City\n2,\n");
  p.write(
    "models/stg_stores.sql",
    "select id as store_id, name as store_name, cast(date_trunc('day', opened_at) as date) as opened_date,\n" +
      "'{{ env_var('SHOP_REGION', 'eu') }}' as region from {{ source('ecom', 'raw_stores') }}\n",
  );
  p.write(
    "models/orders.sql",
    "{{ config(materialized='table') }}\n" +
      "select o.id as order_id, o.amount * {{ var('rate') }} as amount, s.store_name\n" +
      "from {{ ref('raw_orders') }} as o left join {{ ref('stg_stores') }} as s on o.store_id = s.store_id\n",
  );
  p.write(
    "models/orders_since.sql",
    "{{ config(materialized='incremental', unique_key='id') }}\nselect id from {{ ref('raw_orders') }}\n" +
      "{% if is_incremental() %}where id > (select max(id) from {{ this }}){% endif %}\n",
  );
  return p;
}

const run = (p: TempProject, args: string[]) =>
  sluice([...args, "--project-dir", p.dir], { env: { DBT_PROFILES_DIR: "" } });
const db = (p: TempProject) => ({ shop: join(p.dir, "shop.duckdb") });
const stores = (p: TempProject) =>
  executeOnDuckDb(
    join(p.dir, "shop.duckdb"),
    "shop",
    "create table main.raw_stores (id integer, name varchar, opened_at timestamp);" +
      "insert into main.raw_stores values (1, 'Vice City', '2016-09-01 10:30:00')",
  );

describe("dbt unit tests", () => {
  it("runs every unit test before its model builds, typing fixtures from the built inputs", async () => {
    project = dbtProject();
    await stores(project);
    const build = run(project, ["build"]);
    expect(build.code, build.stdout + build.stderr).toBe(0);
    const out = build.stdout;
    for (const name of [
      "opened_at_truncates_to_a_day",
      "orders_join_their_store",
      "orders_from_csv",
      "only_new_orders_when_incremental",
    ])
      expect(out).toMatch(new RegExp(`PASS\\s+run_test unit_test\\.\\w+\\.${name}`));
    // dbt's order: the unit test after the model's inputs, the model after its unit tests.
    const at = (text: RegExp) => out.split("\n").findIndex((l) => text.test(l) && /PASS|SUCCESS|OK/.test(l));
    expect(at(/unit_test\.orders\.orders_join_their_store/)).toBeGreaterThan(at(/model\.stg_stores\b/));
    expect(at(/unit_test\.orders\.orders_join_their_store/)).toBeLessThan(at(/model\.orders\b/));
    expect(await queryDuckDb(db(project), "select count(*)::int as n from shop.main.orders")).toEqual([
      { n: 2 },
    ]);

    // test_type:unit selects the unit tests alone; a name or a tag selects one.
    const units = run(project, ["test", "--select", "test_type:unit"]);
    expect(units.code, units.stdout + units.stderr).toBe(0);
    expect(units.stdout.match(/PASS\s+run_test/g)).toHaveLength(4);
    expect(units.stdout).not.toMatch(/model\.|not_null|unique/);
    const one = run(project, ["test", "--select", "orders_from_csv"]);
    expect(one.stdout.match(/PASS\s+run_test/g)).toHaveLength(1);
    const tagged = run(project, ["test", "--select", "tag:joins"]);
    expect(tagged.stdout).toMatch(/PASS\s+run_test unit_test\.orders\.orders_join_their_store/);
    expect(tagged.stdout.match(/PASS\s+run_test/g)).toHaveLength(1);
  });

  it("fails a unit test whose rows differ, shows both sides and the YAML line, and skips the model", async () => {
    project = dbtProject();
    await stores(project);
    project.write("models/_failing.yml", FAILING);
    const build = run(project, ["build"]);
    expect(build.code).toBe(1);
    expect(build.stdout).toMatch(/ERROR\s+run_test unit_test\.orders\.orders_double_the_amount/);
    expect(build.stdout).toContain("models/_failing.yml:3: orders_double_the_amount on orders:");
    expect(build.stdout).toContain("1 row expected and not returned, 1 row returned and not expected");
    expect(build.stdout).toMatch(/row \| order_id \| amount/);
    expect(build.stdout).toMatch(/expected \| 1 \| 20(\.0+)?\n/);
    expect(build.stdout).toMatch(/got \| 1 \| 10(\.0+)?\n/);
    expect(build.stdout).toMatch(/SKIP\w*\s+\w+ model\.orders/);
    expect(
      await queryDuckDb(
        db(project),
        "select count(*)::int as n from information_schema.tables where table_name = 'orders'",
      ),
    ).toEqual([{ n: 0 }]);
  });

  it("types the fixtures of an input not built yet from its YAML's data_type, and refuses untyped CSV", () => {
    project = dbtProject();
    project.write(
      "models/next_day.sql",
      "select store_id, opened_date + 1 as next_day from {{ ref('stg_stores') }}\n",
    );
    project.write(
      "models/_next_day.yml",
      `version: 2
models:
  - name: stg_stores
    columns:
      - {name: store_id, data_type: integer}
      - {name: opened_date, data_type: date}
unit_tests:
  - name: the_next_day
    model: next_day
    given:
      - input: ref('stg_stores')
        rows: [{store_id: 1, opened_date: "2024-02-28"}, {store_id: 2, opened_date: "2024-02-29"}]
    expect:
      rows: [{store_id: 1, next_day: "2024-02-29"}, {store_id: 2, next_day: "2024-03-01"}]
`,
    );
    // Nothing is built: stg_stores does not exist, so only the YAML can type '2024-02-28' as a date.
    const test = run(project, ["test", "--select", "the_next_day"]);
    expect(test.code, test.stdout + test.stderr).toBe(0);
    expect(test.stdout).toMatch(/PASS\s+run_test unit_test\.next_day\.the_next_day/);
    // CSV values are text: with neither the built input nor a data_type to type them, the test fails.
    const csv = run(project, ["test", "--select", "orders_from_csv"]);
    expect(csv.code).toBe(1);
    expect(csv.stdout).toContain(
      "models/_properties.yml:40: seed.raw_orders (given as CSV at line 43) is not built and its YAML gives " +
        "no data_type for 'id', 'store_id', 'amount', so its CSV values cannot be typed",
    );
  });

  it("refuses what it does not run, naming the file and line", () => {
    project = dbtProject();
    project.write(
      "models/_refused.yml",
      `version: 2
unit_tests:
  - name: from_sql
    model: orders
    given:
      - input: ref('raw_orders')
        format: sql
        rows: select 1 as id
      - input: ref('stg_stores')
        rows: []
    expect: {rows: []}
  - name: overrides_a_macro
    model: orders
    overrides:
      macros: {current_timestamp: "'2024-01-01'"}
    given:
      - input: ref('raw_orders')
        rows: []
    expect: {rows: []}
  - name: misses_an_input
    model: orders
    given:
      - input: ref('raw_orders')
        rows: []
    expect: {rows: []}
`,
    );
    const compile = run(project, ["compile"]);
    expect(compile.code).not.toBe(0);
    const err = compile.stdout + compile.stderr;
    expect(err).toMatch(
      /models\/_refused\.yml:7:\d+ error: unit test 'from_sql': format: sql is not supported/,
    );
    expect(err).toMatch(
      /models\/_refused\.yml:15:\d+ error: unit test 'overrides_a_macro': overriding macro 'current_timestamp'/,
    );
    expect(err).toMatch(
      /models\/_refused\.yml:20:\d+ error: unit test 'misses_an_input': 'orders' reads ref\('stg_stores'\), which is not given/,
    );
  });
});
