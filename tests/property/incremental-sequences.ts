// The harness of the "incremental equals full" property: random sequences of source inserts, updates (some moving a sale to
// another month, some arriving late), and deletes; after every incremental build, each table must
// equal what a full rebuild gives. Seeded and reproducible: a failure prints its seed, and
// SLUICE_PROPERTY_SEED=N replays one sequence.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Session } from "../../src/adapters/contract.js";
import { openConnections } from "../../src/adapters/index.js";
import { compileProject } from "../../src/compiler/compile.js";
import { Ledger } from "../../src/ledger/ledger.js";
import type { Manifest } from "../../src/manifest/types.js";
import { loadProject, type Project } from "../../src/project/load.js";
import type { Reporter } from "../../src/runner/reporter.js";
import { runSteps } from "../../src/runner/run.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";
import { seededRandom } from "../helpers/random.js";
import { trackedSalesSources } from "../helpers/tracked-sales.js";

const STEPS = 3;
const LOOKBACK = 3;

const silent: Reporter = { start() {}, nodeStart() {}, nodeEnd() {}, info() {}, finish() {} };


/** Where the lake lives: an in-memory DuckDB, or a database on a Spark Thrift Server. */
export type LakeKind = { kind: "duckdb" } | { kind: "spark"; host: string; port: number; database: string };

let lake: LakeKind = { kind: "duckdb" };

/** Compiles the property's project once; each sequence then gets a fresh source and ledger. */
export function setUpProject(lakeKind: LakeKind = { kind: "duckdb" }): TempProject {
  lake = lakeKind;
  const lakeConnection =
    lake.kind === "duckdb" ? `{ type: duckdb, path: ":memory:" }` : `{ type: hive, host: ${lake.host}, port: ${lake.port}, database: ${lake.database}, auth: nosasl }`;
  const project = tempProject({
    "profiles.yml": `targets:
  dev:
    connections:
      src: { type: duckdb, path: ":memory:" }
      lake: ${lakeConnection}
`,
    "models/sources.yml": trackedSalesSources({ lookback: String(LOOKBACK) }),
    "models/hist.sql": `{{ config(materialized='incremental', connection='lake', compute='src', partition_by='ym', unique_key='sale_id') }}
select sale_id, sale_date, amount, year(sale_date) * 100 + month(sale_date) as ym
from {{ source('app', 'sales') }}`,
    "models/hist_copy.sql": `{{ config(materialized='incremental', connection='lake', partition_by='ym') }}
select sale_id, amount * 2 as doubled, ym from {{ ref('hist') }}
{% if is_incremental() %}where false{% endif %}`,
    "models/monthly.sql": `{{ config(materialized='table', connection='lake') }}
select ym, count(*) as n, sum(amount) as total from {{ ref('hist') }} group by ym`,
  });
  // The manifest compiles once; each sequence gets fresh in-memory databases and a fresh ledger.
  loaded = loadProject({ projectDir: project.dir });
  manifest = compileProject(loaded).manifest;
  return project;
}

let loaded: Project;
let manifest: Manifest;

async function rows(session: Session, sql: string): Promise<Record<string, unknown>[]> {
  const { columns, rows: values } = await session.query(sql);
  return values.map((r) => Object.fromEntries(columns.map((c, i) => [c.name, typeof r[i] === "bigint" ? Number(r[i]) : r[i]])));
}

class Source {
  clock = 10;
  nextId = 1;
  constructor(
    private readonly run: (sql: string) => Promise<void>,
    private readonly rand: () => number,
  ) {}

