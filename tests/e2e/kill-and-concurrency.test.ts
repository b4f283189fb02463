// Crash safety and one writer at a time, with real processes. The kill test kills an incremental
// build (SIGKILL) right before each statement it would run, in turn, then reruns it: the tables
// must then equal a clean build, and the ledger must never be ahead of the data it describes.
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sluice } from "../helpers/cli.js";
import { queryDuckDb } from "../helpers/duckdb.js";
import { REPO_ROOT, tempProject, type TempProject } from "../helpers/temp-project.js";
import { trackedSalesSources } from "../helpers/tracked-sales.js";

let project: TempProject;
const state = () => join(project.dir, ".sluice");
const snapshot = () => join(project.dir, "snapshot");
const files = () => ({
  src: join(state(), "src.duckdb"),
  lake: join(state(), "lake.duckdb"),
  ledger: join(state(), "dev/ledger.duckdb"),
});

beforeAll(() => {
  project = tempProject({
    "profiles.yml": `targets:
  dev:
    connections:
      src: { type: duckdb, path: .sluice/src.duckdb }
      lake: { type: duckdb, path: .sluice/lake.duckdb, lake_root: .sluice/lake }
`,
    "project.yml": `name: crash
on_run_start:
  - connection: src
    sql: |
      create schema if not exists app;
      create table if not exists app.sales as select i as sale_id, date '2026-01-01' + (i * 7 % 150)::int as sale_date, i % 50 as amount, 1::bigint as updated_at from range(1, 201) t(i);
      create table if not exists app.removed (sale_id int, removed_at bigint, ym int);
`,
    "models/sources.yml": trackedSalesSources({ tables: [] }),
    "models/hist.sql": `{{ config(materialized='incremental', connection='lake', compute='src', partition_by='ym', unique_key='sale_id') }}
select sale_id, sale_date, amount, year(sale_date) * 100 + month(sale_date) as ym from {{ source('app', 'sales') }}`,
    "models/monthly.sql": `{{ config(materialized='table', connection='lake') }}
select ym, count(*) as n, sum(amount) as total from {{ ref('hist') }} group by ym`,
  });
});
afterAll(() => project.remove());

async function mutate(): Promise<void> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(files().src);
  const c = await instance.connect();
  await c.run(`update app.sales set amount = amount + 100, updated_at = 2 where sale_id % 17 = 0;
    update app.sales set sale_date = sale_date + 40, updated_at = 2 where sale_id % 23 = 0;
    insert into app.removed select sale_id, 2, year(sale_date) * 100 + month(sale_date) from app.sales where sale_id % 29 = 0;
    delete from app.sales where sale_id % 29 = 0;
    insert into app.sales select 1000 + i, date '2026-06-01' + i::int, 5, 2 from range(1, 11) t(i);`);
  c.closeSync();
  instance.closeSync();
}

async function expectEqualsFullBuild(label: string): Promise<void> {
  const expected = await queryDuckDb(
    { src: files().src },
    "select sale_id, sale_date::varchar as d, amount, (year(sale_date) * 100 + month(sale_date))::int as ym from src.app.sales order by sale_id",
  );
  const actual = await queryDuckDb(
    { lake: files().lake },
    "select sale_id, sale_date::varchar as d, amount, ym::int as ym from lake.main.hist order by sale_id",
  );
  expect(actual, label).toEqual(expected);
  const monthly = await queryDuckDb(
    { lake: files().lake },
    "select ym::int as ym, n::int as n, total::int as total from lake.main.monthly order by ym",
  );
  const want = await queryDuckDb(
    { src: files().src },
    "select (year(sale_date) * 100 + month(sale_date))::int as ym, count(*)::int as n, sum(amount)::int as total from src.app.sales group by 1 order by 1",
  );
  expect(monthly, label).toEqual(want);
}

function restore(): void {
  rmSync(state(), { recursive: true, force: true });
  cpSync(snapshot(), state(), { recursive: true });
}

describe("a build killed at any statement", () => {
  it("reruns to the tables of a clean build, with the ledger never ahead of the data", async () => {
    expect(sluice(["build", "--project-dir", project.dir]).code).toBe(0);
    await mutate();
    rmSync(snapshot(), { recursive: true, force: true });
    mkdirSync(snapshot(), { recursive: true });
    cpSync(state(), snapshot(), { recursive: true });

    let completedAt: number | undefined;
    for (let n = 1; n < 400 && completedAt === undefined; n++) {
      restore();
      const killed = sluice(["build", "--project-dir", project.dir], {
        env: { SLUICE_FAULT_KILL_AFTER_STATEMENTS: String(n) },
      });
      if (killed.code === 0) {
        completedAt = n;
        break;
      }
      expect(killed.code, `kill point ${n}: ${killed.stderr}`).toBe(-1);
      // The ledger may only claim the new watermark once the data holds it.
      const ledger = await queryDuckDb(
        { l: files().ledger },
        "select max(watermark_to) as w from l.main.watermarks where model = 'model.hist'",
      ).catch(() => [{ w: null }]);
      if (ledger[0]?.["w"] === "2")
        await expectEqualsFullBuild(`kill point ${n}: ledger advanced before the data`);
      const rerun = sluice(["build", "--project-dir", project.dir]);
      expect(rerun.code, `kill point ${n}: rerun failed: ${rerun.stdout}${rerun.stderr}`).toBe(0);
      await expectEqualsFullBuild(`kill point ${n}: rerun`);
      if (n % 5 === 0) {
        // And the rerun finished the work: a further build finds nothing to do.
        const third = sluice(["build", "--project-dir", project.dir, "--select", "hist"]);
        expect(third.stdout, `kill point ${n}: a build after the rerun still finds work`).toMatch(
          /UNCHANGED skip model\.hist/,
        );
      }
    }
    expect(completedAt, "the build never completed").toBeDefined();
    console.log(`kill test: killed and recovered at each of ${completedAt! - 1} statement boundaries`);
    expect(completedAt!).toBeGreaterThan(10);
  }, 600_000);
});

describe("two builds at once", () => {
  it("refuses a build while another run holds the lock, with a message naming the holder", async () => {
    restore();
    // The holder is this process, so the refusal does not depend on two processes' timing.
    const { RunLock } = await import("../../src/ledger/run-lock.js");
    const lock = await RunLock.acquire(join(state(), "dev/run.lock"), {
      runId: "holder-run",
      command: "build",
      waitMs: 0,
    });
    try {
      const refused = sluice(["build", "--project-dir", project.dir]);
      expect(refused.code).toBe(3);
      expect(refused.stdout + refused.stderr).toMatch(
        /another build holds the lock .*run\.lock: build run holder-run, pid \d+ on \S+, started /,
      );
    } finally {
      lock.release();
    }
    const after = sluice(["build", "--project-dir", project.dir]);
    expect(after.code, after.stdout + after.stderr).toBe(0);
    await expectEqualsFullBuild("after the holder let go");
  }, 120_000);

  it("waits for the holder with --lock-timeout, and both succeed", async () => {
    const start = () =>
      new Promise<number | null>((resolve) => {
        const child = spawn(
          process.execPath,
          [join(REPO_ROOT, "bin/sluice.js"), "build", "--project-dir", project.dir, "--lock-timeout", "60"],
          { env: { ...process.env, CI: "true" } },
        );
        child.on("close", resolve);
      });
    expect(await Promise.all([start(), start()])).toEqual([0, 0]);
    await expectEqualsFullBuild("after two waiting builds");
  }, 120_000);
});
