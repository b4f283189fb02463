import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { openConnections } from "../../src/adapters/index.js";
import { loadProject } from "../../src/project/load.js";
import { REPO_ROOT, tempProject, type TempProject } from "../helpers/temp-project.js";

// DuckDB sessions run in UTC whatever the machine's zone. A TIMESTAMPTZ's text follows the
// session's zone, and the lake names (and supersedes) partitions by their text: when it followed
// the process's TZ, a build from Tokyo did not replace the partition a build in UTC had written
// (found by the property suite, tests/property: the rows were doubled).
const run = promisify(execFile);
const projects: TempProject[] = [];
afterEach(() => {
  for (const p of projects.splice(0)) p.remove();
});

async function onSource(dir: string, sql: string): Promise<string[]> {
  const loaded = loadProject({ projectDir: dir });
  const connections = await openConnections(loaded.target, dir, "test");
  try {
    return await connections.withSession("src", async (s) => {
      const { rows } = await s.query(sql);
      return rows.map((r) => r.join("|"));
    });
  } finally {
    await connections.close();
  }
}

async function build(dir: string, zone: string): Promise<void> {
  await run(process.execPath, [join(REPO_ROOT, "bin", "sluice.js"), "build", "--project-dir", dir], {
    env: { ...process.env, TZ: zone, CI: "1" },
  });
}

describe("DuckDB sessions in UTC", () => {
  it("print a TIMESTAMPTZ in UTC under any TZ of the process", async () => {
    const p = tempProject({});
    projects.push(p);
    const before = process.env["TZ"];
    process.env["TZ"] = "Asia/Tokyo";
    try {
      const loaded = loadProject({ projectDir: p.dir });
      const connections = await openConnections(loaded.target, p.dir, "test");
      try {
        const text = await connections.withSession("warehouse", async (s) => {
          const { rows } = await s.query("select cast(timestamptz '2026-01-01 09:00:00+09' as varchar)");
          return String(rows[0]?.[0]);
        });
        expect(text).toBe("2026-01-01 00:00:00+00");
      } finally {
        await connections.close();
      }
    } finally {
      if (before === undefined) delete process.env["TZ"];
      else process.env["TZ"] = before;
    }
  });

  it("replaces a TIMESTAMPTZ partition written by a build in another zone", async () => {
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
      - name: sales
        change_tracking: { updated_at: updated_at }
`,
      "models/hist.sql": `{{ config(materialized='incremental', connection='lake', compute='src', partition_by='sold_at', unique_key='id', full_rebuild_share=1) }}
select id, amount, sold_at from {{ source('app', 'sales') }}`,
    });
    projects.push(p);
    await onSource(
      p.dir,
      `create schema app;
       create table app.sales (id int, amount int, sold_at timestamptz, updated_at int);
       insert into app.sales values (1, 10, timestamptz '2026-01-01 12:30:00+00', 1),
         (2, 20, timestamptz '2026-01-02 12:30:00+00', 1)`,
    );
    await build(p.dir, "UTC");
    await onSource(p.dir, "update app.sales set amount = 11, updated_at = 2 where id = 1");
    await build(p.dir, "Asia/Tokyo");
    const rows = await onSource(p.dir, "select id, amount from lake.main.hist order by id, amount");
    expect(rows).toEqual(["1|11", "2|20"]);
  }, 60_000);
});
