// One sequence of the "incremental equals full" property, end to end: a fresh project in a temp
// folder (the source in an embedded DuckDB, in memory for builds in this process and as a file
// for spawned ones; the lake as hive-partitioned Parquet under lake_root, or a database of its own
// on a Spark Thrift Server), a shape drawn from the seed (sequence-shape.ts), then whole `build`s
// (seeds, models, data tests and their narrowing) through the library, with random source changes
// (sequence-source.ts), seed CSV and var() changes between them, some with --full-refresh, and
// for some sequences builds spawned as CLI processes under changing time zones. After every build
// each model's stored table must equal its full SQL evaluated now, in graph order, but for the
// rows no change window sees (sequence-check.ts), and the build must warn of NULL stamps.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { type Connections, openConnections } from "../../src/adapters/index.js";
import { compileProjectCached } from "../../src/compiler/compile.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { readManifest } from "../../src/manifest/io.js";
import type { Manifest } from "../../src/manifest/types.js";
import { loadProject, type Project } from "../../src/project/load.js";
import type { Reporter } from "../../src/runner/reporter.js";
import { type NodeResult, runSteps } from "../../src/runner/run.js";
import { seededRandom } from "../helpers/random.js";
import { REPO_ROOT } from "../helpers/temp-project.js";
import { checkEveryTable, type ModelOutcome, type Unseen } from "./sequence-check.js";
import { describeShape, drawShape, type LakeTarget, projectFiles, type Shape } from "./sequence-shape.js";
import { SequenceSource } from "./sequence-source.js";

const run = promisify(execFile);
/**
 * Where sequences put their projects: memory-backed /dev/shm where there is one (each sequence
 * writes and removes a few hundred small Parquet files and folders), else the system's temp folder.
 */
const TMP = process.env["SLUICE_PROPERTY_TMP"] ?? (existsSync("/dev/shm") ? "/dev/shm" : tmpdir());
const STEPS = 3;
const silent: Reporter = { start() {}, nodeStart() {}, nodeEnd() {}, info() {}, finish() {} };
/** Zones the spawned builds run in, in turn: west of UTC across a DST fall-back, east, and UTC. */
const ZONES = ["America/New_York", "Asia/Tokyo", "UTC", "Australia/Lord_Howe"];

/**
 * One sequence in 50 builds through spawned CLI processes, each in another zone (a spawned build
 * costs a few seconds, five in-process sequences' worth).
 */
export function spawnsTz(seed: number): boolean {
  return seed % 50 === 7;
}

interface Sequence {
  dir: string;
  seed: number;
  shape: Shape;
  source: SequenceSource;
  vars: { bonus: number };
  seedRows: [string, string][];
  /** Each model's column names, learnt once per sequence (see sequence-check.ts). */
  columnNames: Map<string, string[]>;
  /** In-process sequences: one workspace for all builds, and the manifest of the current files. */
  live?: Live;
}

interface Live {
  connections: Connections;
  ledger: Ledger;
  files: string;
  project?: Project;
  manifest?: Manifest;
}

/**
 * Writes the project's files; in process, recompiles when they changed (a var, the seed CSV), as
 * the CLI does: with the caches under target/, so an unchanged model is neither rendered nor parsed.
 */
