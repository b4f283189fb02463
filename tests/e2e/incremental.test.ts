import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sluice } from "../helpers/cli.js";
import { queryDuckDb } from "../helpers/duckdb.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";

// Incremental materializations on DuckDB: the source is a table the test changes between builds.
let project: TempProject | undefined;
afterEach(() => project?.remove());
const db = () => ({ warehouse: join(project!.dir, ".sluice/warehouse.duckdb") });

async function setSource(sql: string): Promise<void> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const { mkdirSync } = await import("node:fs");
  mkdirSync(join(project!.dir, ".sluice"), { recursive: true });
  const instance = await DuckDBInstance.create(":memory:");
  const c = await instance.connect();
  await c.run(`attach '${db().warehouse}' as warehouse; use warehouse; ${sql}`);
  c.closeSync();
  instance.closeSync();
}

const build = (...args: string[]) => {
  const run = sluice(["build", "--project-dir", project!.dir, ...args]);
  expect(run.code, run.stdout + run.stderr).toBe(0);
  return run;
};

const projectWith = (config: string) =>
  tempProject({
    "models/events.sql": `{{ config(materialized='incremental', ${config}) }}
select id, day, amount, updated_at from {{ source('app', 'events') }}
{% if is_incremental() %}where updated_at > (select max(updated_at) from {{ this }}){% endif %}`,
    "models/sources.yml": "sources:\n  - name: app\n    schema: app\n    tables:\n      - name: events\n",
  });

describe("incremental models", () => {
  it("merges changed rows on unique_key", async () => {
    project = projectWith("unique_key='id'");
    await setSource(
      "create schema app; create table app.events as select * from (values (1, 1, 10, 1), (2, 1, 20, 1)) t(id, day, amount, updated_at)",
    );
    build();
    await setSource(
      "update app.events set amount = 25, updated_at = 2 where id = 2; insert into app.events values (3, 2, 30, 2)",
    );
    const run = build();
    expect(run.stdout).toMatch(/incremental model\.events 2 rows/);
    expect(await queryDuckDb(db(), "select id, amount from warehouse.main.events order by id")).toEqual([
      { id: 1, amount: 10 },
      { id: 2, amount: 25 },
      { id: 3, amount: 30 },
    ]);
  });

  it("appends new rows with strategy append", async () => {
    project = projectWith("strategy='append'");
    await setSource(
      "create schema app; create table app.events as select * from (values (1, 1, 10, 1)) t(id, day, amount, updated_at)",
    );
    build();
    await setSource("insert into app.events values (2, 1, 20, 2)");
    build();
    build();
    expect(await queryDuckDb(db(), "select count(*)::int as n from warehouse.main.events")).toEqual([
      { n: 2 },
    ]);
  });

  it("replaces only the partitions the new rows fall in with insert_overwrite", async () => {
    project = tempProject({
      "models/daily.sql": `{{ config(materialized='incremental', partition_by='day') }}
select day, id, amount from {{ source('app', 'events') }}
{% if is_incremental() %}where day in (select day from {{ source('app', 'events') }} where updated_at > (select max(updated_at) from {{ source('app', 'loaded') }})){% endif %}`,
      "models/sources.yml":
        "sources:\n  - name: app\n    schema: app\n    tables:\n      - name: events\n      - name: loaded\n",
    });
    await setSource(
      "create schema app; create table app.events as select * from (values (1, 1, 10, 1), (2, 2, 20, 1)) t(id, day, amount, updated_at); create table app.loaded as select 1 as updated_at",
    );
    build();
    // Day 2 changes in the source; day 1 is changed behind sluice's back in the table and must stay untouched.
    await setSource(
      "update app.events set amount = 21, updated_at = 2 where id = 2; update warehouse.main.daily set amount = 99 where day = 1",
    );
    const run = build();
    expect(run.stdout).toMatch(/incremental model\.daily 1 rows 1 partition/);
    expect(await queryDuckDb(db(), "select day, amount from warehouse.main.daily order by day")).toEqual([
      { day: 1, amount: 99 },
      { day: 2, amount: 21 },
    ]);
  });

  it("rebuilds from scratch with --full-refresh", async () => {
    project = projectWith("strategy='append'");
    await setSource(
      "create schema app; create table app.events as select * from (values (1, 1, 10, 1)) t(id, day, amount, updated_at)",
    );
    build();
    await setSource("update app.events set amount = 11 where id = 1");
    build("--full-refresh");
    expect(await queryDuckDb(db(), "select amount from warehouse.main.events")).toEqual([{ amount: 11 }]);
  });
});
