import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sluice } from "../helpers/cli.js";
import { queryDuckDb } from "../helpers/duckdb.js";
import {
  buildExample,
  copyExample,
  type ExampleCopy,
  lastActions,
  runExampleOperation as runOperation,
  snapshotExample as snapshot,
} from "../helpers/examples.js";
import { REPO_ROOT } from "../helpers/temp-project.js";

// Builds each project under examples/ with the real binary on its embedded `dev` target, in a copy,
// and checks its reports against SQL written here straight on the source database (not the
// models' SQL). Incremental examples then change their source with their own mutation macro, build
// again, and must hold exactly what a full refresh of the same data holds.

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
              p.name as product, (i.quantity * i.base_price)::varchar as revenue,
              cast(o.order_ts as date)::varchar as day,
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
    buildExample(copy, ["--vars", "{medallion_orders: 800}"]);
    await expectReportsMatchSource();
  });

  it("after a day of new and updated orders, rebuilds just the changed days and equals a full refresh", async () => {
    runOperation(
      copy,
      "medallion_mutate",
      '{day: "2026-03-05", seed: 1, new_orders: 40, updated_orders: 30}',
    );
    const changed = await queryDuckDb(
      { app: copy.file("source") },
      "select count(*)::int as n from app.app.orders where updated_at = timestamp '2026-03-05 18:00:00'",
    );
    expect(changed).toEqual([{ n: 70 }]);
    buildExample(copy);
    expect(lastActions(copy)).toMatchObject({
      bronze_orders: "replace_partitions",
      bronze_order_items: "replace_partitions",
    });
    await expectReportsMatchSource();
    const incremental = await snapshot(copy, "lake");
    buildExample(copy, ["--full-refresh"]);
    expect(await snapshot(copy, "lake")).toEqual(incremental);
  });

  it("refuses a mutation without its day instead of reading the clock", () => {
    const run = sluice([
      "run-operation",
      "medallion_mutate",
      "--connection",
      "source",
      "--project-dir",
      copy.dir,
    ]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("medallion_mutate needs the day");
  });
});

describe("examples/star-schema", () => {
  let copy: ExampleCopy;
  beforeAll(() => {
    copy = copyExample("star-schema");
  });
  afterAll(() => copy.remove());

  it("builds from an empty folder and its report equals SQL on the OLTP database", async () => {
    buildExample(copy, ["--vars", "{classic_orders: 800}"]);
    const expected = await queryDuckDb(
      { src: copy.file("source") },
      `select year(o.orderDate)::int as year, c.country, p.productLine as product_line, count(*)::int as lines,
              sum(d.quantityOrdered)::int as units,
              sum(d.quantityOrdered * d.priceEach)::decimal(18, 2)::varchar as revenue
       from src.classicmodels.orderdetails d join src.classicmodels.orders o using (orderNumber)
       join src.classicmodels.customers c using (customerNumber) join src.classicmodels.products p using (productCode)
       group by all order by all`,
    );
    expect(expected.length).toBeGreaterThan(20);
    const actual = await queryDuckDb(
      { mart: copy.file("mart") },
      `select year::int as year, country, product_line, order_lines::int as lines, units::int as units,
              revenue::decimal(18, 2)::varchar as revenue
       from mart.main.sales_by_country_product_line order by all`,
    );
    expect(actual).toEqual(expected);
  });

  it("resolves every fact's surrogate keys to the customer, product and date of its source row", async () => {
    const expected = await queryDuckDb(
      { src: copy.file("source") },
      `select d.orderNumber as order_number, d.orderLineNumber as line, o.customerNumber::int as customer,
              d.productCode as product, o.orderDate::varchar as day
       from src.classicmodels.orderdetails d join src.classicmodels.orders o using (orderNumber) order by 1, 2`,
    );
    const actual = await queryDuckDb(
      { mart: copy.file("mart") },
      `select f.order_number, f.order_line_number as line, c.customer_number::int as customer,
              p.product_code as product,
              d.day::varchar as day
       from mart.main.fact_order_lines f
       left join mart.main.dim_customer c on c.customer_key = f.customer_key
       left join mart.main.dim_product p on p.product_key = f.product_key
       left join mart.main.dim_date d on d.date_key = f.order_date_key
       order by 1, 2`,
    );
    expect(actual).toEqual(expected);
    const payments = await queryDuckDb(
      { mart: copy.file("mart") },
      `select count(*)::int as n, count(c.customer_key)::int as with_customer, count(d.date_key)::int as with_date
       from mart.main.fact_payments f
       left join mart.main.dim_customer c on c.customer_key = f.customer_key
       left join mart.main.dim_date d on d.date_key = f.payment_date_key`,
    );
    expect(payments[0]!["n"]).toBeGreaterThan(0);
    const n = payments[0]!["n"];
    expect(payments).toEqual([{ n, with_customer: n, with_date: n }]);
  });
});

