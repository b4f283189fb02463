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
      "models/hist.sql": hist(`select sale_id, amount, year(sale_date) * 100 + month(sale_date) as ym from {{ source('app', 'sales') }}`),
    });
    await pair.onSource(`create schema app;
      create table app.sales (sale_id varchar, amount int, sale_date date, updated_at bigint);
      create table app.removed (sale_id varchar, removed_at bigint, ym int);
      insert into app.sales values ('007', 1, date '2026-01-05', 1), ('7', 2, date '2026-01-06', 1),
        ('x1', 3, date '2026-02-05', 1), ('o''k', 4, date '2026-03-05', 1)`);
    pair.buildIncremental();
    // '007' moves to February: its old January row must go although the text '7' (and the number 7) stay.
    await pair.onSource(`update app.sales set sale_date = date '2026-02-07', updated_at = 2 where sale_id = '007'`);
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
});
