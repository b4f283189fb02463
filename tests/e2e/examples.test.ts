import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sluice } from "../helpers/cli.js";
import { queryDuckDb } from "../helpers/duckdb.js";
import { REPO_ROOT } from "../helpers/temp-project.js";

// Builds each project under examples/ with the real binary on its embedded `dev` target, in a copy,
// and checks its reports against SQL written here straight on the source database (not the
// models' SQL). Incremental examples then change their source with their own mutation macro, build
// again, and must hold exactly what a full refresh of the same data holds.

interface ExampleCopy {
  dir: string;
  file(name: "source" | "lake" | "mart"): string;
  remove(): void;
}

/** A copy of examples/NAME in a fresh temporary folder, without any state or artifacts. */
function copyExample(name: string): ExampleCopy {
  const dir = mkdtempSync(join(tmpdir(), `sluice-${name}-`));
  const from = join(REPO_ROOT, "examples", name);
  cpSync(from, dir, {
    recursive: true,
    filter: (path) => !/[\\/](\.sluice|target)$/.test(path.slice(from.length)),
  });
  return {
    dir,
    file: (connection) => join(dir, ".sluice/dev", `${connection}.duckdb`),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function build(copy: ExampleCopy, ...args: string[]): void {
  const run = sluice(["build", "--project-dir", copy.dir, ...args]);
  expect(run.stderr, run.stdout).toBe("");
  expect(run.code, run.stdout).toBe(0);
}

function runOperation(copy: ExampleCopy, macro: string, args: string): void {
  const run = sluice(["run-operation", macro, "--connection", "source", "--args", args, "--project-dir", copy.dir]);
  expect(run.code, run.stderr).toBe(0);
}

/** The `action` of each model in the last run's run_results.json, by model name. */
function lastActions(copy: ExampleCopy): Record<string, string> {
  const results = JSON.parse(readFileSync(join(copy.dir, "target/run_results.json"), "utf8")) as {
    results: { node: string; action?: string }[];
  };
  const actions: Record<string, string> = {};
  for (const r of results.results) if (r.node.startsWith("model.") && r.action) actions[r.node.slice(6)] = r.action;
  return actions;
}

/**
 * Every table and view in `main` of a connection's DuckDB file, each as its sorted rows. The file is
 * attached under its connection's name, which the embedded lake's views name.
 */
async function snapshot(copy: ExampleCopy, connection: "lake" | "mart"): Promise<Record<string, unknown[]>> {
  const attach = { [connection]: copy.file(connection) };
  const names = await queryDuckDb(
    attach,
    `select table_name from information_schema.tables
     where table_catalog = '${connection}' and table_schema = 'main' order by 1`,
  );
  expect(names.length).toBeGreaterThan(0);
  const tables: Record<string, unknown[]> = {};
  for (const { table_name } of names) {
    const name = String(table_name);
    tables[name] = await queryDuckDb(attach, `select * from ${connection}.main."${name}" order by all`);
  }
  return tables;
}

describe("examples/spark-medallion", () => {
  let copy: ExampleCopy;
  beforeAll(() => {
    copy = copyExample("spark-medallion");
  });
  afterAll(() => copy.remove());

  async function expectReportsMatchSource(): Promise<void> {
    const source = { app: copy.file("source") };
    const lake = { lake: copy.file("lake") };
    const orderReport = await queryDuckDb(
      source,
      `with per_order as (
         select o.order_id, cast(o.order_ts as date) as day, coalesce(sum(i.quantity * i.base_price), 0) as revenue
         from app.app.orders o left join app.app.order_items i using (order_id) group by all)
       select day::varchar as day, count(*)::int as orders, sum(revenue)::decimal(18, 2)::varchar as total,
              round(avg(revenue)::double, 6) as average
       from per_order group by day order by day`,
    );
    expect(orderReport.length).toBeGreaterThan(50);
    expect(
      await queryDuckDb(
        lake,
        `select order_date::varchar as day, orders::int as orders, total_revenue::decimal(18, 2)::varchar as total,
                round(avg_revenue::double, 6) as average
         from lake.main.order_report order by day`,
      ),
    ).toEqual(orderReport);

    const categoryReport = await queryDuckDb(
      source,
      `select cast(o.order_ts as date)::varchar as day, c.name as category, count(*)::int as items,
              round(avg(i.quantity * i.base_price)::double, 6) as average,
              round(median(i.quantity * i.base_price)::double, 6) as median
       from app.app.order_items i join app.app.orders o using (order_id)
       join app.app.product_x_category pc using (product_id) join app.app.categories c using (category_id)
       group by all order by all`,
    );
    expect(categoryReport.length).toBeGreaterThan(200);
    expect(
      await queryDuckDb(
        lake,
        `select order_date::varchar as day, category_name as category, items::int as items,
                round(avg_revenue::double, 6) as average, round(median_revenue::double, 6) as median
         from lake.main.category_report order by all`,
      ),
    ).toEqual(categoryReport);

    const wide = await queryDuckDb(
      source,
      `select i.order_item_id, i.order_id, o.buyer_id, bu.username as buyer, i.seller_id, su.username as seller,
              p.name as product, (i.quantity * i.base_price)::varchar as revenue, cast(o.order_ts as date)::varchar as day,
              (select c.name from app.app.product_x_category pc join app.app.categories c using (category_id)
               where pc.product_id = i.product_id order by c.category_id limit 1) as primary_category
       from app.app.order_items i join app.app.orders o using (order_id)
       join app.app.buyers b on b.buyer_id = o.buyer_id join app.app.users bu on bu.user_id = b.user_id
       join app.app.sellers s on s.seller_id = i.seller_id join app.app.users su on su.user_id = s.user_id
       join app.app.products p on p.product_id = i.product_id
       order by i.order_item_id`,
    );
    expect(
      await queryDuckDb(
        lake,
        `select order_item_id, order_id, buyer_id, buyer_username as buyer, seller_id, seller_username as seller,
                product_name as product, revenue::varchar as revenue, order_date::varchar as day, primary_category
         from lake.main.obt_order_items order by order_item_id`,
      ),
    ).toEqual(wide);
  }

  it("builds from an empty folder and its reports equal SQL on the app database", async () => {
    build(copy, "--vars", "{medallion_orders: 800}");
    await expectReportsMatchSource();
  });

  it("after a day of new and updated orders, rebuilds just the changed days and equals a full refresh", async () => {
    runOperation(copy, "medallion_mutate", '{day: "2026-03-05", seed: 1, new_orders: 40, updated_orders: 30}');
    const changed = await queryDuckDb(
      { app: copy.file("source") },
      "select count(*)::int as n from app.app.orders where updated_at = timestamp '2026-03-05 18:00:00'",
    );
    expect(changed).toEqual([{ n: 70 }]);
    build(copy);
    expect(lastActions(copy)).toMatchObject({ bronze_orders: "replace_partitions", bronze_order_items: "replace_partitions" });
    await expectReportsMatchSource();
    const incremental = await snapshot(copy, "lake");
    build(copy, "--full-refresh");
    expect(await snapshot(copy, "lake")).toEqual(incremental);
  });

  it("refuses a mutation without its day instead of reading the clock", () => {
    const run = sluice(["run-operation", "medallion_mutate", "--connection", "source", "--project-dir", copy.dir]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("medallion_mutate needs the day");
  });
});
