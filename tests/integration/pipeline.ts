// A sluice project with its source and mart on a real server (PostgreSQL or MariaDB) and its lake
// on embedded DuckDB, built through the CLI: end to end, incrementally (compared with the source
// and with a full refresh), with a late-committing writer, and with the source connection cut
// mid-stream. Written once; tests/integration/<engine>/pipeline.test.ts run it per engine.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Adapter, Session } from "../../src/adapters/contract.js";
import { queryDuckDb } from "../helpers/duckdb.js";
import { seededRandom } from "../helpers/random.js";
import { REPO_ROOT, tempProject, type TempProject } from "../helpers/temp-project.js";
import { CuttingProxy } from "./cutting-proxy.js";
import { uniqueName } from "./servers.js";

export interface PipelineEngine {
  type: "postgres" | "mysql";
  host: string;
  port: number;
  /** An adapter on the server (any schema: the pipeline names its schemas in every statement). */
  adapter(): Adapter;
  /** The profile's connection, on `port`, placing relations in `schema`. */
  connectionYaml(schema: string, port: number): string;
  /** Env the profile's env_var() calls read. */
  env: Record<string, string>;
  /** The year-month (YYYYMM, an integer) of `sale_date`, in the engine's SQL. */
  yearMonth: string;
  /** `n` rows of (`i` BIGINT 1..n, `payload`), computed by the server. */
  seriesSql(n: number): string;
  dropSchemaSql(schema: string): string;
  /** `days` (an integer expression) days after 2026-01-01, as a DATE. */
  dayOf2026(days: string): string;
}

interface CliRun {
  code: number;
  out: string;
}

/** Runs bin/sluice.js without blocking the event loop, so the test's proxy keeps forwarding. */
function sluiceAsync(args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, "bin/sluice.js"), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, CI: "true", NO_COLOR: "1", ...env },
    });
    let out = "";
    child.stdout.on("data", (d) => (out += String(d)));
    child.stderr.on("data", (d) => (out += String(d)));
    child.on("close", (code) => resolve({ code: code ?? -1, out }));
  });
}

/** A pinned clock: the n-th second of 2026-01-01, as a timestamp literal both engines read. */
const stamp = (n: number) =>
  `TIMESTAMP '2026-01-01 ${String(Math.floor(n / 3600)).padStart(2, "0")}:${String(Math.floor(n / 60) % 60).padStart(2, "0")}:${String(n % 60).padStart(2, "0")}.000000'`;

