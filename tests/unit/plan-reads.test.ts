import { createRequire } from "node:module";
import { afterEach, describe, expect, it, vi } from "vitest";
import { openConnections } from "../../src/adapters/index.js";
import { DuckDbSession } from "../../src/adapters/duckdb/duckdb-connection.js";
import { groupColumn } from "../../src/planner/affected-groups.js";
import { loadProject } from "../../src/project/load.js";
import type { Reporter } from "../../src/runner/reporter.js";
import { runCommand } from "../../src/runner/run.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";
import { trackedSalesSources } from "../helpers/tracked-sales.js";

// A plan asks the engines each thing once (src/planner/plan-reads.ts): lineage models over one
// source share its clock, stamp counts and existence check, so a second model over it costs the
// plan no source query; and the SQL shape a downstream table is read by is parsed once per
// process (affected-groups.ts). The builds still decide each model from those facts.
const { Parser } = createRequire(import.meta.url)("node-sql-parser") as {
  Parser: { prototype: { astify(sql: string, options: unknown): unknown } };
};
const silent: Reporter = { start() {}, nodeStart() {}, nodeEnd() {}, info() {}, finish() {} };
const projects: TempProject[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const p of projects.splice(0)) p.remove();
});

function project(lineageModels: number): TempProject {
  const models: Record<string, string> = {};
  for (let i = 1; i <= lineageModels; i++)
    models[`models/hist${i}.sql`] =
      `{{ config(materialized='incremental', partition_by='ym', unique_key='sale_id', full_rebuild_share=1) }}
select s.sale_id, s.amount + ${i} as amount, year(s.sale_date) * 100 + month(s.sale_date) as ym
from {{ source('app', 'sales') }} s`;
  const p = tempProject({
    "profiles.yml":
      "targets:\n  dev:\n    connections:\n      src: { type: duckdb, path: .sluice/src.duckdb }\n",
    "models/sources.yml": trackedSalesSources(),
    ...models,
  });
  projects.push(p);
  return p;
}

async function onSource(dir: string, sql: string): Promise<void> {
  const connections = await openConnections(loadProject({ projectDir: dir }).target, dir, "test");
  try {
    await connections.withSession("src", (s) => s.execute(sql));
  } finally {
    await connections.close();
  }
}

/** Builds, returning each model's step and every statement sent to DuckDB. */
async function build(dir: string) {
  const sent: string[] = [];
  const { query, stream } = DuckDbSession.prototype;
  vi.spyOn(DuckDbSession.prototype, "query").mockImplementation(function (this: DuckDbSession, sql) {
    sent.push(sql);
    return query.call(this, sql);
  });
  vi.spyOn(DuckDbSession.prototype, "stream").mockImplementation(function (this: DuckDbSession, sql, n) {
    sent.push(sql);
    return stream.call(this, sql, n);
  });
  const run = await runCommand(loadProject({ projectDir: dir }), { command: "build", reporter: silent });
  vi.restoreAllMocks();
  expect(run.success, JSON.stringify(run.results)).toBe(true);
  return { steps: new Map(run.results.map((r) => [r.node, r])), sent };
}

/** How many statements of `sent` read the high watermark of app.sales or check that it exists. */
function salesReads(sent: string[]) {
  return {
    clock: sent.filter((s) => /MAX\("updated_at"\)/.test(s) && s.includes('"app"."sales"')).length,
    exists: sent.filter((s) => s.includes("duckdb_tables()") && s.includes("'sales'")).length,
  };
}

describe("a plan's reads of the engines", () => {
  it("reads a source's clock and existence once, however many lineage models read it", async () => {
    const reads = [];
    for (const models of [1, 3]) {
      const p = project(models);
      await onSource(
        p.dir,
        `create schema app;
        create table app.sales (sale_id int, sale_date date, amount int, updated_at bigint);
        create table app.removed (sale_id int, removed_at bigint, ym int);
        insert into app.sales values (1, date '2025-12-05', 10, 1), (2, date '2026-02-05', 20, 1)`,
      );
      await build(p.dir);
      await onSource(p.dir, "update app.sales set amount = 25, updated_at = 2 where sale_id = 2");
      const { steps, sent } = await build(p.dir);
      // Each model is still decided from the shared facts: the one changed month, replaced.
      for (let i = 1; i <= models; i++) {
        expect(steps.get(`model.hist${i}`)?.action).toBe("replace_partitions");
        expect(steps.get(`model.hist${i}`)?.partitions).toEqual([["202602"]]);
      }
      reads.push(salesReads(sent));
    }
    expect(reads[0]!.clock).toBeGreaterThan(0);
    expect(reads[0]!.exists).toBeGreaterThan(0);
    expect(reads[1]).toEqual(reads[0]);
  });

  it("parses the SQL a table's groups are read from once, and hands out answers no caller can change", () => {
    const astify = vi.spyOn(Parser.prototype, "astify");
    const sql =
      "select h.ym, sum(h.amount) as total from hist h group by h.ym having count(*) > 1 -- plan-reads";
    const first = groupColumn(sql, "duckdb", "hist", "ym", []);
    expect(first).toBe("ym");
    expect(groupColumn(sql, "duckdb", "hist", "ym", [])).toBe("ym");
    expect(astify).toHaveBeenCalledTimes(1);
    const refused = "select h.ym, h.amount from hist h limit 3 -- plan-reads";
    const answer = groupColumn(refused, "duckdb", "hist", "ym", []) as { whole: string };
    expect(answer).toEqual({ whole: "its SQL has a LIMIT" });
    answer.whole = "changed by a caller";
    expect(groupColumn(refused, "duckdb", "hist", "ym", [])).toEqual({ whole: "its SQL has a LIMIT" });
    expect(astify).toHaveBeenCalledTimes(2);
  });
});
