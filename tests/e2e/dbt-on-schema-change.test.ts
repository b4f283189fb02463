// dbt's on_schema_change on real DuckDB through the sluice binary: one dbt project with a model for
// every strategy (append, merge, delete+insert) x setting (ignore, fail, append_new_columns,
// sync_all_columns) x change (a column added, a column dropped, a type changed), built once and then
// built incrementally with the changed SQL. The tables expected are written out from dbt-core's
// definitions (its on_schema_change.sql and incremental materialization); checked by hand against
// dbt-core 1.11 with dbt-duckdb 1.11, which builds the same tables except for its MERGE ... BY NAME
// under `ignore` (see docs/coming-from-dbt.md).
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sluice, type CliResult } from "../helpers/cli.js";
import { queryDuckDb } from "../helpers/duckdb.js";
import { emptyProject, type TempProject } from "../helpers/temp-project.js";

const STRATEGIES = ["append", "merge", "delete+insert"] as const;
const SETTINGS = ["ignore", "fail", "append_new_columns", "sync_all_columns"] as const;
const CHANGES = {
  add: "select 2 as id, 'B' as name, 20 as amount, 'new' as extra union all select 3, 'c', 30, 'new'",
  remove: "select 2 as id, 'B' as name union all select 3, 'c'",
  type: "select 2 as id, 'B' as name, 20.25::double as amount union all select 3, 'c', 30.75",
};
const FIRST = "select 1 as id, 'a' as name, 10 as amount union all select 2, 'b', 20";
const modelName = (strategy: string, setting: string, change: string) =>
  `m_${strategy.replace("+", "_")}_${setting}_${change}`;

let project: TempProject;
let first: CliResult;
let second: CliResult;
beforeAll(() => {
  project = emptyProject("sluice-dbt-osc-");
  project.write("dbt_project.yml", "name: shop\nprofile: shop\n");
  project.write(
    "profiles.yml",
    "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: shop.duckdb\n",
  );
  for (const strategy of STRATEGIES)
    for (const setting of SETTINGS)
      for (const [change, sql] of Object.entries(CHANGES)) {
        const key = strategy === "append" ? "" : ", unique_key='id'";
        project.write(
          `models/${modelName(strategy, setting, change)}.sql`,
          `{{ config(materialized='incremental', incremental_strategy='${strategy}'${key}, on_schema_change='${setting}') }}\n` +
            `{% if var('v') == 1 %}\n${FIRST}\n{% else %}\n${sql}\n{% endif %}\n`,
        );
      }
  const env = { DBT_PROFILES_DIR: "" };
  first = sluice(["run", "--project-dir", project.dir, "--vars", "{v: 1}"], { env });
  second = sluice(["run", "--project-dir", project.dir, "--vars", "{v: 2}"], { env });
}, 120_000);
afterAll(() => project.remove());

async function table(name: string): Promise<{ columns: string[]; rows: unknown[][] }> {
  const db = { shop: join(project.dir, "shop.duckdb") };
  const columns = await queryDuckDb(
    db,
    `select column_name || ' ' || data_type as c from information_schema.columns where table_catalog = 'shop' and table_name = '${name}' order by ordinal_position`,
  );
  const rows = await queryDuckDb(db, `select * from shop.main.${name} order by all`);
  return { columns: columns.map((c) => String(c["c"])), rows: rows.map((r) => Object.values(r)) };
}

const BASE = ["id INTEGER", "name VARCHAR", "amount INTEGER"];
const UNCHANGED = {
  columns: BASE,
  rows: [
    [1, "a", 10],
    [2, "b", 20],
  ],
};

