// "Incremental equals full" with the source on a real server (PostgreSQL or MariaDB): seeded random
// sequences of inserts, updates (some moving a sale to another month, some committed with a stamp
// inside the lookback) and deletes; after every build, each lake table must equal what a full build
// gives, computed from the source. In-process (no CLI) so a sequence takes well under a second.
// SLUICE_SERVER_PROPERTY_SEQUENCES sets how many (default 10, ~2 s each); SLUICE_PROPERTY_SEED=N replays one.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Adapter, Session } from "../../src/adapters/contract.js";
import { openConnections } from "../../src/adapters/index.js";
import { compileProject } from "../../src/compiler/compile.js";
import { Ledger } from "../../src/ledger/ledger.js";
import type { Manifest } from "../../src/manifest/types.js";
import { loadProject, type Project } from "../../src/project/load.js";
import type { Reporter } from "../../src/runner/reporter.js";
import { runSteps } from "../../src/runner/run.js";
import { seededRandom } from "../helpers/random.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";
import { uniqueName } from "./servers.js";

export interface SequenceEngine {
  type: "postgres" | "mysql";
  adapter(): Adapter;
  /** The profile's source connection, placing relations in `schema`. */
  connectionYaml(schema: string): string;
  env: Record<string, string>;
  /** The year-month (YYYYMM, an integer) of `sale_date`, in the engine's SQL. */
  yearMonth: string;
  dropSchemaSql(schema: string): string;
}

const STEPS = 3;
const LOOKBACK_SECONDS = 3;
const silent: Reporter = { start() {}, nodeStart() {}, nodeEnd() {}, info() {}, finish() {} };
const stamp = (n: number) =>
  `TIMESTAMP '2026-01-01 ${String(Math.floor(n / 3600)).padStart(2, "0")}:${String(Math.floor(n / 60) % 60).padStart(2, "0")}:${String(n % 60).padStart(2, "0")}'`;
const text = (rows: unknown[][]) =>
  rows.map((r) => r.map((v) => (v === null ? "null" : String(v))).join("|"));

