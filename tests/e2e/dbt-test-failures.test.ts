// What becomes of failing tests, through the sluice binary on real DuckDB: dbt's --warn-error and
// --warn-error-options (a test past its warn_if fails instead of warning, dbt's LogTestResult; a
// selector matching nothing stops the run, NoNodesForSelectionCriteria, unless the options keep
// that event a warning), and store_failures (the failing rows kept in dbt's audit schema).
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sluice } from "../helpers/cli.js";
import { queryDuckDb } from "../helpers/duckdb.js";
import { emptyProject, type TempProject } from "../helpers/temp-project.js";

let project: TempProject;
beforeAll(() => {
  project = emptyProject("sluice-dbt-warn-error-");
  project.write(
    "dbt_project.yml",
    "name: shop\nprofile: shop\ndata_tests:\n  shop:\n    +store_failures: true\n",
  );
  project.write(
    "profiles.yml",
    "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: shop.duckdb\n",
  );
  project.write("models/orders.sql", "select 1 as id, null as note union all select 1, 'paid'");
  project.write(
    "models/_orders.yml",
    "version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: id\n" +
      "        data_tests:\n          - unique:\n              config: {severity: warn}\n" +
      "      - name: note\n        data_tests:\n" +
      "          - not_null:\n              config: {severity: warn}\n",
  );
  project.write(
    "tests/no_big_ids.sql",
    "{{ config(store_failures=true, schema='audit', alias='big_ids') }}\n" +
      "select * from {{ ref('orders') }} where id > 5\n",
  );
});
afterAll(() => project.remove());

const run = (args: string[], env: Record<string, string> = {}) =>
  sluice([...args, "--project-dir", project.dir], { env: { DBT_PROFILES_DIR: "", ...env } });

describe("failing tests", () => {
  it("leaves a warning test a warning without --warn-error, and stores failures where dbt does", async () => {
    const build = run(["build"]);
    expect(build.code, build.stdout + build.stderr).toBe(0);
    expect(build.stdout).toMatch(/WARN\s+run_test test\.unique_orders_id/);
    expect(build.stdout).toMatch(
      /WARN\s+run_test test\.not_null_orders_note .*1 failing row; see them: select \* from "main_dbt_test__audit"\."not_null_orders_note"/,
    );
    const db = { shop: join(project.dir, "shop.duckdb") };
    expect(
      await queryDuckDb(db, "select id, note from shop.main_dbt_test__audit.not_null_orders_note"),
    ).toEqual([{ id: 1, note: null }]);
    expect(
      await queryDuckDb(db, "select count(*)::int as n from shop.main_dbt_test__audit.unique_orders_id"),
    ).toEqual([{ n: 1 }]);
    // A passing test's table is kept too, empty, under its own schema and alias.
    expect(await queryDuckDb(db, "select count(*)::int as n from shop.main_audit.big_ids")).toEqual([
      { n: 0 },
    ]);
  });

  it("fails a test past its warn_if under --warn-error, --warn-error-options and $DBT_WARN_ERROR", () => {
    for (const [args, env] of [
      [["--warn-error"], {}],
      [["--warn-error-options", "{error: all}"], {}],
      [["--warn-error-options", "{include: [LogTestResult]}"], {}],
      [[], { DBT_WARN_ERROR: "true" }],
    ] as const) {
      const test = run(["test", ...args], env);
      expect(test.code, `${args.join(" ")} ${JSON.stringify(env)}\n${test.stdout}`).toBe(1);
      expect(test.stdout).toMatch(
        /ERROR\s+run_test test\.unique_orders_id .*1 failing row \(past warn_if !=0, an error under --warn-error\)/,
      );
    }
  });

  it("keeps the events that --warn-error-options leaves as warnings", () => {
    const test = run(["test", "--warn-error-options", "{error: all, warn: [LogTestResult]}"]);
    expect(test.code, test.stdout).toBe(0);
    expect(test.stdout).toMatch(/WARN\s+run_test test\.unique_orders_id/);
  });

  it("stops before running anything when a selector matches nothing, and refuses options it cannot read", () => {
    const none = run(["build", "--warn-error", "--select", "orders", "missing_model"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--select 'missing_model' matches no node.*an error under --warn-error/);
    expect(none.stdout).not.toMatch(/START/);
    const bad = run(["test", "--warn-error-options", "{error: all, warn: all}"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/warn and silence take a list of event names/);
  });
});
