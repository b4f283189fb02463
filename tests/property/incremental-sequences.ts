// The harness of the "incremental equals full" property on a Spark Thrift Server lake
// (tests/integration/spark/incremental-equals-full.test.ts; the DuckDB suite's wider generator is
// sequence-run.ts): random sequences of source inserts,
// updates (some moving a sale to another month, some arriving late), deletes, re-inserts of
// deleted keys and changes to an untracked dimension; after every `build` (data tests and their
// narrowing included), each table must equal what a full rebuild gives. The lake is the real
// Parquet lake (lake_root) or a Spark Thrift Server, the source another database, so rows cross
// engines. Each sequence draws its key type (integers, or text that looks like numbers with
// leading zeros) and its partition column type (integer, date or text). Seeded and reproducible:
// a failure prints its seed, and SLUICE_PROPERTY_SEED=N replays one sequence.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
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

/** Where the lake lives: Parquet files under a lake_root (embedded DuckDB), or a database on a Spark Thrift Server. */
export type LakeKind = { kind: "duckdb" } | { kind: "spark"; host: string; port: number; database: string };

let lake: LakeKind = { kind: "duckdb" };

/** Compiles the property's project once; each sequence then gets a fresh source and ledger. */
export function setUpProject(lakeKind: LakeKind = { kind: "duckdb" }): TempProject {
  lake = lakeKind;
  const lakeConnection =
    lake.kind === "duckdb"
      ? `{ type: duckdb, path: ":memory:", lake_root: lake }`
      : `{ type: hive, host: ${lake.host}, port: ${lake.port}, database: ${lake.database}, auth: nosasl }`;
  const project = tempProject({
    "profiles.yml": `targets:
  dev:
    connections:
      src: { type: duckdb, path: ":memory:" }
      lake: ${lakeConnection}
      mart: { type: duckdb, path: ":memory:" }
`,
    "models/sources.yml": trackedSalesSources({
      lookback: String(LOOKBACK),
      tables: ["removed", "products"],
    }),
    // The key is renamed on the way (sale_id → id) and the partition column comes from the source,
    // so its type is whatever the sequence drew. full_rebuild_share=1 keeps every build incremental.
    "models/hist.sql": `{{ config(materialized='incremental', connection='lake', compute='src', partition_by='ym', unique_key='id', full_rebuild_share=1) }}
select s.sale_id as id, s.sale_date, s.amount, p.name as product, s.ym
from {{ source('app', 'sales') }} s join {{ source('app', 'products') }} p on p.product_id = s.product_id`,
    "models/hist.yml": `models:
  - name: hist
    columns:
      - name: id
        tests: [unique, not_null]
      - name: amount
        tests:
          - expression: { expression: ">= 0" }
`,
    "models/hist_copy.sql": `{{ config(materialized='incremental', connection='lake', partition_by='ym') }}
select h.id, h.amount * 2 as doubled, h.ym from {{ ref('hist') }} h
{% if is_incremental() %}where false{% endif %}`,
    "models/monthly.sql": `{{ config(materialized='table', connection='lake') }}
select ym, count(*) as n, sum(amount) as total from {{ ref('hist') }} group by ym`,
    // The same aggregate stored on a database: it recomputes only the months hist replaces.
    "models/monthly_mart.sql": `{{ config(materialized='table', connection='mart', compute='lake') }}
select h.ym, count(*) as n, sum(h.amount) as total from {{ ref('hist') }} h group by h.ym`,
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
  return values.map((r) =>
    Object.fromEntries(columns.map((c, i) => [c.name, typeof r[i] === "bigint" ? Number(r[i]) : r[i]])),
  );
}

/** What a sequence draws for its source's types. */
interface Shape {
  /** Sale ids as integers, or as text that looks like a number with leading zeros ('0007'). */
  key: "int" | "text";
  /** The partition column: YYYYMM as an integer, the month's first day as a date, or 'YYYY-MM' text. */
  partition: "int" | "date" | "text";
}

class Source {
  clock = 10;
  nextId = 1;
  constructor(
    private readonly run: (sql: string) => Promise<void>,
    private readonly rand: () => number,
    readonly shape: Shape,
  ) {}

  private date(): string {
    const month = 1 + Math.floor(this.rand() * 6);
    const day = 1 + Math.floor(this.rand() * 28);
    return `2026-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
  }

  /** The partition value of a sale date, as SQL of the drawn type. */
  private partitionOf(dateSql: string): string {
    if (this.shape.partition === "int") return `(year(${dateSql}) * 100 + month(${dateSql}))::int`;
    if (this.shape.partition === "date") return `date_trunc('month', ${dateSql})::date`;
    return `strftime(${dateSql}, '%Y-%m')`;
  }

  private key(id: number): string {
    return this.shape.key === "int" ? String(id) : `'${String(id).padStart(4, "0")}'`;
  }

  async setup(rows: number): Promise<void> {
    const key = this.shape.key === "int" ? "int" : "varchar";
    const part = { int: "int", date: "date", text: "varchar" }[this.shape.partition];
    await this.run(`create schema app;
      create table app.sales (sale_id ${key}, product_id int, sale_date date, amount int, ym ${part}, updated_at bigint);
      create table app.removed (sale_id ${key}, removed_at bigint, ym ${part});
      create table app.products (product_id int, name varchar);
      insert into app.products values (1, 'tee'), (2, 'cap'), (3, 'hat')`);
    for (let i = 0; i < rows; i++) await this.insert();
  }

  async insert(): Promise<void> {
    const id = this.nextId++;
    this.clock += 1;
    const d = `date '${this.date()}'`;
    await this.run(
      `insert into app.sales values (${this.key(id)}, ${1 + Math.floor(this.rand() * 3)}, ${d}, ${Math.floor(this.rand() * 100)}, ${this.partitionOf(d)}, ${this.clock})`,
    );
  }

  /** Inserts again a key that was deleted before (in another month, maybe), if there is one. */
  async reinsert(): Promise<void> {
    this.clock += 1;
    const d = `date '${this.date()}'`;
    await this.run(`insert into app.sales select r.sale_id, 1, ${d}, 7, ${this.partitionOf(d)}, ${this.clock}
      from (select distinct sale_id from app.removed where sale_id not in (select sale_id from app.sales) order by 1 limit 1) r`);
  }

  async update(pick: number, move: boolean, late: boolean): Promise<void> {
    this.clock += 1;
    // A late writer commits with a stamp older than the newest one, but within the lookback.
    const stamp = late ? this.clock - 1 - Math.floor(this.rand() * (LOOKBACK - 1)) : this.clock;
    const d = `date '${this.date()}'`;
    const set = move ? `sale_date = ${d}, ym = ${this.partitionOf(d)}` : `amount = amount + 1`;
    await this.run(
      `update app.sales set ${set}, updated_at = ${stamp} where sale_id = (select sale_id from app.sales order by sale_id limit 1 offset ${pick} % (select greatest(count(*), 1) from app.sales))`,
    );
  }

  async remove(pick: number): Promise<void> {
    this.clock += 1;
    await this.run(
      `insert into app.removed select sale_id, ${this.clock}, ym from app.sales order by sale_id limit 1 offset ${pick} % (select greatest(count(*), 1) from app.sales)`,
    );
    await this.run(
      `delete from app.sales where sale_id in (select sale_id from app.removed where removed_at = ${this.clock})`,
    );
  }

  /** Renames a product: the untracked dimension changes, with no stamp to find it by. */
  async renameProduct(pick: number): Promise<void> {
    await this.run(`update app.products set name = name || '+' where product_id = ${1 + (pick % 3)}`);
  }
}

/** The lake's tables as rows, every value as text, read on the lake's own engine. */
function lakeQuery(table: "hist" | "hist_copy" | "monthly"): string {
  const rel = lake.kind === "duckdb" ? `lake.main.${table}` : `${lake.database}.${table}`;
  const t = (c: string) => `cast(${c} as ${lake.kind === "duckdb" ? "varchar" : "string"}) as ${c}`;
  if (table === "hist")
    return `select ${["id", "sale_date", "amount", "product", "ym"].map(t).join(", ")} from ${rel}`;
  if (table === "hist_copy") return `select ${["id", "doubled", "ym"].map(t).join(", ")} from ${rel}`;
  // A sum comes back from the Parquet lake as another numeric type (109.0); its value must not change.
  return `select ${["ym", "n"].map(t).join(", ")}, ${t("cast(total as bigint)").replace(/ as cast\(total as bigint\)$/, " as total")} from ${rel}`;
}

/** Rows in a stable order, whatever order the engine returned them in. */
function sorted(values: Record<string, unknown>[]): Record<string, unknown>[] {
  return values
    .map((r) => ({ r, k: JSON.stringify(Object.values(r)) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .map(({ r }) => r);
}

/** Fails with both tables printed, so a replayed seed shows what differs. */
function expectSame(
  actual: Record<string, unknown>[],
  expected: Record<string, unknown>[],
  what: string,
): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected))
    throw new Error(`${what}\n  lake: ${JSON.stringify(actual)}\n  full: ${JSON.stringify(expected)}`);
  expect(actual).toEqual(expected);
}

async function expectIncrementalEqualsFull(
  source: Session,
  lakeSession: Session,
  where: string,
): Promise<void> {
  // What a full build gives, computed here straight from the source.
  const full = await rows(
    source,
    `select cast(s.sale_id as varchar) as id, cast(s.sale_date as varchar) as sale_date, cast(s.amount as varchar) as amount,
      p.name as product, cast(s.ym as varchar) as ym from src.app.sales s join src.app.products p on p.product_id = s.product_id`,
  );
  expectSame(
    sorted(await rows(lakeSession, lakeQuery("hist"))),
    sorted(full),
    `${where}: hist differs from a full build`,
  );
  const copy = full.map((r) => ({ id: r["id"], doubled: String(Number(r["amount"]) * 2), ym: r["ym"] }));
  expectSame(
    sorted(await rows(lakeSession, lakeQuery("hist_copy"))),
    sorted(copy),
    `${where}: hist_copy differs`,
  );
  const monthly = await rows(
    source,
    `select cast(s.ym as varchar) as ym, cast(count(*) as varchar) as n, cast(sum(s.amount) as varchar) as total
      from src.app.sales s join src.app.products p on p.product_id = s.product_id group by s.ym`,
  );
  expectSame(
    sorted(await rows(lakeSession, lakeQuery("monthly"))),
    sorted(monthly),
    `${where}: monthly differs`,
  );
  expectSame(
    sorted(
      await rows(
        source,
        "select cast(ym as varchar) as ym, cast(n as varchar) as n, cast(cast(total as bigint) as varchar) as total from mart.main.monthly_mart",
      ),
    ),
    sorted(monthly),
    `${where}: monthly_mart differs`,
  );
}

/** The shape a sequence draws: Spark lakes keep integers (their other types are not proven yet). */
function drawShape(rand: () => number): Shape {
  if (lake.kind === "spark") return { key: "int", partition: "int" };
  return {
    key: rand() < 0.5 ? "int" : "text",
    partition: (["int", "date", "text"] as const)[Math.floor(rand() * 3)]!,
  };
}

const PASSED = new Set(["success", "pass"]);

export async function runSequence(seed: number): Promise<void> {
  const rand = seededRandom(seed);
  // Each sequence starts from an empty lake: its Parquet files live under the project's lake/.
  if (lake.kind === "duckdb") rmSync(join(loaded.dir, "lake"), { recursive: true, force: true });
  const connections = await openConnections(loaded.target, loaded.dir, `p${seed}`);
  const ledger = await Ledger.open(":memory:");
  const workspace = { runId: `p${seed}`, connections, ledger, close: async () => undefined };
  const selected = new Set(
    Object.values(manifest.nodes)
      .filter((n) => n.kind === "model" || n.kind === "test")
      .map((n) => n.id),
  );
  const session = await connections.get("src").open();
  const build = async (step: number) => {
    const results = await runSteps(loaded, manifest, selected, workspace, {
      command: "build",
      reporter: silent,
    });
    const failed = results.filter((r) => !PASSED.has(r.status));
    if (failed.length > 0)
      throw new Error(
        `seed ${seed}, step ${step}: build failed: ${JSON.stringify(failed, (_, v: unknown) => (typeof v === "bigint" ? String(v) : v))}`,
      );
  };
  const shape = drawShape(rand);
  const source = new Source(async (sql) => void (await session.execute(sql)), rand, shape);
  // A Spark session caches table file listings, so each check reads the lake in a new session, as
  // every build step does.
  const check = async (step: number) => {
    const where = `seed ${seed} (${shape.key} keys, ${shape.partition} partitions), step ${step}`;
    if (lake.kind === "duckdb") return expectIncrementalEqualsFull(session, session, where);
    await connections.withSession("lake", (lakeSession) =>
      expectIncrementalEqualsFull(session, lakeSession, where),
    );
  };
  try {
    await source.setup(5 + Math.floor(rand() * 20));
    await build(0);
    await check(0);
    for (let step = 1; step <= STEPS; step++) {
      const ops = 1 + Math.floor(rand() * 4);
      for (let i = 0; i < ops; i++) {
        const r = rand();
        const pick = Math.floor(rand() * 1000);
        if (r < 0.25) await source.insert();
        else if (r < 0.4) await source.update(pick, false, false);
        else if (r < 0.6) await source.update(pick, true, false);
        else if (r < 0.75) await source.update(pick, rand() < 0.5, true);
        else if (r < 0.87) await source.remove(pick);
        else if (r < 0.95) await source.reinsert();
        else await source.renameProduct(pick);
      }
      await build(step);
      await check(step);
    }
  } finally {
    await session.close();
    await connections.close();
    await ledger.close();
  }
}
