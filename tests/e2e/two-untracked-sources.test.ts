import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sluice } from "../helpers/cli.js";
import { executeOnDuckDb, queryDuckDb } from "../helpers/duckdb.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";
import { trackedSalesSources } from "../helpers/tracked-sales.js";

// A lineage model joining two sources without change tracking (the example's clients and
// products). Their two fingerprints used to be looked up at once on the ledger's one session, so
// one lookup came back empty, its change was missed, and plan and build disagreed. Every change of
// either dimension must now rebuild the model, and the plan after each build must find nothing.
let project: TempProject;

beforeAll(() => {
  project = tempProject({
    "profiles.yml": `targets:
  dev:
    connections:
      src: { type: duckdb, path: .sluice/src.duckdb }
      lake: { type: duckdb, path: .sluice/lake.duckdb }
`,
    "models/sources.yml": trackedSalesSources({ tables: ["removed", "products", "clients"] }),
    "models/hist.sql": `{{ config(materialized='incremental', connection='lake', compute='src', partition_by='ym', unique_key='sale_id') }}
select s.sale_id, p.name as product, c.name as client, year(s.sale_date) * 100 + month(s.sale_date) as ym
from {{ source('app', 'sales') }} s
join {{ source('app', 'products') }} p on p.product_id = s.product_id
join {{ source('app', 'clients') }} c on c.client_id = s.client_id`,
  });
});
afterAll(() => project.remove());

const onSource = (sql: string) => executeOnDuckDb(join(project.dir, ".sluice/src.duckdb"), "src", sql);
const lake = async () =>
  (
    await queryDuckDb(
      { lake: join(project.dir, ".sluice/lake.duckdb") },
      "select sale_id, product, client from lake.main.hist order by sale_id",
    )
  ).map((r) => Object.values(r).join(" "));
const run = (...args: string[]) => sluice([...args, "--project-dir", project.dir]);

describe("a lineage model joining two sources without change tracking", () => {
  it("applies every change of either dimension, and plan agrees with build after each", async () => {
    await onSource(`create schema app;
      create table app.products (product_id int, name varchar);
      create table app.clients (client_id int, name varchar);
      create table app.sales (sale_id int, product_id int, client_id int, sale_date date, updated_at bigint);
      create table app.removed (sale_id int, removed_at bigint, ym int);
      insert into app.products values (1, 'tee'), (2, 'cap');
      insert into app.clients values (1, 'ana'), (2, 'rui');
      insert into app.sales values (1, 1, 1, date '2026-01-05', 1), (2, 2, 2, date '2026-02-05', 1), (3, 1, 2, date '2026-03-05', 1)`);
    expect(run("build").code).toBe(0);
    const changes: [string, string, string[]][] = [
      [
        "update app.products set name = 'shirt' where product_id = 1",
        "app.products",
        ["1 shirt ana", "2 cap rui", "3 shirt rui"],
      ],
      [
        "update app.clients set name = 'eva' where client_id = 2",
        "app.clients",
        ["1 shirt ana", "2 cap eva", "3 shirt eva"],
      ],
      [
        "update app.products set name = 'hat' where product_id = 2",
        "app.products",
        ["1 shirt ana", "2 hat eva", "3 shirt eva"],
      ],
      [
        "update app.clients set name = 'ivo' where client_id = 1",
        "app.clients",
        ["1 shirt ivo", "2 hat eva", "3 shirt eva"],
      ],
    ];
    for (const [sql, changed, expected] of changes) {
      await onSource(sql);
      const plan = run("plan");
      expect(plan.stdout).toContain(
        `model.hist: ${changed} changed since hist was last loaded (row count and hash) and has no change tracking: rebuilt in full`,
      );
      const build = run("build");
      expect(build.code, build.stdout + build.stderr).toBe(0);
      expect(await lake()).toEqual(expected);
      expect(run("plan").stdout).toMatch(/model\.hist: no changes in app\.sales since/);
    }
  });
});
