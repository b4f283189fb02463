// dbt's test configs that change how failures are counted, through the sluice binary on real
// DuckDB: `limit` (bounds the failing rows counted and stored), `fail_calc` (the aggregate that
// warn_if/error_if compare, the thresholds being SQL that follows it, as dbt's get_test_sql has it),
// and the --store-failures flag.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sluice } from "../helpers/cli.js";
import { queryDuckDb } from "../helpers/duckdb.js";
import { emptyProject, type TempProject } from "../helpers/temp-project.js";

let project: TempProject;
beforeAll(() => {
  project = emptyProject("sluice-dbt-test-config-");
  project.write("dbt_project.yml", "name: shop\nprofile: shop\n");
  project.write(
    "profiles.yml",
    "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: shop.duckdb\n",
  );
  project.write(
    "models/orders.sql",
    "select * from (values (1, null, 10, 'paid'), (2, null, 20, 'paid'), (3, null, 0, 'paid')," +
      " (4, 'x', 0, 'lost')) t(id, note, amount, status)",
  );
  project.write(
    "models/_orders.yml",
    "version: 2\nmodels:\n  - name: orders\n    columns:\n" +
      "      - name: note\n        data_tests:\n" +
      "          - not_null:\n              config: {limit: 2, store_failures: true}\n" +
      "      - name: status\n        data_tests:\n" +
      "          - accepted_values:\n              arguments: {values: [placed]}\n" +
      "              config: {fail_calc: 'sum(n_records)', warn_if: '>= 4', error_if: '> 4',\n" +
      "                       store_failures: false}\n",
  );
  // Failing rows 10 and 20: a sum of 30 warns (>= 10) and does not reach error_if.
  project.write(
    "tests/big_amounts.sql",
    "{{ config(fail_calc='sum(amount)', warn_if='>= 10', error_if='between 50 and 60') }}\n" +
      "select amount from {{ ref('orders') }} where amount > 0\n",
  );
});
afterAll(() => project.remove());

const run = (args: string[]) =>
  sluice([...args, "--project-dir", project.dir], { env: { DBT_PROFILES_DIR: "" } });

describe("dbt test configs limit and fail_calc", () => {
  it("counts and stores at most `limit` failing rows; compares fail_calc with SQL thresholds", async () => {
    const build = run(["build"]);
    expect(build.code, build.stdout + build.stderr).toBe(1);
    // Three notes are null; the limit of 2 bounds what is counted and what is kept.
    expect(build.stdout).toMatch(
      /ERROR\s+run_test test\.not_null_orders_note .*2 failing rows; see them: select \* from "main_dbt_test__audit"\."not_null_orders_note"/,
    );
    const db = { shop: join(project.dir, "shop.duckdb") };
    expect(
      await queryDuckDb(db, "select count(*)::int as n from shop.main_dbt_test__audit.not_null_orders_note"),
    ).toEqual([{ n: 2 }]);
    // Two failing rows (paid ×3, lost ×1): their n_records sum to 4, which warns and does not fail.
    expect(build.stdout).toMatch(
      /WARN\s+run_test test\.accepted_values_orders_status .*fail_calc sum\(n_records\) = 4/,
    );
    expect(build.stdout).toMatch(/WARN\s+run_test test\.big_amounts .*fail_calc sum\(amount\) = 30/);
  });

  it("stores the failures of every test that sets no store_failures under --store-failures", async () => {
    const db = { shop: join(project.dir, "shop.duckdb") };
    const audit =
      "select table_name from information_schema.tables where table_schema = 'main_dbt_test__audit'";
    // The build above ran without the flag: only the test that asks for it was stored.
    expect(await queryDuckDb(db, audit)).toEqual([{ table_name: "not_null_orders_note" }]);
    const test = run(["test", "--store-failures"]);
    expect(test.code, test.stdout + test.stderr).toBe(1);
    expect(test.stdout).toMatch(/see them: select \* from "main_dbt_test__audit"\."big_amounts"/);
    expect(
      await queryDuckDb(db, "select amount from shop.main_dbt_test__audit.big_amounts order by 1"),
    ).toEqual([{ amount: 10 }, { amount: 20 }]);
    // store_failures: false on the test wins over the flag, as in dbt.
    expect((await queryDuckDb(db, `${audit} order by 1`)).map((r) => r["table_name"])).toEqual([
      "big_amounts",
      "not_null_orders_note",
    ]);
  });

  it("refuses a limit that is no number of rows, naming the file and line", () => {
    project.write(
      "tests/bad_limit.sql",
      "{{ config(limit='ten') }}\nselect 1 as id from {{ ref('orders') }} where false\n",
    );
    try {
      const compile = run(["compile"]);
      expect(compile.code).toBe(2);
      expect(compile.stderr).toMatch(
        /tests\/bad_limit\.sql:1.*limit must be a whole number of rows, not "ten"/,
      );
    } finally {
      project.write("tests/bad_limit.sql", "select 1 as id where false\n");
    }
  });

  it("errors on a fail_calc that gives NULL, as dbt cannot read it as a number either", () => {
    project.write(
      "tests/no_rows.sql",
      "{{ config(fail_calc='sum(amount)') }}\nselect amount from {{ ref('orders') }} where amount < 0\n",
    );
    try {
      const test = run(["test", "--select", "no_rows"]);
      expect(test.code, test.stdout).toBe(1);
      expect(test.stdout).toMatch(
        /tests\/no_rows\.sql:1\): fail_calc sum\(amount\) gave NULL; write e\.g\. coalesce/,
      );
    } finally {
      project.write("tests/no_rows.sql", "select 1 as id where false\n");
    }
  });
});
