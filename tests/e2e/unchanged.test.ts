// A build leaves alone what has not changed, and never what has: a changed model, anything
// downstream of it (even when the change was built in an earlier, narrower run), and anything
// that reads a source.
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sluice } from "../helpers/cli.js";
import { queryDuckDb } from "../helpers/duckdb.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";

let project: TempProject | undefined;
afterEach(() => project?.remove());

const build = (...args: string[]) => {
  const run = sluice(["build", "--project-dir", project!.dir, ...args]);
  expect(run.code, run.stdout + run.stderr).toBe(0);
  return run.stdout;
};
const step = (out: string, node: string) =>
  new RegExp(
    `(?:PASS|UNCHANGED) +(skip|build_table|create_view|load_seed) ${node.replace(".", "\\.")}\\b`,
  ).exec(out)?.[1];

describe("unchanged nodes", () => {
  it("skips unchanged tables, views, seeds and tests, and rebuilds what a change reaches", async () => {
    project = tempProject({
      "seeds/rates.csv": "code,rate\nEUR,1\n",
      "models/a.sql": "{{ config(materialized='table') }}select 1 as id",
      "models/b.sql": "{{ config(materialized='table') }}select id * 10 as id from {{ ref('a') }}",
      "models/v.sql": "select * from {{ ref('b') }}",
      "models/r.sql": "{{ config(materialized='table') }}select * from {{ ref('rates') }}",
      "models/schema.yml": "models:\n  - name: b\n    columns:\n      - name: id\n        tests: [unique]\n",
    });
    build();
    let out = build();
    for (const node of ["model.a", "model.b", "model.v", "seed.rates", "model.r", "test.unique_b_id"])
      expect(step(out, node), node).toBe("skip");

    project.write("models/a.sql", "{{ config(materialized='table') }}select 2 as id");
    out = build();
    expect(step(out, "model.a")).toBe("build_table");
    expect(step(out, "model.b")).toBe("build_table");
    expect(out).toMatch(/PASS\s+run_test test\.unique_b_id/);
    expect(step(out, "model.r")).toBe("skip");
    expect(
      await queryDuckDb(
        { warehouse: join(project.dir, ".sluice/warehouse.duckdb") },
        "select id from warehouse.main.v",
      ),
    ).toEqual([{ id: 20 }]);

    // A change built in a narrower run still reaches what reads it in the next full build.
    project.write("models/a.sql", "{{ config(materialized='table') }}select 3 as id");
    build("--select", "a");
    out = build();
    expect(step(out, "model.a")).toBe("skip");
    expect(step(out, "model.b")).toBe("build_table");
    expect(
      await queryDuckDb({ w: join(project.dir, ".sluice/warehouse.duckdb") }, "select id from w.main.b"),
    ).toEqual([{ id: 30 }]);

    project.write("seeds/rates.csv", "code,rate\nEUR,1\nUSD,0.9\n");
    out = build();
    expect(step(out, "seed.rates")).toBe("load_seed");
    expect(step(out, "model.r")).toBe("build_table");
  });

  it("always rebuilds a table that reads a source", () => {
    project = tempProject({
      "project.yml":
        "name: p\non_run_start:\n  - connection: warehouse\n    sql: create schema if not exists app; create table if not exists app.t as select 1 as id\n",
      "models/sources.yml": "sources:\n  - name: app\n    schema: app\n    tables:\n      - name: t\n",
      "models/s.sql": "{{ config(materialized='table') }}select * from {{ source('app', 't') }}",
    });
    build();
    expect(step(build(), "model.s")).toBe("build_table");
  });
});