  private date(): string {
    const month = 1 + Math.floor(this.rand() * 6);
    const day = 1 + Math.floor(this.rand() * 28);
    return `2026-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
  }

  async setup(rows: number): Promise<void> {
    await this.run("create schema app; create table app.sales (sale_id int, sale_date date, amount int, updated_at bigint); create table app.removed (sale_id int, removed_at bigint, ym int)");
    for (let i = 0; i < rows; i++) await this.insert();
  }

  async insert(): Promise<void> {
    this.clock += 1;
    await this.run(`insert into app.sales values (${this.nextId++}, date '${this.date()}', ${Math.floor(this.rand() * 100)}, ${this.clock})`);
  }

  async update(pick: number, move: boolean, late: boolean): Promise<void> {
    this.clock += 1;
    // A late writer commits with a stamp older than the newest one, but within the lookback.
    const stamp = late ? this.clock - 1 - Math.floor(this.rand() * (LOOKBACK - 1)) : this.clock;
    const set = move ? `sale_date = date '${this.date()}'` : `amount = amount + 1`;
    await this.run(`update app.sales set ${set}, updated_at = ${stamp} where sale_id = (select sale_id from app.sales order by sale_id limit 1 offset ${pick} % (select greatest(count(*), 1) from app.sales))`);
  }

  async remove(pick: number): Promise<void> {
    this.clock += 1;
    await this.run(`insert into app.removed select sale_id, ${this.clock}, year(sale_date) * 100 + month(sale_date) from app.sales order by sale_id limit 1 offset ${pick} % (select greatest(count(*), 1) from app.sales)`);
    await this.run(`delete from app.sales where sale_id in (select sale_id from app.removed where removed_at = ${this.clock})`);
  }
}

/** The lake's tables as rows, read on the lake's own engine. */
function lakeQuery(table: "hist" | "hist_copy" | "monthly"): string {
  const rel = lake.kind === "duckdb" ? `lake.main.${table}` : `${lake.database}.${table}`;
  const text = lake.kind === "duckdb" ? "varchar" : "string";
  if (table === "hist") return `select sale_id, cast(sale_date as ${text}) as d, amount, cast(ym as int) as ym from ${rel} order by sale_id`;
  if (table === "hist_copy") return `select sale_id, doubled, cast(ym as int) as ym from ${rel} order by sale_id`;
  return `select cast(ym as int) as ym, cast(n as int) as n, cast(total as int) as total from ${rel} order by ym`;
}

async function expectIncrementalEqualsFull(source: Session, lakeSession: Session, seed: number, step: number): Promise<void> {
  const where = `seed ${seed}, step ${step}`;
  const expected = await rows(source, "select sale_id, sale_date::varchar as d, amount, (year(sale_date) * 100 + month(sale_date))::int as ym from src.app.sales order by sale_id");
  expect(await rows(lakeSession, lakeQuery("hist")), `${where}: hist differs from a full build`).toEqual(expected);
  expect(await rows(lakeSession, lakeQuery("hist_copy")), `${where}: hist_copy differs`).toEqual(
    expected.map((r) => ({ sale_id: r["sale_id"], doubled: Number(r["amount"]) * 2, ym: r["ym"] })),
  );
  expect(await rows(lakeSession, lakeQuery("monthly")), `${where}: monthly differs`).toEqual(
    await rows(source, "select (year(sale_date) * 100 + month(sale_date))::int as ym, count(*)::int as n, sum(amount)::int as total from src.app.sales group by 1 order by 1"),
  );
}

export async function runSequence(seed: number): Promise<void> {
  const rand = seededRandom(seed);
  const connections = await openConnections(loaded.target, loaded.dir, `p${seed}`);
  const ledger = await Ledger.open(":memory:");
  const workspace = { runId: `p${seed}`, connections, ledger, close: async () => undefined };
  const selected = new Set(Object.values(manifest.nodes).filter((n) => n.kind === "model").map((n) => n.id));
  const session = await connections.get("src").open();
  const build = async () => {
    const results = await runSteps(loaded, manifest, selected, workspace, { command: "run", reporter: silent });
    const failed = results.filter((r) => r.status !== "success");
    if (failed.length > 0) throw new Error(`seed ${seed}: build failed: ${JSON.stringify(failed)}`);
  };
  const source = new Source(async (sql) => void (await session.execute(sql)), rand);
  // A Spark session caches table file listings, so each check reads the lake in a new session, as
  // every build step does.
  const check = async (step: number) => {
    if (lake.kind === "duckdb") return expectIncrementalEqualsFull(session, session, seed, step);
    await connections.withSession("lake", (lakeSession) => expectIncrementalEqualsFull(session, lakeSession, seed, step));
  };
  try {
    await source.setup(5 + Math.floor(rand() * 20));
    await build();
    await check(0);
    for (let step = 1; step <= STEPS; step++) {
      const ops = 1 + Math.floor(rand() * 4);
      for (let i = 0; i < ops; i++) {
        const r = rand();
        const pick = Math.floor(rand() * 1000);
        if (r < 0.3) await source.insert();
        else if (r < 0.5) await source.update(pick, false, false);
        else if (r < 0.7) await source.update(pick, true, false);
        else if (r < 0.85) await source.update(pick, rand() < 0.5, true);
        else await source.remove(pick);
      }
      await build();
      await check(step);
    }
  } finally {
    await session.close();
    await connections.close();
    await ledger.close();
  }
}


/**
 * The property's suite for half of the seeds (odd or even), so two test files run on both cores.
 * SLUICE_PROPERTY_SEQUENCES sets how many sequences in all (default 1000); SLUICE_PROPERTY_SEED=N
 * replays one.
 */
export function sequencesSuite(half: 0 | 1): void {
  const total = Number(process.env["SLUICE_PROPERTY_SEQUENCES"] ?? 1000);
  const only = process.env["SLUICE_PROPERTY_SEED"];
  const seeds = only ? (Number(only) % 2 === half ? [Number(only)] : []) : Array.from({ length: total }, (_, i) => i + 1).filter((s) => s % 2 === half);
  let project: TempProject;
  beforeAll(() => {
    project = setUpProject();
  });
  afterAll(() => project.remove());
  describe("incremental equals full", () => {
    it(`holds over ${seeds.length} random sequences (${half === 0 ? "even" : "odd"} seeds)`, async () => {
      for (const seed of seeds) {
        try {
          await runSequence(seed);
        } catch (e) {
          throw new Error(`failing seed ${seed} (replay with SLUICE_PROPERTY_SEED=${seed}): ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    }, 1_800_000);
  });
}
