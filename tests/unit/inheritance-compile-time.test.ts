import { createRequire } from "node:module";
import { afterEach, describe, expect, it, vi } from "vitest";
import { openConnections } from "../../src/adapters/index.js";
import { compileProject } from "../../src/compiler/compile.js";
import type { ModelNode } from "../../src/manifest/types.js";
import { loadProject } from "../../src/project/load.js";
import type { Reporter } from "../../src/runner/reporter.js";
import { runCommand } from "../../src/runner/run.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";
import { trackedSalesSources } from "../helpers/tracked-sales.js";

// Whether a downstream insert_overwrite model may inherit the partitions replaced upstream is read
// from its SQL once, at compile time, into the manifest (`inheritance`), and kept in the contract
// cache: a build whose project did not change parses no SQL for it, and still inherits, or
// refuses to, exactly as the SQL says.
const { Parser } = createRequire(import.meta.url)("node-sql-parser") as {
  Parser: { prototype: { astify(sql: string, options: unknown): unknown } };
};
const silent: Reporter = { start() {}, nodeStart() {}, nodeEnd() {}, info() {}, finish() {} };
const projects: TempProject[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const p of projects.splice(0)) p.remove();
});

function project(): TempProject {
  const p = tempProject({
    "profiles.yml":
      "targets:\n  dev:\n    connections:\n      src: { type: duckdb, path: .sluice/src.duckdb }\n",
    "models/sources.yml": trackedSalesSources(),
    "models/hist.sql": `{{ config(materialized='incremental', partition_by='ym', unique_key='sale_id', full_rebuild_share=1) }}
select s.sale_id, s.amount, year(s.sale_date) * 100 + month(s.sale_date) as ym from {{ source('app', 'sales') }} s`,
    "models/hist_copy.sql": `{{ config(materialized='incremental', partition_by='ym') }}
select h.sale_id, h.amount, h.ym from {{ ref('hist') }} h
{% if is_incremental() %}where false{% endif %}`,
    "models/yearly.sql": `{{ config(materialized='incremental', partition_by='ym') }}
select cast(floor(h.ym / 100) as int) as ym, sum(h.amount) as total from {{ ref('hist') }} h group by 1
{% if is_incremental() %}having false{% endif %}`,
  });
  projects.push(p);
  return p;
}

async function onSource(dir: string, sql: string): Promise<void> {
  const loaded = loadProject({ projectDir: dir });
  const connections = await openConnections(loaded.target, dir, "test");
  try {
    await connections.withSession("src", (s) => s.execute(sql));
  } finally {
    await connections.close();
  }
}

async function build(dir: string) {
  const run = await runCommand(loadProject({ projectDir: dir }), { command: "build", reporter: silent });
  expect(run.success, JSON.stringify(run.results)).toBe(true);
  return new Map(run.results.map((r) => [r.node, r]));
}

describe("inheriting replaced partitions", () => {
  it("is read from the SQL at compile time, into the manifest", () => {
    const astify = vi.spyOn(Parser.prototype, "astify");
    const { manifest } = compileProject(loadProject({ projectDir: project().dir }));
    expect(astify).toHaveBeenCalled();
    expect((manifest.nodes["model.hist_copy"] as ModelNode).inheritance).toEqual({ "model.hist": null });
    expect((manifest.nodes["model.yearly"] as ModelNode).inheritance).toEqual({
      "model.hist": "its column ym is not hist.ym passed through",
    });
    // A lineage model plans from its sources' changes, not from an upstream model.
    expect((manifest.nodes["model.hist"] as ModelNode).inheritance).toBeUndefined();
  });

  it("is not parsed again when a build plans with the project unchanged", async () => {
    const p = project();
    await onSource(
      p.dir,
      `create schema app;
      create table app.sales (sale_id int, sale_date date, amount int, updated_at bigint);
      create table app.removed (sale_id int, removed_at bigint, ym int);
      insert into app.sales values (1, date '2025-12-05', 10, 1), (2, date '2026-02-05', 20, 1)`,
    );
    await build(p.dir);
    await onSource(p.dir, "update app.sales set amount = 25, updated_at = 2 where sale_id = 2");
    const astify = vi.spyOn(Parser.prototype, "astify");
    const results = await build(p.dir);
    expect(results.get("model.hist")?.action).toBe("replace_partitions");
    expect(results.get("model.hist_copy")?.reason).toBe("inherits partition 202602 from hist");
    expect(results.get("model.yearly")?.reason).toBe(
      "models/yearly.sql: cannot inherit the partitions replaced in hist: its column ym is not hist.ym passed through; rebuilt in full",
    );
    expect(astify).not.toHaveBeenCalled();
  });
});
