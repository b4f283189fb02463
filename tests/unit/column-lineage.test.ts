import { afterEach, describe, expect, it } from "vitest";
import { compileProject } from "../../src/compiler/compile.js";
import { columnLineage, type ColumnLineage } from "../../src/docs/column-lineage.js";
import type { ModelNode } from "../../src/manifest/types.js";
import { loadProject } from "../../src/project/load.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";

// Column lineage read from compiled SQL by the real parser, over a project with two table inputs
// whose columns come from their own SQL (none is declared), an ephemeral input, and a source
// whose columns are not known.
let project: TempProject | undefined;
afterEach(() => project?.remove());

const INPUTS = {
  "models/orders.sql": "select 1 as id, 2 as customer_id, 3.5 as amount, date '2026-01-01' as ordered_at",
  "models/customers.sql": "select 2 as id, 'PT' as country, 'Ana' as name",
  "models/recent.sql":
    "{{ config(materialized='ephemeral') }}\nselect id, amount from {{ ref('orders') }} where amount > 1",
  "models/sources.yml": "sources:\n  - name: erp\n    tables:\n      - name: events\n",
};

function lineageOf(sql: string): ColumnLineage {
  project = tempProject({ ...INPUTS, "models/m.sql": sql });
  const { manifest } = compileProject(loadProject({ projectDir: project.dir }));
  return columnLineage(manifest.nodes["model.m"] as ModelNode, manifest);
}

const O = (column: string) => ({ node: "model.orders", column });
const C = (column: string) => ({ node: "model.customers", column });

/** SQL shapes real models use, and the lineage each must give (all resolve). */
const SHAPES: [string, string, Record<string, { node: string; column: string }[]>][] = [
  [
    "qualified columns through aliases, expressions and aggregates",
    "select c.country, sum(o.amount * 2) as total, count(*) as n from {{ ref('orders') }} o join {{ ref('customers') }} c on c.id = o.customer_id group by c.country",
    { country: [C("country")], total: [O("amount")], n: [] },
  ],
  [
    "unqualified columns of the only input",
    "select id, amount from {{ ref('orders') }}",
    { id: [O("id")], amount: [O("amount")] },
  ],
  [
    "a CTE",
    "with o as (select id, amount * 2 as doubled from {{ ref('orders') }}) select id, doubled from o",
    { id: [O("id")], doubled: [O("amount")] },
  ],
  [
    "chained CTEs",
    "with a as (select id, amount from {{ ref('orders') }}), b as (select id, amount + 1 as more from a) select b.more from b",
    { more: [O("amount")] },
  ],
  [
    "a subquery in FROM",
    "select x.id, x.total from (select id, amount as total from {{ ref('orders') }}) x",
    { id: [O("id")], total: [O("amount")] },
  ],
  [
    "UNION ALL, by position",
    "select id, amount as v from {{ ref('orders') }} union all select id, country from {{ ref('customers') }}",
    { id: [O("id"), C("id")], v: [O("amount"), C("country")] },
  ],
  [
    "select * from known columns",
    "select * from {{ ref('customers') }}",
    { id: [C("id")], country: [C("country")], name: [C("name")] },
  ],
  [
    "t.* and more",
    "select c.*, o.amount from {{ ref('orders') }} o join {{ ref('customers') }} c on c.id = o.customer_id",
    { id: [C("id")], country: [C("country")], name: [C("name")], amount: [O("amount")] },
  ],
  [
    "a :: cast and CAST()",
    "select amount::int as whole, cast(id as varchar) as key from {{ ref('orders') }}",
    { whole: [O("amount")], key: [O("id")] },
  ],
  [
    "QUALIFY",
    "select id, amount from {{ ref('orders') }} qualify row_number() over (partition by id order by amount desc) = 1",
    { id: [O("id")], amount: [O("amount")] },
  ],
  [
    "GROUP BY ALL",
    "select customer_id, sum(amount) as total from {{ ref('orders') }} group by all",
    { customer_id: [O("customer_id")], total: [O("amount")] },
  ],
  [
    "an ephemeral input",
    "select r.id, r.amount from {{ ref('recent') }} r",
    { id: [{ node: "model.recent", column: "id" }], amount: [{ node: "model.recent", column: "amount" }] },
  ],
  [
    "unqualified columns in a join, each in one input",
    "select country, amount from {{ ref('orders') }} o join {{ ref('customers') }} c on c.id = o.customer_id",
    { country: [C("country")], amount: [O("amount")] },
  ],
  [
    "CASE and functions",
    "select case when amount > 2 then 'big' else upper(cast(customer_id as varchar)) end as size from {{ ref('orders') }}",
    { size: [O("amount"), O("customer_id")] },
  ],
  [
    "a window function",
    "select id, sum(amount) over (partition by customer_id) as running from {{ ref('orders') }}",
    { id: [O("id")], running: [O("amount"), O("customer_id")] },
  ],
  [
    "a qualified column of a source with unknown columns",
    "select e.kind from {{ source('erp', 'events') }} e",
    { kind: [{ node: "source.erp.events", column: "kind" }] },
  ],
];

describe("column-level lineage", () => {
  it.each(SHAPES)("resolves %s", (_name, sql, expected) => {
    const lineage = lineageOf(sql);
    expect(lineage.known ? "" : lineage.reason).toBe("");
    expect(lineage.known && Object.fromEntries(lineage.columns.map((c) => [c.name, c.from]))).toEqual(
      expected,
    );
  });

  it.each([
    [
      "select id from {{ ref('orders') }} o join {{ ref('customers') }} c on c.id = o.customer_id",
      /unqualified column id is in o and c/,
    ],
    ["select * from {{ source('erp', 'events') }}", /select \* over events, whose columns are not known/],
    [
      "select kind from {{ source('erp', 'events') }} e join {{ ref('orders') }} o on o.id = e.id",
      /cannot tell which input the unqualified column kind comes from: the columns of e are not known/,
    ],
    ["select amount + 1 from {{ ref('orders') }}", /expression without a name/],
    [
      "select (select max(id) from {{ ref('customers') }}) as top from {{ ref('orders') }}",
      /computed by a subquery/,
    ],
    ["select x.nothing from (select id from {{ ref('orders') }}) x", /x has no column nothing/],
  ])("marks %s unknown, with the reason, rather than guess", (sql, reason) => {
    const lineage = lineageOf(sql);
    expect(lineage.known).toBe(false);
    expect(!lineage.known && lineage.reason).toMatch(reason);
  });
});
