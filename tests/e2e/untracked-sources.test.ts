import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sluice } from "../helpers/cli.js";
import { executeOnDuckDb, queryDuckDb } from "../helpers/duckdb.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";
import { trackedSalesSources } from "../helpers/tracked-sales.js";

// A lineage model joins a source without change tracking (products, read through a view). A change
// there has no stamp to find it by, so the model's fingerprint of it moves and the model is rebuilt
// whole; with no change, builds stay incremental. The steps run in order, each on the state the
// one before left.
let project: TempProject;
let clock = 10;

beforeAll(() => {
  project = tempProject({
    "profiles.yml": `targets:
  dev:
    connections:
      src: { type: duckdb, path: .sluice/src.duckdb }
      lake: { type: duckdb, path: .sluice/lake.duckdb }
`,
    "models/sources.yml": trackedSalesSources({ tables: ["removed", "products"] }),
    "models/products_v.sql": `{{ config(materialized='view', connection='src') }}
select product_id, upper(name) as product from {{ source('app', 'products') }}`,
    "models/hist.sql": `{{ config(materialized='incremental', connection='lake', compute='src', partition_by='ym', unique_key='sale_id') }}
select s.sale_id, p.product, year(s.sale_date) * 100 + month(s.sale_date) as ym
from {{ source('app', 'sales') }} s join {{ ref('products_v') }} p on p.product_id = s.product_id`,
  });
});
afterAll(() => project.remove());

const onSource = (sql: string) => executeOnDuckDb(join(project.dir, ".sluice/src.duckdb"), "src", sql);
const lake = async (sql: string) =>
  (await queryDuckDb({ lake: join(project.dir, ".sluice/lake.duckdb") }, sql)).map((r) => Object.values(r));

const hist = () =>
  (
    JSON.parse(readFileSync(join(project.dir, "target/run_results.json"), "utf8")) as {
      results: { node: string; reason: string; partitions?: string[][] }[];
    }
  ).results.find((r) => r.node === "model.hist")!;
const run = (...args: string[]) => sluice([...args, "--project-dir", project.dir]);

describe("a lineage model joining a source without change tracking", () => {
  it("builds in full first and records the source's fingerprint", async () => {
    await onSource(`create schema app;
      create table app.products (product_id int, name varchar);
      create table app.sales (sale_id int, product_id int, sale_date date, updated_at bigint);
      create table app.removed (sale_id int, removed_at bigint, ym int);
      insert into app.products values (1, 'tee'), (2, 'cap');
      insert into app.sales values (1, 1, date '2026-01-05', 1), (2, 2, date '2026-02-05', 1), (3, 1, date '2026-03-05', 1)`);
    const build = run("build");
    expect(build.code, build.stdout + build.stderr).toBe(0);
    expect(hist().reason).toMatch(/first build/);
    const ledger = run("ledger", "show");
    expect(ledger.code, ledger.stderr).toBe(0);
  });

  it("stays incremental while the source does not change", async () => {
    await onSource(`update app.sales set product_id = 2, updated_at = ${++clock} where sale_id = 1`);
    const plan = run("plan");
    expect(plan.stdout).toMatch(/model\.hist: rebuild partition 202601 of hist/);
    expect(run("build").code).toBe(0);
    expect(await lake(`select sale_id, product from lake.main.hist order by sale_id`)).toEqual([
      [1, "CAP"],
      [2, "CAP"],
      [3, "TEE"],
    ]);
  });

  it("rebuilds in full when a row of it changes, naming it, then goes back to incremental", async () => {
    await onSource(`update app.products set name = 't-shirt' where product_id = 1`);
    const plan = run("plan");
    expect(plan.stdout).toMatch(
      /model\.hist: app\.products changed since hist was last loaded \(row count and hash\) and has no change tracking: rebuilt in full/,
    );
    const build = run("build");
    expect(build.code, build.stdout + build.stderr).toBe(0);
    expect(hist().reason).toMatch(/products changed/);
    // March was not touched by any sale change; it holds the new name only because of the rebuild.
    expect(await lake(`select sale_id, product from lake.main.hist order by sale_id`)).toEqual([
      [1, "CAP"],
      [2, "CAP"],
      [3, "T-SHIRT"],
    ]);
    expect(run("plan").stdout).toMatch(/model\.hist: no changes in app\.sales since/);
  });

  it("notices a deleted row too, and ignores the deletes table of the tracked source", async () => {
    await onSource(`insert into app.removed values (99, ${++clock}, 202612)`);
    expect(run("plan").stdout).not.toMatch(/rebuilt in full/);
    await onSource(
      `delete from app.products where product_id = 2; insert into app.products values (2, 'hat')`,
    );
    expect(run("plan").stdout).toMatch(/app\.products changed since hist was last loaded/);
  });
});
