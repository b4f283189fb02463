import { afterEach, describe, expect, it } from "vitest";
import { compileProject } from "../../src/compiler/compile.js";
import { columnLineage } from "../../src/docs/column-lineage.js";
import type { ModelNode } from "../../src/manifest/types.js";
import { loadProject } from "../../src/project/load.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";

let project: TempProject | undefined;
afterEach(() => project?.remove());

function lineageOf(sql: string) {
  project = tempProject({
    "models/orders.sql": "select 1 as id, 2 as customer_id, 3.5 as amount",
    "models/customers.sql": "select 2 as id, 'PT' as country",
    "models/m.sql": sql,
  });
  const { manifest } = compileProject(loadProject({ projectDir: project.dir }));
  return columnLineage(manifest.nodes["model.m"] as ModelNode, manifest);
}

describe("column-level lineage", () => {
  it("follows qualified columns through aliases, expressions and aggregates", () => {
    expect(lineageOf("select c.country, sum(o.amount * 2) as total, count(*) as n from {{ ref('orders') }} o join {{ ref('customers') }} c on c.id = o.customer_id group by c.country")).toEqual({
      known: true,
      columns: [
        { name: "country", from: [{ node: "model.customers", column: "country" }] },
        { name: "total", from: [{ node: "model.orders", column: "amount" }] },
        { name: "n", from: [] },
      ],
    });
  });

  it("takes unqualified columns from the only input", () => {
    expect(lineageOf("select id, amount from {{ ref('orders') }}")).toEqual({
      known: true,
      columns: [
        { name: "id", from: [{ node: "model.orders", column: "id" }] },
        { name: "amount", from: [{ node: "model.orders", column: "amount" }] },
      ],
    });
  });

  it.each([
    ["select * from {{ ref('orders') }}", /select \*/],
    ["select x.id from (select id from {{ ref('orders') }}) x", /cannot tell which input 'x'/],
    ["with o as (select * from {{ ref('orders') }}) select id from o", /its own CTEs/],
    ["select id from {{ ref('orders') }} o join {{ ref('customers') }} c on c.id = o.customer_id", /unqualified column/],
    ["select id from {{ ref('orders') }} union all select id from {{ ref('customers') }}", /single plain SELECT/],
  ])("marks %s unknown rather than guess", (sql, reason) => {
    const lineage = lineageOf(sql);
    expect(lineage.known).toBe(false);
    expect(!lineage.known && lineage.reason).toMatch(reason);
  });
});
