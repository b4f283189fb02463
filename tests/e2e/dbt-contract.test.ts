// dbt's enforced model contracts on real DuckDB through the sluice binary: a model whose SQL meets
// its contract builds a table in the contract's column order with its not_null, primary_key and
// check constraints enforced; one whose columns or types differ, or whose rows break a constraint, fails
// before anything is written, naming the model, the YAML lines and the columns.
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sluice } from "../helpers/cli.js";
import { executeOnDuckDb, queryDuckDb } from "../helpers/duckdb.js";
import { emptyProject, type TempProject } from "../helpers/temp-project.js";

let project: TempProject | undefined;
afterEach(() => project?.remove());

const PROPERTIES = `version: 2
models:
  - name: orders
    config:
      contract: {enforced: true}
    columns:
      - name: order_id
        data_type: int
        constraints:
          - type: not_null
          - type: primary_key
      - name: amount
        data_type: decimal(10, 2)
      - name: note
        data_type: varchar
        constraints:
          - type: check
            expression: "note <> ''"
    constraints:
      - type: check
        name: positive_amount
        expression: "amount >= 0"
`;

function dbtProject(sql: string): TempProject {
  const p = emptyProject("sluice-dbt-contract-");
  p.write("dbt_project.yml", "name: shop\nprofile: shop\nmodels:\n  shop:\n    +materialized: table\n");
  p.write(
    "profiles.yml",
    "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: shop.duckdb\n",
  );
  p.write("models/_models.yml", PROPERTIES);
  p.write("models/orders.sql", sql);
  return p;
}
const run = (p: TempProject) => sluice(["build", "--project-dir", p.dir], { env: { DBT_PROFILES_DIR: "" } });
const db = (p: TempProject) => ({ shop: join(p.dir, "shop.duckdb") });
const exists = async (p: TempProject) =>
  (
    await queryDuckDb(
      db(p),
      "select count(*)::int as n from information_schema.tables where table_name = 'orders'",
    )
  )[0];

describe("model contracts", () => {
  it("builds a table to its contract: the contract's column order, types and constraints", async () => {
    project = dbtProject(
      "select 'first' as note, 2 as order_id, 12.5::decimal(10,2) as amount\nunion all select null, 1, 3::decimal(10,2)",
    );
    const build = run(project);
    expect(build.code, build.stdout + build.stderr).toBe(0);
    expect(
      await queryDuckDb(
        db(project),
        "select column_name, data_type, is_nullable from information_schema.columns where table_name = 'orders' order by ordinal_position",
      ),
    ).toEqual([
      { column_name: "order_id", data_type: "INTEGER", is_nullable: "NO" },
      { column_name: "amount", data_type: "DECIMAL(10,2)", is_nullable: "YES" },
      { column_name: "note", data_type: "VARCHAR", is_nullable: "YES" },
    ]);
    expect(await queryDuckDb(db(project), "select order_id, note from shop.main.orders order by 1")).toEqual([
      { order_id: 1, note: null },
      { order_id: 2, note: "first" },
    ]);
    // DuckDB enforces the primary key the contract declared.
    await expect(
      executeOnDuckDb(
        join(project.dir, "shop.duckdb"),
        "shop",
        "insert into main.orders values (1, 0, 'again')",
      ),
    ).rejects.toThrow(/primary key/i);
  });

  it("refuses SQL whose columns differ from the contract, naming each with its YAML line, and writes nothing", async () => {
    project = dbtProject("select 1.5::double as order_id, 'x' as note, 'y' as extra");
    const build = run(project);
    expect(build.code).toBe(1);
    expect(build.stdout).toContain(
      "models/orders.sql: model 'orders' has an enforced contract (models/_models.yml:3) that its SQL does not meet:",
    );
    expect(build.stdout).toContain(
      "order_id (models/_models.yml:7): data type mismatch, the SQL gives DOUBLE, the contract says INTEGER",
    );
    expect(build.stdout).toContain("extra: missing in contract (the SQL gives VARCHAR)");
    expect(build.stdout).toContain(
      "amount (models/_models.yml:12): missing in definition (the contract says DECIMAL(10,2))",
    );
    expect(await exists(project)).toEqual({ n: 0 });
  });

  it("fails a build whose rows break a constraint and keeps the table it had", async () => {
    project = dbtProject("select 1 as order_id, 1.00::decimal(10,2) as amount, 'a' as note");
    expect(run(project).code).toBe(0);
    project.write(
      "models/orders.sql",
      "select 1 as order_id, 1.00::decimal(10,2) as amount, 'a' as note\nunion all select null, 2::decimal(10,2), 'b'",
    );
    const build = run(project);
    expect(build.code).toBe(1);
    expect(build.stdout).toMatch(/NOT NULL constraint failed/);
    expect(await queryDuckDb(db(project), "select order_id, note from shop.main.orders")).toEqual([
      { order_id: 1, note: "a" },
    ]);
    // A check constraint, a column's or the model's (by its name), fails the build the same way.
    for (const [row, broken] of [
      ["1, 1.00::decimal(10,2), ''", /CHECK constraint failed .*CHECK\(\(note != ''\)\)/],
      ["1, -1.00::decimal(10,2), 'c'", /CHECK constraint failed .*CHECK\(\(amount >= 0\)\)/],
    ] as const) {
      project.write("models/orders.sql", `select * from (values (${row})) t(order_id, amount, note)`);
      const checked = run(project);
      expect(checked.code, checked.stdout).toBe(1);
      expect(checked.stdout).toMatch(broken);
      expect(await queryDuckDb(db(project), "select order_id, note from shop.main.orders")).toEqual([
        { order_id: 1, note: "a" },
      ]);
    }
  });

  it("names a data_type the engine does not know at its YAML line", () => {
    project = dbtProject("select 1 as order_id, 1 as amount, 'a' as note");
    project.write("models/_models.yml", PROPERTIES.replace("data_type: varchar", "data_type: varchr"));
    const build = run(project);
    expect(build.code).toBe(1);
    expect(build.stdout).toContain(
      "models/_models.yml:14: data_type 'varchr' of column 'note' in the contract of 'orders' is not a type the engine knows",
    );
  });
});
