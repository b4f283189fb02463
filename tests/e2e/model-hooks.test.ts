// A model's pre_hook and post_hook, as dbt users write them: rendered with `this`, run on the
// model's connection before and after each build of it, in sluice's project.yml and in a dbt
// project's dbt_project.yml (`+post-hook`, added up with the model's own). Real DuckDB, real binary.
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sluice } from "../helpers/cli.js";
import { queryDuckDb } from "../helpers/duckdb.js";
import { emptyProject, tempProject, type TempProject } from "../helpers/temp-project.js";

let project: TempProject | undefined;
afterEach(() => project?.remove());

describe("model hooks", () => {
  it("runs pre_hook before the model is built and post_hook after, with this naming it", async () => {
    project = tempProject({
      "models/orders.sql":
        "{{ config(materialized='table'," +
        ' pre_hook="create table if not exists hook_log (step varchar, rows_seen bigint)",' +
        " post_hook=[\"insert into hook_log select 'post {{ this }}', count(*) from {{ this }}\"]) }}\n" +
        "select * from range(3) t(id)\n",
    });
    const run = sluice(["build", "--project-dir", project.dir]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const rows = await queryDuckDb(
      { warehouse: join(project.dir, ".sluice/warehouse.duckdb") },
      "select step, rows_seen::int as n from warehouse.main.hook_log",
    );
    // The post_hook saw the table it follows, fully written.
    expect(rows).toEqual([{ step: 'post "warehouse"."main"."orders"', n: 3 }]);
    // A second build finds the table unchanged and skips it, hooks and all.
    const again = sluice(["build", "--project-dir", project.dir]);
    expect(again.stdout).toMatch(/UNCHANGED 1/);
    const after = await queryDuckDb(
      { warehouse: join(project.dir, ".sluice/warehouse.duckdb") },
      "select count(*)::int as n from warehouse.main.hook_log",
    );
    expect(after).toEqual([{ n: 1 }]);
  });

  it("fails the model when a hook fails, naming the engine's error", () => {
    project = tempProject({
      "models/a.sql": "{{ config(materialized='table', post_hook='selec 1') }}\nselect 1 as id\n",
    });
    const run = sluice(["build", "--project-dir", project.dir]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/ERROR .*model\.a/);
    expect(run.stdout).toContain("syntax error");
  });

  it("adds up dbt_project.yml's hooks and the model's; transaction: false ones run as in dbt", async () => {
    project = emptyProject("sluice-hooks-");
    project.write(
      "dbt_project.yml",
      "name: shop\nprofile: shop\nmodels:\n  shop:\n" +
        "    +pre-hook:\n      - sql: create table if not exists log (what varchar)\n" +
        "        transaction: false\n" +
        "    +post-hook: \"insert into log values ('project {{ this.name }}')\"\n",
    );
    project.write(
      "profiles.yml",
      "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: shop.duckdb\n",
    );
    // Written out of dbt's order: before_begin runs before the other pre_hooks, after_commit after
    // the other post_hooks.
    project.write(
      "models/a.sql",
      "{{ config(materialized='table'," +
        " pre_hook=[\"insert into log values ('model pre')\"," +
        " before_begin(\"insert into log values ('before_begin')\")]," +
        " post_hook=[after_commit(\"insert into log values ('after_commit')\")," +
        " \"insert into log values ('model {{ this.name }}')\"]) }}\nselect 1 as id\n",
    );
    const run = sluice(["build", "--project-dir", project.dir], { env: { DBT_PROFILES_DIR: "" } });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).not.toContain("warning");
    const rows = await queryDuckDb(
      { shop: join(project.dir, "shop.duckdb") },
      "select what from shop.main.log order by rowid",
    );
    const order = rows.map((r) => r["what"]);
    expect(order.slice(0, 2)).toEqual(["before_begin", "model pre"]);
    expect(order.slice(2, 4).sort()).toEqual(["model a", "project a"]);
    expect(order.slice(4)).toEqual(["after_commit"]);
  });
});
