// Incremental equals full for the values a lineage model carries: each case changes the source,
// builds incrementally on the real Parquet lake, and compares every row with a full refresh of a
// second copy of the project that reads the same source file.
import { afterEach, describe, expect, it } from "vitest";
import { incrementalVsFull, type IncrementalVsFull } from "../helpers/incremental-vs-full.js";
import { trackedSalesSources } from "../helpers/tracked-sales.js";

let pair: IncrementalVsFull | undefined;
afterEach(() => pair?.remove());

const hist = (select: string, config = "partition_by='ym', unique_key='sale_id'") =>
  `{{ config(materialized='incremental', connection='lake', compute='src', ${config}) }}
${select}`;

describe("incremental equals full", () => {
  it("finds moved and deleted rows by VARCHAR keys that look numeric or hold quotes", async () => {
    pair = incrementalVsFull({
      "models/sources.yml": trackedSalesSources(),
      "models/hist.sql": hist(
        `select sale_id, amount, year(sale_date) * 100 + month(sale_date) as ym from {{ source('app', 'sales') }}`,
      ),
    });
    await pair.onSource(`create schema app;
      create table app.sales (sale_id varchar, amount int, sale_date date, updated_at bigint);
      create table app.removed (sale_id varchar, removed_at bigint, ym int);
      insert into app.sales values ('007', 1, date '2026-01-05', 1), ('7', 2, date '2026-01-06', 1),
        ('x1', 3, date '2026-02-05', 1), ('o''k', 4, date '2026-03-05', 1)`);
    pair.buildIncremental();
    // '007' moves to February: its old January row must go although the text '7' (and the number 7) stay.
    await pair.onSource(
      `update app.sales set sale_date = date '2026-02-07', updated_at = 2 where sale_id = '007'`,
    );
    pair.buildIncremental();
    let both = await pair.compare("hist", "sale_id");
    expect(both.incremental).toEqual(both.full);
    expect(both.incremental).toHaveLength(4);
    await pair.onSource(`delete from app.sales where sale_id = 'o''k'; insert into app.removed values ('o''k', 3, 202603);
      update app.sales set amount = 20, updated_at = 3 where sale_id = '7'`);
    pair.buildIncremental();
    both = await pair.compare("hist", "sale_id");
    expect(both.incremental).toEqual(both.full);
    expect(both.incremental).toHaveLength(3);
  });

  it("keeps NULL a partition of its own, apart from the texts 'NULL', 'null', '__HIVE_DEFAULT_PARTITION__' and ''", async () => {
    pair = incrementalVsFull({
      "models/sources.yml": trackedSalesSources(),
      "models/hist.sql": hist(`select sale_id, amount, region as ym from {{ source('app', 'sales') }}`),
    });
    await pair.onSource(`create schema app;
      create table app.sales (sale_id int, amount int, region varchar, updated_at bigint);
      create table app.removed (sale_id int, removed_at bigint, ym varchar);
      insert into app.sales values (1, 1, NULL, 1), (2, 2, 'NULL', 1), (3, 3, 'null', 1),
        (4, 4, '__HIVE_DEFAULT_PARTITION__', 1), (5, 5, '', 1), (6, 6, 'north', 1), (7, 7, NULL, 1)`);
    pair.buildIncremental();
    let both = await pair.compare("hist", "sale_id");
    expect(both.incremental).toEqual(both.full);
    // Each text reads back as itself after a full refresh too; only the real NULLs are NULL.
    expect(both.full.map((r) => JSON.parse(r as string).ym)).toEqual([
      null,
      "NULL",
      "null",
      "__HIVE_DEFAULT_PARTITION__",
      "",
      "north",
      null,
    ]);
    // Moves into and out of the NULL partition, an update inside it, and a delete from it.
    await pair.onSource(`update app.sales set region = NULL, updated_at = 2 where sale_id = 2;
      update app.sales set region = 'south', updated_at = 2 where sale_id = 1;
      update app.sales set amount = 70, updated_at = 2 where sale_id = 7`);
    const run = pair.buildIncremental();
    expect(run.stdout).not.toMatch(/rebuilt in full/);
    both = await pair.compare("hist", "sale_id");
    expect(both.incremental).toEqual(both.full);
    await pair.onSource(
      `delete from app.sales where sale_id in (2, 5); insert into app.removed values (2, 3, NULL), (5, 3, '')`,
    );
    pair.buildIncremental();
    both = await pair.compare("hist", "sale_id");
    expect(both.incremental).toEqual(both.full);
    expect(both.incremental).toHaveLength(5);
  });

  it("rebuilds the NULL partition of a DATE partition column, and partitions by a column whose name needs quoting", async () => {
    pair = incrementalVsFull({
      "models/sources.yml": trackedSalesSources(),
      "models/hist.sql": hist(
        `select sale_id, amount, sale_date as "Sale Day" from {{ source('app', 'sales') }}`,
        `partition_by='Sale Day', unique_key='sale_id'`,
      ),
    });
    await pair.onSource(`create schema app;
      create table app.sales (sale_id int, amount int, sale_date date, updated_at bigint);
      create table app.removed (sale_id int, removed_at bigint, ym date);
      insert into app.sales values (1, 1, NULL, 1), (2, 2, date '2026-01-05', 1), (3, 3, NULL, 1)`);
    pair.buildIncremental();
    await pair.onSource(`update app.sales set amount = 30, updated_at = 2 where sale_id = 3;
      update app.sales set sale_date = NULL, updated_at = 2 where sale_id = 2`);
    pair.buildIncremental();
    const second = pair.buildIncremental();
    expect(second.stdout).toMatch(/no changes in app\.sales/);
    const both = await pair.compare("hist", "sale_id");
    expect(both.incremental).toEqual(both.full);
    expect(both.incremental.map((r) => JSON.parse(r as string)["Sale Day"])).toEqual([null, null, null]);
  });

  it("restates partitions spelled another way by their column's type, without duplicating rows", async () => {
    pair = incrementalVsFull({
      "models/sources.yml": trackedSalesSources(),
      "models/hist.sql": hist(
        `select sale_id, amount, year(sale_date) * 100 + month(sale_date) as ym from {{ source('app', 'sales') }}`,
      ),
      "models/daily.sql": hist(
        `select sale_id, amount, sale_date from {{ source('app', 'sales') }}`,
        `partition_by='sale_date', unique_key='sale_id'`,
      ),
    });
    await pair.onSource(`create schema app;
      create table app.sales (sale_id int, amount int, sale_date date, updated_at bigint);
      create table app.removed (sale_id int, removed_at bigint, ym int);
      insert into app.sales values (1, 1, date '2026-01-01', 1), (2, 2, date '2026-01-02', 1), (3, 3, date '2026-02-01', 1)`);
    pair.buildIncremental();
    // A fix written without a new stamp: only a restatement picks it up.
    await pair.onSource(`update app.sales set amount = amount * 10`);
    expect(pair.run("plan", "--restate", "hist", "--partitions", "0202601").stdout).toMatch(
      /restate partition 202601 on request/,
    );
    pair.buildIncremental("--restate", "hist", "--partitions", "0202601");
    pair.buildIncremental("--restate", "daily", "--partitions", "2026-1-1..2026-1-2");
    const monthly = await pair.compare("hist", "sale_id");
    const january = (rows: unknown[]) => rows.filter((r) => JSON.parse(r as string).ym === 202601);
    expect(january(monthly.incremental)).toEqual(january(monthly.full));
    expect(monthly.incremental).toHaveLength(3);
    const daily = await pair.compare("daily", "sale_id");
    expect(daily.incremental.slice(0, 2)).toEqual(daily.full.slice(0, 2));
    expect(daily.incremental).toHaveLength(3);
  });

  it("refuses a month range with month 13 as a usage error, and a value not of the column's type, writing nothing", async () => {
    pair = incrementalVsFull({
      "models/sources.yml": trackedSalesSources(),
      "models/hist.sql": hist(
        `select sale_id, amount, year(sale_date) * 100 + month(sale_date) as ym from {{ source('app', 'sales') }}`,
      ),
    });
    await pair.onSource(`create schema app;
      create table app.sales (sale_id int, amount int, sale_date date, updated_at bigint);
      create table app.removed (sale_id int, removed_at bigint, ym int);
      insert into app.sales values (1, 1, date '2026-01-01', 1)`);
    pair.buildIncremental();
    const month13 = pair.run("build", "--restate", "hist", "--partitions", "202601..202613");
    expect(month13.code).toBe(2);
    expect(month13.stderr).toMatch(
      /--partitions 202601\.\.202613: '202613' in 202601\.\.202613 is not a month/,
    );
    const wrongType = pair.run("build", "--restate", "hist", "--partitions", "2026-01");
    expect(wrongType.code).not.toBe(0);
    expect(wrongType.stdout + wrongType.stderr).toMatch(
      /'2026-01' is not an integer, the type of partition column ym/,
    );
  });

  it("loads every change of a TIMESTAMPTZ stamp across a DST fall-back and builds in other time zones", async () => {
    pair = incrementalVsFull({
      "models/sources.yml": trackedSalesSources(),
      "models/hist.sql": hist(
        `select sale_id, amount, year(sale_date) * 100 + month(sale_date) as ym from {{ source('app', 'sales') }}`,
      ),
    });
    await pair.onSource(`create schema app;
      create table app.sales (sale_id int, amount int, sale_date date, updated_at timestamptz);
      create table app.removed (sale_id int, removed_at timestamptz, ym int);
      insert into app.sales values (1, 1, date '2026-01-05', timestamptz '2026-11-01 05:10:00+00'),
        (2, 2, date '2026-02-05', timestamptz '2026-11-01 05:10:00+00')`);
    // New York: 05:10 UTC is 01:10 EDT; 06:05 UTC, an hour later, is 01:05 EST, earlier on the wall clock.
    pair.timeZone("America/New_York");
    pair.buildIncremental();
    await pair.onSource(
      `update app.sales set amount = 10, updated_at = timestamptz '2026-11-01 06:05:00+00' where sale_id = 1`,
    );
    pair.buildIncremental();
    let both = await pair.compare("hist", "sale_id");
    expect(both.incremental).toEqual(both.full);
    // A person in Tokyo builds next, then a cron in UTC.
    pair.timeZone("Asia/Tokyo");
    await pair.onSource(
      `update app.sales set amount = 20, updated_at = timestamptz '2026-11-01 06:30:00+00' where sale_id = 2`,
    );
    pair.buildIncremental();
    pair.timeZone("UTC");
    await pair.onSource(
      `update app.sales set amount = 11, updated_at = timestamptz '2026-11-01 06:31:00+00' where sale_id = 1`,
    );
    pair.buildIncremental();
    both = await pair.compare("hist", "sale_id");
    expect(both.incremental).toEqual(both.full);
    expect(both.incremental.map((r) => JSON.parse(r as string).amount)).toEqual([11, 20]);
  });

  it("loads the newest change of a TIMESTAMP_NS stamp, which microseconds would cut off", async () => {
    pair = incrementalVsFull({
      "models/sources.yml": trackedSalesSources(),
      "models/hist.sql": hist(
        `select sale_id, amount, year(sale_date) * 100 + month(sale_date) as ym from {{ source('app', 'sales') }}`,
      ),
    });
    await pair.onSource(`create schema app;
      create table app.sales (sale_id int, amount int, sale_date date, updated_at timestamp_ns);
      create table app.removed (sale_id int, removed_at timestamp_ns, ym int);
      insert into app.sales values (1, 1, date '2026-01-05', timestamp_ns '2026-11-01 10:00:00.000000100')`);
    pair.buildIncremental();
    await pair.onSource(
      `update app.sales set amount = 10, updated_at = timestamp_ns '2026-11-01 10:00:00.000000900' where sale_id = 1`,
    );
    pair.buildIncremental();
    const both = await pair.compare("hist", "sale_id");
    expect(both.incremental).toEqual(both.full);
    expect(JSON.parse(both.incremental[0] as string).amount).toBe(10);
  });

  it("re-reads a lookback window of a DATE stamp in whole days, and refuses an hour lookback on it", async () => {
    pair = incrementalVsFull({
      "models/sources.yml": trackedSalesSources({ lookback: "1 day" }),
      "models/hist.sql": hist(
        `select sale_id, amount, year(sale_date) * 100 + month(sale_date) as ym from {{ source('app', 'sales') }}`,
      ),
    });
    await pair.onSource(`create schema app;
      create table app.sales (sale_id int, amount int, sale_date date, updated_at date);
      create table app.removed (sale_id int, removed_at date, ym int);
      insert into app.sales values (1, 1, date '2026-01-05', date '2026-11-02'), (2, 2, date '2026-02-05', date '2026-11-01')`);
    pair.buildIncremental();
    // Another change the same day carries the watermark's own date: only the lookback finds it.
    await pair.onSource(`update app.sales set amount = 20, updated_at = date '2026-11-02' where sale_id = 2`);
    pair.buildIncremental();
    const both = await pair.compare("hist", "sale_id");
    expect(both.incremental).toEqual(both.full);
    expect(JSON.parse(both.incremental[1] as string).amount).toBe(20);
    pair.incremental.write("models/sources.yml", trackedSalesSources({ lookback: "3 hours" }));
    // A changed source definition is a new model version, rebuilt in full with no window to read;
    // the next build reads one and refuses the lookback.
    expect(pair.run("build").code).toBe(0);
    const refused = pair.run("build");
    expect(refused.code).not.toBe(0);
    expect(refused.stdout + refused.stderr).toMatch(
      /lookback '3 hours' on a DATE update column must be whole days/,
    );
  });

  it("sees a change to duplicated rows of an untracked source it joins, and rebuilds in full", async () => {
    pair = incrementalVsFull({
      "models/sources.yml": trackedSalesSources({ tables: ["removed", "products"] }),
      "models/hist.sql": hist(`select s.sale_id, p.name, year(s.sale_date) * 100 + month(s.sale_date) as ym
from {{ source('app', 'sales') }} s join {{ source('app', 'products') }} p on p.product_id = s.product_id`),
    });
    await pair.onSource(`create schema app;
      create table app.products (product_id int, name varchar);
      create table app.sales (sale_id int, product_id int, sale_date date, updated_at bigint);
      create table app.removed (sale_id int, removed_at bigint, ym int);
      insert into app.products values (1, 'tee'), (1, 'tee'), (2, 'cap');
      insert into app.sales values (1, 1, date '2026-01-05', 1), (2, 2, date '2026-02-05', 1)`);
    pair.buildIncremental();
    // Both copies change alike: an XOR of row hashes would cancel them out before and after.
    await pair.onSource(`update app.products set name = 'shirt' where product_id = 1`);
    expect(pair.run("plan").stdout).toMatch(/app\.products changed since hist was last loaded/);
    pair.buildIncremental();
    const both = await pair.compare("hist", "sale_id, name");
    expect(both.incremental).toEqual(both.full);
    expect(both.incremental.map((r) => JSON.parse(r as string).name)).toEqual(["shirt", "shirt", "cap"]);
  });
});