async function writeProject(q: Sequence): Promise<void> {
  const files = projectFiles(q.shape, q.vars, q.seedRows);
  for (const [path, text] of Object.entries(files)) {
    const file = join(q.dir, path);
    if (existsSync(file) && readFileSync(file, "utf8") === text) continue;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  if (q.live && q.live.files !== JSON.stringify(files)) {
    q.live.files = JSON.stringify(files);
    q.live.project = loadProject({ projectDir: q.dir });
    q.live.manifest = (await compileProjectCached(q.live.project)).manifest;
  }
}

/** Runs `work` with the target's connections: the sequence's own in process, else opened for it. */
async function withConnections<T>(q: Sequence, work: (c: Connections) => Promise<T>): Promise<T> {
  if (q.live) return work(q.live.connections);
  const project = loadProject({ projectDir: q.dir });
  const connections = await openConnections(project.target, q.dir, "harness");
  try {
    return await work(connections);
  } finally {
    await connections.close();
  }
}

async function onSource(q: Sequence, sql: string): Promise<void> {
  if (process.env["SLUICE_PROPERTY_TRACE"]) console.log(`source:\n${sql}`);
  if (sql) await withConnections(q, (c) => c.withSession("src", (s) => s.execute(sql)));
}

/** What one build did: each model's action and replaced partitions, and the warnings it printed. */
interface Built {
  outcomes: Map<string, ModelOutcome>;
  warnings: string[];
}

/** Builds (`--full-refresh` when asked), in process or as a CLI process in `zone`. */
async function build(q: Sequence, step: number, zone: string | null, fullRefresh: boolean): Promise<Built> {
  if (zone) {
    const bin = join(REPO_ROOT, "bin", "sluice.js");
    const args = [
      "build",
      "--project-dir",
      q.dir,
      "--log-format",
      "text",
      ...(fullRefresh ? ["--full-refresh"] : []),
    ];
    let stdout: string;
    try {
      ({ stdout } = await run(process.execPath, [bin, ...args], {
        env: { ...process.env, TZ: zone, CI: "1" },
      }));
    } catch (e) {
      const out = e as { stdout?: string; stderr?: string };
      throw new Error(`step ${step}: build (TZ=${zone}) failed:\n${out.stdout ?? ""}${out.stderr ?? ""}`);
    }
    const written = JSON.parse(readFileSync(join(q.dir, "target", "run_results.json"), "utf8")) as {
      results: NodeResult[];
    };
    const warnings = stdout
      .split("\n")
      .flatMap((l) => (l.includes("warning: ") ? [l.slice(l.indexOf("warning: "))] : []));
    return { outcomes: outcomesOf(written.results), warnings };
  }
  const live = q.live!;
  const manifest = live.manifest!;
  const selected = new Set(
    Object.values(manifest.nodes)
      .filter((n) => n.kind === "model" || n.kind === "test" || n.kind === "seed")
      .map((n) => n.id),
  );
  const runId = `p${q.seed}s${step}`;
  const workspace = {
    runId,
    connections: live.connections,
    ledger: live.ledger,
    close: async () => undefined,
  };
  const warnings: string[] = [];
  const results = await runSteps(live.project!, manifest, selected, workspace, {
    command: "build",
    fullRefresh,
    reporter: { ...silent, info: (m) => warnings.push(m) },
  });
  const failed = results.filter((r) => !PASSED.has(r.status));
  if (failed.length > 0)
    throw new Error(
      `step ${step}: build failed: ${JSON.stringify(failed, (_, v: unknown) => (typeof v === "bigint" ? String(v) : v))}`,
    );
  if (process.env["SLUICE_PROPERTY_TRACE"])
    for (const r of results)
      if (r.node.startsWith("model."))
        console.log(`${r.node} ${r.action}: ${r.reason} ${JSON.stringify(r.partitions ?? null)}`);
  return { outcomes: outcomesOf(results), warnings };
}

function outcomesOf(results: NodeResult[]): Map<string, ModelOutcome> {
  return new Map(
    results
      .filter((r) => r.node.startsWith("model."))
      .map((r) => [r.node, { action: r.action, partitions: r.partitions ?? null }]),
  );
}

const PASSED = new Set(["success", "pass"]);

/** The sales source's node id in the property's manifest. */
const SALES = "source.app.sales";

/** What the source holds that no change window sees (see sequence-check.ts). */
async function readUnseen(q: Sequence): Promise<Unseen> {
  const composite = q.shape.key === "composite";
  return withConnections(q, (c) =>
    c.withSession("src", async (s) => {
      const keyOf = (r: unknown[]) => JSON.stringify(composite ? [r[0], r[1]] : [r[0]]);
      const sales = await s.query(
        `select k1::varchar, ${composite ? "k2::varchar" : "null"}, updated_at is null from app.sales`,
      );
      const removed = q.shape.deletes
        ? { rows: [] }
        : await s.query("select distinct k1::varchar from app.removed");
      return {
        present: new Set(sales.rows.map(keyOf)),
        unstamped: new Set(sales.rows.filter((r) => r[2] === true).map(keyOf)),
        unrecorded: new Set(removed.rows.map((r) => String(r[0]))),
      };
    }),
  );
}

/**
 * The plan's promise about rows with no stamp: each lineage model over sales says how many there
 * are (as the source counted them before the build), and nothing warns of them when there are none.
 */
function checkStampWarnings(q: Sequence, built: Built, unstamped: number, step: number): void {
  const about = built.warnings.filter((w) => w.includes("NULL update stamp"));
  if (unstamped === 0) {
    if (about.length > 0) throw new Error(`step ${step}: no row lacks a stamp, yet: ${about.join("; ")}`);
    return;
  }
  const rows = `${unstamped} row${unstamped === 1 ? " of app.sales has" : "s of app.sales have"} a NULL update stamp`;
  const models = ["hist", ...(q.shape.header ? ["order_lines", "order_regions"] : [])];
  for (const m of models)
    if (!about.some((w) => w.startsWith(`warning: model.${m}: `) && w.includes(rows)))
      throw new Error(
        `step ${step}: expected the warning "model.${m}: ${rows}", got: ${built.warnings.join("; ")}`,
      );
}

/**
 * One random sequence; throws with the step, the shape and what differs. Returns what each
 * incremental build of this process did to hist, so the suite can tell the property still
 * exercises partition replacement rather than full rebuilds alone.
 */
export async function runSequence(seed: number, lake: LakeTarget = { kind: "duckdb" }): Promise<string[]> {
  const actions: string[] = [];
  const rand = seededRandom(seed);
  const shape = drawShape(rand, spawnsTz(seed), lake);
  const q: Sequence = {
    dir: mkdtempSync(join(TMP, `sluice-prop-${seed}-`)),
    seed,
    shape,
    source: new SequenceSource(rand, shape),
    vars: { bonus: 0 },
    columnNames: new Map(),
    seedRows: [
      ["c1", "Cat one"],
      ["c2", "Cat two"],
    ],
  };
  try {
    await writeProject(q);
    if (!shape.spawnTz) {
      const project = loadProject({ projectDir: q.dir });
      q.live = {
        connections: await openConnections(project.target, q.dir, `p${seed}`),
        ledger: await Ledger.open(":memory:"),
        files: "",
      };
      await writeProject(q);
    }
    q.source.setup(4 + Math.floor(rand() * 12));
    await onSource(q, q.source.drain());
    for (let step = 0; step <= STEPS; step++) {
      // Deletes no build can see are undone by --full-refresh (README), which also resets watermarks.
      let fullRefresh = false;
      if (step > 0) {
        const ops = 1 + Math.floor(rand() * 4);
        for (let i = 0; i < ops; i++) mutate(q, rand);
        // Stamped at last, the rows written without a stamp must all arrive in the last build.
        if (step === STEPS && shape.nullStamps) q.source.stampNulls("all");
        await onSource(q, q.source.drain());
        await writeProject(q);
        fullRefresh = rand() < (shape.deletes ? 0.05 : 0.25);
      }
      try {
        const before = await readUnseen(q);
        const built = await build(
          q,
          step,
          shape.spawnTz ? ZONES[(seed + step) % ZONES.length]! : null,
          fullRefresh,
        );
        checkStampWarnings(q, built, before.unstamped.size, step);
        const action = built.outcomes.get("model.hist")?.action;
        if (action && step > 0 && !fullRefresh) actions.push(action);
        const manifest = q.live?.manifest ?? readManifest(join(q.dir, "target", "manifest.json"));
        await withConnections(q, async (c) =>
          checkEveryTable(
            manifest,
            c,
            built.outcomes,
            before,
            keyColumnsOf(shape),
            SALES,
            step,
            q.columnNames,
          ),
        );
      } catch (e) {
        throw new Error(`(${describeShape(shape)}) ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return actions;
  } finally {
    if (lake.kind === "hive") await dropLakeDatabase(q, lake.database);
    await q.live?.connections.close();
    await q.live?.ledger.close();
    rmSync(q.dir, { recursive: true, force: true });
  }
}

/** Drops the sequence's own database on the Spark server, whatever the sequence left in it. */
async function dropLakeDatabase(q: Sequence, database: string): Promise<void> {
  await withConnections(q, (c) =>
    c.withSession("lake", (s) => s.execute(`drop database if exists \`${database}\` cascade`)),
  ).catch(() => undefined);
}

/** The sales key's columns as the lineage models carry it (renamed k1 → id). */
function keyColumnsOf(shape: Shape): string[] {
  return shape.key === "composite" ? ["id", "k2"] : ["id"];
}

function mutate(q: Sequence, rand: () => number): void {
  const r = rand();
  const pick = Math.floor(rand() * 1000);
  const s = q.source;
  if (q.shape.nullStamps && rand() < 0.15) {
    s.stampNulls(pick);
    return;
  }
  if (q.shape.header && rand() < 0.3) {
    if (pick % 4 === 0) s.newOrder();
    else if (pick % 4 === 1) s.removeOrder(pick);
    else s.changeHeader(pick);
    return;
  }
  if (r < 0.2) s.insert(rand() < 0.2);
  else if (r < 0.32) s.update(pick, false, false);
  else if (r < 0.5) s.update(pick, true, false);
  else if (r < 0.6) s.update(pick, rand() < 0.5, true);
  else if (r < 0.72) s.remove(pick);
  else if (r < 0.78) s.reinsert();
  else if (r < 0.84) s.changeDimension(pick);
  else if (r < 0.88 && q.shape.seed) q.seedRows[pick % 2]![1] += "!";
  else if (r < 0.92) q.vars.bonus = 1 + (pick % 3);
  else if (q.shape.header) {
    if (pick % 4 === 0) s.newOrder();
    else if (pick % 4 === 1) s.removeOrder(pick);
    else s.changeHeader(pick);
  } else s.insert(false);
}
