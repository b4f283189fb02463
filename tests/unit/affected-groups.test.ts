// When a table grouped by an input's partition column recomputes only the groups of the replaced
// partitions: the SQL shapes that allow it and those that do not, and the ledger facts it needs,
// on the example project's manifest (sales_by_country_month groups sales_history by year_month).
import { describe, expect, it } from "vitest";
import { compileProject } from "../../src/compiler/compile.js";
import type { NodeOutcome } from "../../src/ledger/ledger.js";
import type { ModelNode } from "../../src/manifest/types.js";
import { affectedGroups, groupColumn } from "../../src/planner/affected-groups.js";
import { loadProject } from "../../src/project/load.js";
import { REPO_ROOT } from "../helpers/temp-project.js";

const H = `"lake"."main"."sales_history" h`;
const C = `"lake"."main"."countries" c`;

describe("the SQL shape of a table that can recompute only some groups", () => {
  const check = (sql: string) => groupColumn(sql, "duckdb", "sales_history", "year_month", ["countries"]);

  it.each([
    [`select h.year_month, count(*) from ${H} group by h.year_month`, "year_month"],
    [
      `select h.year_month as ym, sum(h.revenue) r from ${H} left join ${C} on c.country_code = h.country group by h.year_month, c.country_name having count(*) > 1`,
      "ym",
    ],
    [
      `select year_month, count(*) from "lake"."main"."sales_history" where revenue > 0 group by year_month`,
      "year_month",
    ],
  ])("%s: recomputes the groups of %s", (sql, column) => {
    expect(check(sql)).toBe(column);
  });

  it.each([
    [`select h.country, count(*) from ${H} group by h.country`, "does not group by sales_history.year_month"],
    [`select count(*) from ${H} group by h.year_month`, "does not select sales_history.year_month"],
    [
      `select c.country_name, h.year_month, count(*) from ${C} left join ${H} on c.country_code = h.country group by 1, 2`,
      "does not read sales_history first",
    ],
    [
      `select h.year_month, count(*) from ${H} right join ${C} on c.country_code = h.country group by h.year_month`,
      "joins countries with RIGHT JOIN",
    ],
    [
      `select h.year_month, count(*) from ${H} join "lake"."main"."sales_history" h2 on h2.sale_id = h.sale_id group by h.year_month`,
      "reads sales_history twice",
    ],
    [
      `select h.year_month, count(*) from ${H} where h.revenue > (select avg(revenue) from "lake"."main"."sales_history") group by h.year_month`,
      "has a subquery",
    ],
    [`select h.year_month, count(*) over () from ${H} group by h.year_month`, "uses a window function"],
    [`select distinct h.year_month, count(*) from ${H} group by h.year_month`, "uses DISTINCT"],
    [`select h.year_month, count(*) from ${H} group by h.year_month limit 5`, "has a LIMIT"],
    [
      `select h.year_month, count(*) from ${H} where h.sale_date > current_date - 30 group by h.year_month`,
      "calls current_date",
    ],
    [`select h.year_month, count(*), now() from ${H} group by h.year_month`, "calls now"],
    [
      `select year_month, count(*) from (select * from "lake"."main"."sales_history") h group by year_month`,
      "has a subquery",
    ],
    [
      `select h.year_month, count(*) from ${H} group by h.year_month union all select 1, 2`,
      "is not a single SELECT",
    ],
  ])("%s: rebuilt in full (%s)", (sql, why) => {
    expect(check(sql)).toEqual({ whole: `its SQL ${why}` });
  });
});

describe("the facts a table needs to recompute only some groups", () => {
  const { manifest } = compileProject(loadProject({ projectDir: REPO_ROOT, target: "dev", env: {} }));
  const mart = manifest.nodes["model.sales_by_country_month"] as ModelNode;
  const months = [["202309"], ["202310"]];
  const at = (s: string) => `2026-11-25 10:00:0${s}`;
  const built = (): Map<string, NodeOutcome> =>
    new Map(
      ["model.sales_history", "seed.countries", mart.id].map((id): [string, NodeOutcome] => [
        id,
        { version: manifest.nodes[id]!.checksum, status: "success", at: at("1") },
      ]),
    );
  const facts = (
    outcomes = built(),
    partitions: typeof months | "all" = months,
    changing = ["model.sales_history"],
  ) => ({
    manifest,
    partitionsOf: new Map([["model.sales_history", { partitionBy: ["year_month"], partitions }]]),
    changing: new Set(changing),
    outcomes,
  });

  it("recomputes the groups of the months sales_history replaces", () => {
    expect(affectedGroups(mart, facts())).toEqual({
      column: "year_month",
      partitions: months,
      from: "sales_history",
    });
  });

  it("rebuilds in full when its last build failed or was at another version", () => {
    const failed = built();
    failed.set(mart.id, { ...failed.get(mart.id)!, status: "error" });
    expect(affectedGroups(mart, facts(failed))).toEqual({
      whole: "its last build at this version did not succeed",
    });
    const older = built();
    older.set(mart.id, { ...older.get(mart.id)!, version: "other" });
    expect(affectedGroups(mart, facts(older))).toHaveProperty("whole");
  });

  it("rebuilds in full when an input was written since its last build, by this build or another", () => {
    const later = built();
    later.set("model.sales_history", { ...later.get("model.sales_history")!, at: at("2") });
    expect(affectedGroups(mart, facts(later))).toEqual({
      whole: "sales_history was written since sales_by_country_month was last built",
    });
    expect(affectedGroups(mart, facts(built(), "all"))).toEqual({
      whole: "sales_history is written in this build, not only in named partitions",
    });
    expect(affectedGroups(mart, facts(built(), months, ["model.sales_history", "seed.countries"]))).toEqual({
      whole: "countries is written in this build, not only in named partitions",
    });
  });

  it("rebuilds in full a table stored in the lake, which deletes no rows by value", () => {
    const inLake = { ...mart, relation: { ...mart.relation, connection: "lake" } };
    expect(affectedGroups(inLake, facts())).toEqual({
      whole: "it is stored in a lake, which replaces only the partitions a table is partitioned by",
    });
  });

  it("rebuilds in full a table grouped by something else", () => {
    const daily = manifest.nodes["model.daily_category_revenue"] as ModelNode;
    const outcomes = built();
    outcomes.set(daily.id, { version: daily.checksum, status: "success", at: at("1") });
    expect(affectedGroups(daily, facts(outcomes))).toEqual({
      whole: "its SQL does not group by sales_history.year_month",
    });
  });
});
