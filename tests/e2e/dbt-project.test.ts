// Builds the dbt-format fixture project (tests/fixtures/dbt-shop) unchanged with the sluice binary
// on real DuckDB, and reads the tables back directly: dbt's schema names, dbt's seed types, the data.
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sluice, type CliResult } from "../helpers/cli.js";
import { queryDuckDb } from "../helpers/duckdb.js";
import { REPO_ROOT } from "../helpers/temp-project.js";

let dir: string;
let build: CliResult;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "sluice-dbt-e2e-"));
  cpSync(join(REPO_ROOT, "tests/fixtures/dbt-shop"), dir, { recursive: true });
  build = sluice(["build", "--project-dir", dir], { env: { DBT_PROFILES_DIR: "" } });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a dbt project built unchanged", () => {
  it("builds every model and seed and passes every test", () => {
    expect(build.stderr).toBe("");
    expect(build.code).toBe(0);
    // 15 models, seeds and data tests, and the unit test of stg_bikes.
    expect(build.stdout).toMatch(/Done in .*PASS 17 WARN 0 ERROR 0 SKIP 0 UNCHANGED 0 TOTAL 17/);
    expect(build.stdout).toMatch(/PASS\s+run_test unit_test\.stg_bikes\.lowercases_names/);
  });

  it("puts each relation where dbt-duckdb puts it, with the data the SQL gives", async () => {
    const db = join(dir, "bike_shop.duckdb");
    const relations = await queryDuckDb(
      { bike_shop: db },
      "select table_schema, table_name, table_type from information_schema.tables where table_catalog = 'bike_shop' and table_schema not like 'sluice%' order by all",
    );
    expect(relations).toEqual([
      { table_schema: "main", table_name: "raw_bikes", table_type: "BASE TABLE" },
      { table_schema: "main", table_name: "raw_rentals", table_type: "BASE TABLE" },
      { table_schema: "main", table_name: "stg_bikes", table_type: "VIEW" },
      { table_schema: "main", table_name: "stg_rentals", table_type: "VIEW" },
      { table_schema: "main_marts", table_name: "bike_prices", table_type: "BASE TABLE" },
      { table_schema: "main_marts", table_name: "bike_revenue", table_type: "BASE TABLE" },
      { table_schema: "main_marts", table_name: "rental_labels", table_type: "BASE TABLE" },
    ]);
    const revenue = await queryDuckDb(
      { bike_shop: db },
      "select bike_id, model_name, rentals, revenue, shop from bike_shop.main_marts.bike_revenue order by bike_id",
    );
    expect(revenue).toEqual([
      { bike_id: 1, model_name: "roadster", rentals: "2", revenue: 2400, shop: "Pedal & Co" },
      { bike_id: 2, model_name: "trailblazer", rentals: "2", revenue: 5551.5, shop: "Pedal & Co" },
      { bike_id: 3, model_name: "commuter", rentals: "1", revenue: 1920, shop: "Pedal & Co" },
    ]);
    // Rendered through the Jinja features dbt projects use (see the model's template).
    const labels = await queryDuckDb(
      { bike_shop: db },
      "select * from bike_shop.main_marts.rental_labels where rental_id = 12",
    );
    expect(labels).toEqual([
      {
        rental_id: 12,
        relation_name: "RENTAL_LABELS",
        schema_name: "main_marts",
        is_current: true,
        measure_count: 2,
        status_label: "Out",
        is_open: true,
        quantity_plus_id: 13,
        joined: "a, b",
        split_text: "x|y",
        target_text: "duckdb/main",
      },
    ]);
    // A local package's dispatched macros (the project's own default__label first, as dispatch says) and dbt.*.
    const prices = await queryDuckDb(
      { bike_shop: db },
      "select * from bike_shop.main_marts.bike_prices where bike_id = 2",
    );
    expect(prices).toEqual([
      {
        bike_id: 2,
        price_cents: "185050",
        label: "shop:bike",
        tag: "#2",
        name_hash: expect.stringMatching(/^[0-9a-f]{32}$/),
        quoted_name: "trailblazer",
        due_on: "2024-05-03 00:00:00",
        days: "10",
      },
    ]);
    const hashes = await queryDuckDb(
      { bike_shop: db },
      "select count(*) as n from bike_shop.main_marts.bike_prices where name_hash = md5(quoted_name)",
    );
    expect(hashes).toEqual([{ n: "3" }]);
    const types = await queryDuckDb(
      { bike_shop: db },
      "select column_name, data_type from information_schema.columns where table_catalog = 'bike_shop' and table_name = 'raw_bikes' order by ordinal_position",
    );
    expect(types.map((t) => `${t["column_name"]} ${t["data_type"]}`)).toEqual([
      "bike_id INTEGER",
      "model_name VARCHAR",
      "list_price DOUBLE",
      "launched_on DATE",
      "is_electric BOOLEAN",
    ]);
  });
});