export function sequencesOnServer(engine: SequenceEngine): void {
  const total = Number(process.env["SLUICE_SERVER_PROPERTY_SEQUENCES"] ?? 10);
  const only = process.env["SLUICE_PROPERTY_SEED"];
  const seeds = only ? [Number(only)] : Array.from({ length: total }, (_, i) => i + 1);
  const app = uniqueName("sl_seq");
  let project: TempProject;
  let loaded: Project;
  let manifest: Manifest;
  let admin: Adapter;
  let source: Session;

  beforeAll(async () => {
    project = tempProject({
      "profiles.yml": `targets:
  dev:
    connections:
      src: ${engine.connectionYaml(app)}
      lake: { type: duckdb, path: ":memory:" }
`,
      "models/sources.yml": `sources:
  - name: app
    connection: src
    schema: ${app}
    tables:
      - name: sales
        change_tracking:
          updated_at: updated_at
          lookback: "${LOOKBACK_SECONDS} seconds"
          deletes: { table: removed, key: sale_id, deleted_at: removed_at, partition_columns: [ym] }
      - name: removed
`,
      "models/hist.sql": `{{ config(materialized='incremental', connection='lake', compute='src', partition_by='ym', unique_key='sale_id', full_rebuild_share=1) }}
select sale_id, sale_date, amount, ${engine.yearMonth} as ym from {{ source('app', 'sales') }}`,
      "models/hist_copy.sql": `{{ config(materialized='incremental', connection='lake', partition_by='ym') }}
select sale_id, amount * 2 as doubled, ym from {{ ref('hist') }}
{% if is_incremental() %}where false{% endif %}`,
      "models/monthly.sql": `{{ config(materialized='table', connection='lake') }}
select ym, count(*) as n, sum(amount) as total from {{ ref('hist') }} group by ym`,
    });
    loaded = loadProject({ projectDir: project.dir, env: { ...process.env, ...engine.env } });
    manifest = compileProject(loaded).manifest;
    admin = engine.adapter();
    source = await admin.open();
    await admin.ensureSchema(source, app);
  });

  afterAll(async () => {
    await source.execute(engine.dropSchemaSql(app));
    await source.close();
    await admin.close();
    project.remove();
  });

  async function runSequence(seed: number): Promise<void> {
    const rand = seededRandom(seed);
    const q = (t: string) => `${admin.dialect.quoteIdentifier(app)}.${t}`;
    const run = (sql: string) => source.execute(sql);
    await run(`DROP TABLE IF EXISTS ${q("sales")}`);
    await run(`DROP TABLE IF EXISTS ${q("removed")}`);
    await run(
      `CREATE TABLE ${q("sales")} (sale_id INTEGER, sale_date DATE, amount INTEGER, updated_at ${admin.dialect.nativeType({ kind: "timestamp" })})`,
    );
    await run(
      `CREATE TABLE ${q("removed")} (sale_id INTEGER, removed_at ${admin.dialect.nativeType({ kind: "timestamp" })}, ym INTEGER)`,
    );
    let clock = 10;
    let nextId = 1;
    const date = () =>
      `DATE '2026-0${1 + Math.floor(rand() * 6)}-${String(1 + Math.floor(rand() * 28)).padStart(2, "0")}'`;
    const insert = () =>
      run(
        `INSERT INTO ${q("sales")} VALUES (${nextId++}, ${date()}, ${Math.floor(rand() * 100)}, ${stamp(++clock)})`,
      );
    /** The sale at `pick` modulo the row count, in key order (computed here: MySQL cannot update from its own subquery). */
    const saleAt = async (pick: number): Promise<number | null> => {
      const ids = (await source.query(`SELECT sale_id FROM ${q("sales")} ORDER BY sale_id`)).rows.map((r) =>
        Number(r[0]),
      );
      return ids.length === 0 ? null : ids[pick % ids.length]!;
    };
    const connections = await openConnections(loaded.target, loaded.dir, `s${seed}`);
    const ledger = await Ledger.open(":memory:");
    const workspace = { runId: `s${seed}`, connections, ledger, close: async () => undefined };
    const selected = new Set(
      Object.values(manifest.nodes)
        .filter((n) => n.kind === "model")
        .map((n) => n.id),
    );
    const lake = await connections.get("lake").open();
    const build = async (step: number) => {
      const results = await runSteps(loaded, manifest, selected, workspace, {
        command: "run",
        reporter: silent,
      });
      const failed = results.filter((r) => r.status !== "success");
      if (failed.length > 0) throw new Error(`step ${step}: build failed: ${JSON.stringify(failed)}`);
    };
    const check = async (step: number) => {
      const where = `seed ${seed}, step ${step}`;
      const sales = text(
        (
          await source.query(
            `SELECT sale_id, CAST(sale_date AS CHAR(10)), amount, ${engine.yearMonth} FROM ${q("sales")} ORDER BY sale_id`,
          )
        ).rows,
      );
      const hist = text(
        (
          await lake.query(
            "SELECT sale_id, CAST(sale_date AS VARCHAR), amount, ym FROM lake.main.hist ORDER BY sale_id",
          )
        ).rows,
      );
      expect(hist, `${where}: hist differs from a full build`).toEqual(sales);
      const doubled = text(
        (await lake.query("SELECT sale_id, doubled, ym FROM lake.main.hist_copy ORDER BY sale_id")).rows,
      );
      expect(doubled, `${where}: hist_copy differs`).toEqual(
        sales.map((r) => {
          const [id, , amount, ym] = r.split("|");
          return `${id}|${Number(amount) * 2}|${ym}`;
        }),
      );
      const monthly = text((await lake.query("SELECT ym, n, total FROM lake.main.monthly ORDER BY ym")).rows);
      const expected = text(
        (
          await source.query(
            `SELECT ${engine.yearMonth} AS ym, COUNT(*), SUM(amount) FROM ${q("sales")} GROUP BY 1 ORDER BY 1`,
          )
        ).rows,
      );
      expect(monthly, `${where}: monthly differs`).toEqual(expected);
    };
    try {
      const initial = 5 + Math.floor(rand() * 20);
      for (let i = 0; i < initial; i++) await insert();
      await build(0);
      await check(0);
      for (let step = 1; step <= STEPS; step++) {
        const ops = 1 + Math.floor(rand() * 4);
        for (let i = 0; i < ops; i++) {
          const r = rand();
          const id = await saleAt(Math.floor(rand() * 1000));
          if (r < 0.3 || id === null) {
            await insert();
            continue;
          }
          clock += 1;
          if (r < 0.7) {
            const set = r < 0.5 ? "amount = amount + 1" : `sale_date = ${date()}`;
            await run(`UPDATE ${q("sales")} SET ${set}, updated_at = ${stamp(clock)} WHERE sale_id = ${id}`);
          } else if (r < 0.85) {
            // A late writer: its stamp is older than the newest one, but within the lookback.
            const late = clock - 1 - Math.floor(rand() * (LOOKBACK_SECONDS - 1));
            await run(
              `UPDATE ${q("sales")} SET amount = amount + 1, updated_at = ${stamp(late)} WHERE sale_id = ${id}`,
            );
          } else {
            await run(
              `INSERT INTO ${q("removed")} SELECT sale_id, ${stamp(clock)}, ${engine.yearMonth} FROM ${q("sales")} WHERE sale_id = ${id}`,
            );
            await run(`DELETE FROM ${q("sales")} WHERE sale_id = ${id}`);
          }
        }
        await build(step);
        await check(step);
      }
    } finally {
      await lake.close();
      await connections.close();
      await ledger.close();
    }
  }

  it(`incremental equals full over ${seeds.length} random sequences with the source on ${engine.type}`, async () => {
    for (const seed of seeds) {
      try {
        await runSequence(seed);
      } catch (e) {
        throw new Error(
          `failing seed ${seed} (replay with SLUICE_PROPERTY_SEED=${seed}): ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    }
  }, 600_000);
}
