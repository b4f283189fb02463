import { afterEach, describe, expect, it } from "vitest";
import { openConnections } from "../../src/adapters/index.js";
import { compileProject } from "../../src/compiler/compile.js";
import { watermarkPlaceholder } from "../../src/compiler/watermark-placeholders.js";
import type { ModelNode, SourceNode } from "../../src/manifest/types.js";
import { unwindowed } from "../../src/planner/lineage-facts.js";
import { loadProject } from "../../src/project/load.js";
import type { Reporter } from "../../src/runner/reporter.js";
import { runCommand } from "../../src/runner/run.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";

// An order header and its lines, both change-tracked and joined by one lineage model that carries
// a key of each: a change in either finds the partitions of the rows it touches, so a change to
// the header alone (no line stamped) rebuilds the partitions of its lines, and only those.
const projects: TempProject[] = [];
afterEach(() => {
  for (const p of projects.splice(0)) p.remove();
});
const silent: Reporter = { start() {}, nodeStart() {}, nodeEnd() {}, info() {}, finish() {} };

function project(): TempProject {
  const p = tempProject({
    "profiles.yml": `targets:
  dev:
    connections:
      src: { type: duckdb, path: .sluice/src.duckdb }
      lake: { type: duckdb, path: .sluice/lake.duckdb, lake_root: lake }
`,
    "models/sources.yml": `sources:
  - name: app
    connection: src
    schema: app
    tables:
      - name: lines
        change_tracking: { updated_at: updated_at }
      - name: orders
        change_tracking:
          updated_at: updated_at
          deletes: { table: orders_removed, key: order_id, deleted_at: removed_at }
`,
    "models/order_lines.sql": `{{ config(materialized='incremental', connection='lake', compute='src', partition_by='ym', unique_key='line_id', full_rebuild_share=1) }}
select l.line_id, o.order_id as oid, o.customer, l.ym
from {{ source('app', 'lines') }} l join {{ source('app', 'orders') }} o on o.order_id = l.order_id`,
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
  expect(run.success).toBe(true);
  return run.results.find((r) => r.node === "model.order_lines")!;
}

async function stored(dir: string): Promise<string[]> {
  const loaded = loadProject({ projectDir: dir });
  const connections = await openConnections(loaded.target, dir, "test");
  try {
    return await connections.withSession("lake", async (s) =>
      (await s.query("select line_id, customer, ym from lake.main.order_lines order by 1")).rows.map((r) =>
        r.join("|"),
      ),
    );
  } finally {
    await connections.close();
  }
}

describe("two change-tracked sources joined", () => {
  it("reads the other source whole in one source's change query", () => {
    const p = project();
    const manifest = compileProject(loadProject({ projectDir: p.dir })).manifest;
    const model = manifest.nodes["model.order_lines"] as ModelNode;
    expect(model.lineage!.fullRebuild).toBeNull();
    const orders = manifest.nodes["source.app.orders"] as SourceNode;
    const sql = unwindowed(model.lineage!.changesSql, orders, "duckdb");
    expect(sql).not.toContain(watermarkPlaceholder("from", orders.id));
    expect(sql).not.toContain(watermarkPlaceholder("to", orders.id));
    expect(sql).toContain(watermarkPlaceholder("from", "source.app.lines"));
  });

  it("rebuilds the partitions of the lines of a changed or deleted header, and only those", async () => {
    const p = project();
    await onSource(
      p.dir,
      `create schema app;
       create table app.orders (order_id int, customer varchar, updated_at int);
       create table app.orders_removed (order_id int, removed_at int);
       create table app.lines (line_id int, order_id int, ym int, updated_at int);
       insert into app.orders values (1, 'ann', 1), (2, 'bob', 2), (3, 'cid', 3);
       insert into app.lines values (10, 1, 202601, 1), (11, 1, 202602, 1), (20, 2, 202603, 2), (30, 3, 202604, 3)`,
    );
    expect((await build(p.dir)).action).toBe("build_table");
    // Only the header changes: order 1 renamed (its lines are in 202601 and 202602), order 3 deleted.
    await onSource(
      p.dir,
      `update app.orders set customer = 'ann+', updated_at = 5 where order_id = 1;
       insert into app.orders_removed values (3, 6); delete from app.orders where order_id = 3`,
    );
    const step = await build(p.dir);
    expect(step.action).toBe("replace_partitions");
    expect(step.reason).toMatch(/^rebuild partitions 202601, 202602, 202604 of order_lines: /);
    expect(await stored(p.dir)).toEqual(["10|ann+|202601", "11|ann+|202602", "20|bob|202603"]);
  });
});