describe("on_schema_change", () => {
  it("builds every model first, then fails exactly the models dbt fails", () => {
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(second.code).toBe(1);
    const failed = [...second.stdout.matchAll(/ERROR\s+\S*model\.(m_\w+)/g)].map((m) => m[1]).sort();
    const expected = STRATEGIES.flatMap((s) => [
      ...Object.keys(CHANGES).map((c) => modelName(s, "fail", c)),
      modelName(s, "ignore", "remove"),
    ]).sort();
    expect(failed).toEqual(expected);
  });

  it("names the model, the setting and the columns when it refuses, and writes nothing", async () => {
    expect(second.stdout).toMatch(
      /models\/m_merge_fail_add\.sql: incremental model 'm_merge_fail_add' has on_schema_change 'fail' and its columns differ from its table "shop"\."main"\."m_merge_fail_add": new in the SQL: extra \(VARCHAR\)/,
    );
    expect(second.stdout).toContain("in the table, not in the SQL: amount (INTEGER)");
    expect(second.stdout).toContain("type changed: amount INTEGER -> DOUBLE");
    for (const s of STRATEGIES) {
      for (const c of Object.keys(CHANGES)) expect(await table(modelName(s, "fail", c))).toEqual(UNCHANGED);
      expect(await table(modelName(s, "ignore", "remove"))).toEqual(UNCHANGED);
    }
  });

  // The rows each strategy leaves: append keeps the old id 2, merge and delete+insert replace it.
  const rows = (strategy: string, newRows: unknown[][], oldRow: unknown[] = [1, "a", 10]) => {
    const all = strategy === "append" ? [oldRow, [2, "b", 20], ...newRows] : [oldRow, ...newRows];
    // As DuckDB's `order by all` orders text: by code point ('B' before 'b').
    const text = (a: unknown[], b: unknown[]) => (String(a[1]) < String(b[1]) ? -1 : 1);
    return all.sort((a, b) => (a[0] as number) - (b[0] as number) || text(a, b));
  };

  it.each(STRATEGIES)(
    "ignore (%s): a new column is left out, a changed type is cast to the table's",
    async (s) => {
      expect(await table(modelName(s, "ignore", "add"))).toEqual({
        columns: BASE,
        rows: rows(s, [
          [2, "B", 20],
          [3, "c", 30],
        ]),
      });
      expect(await table(modelName(s, "ignore", "type"))).toEqual({
        columns: BASE,
        rows: rows(s, [
          [2, "B", 20],
          [3, "c", 31],
        ]),
      });
    },
  );

  it.each(STRATEGIES)("append_new_columns (%s): adds the column; a dropped one stays", async (s) => {
    expect(await table(modelName(s, "append_new_columns", "add"))).toEqual({
      columns: [...BASE, "extra VARCHAR"],
      rows: rows(
        s,
        [
          [2, "B", 20, "new"],
          [3, "c", 30, "new"],
        ],
        [1, "a", 10, null],
      ).map((r) => (r.length === 3 ? [...r, null] : r)),
    });
    // A merge updates the SQL's columns only, so the matched row keeps its amount (dbt's update set).
    expect(await table(modelName(s, "append_new_columns", "remove"))).toEqual({
      columns: BASE,
      rows: rows(s, [
        [2, "B", s === "merge" ? 20 : null],
        [3, "c", null],
      ]),
    });
    expect(await table(modelName(s, "append_new_columns", "type"))).toEqual({
      columns: BASE,
      rows: rows(s, [
        [2, "B", 20],
        [3, "c", 31],
      ]),
    });
  });

  it.each(STRATEGIES)("sync_all_columns (%s): adds, drops and changes types", async (s) => {
    expect(await table(modelName(s, "sync_all_columns", "add"))).toEqual({
      columns: [...BASE, "extra VARCHAR"],
      rows: rows(
        s,
        [
          [2, "B", 20, "new"],
          [3, "c", 30, "new"],
        ],
        [1, "a", 10, null],
      ).map((r) => (r.length === 3 ? [...r, null] : r)),
    });
    expect(await table(modelName(s, "sync_all_columns", "remove"))).toEqual({
      columns: ["id INTEGER", "name VARCHAR"],
      rows: rows(
        s,
        [
          [2, "B"],
          [3, "c"],
        ],
        [1, "a"],
      ).map((r) => r.slice(0, 2)),
    });
    expect(await table(modelName(s, "sync_all_columns", "type"))).toEqual({
      columns: ["id INTEGER", "name VARCHAR", "amount DOUBLE"],
      rows: rows(s, [
        [2, "B", 20.25],
        [3, "c", 30.75],
      ]),
    });
  });
});