export function pipelineSuite(engine: PipelineEngine): void {
  const dropped: string[] = [];
  const projects: TempProject[] = [];

  afterAll(async () => {
    await withSession(async (s) => {
      for (const schema of dropped) await s.execute(engine.dropSchemaSql(schema));
    });
    for (const p of projects) p.remove();
  });

  async function withSession<T>(work: (s: Session, a: Adapter) => Promise<T>): Promise<T> {
    const adapter = engine.adapter();
    const session = await adapter.open();
    try {
      return await work(session, adapter);
    } finally {
      await session.close();
      await adapter.close();
    }
  }

  /** A project (and its two schemas on the server) reading `app.sales` and writing `mart_hist` and `monthly`. */
  async function pipelineProject(options: { lookback?: string; sourcePort?: number } = {}) {
    const prefix = uniqueName("sl");
    const app = `${prefix}_app`;
    const mart = `${prefix}_mart`;
    dropped.push(app, mart);
    const tracking = `updated_at: updated_at${options.lookback ? `\n          lookback: "${options.lookback}"` : ""}`;
    const project = tempProject({
      "profiles.yml": `targets:
  dev:
    connections:
      src: ${engine.connectionYaml(app, options.sourcePort ?? engine.port)}
      lake: { type: duckdb, path: .sluice/lake.duckdb, lake_root: .sluice/lake }
      mart: ${engine.connectionYaml(mart, engine.port)}
`,
      "models/sources.yml": `sources:
  - name: app
    connection: src
    schema: ${app}
    tables:
      - name: sales
        change_tracking:
          ${tracking}
          deletes: { table: removed, key: sale_id, deleted_at: removed_at, partition_columns: [ym] }
      - name: removed
`,
      // full_rebuild_share=1 keeps every build incremental: the suite pins the partition path.
      "models/hist.sql": `{{ config(materialized='incremental', connection='lake', compute='src', partition_by='ym', unique_key='sale_id', full_rebuild_share=1) }}
select sale_id, sale_date, amount, ${engine.yearMonth} as ym
from {{ source('app', 'sales') }}`,
      "models/mart_hist.sql": `{{ config(materialized='incremental', connection='mart', partition_by='ym') }}
select sale_id, amount, ym from {{ ref('hist') }}`,
      "models/monthly.sql": `{{ config(materialized='table', connection='mart') }}
select ym, count(*) as n, sum(amount) as total from {{ ref('hist') }} group by ym`,
    });
    projects.push(project);
    await withSession(async (s, a) => {
      await a.ensureSchema(s, app);
      await a.ensureSchema(s, mart);
      const d = a.dialect;
      const t = (kind: "integer" | "date" | "decimal" | "timestamp") =>
        d.nativeType(
          kind === "integer"
            ? { kind, bits: 32 }
            : kind === "decimal"
              ? { kind, precision: 12, scale: 2 }
              : { kind },
        );
      await s.execute(
        `CREATE TABLE ${d.quoteIdentifier(app)}.sales (sale_id ${t("integer")}, sale_date ${t("date")}, amount ${t("decimal")}, updated_at ${t("timestamp")})`,
      );
      await s.execute(
        `CREATE TABLE ${d.quoteIdentifier(app)}.removed (sale_id ${t("integer")}, removed_at ${t("timestamp")}, ym ${t("integer")})`,
      );
    });
    const build = (...args: string[]) =>
      sluiceAsync(["build", "--project-dir", project.dir, ...args], engine.env);
    const q = (name: string, schema = app) => `${engine.adapter().dialect.quoteIdentifier(schema)}.${name}`;
    return { project, app, mart, build, q };
  }

  type Pipeline = Awaited<ReturnType<typeof pipelineProject>>;

  const text = (rows: unknown[][]) =>
    rows.map((r) => r.map((v) => (v === null ? "null" : String(v))).join("|"));

  /** What a correct build holds, computed on the source itself. */
  async function expected(p: Pipeline) {
    return withSession(async (s) => ({
      hist: text(
        (
          await s.query(
            `SELECT sale_id, amount, ${engine.yearMonth} AS ym FROM ${p.q("sales")} ORDER BY sale_id`,
          )
        ).rows,
      ),
      monthly: text(
        (
          await s.query(
            `SELECT ${engine.yearMonth} AS ym, COUNT(*), SUM(amount) FROM ${p.q("sales")} GROUP BY 1 ORDER BY 1`,
          )
        ).rows,
      ),
    }));
  }

  async function martContents(p: Pipeline) {
    return withSession(async (s) => ({
      hist: text(
        (await s.query(`SELECT sale_id, amount, ym FROM ${p.q("mart_hist", p.mart)} ORDER BY sale_id`)).rows,
      ),
      monthly: text((await s.query(`SELECT ym, n, total FROM ${p.q("monthly", p.mart)} ORDER BY ym`)).rows),
    }));
  }

  async function martTables(p: Pipeline): Promise<string[]> {
    return withSession(async (s) => {
      const sql =
        engine.type === "postgres"
          ? `SELECT tablename::text FROM pg_tables WHERE schemaname = '${p.mart}' ORDER BY 1`
          : `SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${p.mart}' ORDER BY 1`;
      return (await s.query(sql)).rows.map((r) => String(r[0]));
    });
  }

  async function ledgerWatermarks(p: Pipeline): Promise<unknown[]> {
    const ledger = join(p.project.dir, ".sluice/dev/ledger.duckdb");
    if (!existsSync(ledger)) return [];
    return queryDuckDb(
      { ledger },
      "select model, source, watermark_from, watermark_to from ledger.main.watermarks order by all",
    );
  }

  const run = (_p: Pipeline, sql: string) => withSession((s) => s.execute(sql));

  async function expectBuilt(p: Pipeline, ...args: string[]): Promise<string> {
    const result = await p.build(...args);
    expect(result.code, result.out).toBe(0);
    return result.out;
  }

  describe(`a ${engine.type} source → DuckDB lake → ${engine.type} mart project`, () => {
    it("builds end to end, then incrementally after inserts, updates that move sales between months and deletes, equal to the source and to a full refresh", async () => {
      const p = await pipelineProject();
      const rand = seededRandom(15);
      let clock = 100;
      let nextId = 1;
      const date = () =>
        `DATE '2026-0${1 + Math.floor(rand() * 6)}-${String(1 + Math.floor(rand() * 28)).padStart(2, "0")}'`;
      const amount = () => (Math.floor(rand() * 100_000) / 100).toFixed(2);
      const insert = () =>
        run(p, `INSERT INTO ${p.q("sales")} VALUES (${nextId++}, ${date()}, ${amount()}, ${stamp(++clock)})`);
      const pick = () => 1 + Math.floor(rand() * (nextId - 1));
      for (let i = 0; i < 40; i++) await insert();
      const first = await expectBuilt(p);
      expect(first).toMatch(/model\.hist/);
      expect(await martContents(p)).toEqual(await expected(p));
      for (let step = 1; step <= 4; step++) {
        for (let op = 0; op < 6; op++) {
          const r = rand();
          const id = pick();
          if (r < 0.3) await insert();
          else if (r < 0.55)
            await run(
              p,
              `UPDATE ${p.q("sales")} SET amount = amount + 1, updated_at = ${stamp(++clock)} WHERE sale_id = ${id}`,
            );
          else if (r < 0.8)
            await run(
              p,
              `UPDATE ${p.q("sales")} SET sale_date = ${date()}, updated_at = ${stamp(++clock)} WHERE sale_id = ${id}`,
            );
          else {
            clock += 1;
            await run(
              p,
              `INSERT INTO ${p.q("removed")} SELECT sale_id, ${stamp(clock)}, ${engine.yearMonth} FROM ${p.q("sales")} WHERE sale_id = ${id}`,
            );
            await run(p, `DELETE FROM ${p.q("sales")} WHERE sale_id = ${id}`);
          }
        }
        const out = await expectBuilt(p);
        expect(out, `step ${step}`).toMatch(/replace_partitions model\.hist/);
        expect(await martContents(p), `step ${step}`).toEqual(await expected(p));
      }
      const incremental = await martContents(p);
      await expectBuilt(p, "--full-refresh");
      expect(await martContents(p)).toEqual(incremental);
      expect((await martTables(p)).filter((t) => t.includes("__sluice_"))).toEqual([]);
    }, 300_000);

    it("builds while writers commit, and the next build after they stop equals the source", async () => {
      const p = await pipelineProject({ lookback: "1 minute" });
      for (let i = 1; i <= 200; i++) {
        await run(
          p,
          `INSERT INTO ${p.q("sales")} VALUES (${i}, DATE '2026-01-${String(1 + (i % 28)).padStart(2, "0")}', ${i}.00, ${stamp(i)})`,
        );
      }
      await expectBuilt(p);
      let stop = false;
      let writes = 0;
      const writing = (async () => {
        const adapter = engine.adapter();
        const session = await adapter.open();
        try {
          for (let clock = 1000; !stop; clock++) {
            const day = `DATE '2026-0${1 + (clock % 6)}-${String(1 + (clock % 28)).padStart(2, "0")}'`;
            await session.execute(
              `INSERT INTO ${p.q("sales")} VALUES (${clock}, ${day}, 1.00, ${stamp(clock)})`,
            );
            const moved = `sale_date = ${day}, amount = amount + 1, updated_at = ${stamp(clock)}`;
            await session.execute(`UPDATE ${p.q("sales")} SET ${moved} WHERE sale_id = ${1 + (clock % 200)}`);
            writes += 1;
          }
        } finally {
          await session.close();
          await adapter.close();
        }
      })();
      const during = await p.build();
      stop = true;
      await writing;
      expect(during.code, during.out).toBe(0);
      expect(writes).toBeGreaterThan(0);
      await expectBuilt(p);
      expect(await martContents(p)).toEqual(await expected(p));
    }, 300_000);

    async function lateCommit(lookback: string | undefined): Promise<{ late: boolean; out: string }> {
      const p = await pipelineProject({ lookback });
      for (let i = 1; i <= 5; i++)
        await run(
          p,
          `INSERT INTO ${p.q("sales")} VALUES (${i}, DATE '2026-01-0${i}', ${i}.00, ${stamp(i * 10)})`,
        );
      await expectBuilt(p);
      // A writer stamps its row at second 60 and has not committed when the build reads the
      // watermark, which a row committed at second 70 has moved to 70.
      const writerAdapter = engine.adapter();
      const writer = await writerAdapter.open();
      try {
        await writer.execute(engine.type === "postgres" ? "BEGIN" : "START TRANSACTION");
        await writer.execute(`INSERT INTO ${p.q("sales")} VALUES (6, DATE '2026-02-01', 6.00, ${stamp(60)})`);
        await run(p, `INSERT INTO ${p.q("sales")} VALUES (7, DATE '2026-03-01', 7.00, ${stamp(70)})`);
        await expectBuilt(p);
        await writer.execute("COMMIT");
      } finally {
        await writer.close();
        await writerAdapter.close();
      }
      const out = await expectBuilt(p);
      const hist = (await martContents(p)).hist;
      expect(hist.some((r) => r.startsWith("7|"))).toBe(true);
      return { late: hist.some((r) => r.startsWith("6|")), out };
    }

    it("misses a row committed late with a stamp before the watermark it read, when the source has no lookback", async () => {
      const { late, out } = await lateCommit(undefined);
      expect(late).toBe(false);
      expect(out).toMatch(/skip model\.hist/);
    }, 120_000);

    it("picks the late-committed row up on the next build when the source declares a lookback that covers it", async () => {
      const { late, out } = await lateCommit("30 seconds");
      expect(late).toBe(true);
      expect(out).toMatch(/replace_partitions model\.hist/);
    }, 120_000);

    it("fails cleanly when the source connection is cut mid-stream: mart and ledger unchanged, nothing partial, and the next build completes", async () => {
      const proxy = new CuttingProxy(engine.host, engine.port);
      const port = await proxy.start();
      try {
        const p = await pipelineProject({ sourcePort: port });
        await run(
          p,
          `INSERT INTO ${p.q("sales")} SELECT i, ${engine.dayOf2026("i % 180")}, i % 1000, ${stamp(1)} FROM (${engine.seriesSql(20_000)}) AS g`,
        );
        await expectBuilt(p);
        const martBefore = await martContents(p);
        const ledgerBefore = await ledgerWatermarks(p);
        expect(ledgerBefore.length).toBeGreaterThan(0);
        await run(p, `UPDATE ${p.q("sales")} SET amount = amount + 1, updated_at = ${stamp(2)}`);
        proxy.cutAfterBytes = 100_000;
        const failed = await p.build();
        expect(failed.code, `${failed.out}\ncuts: ${proxy.cuts}`).not.toBe(0);
        expect(failed.out).toMatch(/connection|terminated|closed|lost|ECONNRESET|EPIPE/i);
        expect(proxy.cuts).toBeGreaterThan(0);
        expect(await martContents(p)).toEqual(martBefore);
        expect(await ledgerWatermarks(p)).toEqual(ledgerBefore);
        expect((await martTables(p)).filter((t) => t.includes("__sluice_"))).toEqual([]);
        proxy.cutAfterBytes = null;
        await expectBuilt(p);
        expect(await martContents(p)).toEqual(await expected(p));
      } finally {
        await proxy.stop();
      }
    }, 300_000);
  });
}