describe("examples/olist", () => {
  let copy: ExampleCopy;
  beforeAll(() => {
    copy = copyExample("olist");
  });
  afterAll(() => copy.remove());

  async function expectReportsMatchSource(): Promise<void> {
    const summary = await queryDuckDb(
      { src: copy.file("source") },
      `with per_order as (
         select o.order_id, cast(o.order_purchase_timestamp as date) as day, o.order_status,
                o.order_delivered_customer_date > o.order_estimated_delivery_date + interval 1 day as late,
                (select sum(price) from src.olist.order_items i where i.order_id = o.order_id) as price,
                (select sum(freight_value) from src.olist.order_items i where i.order_id = o.order_id) as freight,
                (select sum(payment_value) from src.olist.order_payments p where p.order_id = o.order_id) as paid,
                (select avg(review_score) from src.olist.order_reviews r where r.order_id = o.order_id) as score
         from src.olist.orders o)
       select day::varchar as day, count(*)::int as orders, coalesce(sum(price), 0)::decimal(18, 2)::varchar as revenue,
              coalesce(sum(freight), 0)::decimal(18, 2)::varchar as freight,
              coalesce(sum(paid), 0)::decimal(18, 2)::varchar as paid,
              count(*) filter (where order_status = 'delivered')::int as delivered,
              count(*) filter (where late)::int as late, round(avg(score), 6) as score
       from per_order group by day order by day`,
    );
    expect(summary.length).toBeGreaterThan(50);
    expect(
      await queryDuckDb(
        { lake: copy.file("lake") },
        `select purchase_date::varchar as day, orders::int as orders, revenue::decimal(18, 2)::varchar as revenue,
                freight::decimal(18, 2)::varchar as freight, payments::decimal(18, 2)::varchar as paid,
                delivered_orders::int as delivered, late_orders::int as late, round(avg_review_score, 6) as score
         from lake.main.daily_summary order by day`,
      ),
    ).toEqual(summary);

    const features = await queryDuckDb(
      { src: copy.file("source") },
      `select order_id,
              round(date_diff('second', order_purchase_timestamp, order_delivered_customer_date) / 86400.0, 6) as days,
              (select sum(p.product_weight_g) from src.olist.order_items i join src.olist.products p using (product_id)
               where i.order_id = o.order_id)::int as weight
       from src.olist.orders o where order_status = 'delivered' order by order_id`,
    );
    expect(features.length).toBeGreaterThan(100);
    expect(
      await queryDuckDb(
        { lake: copy.file("lake") },
        `select order_id, round(days_to_customer, 6) as days, total_weight_g::int as weight
         from lake.main.delivery_features order by order_id`,
      ),
    ).toEqual(features);
  }

  it("builds from an empty folder and its summary and features equal SQL on the source", async () => {
    buildExample(copy, ["--vars", "{olist_orders: 1200}"]);
    await expectReportsMatchSource();
  });

  it("after an hour of new and delivered orders, replaces the changed days and equals a full refresh", async () => {
    runOperation(
      copy,
      "olist_mutate",
      '{hour: "2018-03-05 10:00:00", seed: 1, new_orders: 40, delivered: 30}',
    );
    buildExample(copy);
    expect(lastActions(copy)).toMatchObject({ clean_orders: "replace_partitions" });
    await expectReportsMatchSource();
    const incremental = await snapshot(copy, "lake");
    buildExample(copy, ["--full-refresh"]);
    expect(await snapshot(copy, "lake")).toEqual(incremental);
  });
});

describe("examples/hive-external", () => {
  let copy: ExampleCopy;
  let landing: string;
  beforeAll(() => {
    copy = copyExample("hive-external");
    landing = join(copy.dir, "landing");
  });
  afterAll(() => copy.remove());

  /** The country aggregate computed here straight from the landed files. */
  async function countryMetricsFromFiles(dir: string): Promise<Record<string, unknown>[]> {
    return queryDuckDb(
      {},
      `select c.country_region as country, count(distinct c.customer_id)::int as customers,
              count(distinct h.sales_order_id)::int as orders, sum(d.order_qty)::int as units,
              sum(d.order_qty * d.unit_price)::decimal(18, 2)::varchar as revenue
       from read_parquet('${dir}/sales_order_detail.parquet') d
       join read_csv('${dir}/sales_order_header.csv', header = true) h using (sales_order_id)
       join read_csv('${dir}/customer.csv', header = true) c on c.customer_id = h.customer_id
       group by all order by all`,
    );
  }

  async function countryMetrics(): Promise<Record<string, unknown>[]> {
    return queryDuckDb(
      { lake: copy.file("lake") },
      `select country, customers::int as customers, orders::int as orders, units::int as units,
              revenue::decimal(18, 2)::varchar as revenue
       from lake.main.country_metrics order by all`,
    );
  }

  it("builds from the landed files and its aggregate equals SQL read straight from them", async () => {
    // The default landing_dir, examples/hive-external/landing, read from the folder sluice runs in.
    buildExample(copy);
    const expected = await countryMetricsFromFiles(landing);
    expect(expected.length).toBe(6);
    expect(await countryMetrics()).toEqual(expected);
  });

  it("follows a landed file that changed since the last build, and its view joins every line once", async () => {
    const file = join(landing, "customer.csv");
    writeFileSync(file, readFileSync(file, "utf8").replaceAll(",Germany,", ",France,"));
    buildExample(copy);
    const expected = await countryMetricsFromFiles(landing);
    expect(expected.map((r) => r["country"])).not.toContain("Germany");
    expect(await countryMetrics()).toEqual(expected);
    // The views name the files by the relative default path, so they are read from the copy's root
    // (this suite runs in forked processes, where chdir is allowed).
    const [lines] = await queryDuckDb(
      {},
      `select count(*)::int as n from read_parquet('${landing}/sales_order_detail.parquet')`,
    );
    const before = process.cwd();
    process.chdir(copy.root);
    try {
      const [joined] = await queryDuckDb(
        { lake: copy.file("lake") },
        `select count(*)::int as n, count(distinct sales_order_detail_id)::int as ids
         from lake.main.v_salesorderdetails_demo`,
      );
      expect(joined).toEqual({ n: lines!["n"], ids: lines!["n"] });
    } finally {
      process.chdir(before);
    }
  });

  it("ships exactly the files its generator writes", async () => {
    const fresh = mkdtempSync(join(tmpdir(), "sluice-landing-"));
    try {
      runOperation(copy, "land_files", `{dir: "${fresh}"}`, "lake");
      const shipped = join(REPO_ROOT, "examples/hive-external/landing");
      const text = (dir: string, file: string) => readFileSync(join(dir, file), "utf8");
      expect(text(fresh, "customer.csv")).toBe(text(shipped, "customer.csv"));
      expect(text(fresh, "sales_order_header.csv")).toBe(text(shipped, "sales_order_header.csv"));
      const rows = (dir: string) =>
        queryDuckDb({}, `select * from read_parquet('${dir}/sales_order_detail.parquet') order by all`);
      expect(await rows(fresh)).toEqual(await rows(shipped));
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });
});
