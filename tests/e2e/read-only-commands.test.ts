// `plan`, `compile`, `ls`, `check`, `docs generate` and `ledger show` change nothing outside target/:
// no engine file, no ledger row, no lock, no cache. Each test lists the project folder (every file with its
// size and modification time) before and after, and gives the commands a private temporary folder
// to prove plan's copies are removed.
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DuckDbEngine } from "../../src/adapters/duckdb/index.js";
import { RunLock } from "../../src/ledger/run-lock.js";
import { FileSnapshot } from "../../src/runner/plan-workspace.js";
import { sluice } from "../helpers/cli.js";
import { exampleProject, type TempProject } from "../helpers/temp-project.js";

let project: TempProject | undefined;
let scratch: string | undefined;
afterEach(() => {
  project?.remove();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Every file and folder under `dir` except target/, with size and modification time. */
function listing(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((p) => p !== "target" && !p.startsWith(`target/`))
    .map((p) => {
      const s = statSync(join(dir, p));
      return `${relative(dir, join(dir, p))} ${s.isDirectory() ? "dir" : `${s.size} ${s.mtimeMs}`}`;
    })
    .sort();
}

const READERS = [
  ["plan"],
  ["plan", "--full-refresh"],
  ["compile"],
  ["ls"],
  ["check"],
  ["docs", "generate"],
  ["ledger", "show"],
  ["ledger", "show", "--json"],
];

function runReaders(dir: string, temp: string): void {
  for (const args of READERS) {
    const run = sluice([...args, "--project-dir", dir], { env: { TMPDIR: temp } });
    expect(run.code, `${args.join(" ")}: ${run.stderr}`).toBe(0);
  }
}

describe("commands that only read", () => {
  it("plan, compile, ls, check, docs generate and ledger show create nothing in a project never built", () => {
    project = exampleProject();
    scratch = mkdtempSync(join(tmpdir(), "sluice-readers-"));
    const before = listing(project.dir);
    runReaders(project.dir, scratch);
    expect(listing(project.dir)).toEqual(before);
    expect(readdirSync(scratch)).toEqual([]);
  }, 120_000);

  it("change no file of a built project, and plan still reads what the build left", () => {
    project = exampleProject();
    scratch = mkdtempSync(join(tmpdir(), "sluice-readers-"));
    expect(sluice(["build", "--project-dir", project.dir]).code).toBe(0);
    const before = listing(project.dir);
    runReaders(project.dir, scratch);
    expect(listing(project.dir)).toEqual(before);
    expect(readdirSync(scratch)).toEqual([]);
    const plan = sluice(["plan", "--project-dir", project.dir]);
    expect(plan.stdout).toMatch(/skip\s+model\.sales_history: no changes in production\.sales since/);
  }, 120_000);

  it("ledger show reads what the build recorded from a copy, and records no run of its own", async () => {
    project = exampleProject();
    expect(sluice(["build", "--project-dir", project.dir]).code).toBe(0);
    const runsBefore = await ledgerRuns(project.dir);
    const show = sluice(["ledger", "show", "--project-dir", project.dir, "--json"]);
    expect(show.stderr).toBe("");
    expect(show.code).toBe(0);
    const shown = JSON.parse(show.stdout) as Record<string, { rows: number; runId: string }[]>;
    const history = shown["model.sales_history"];
    expect(history?.length).toBeGreaterThan(0);
    expect(history?.every((p) => p.rows > 0 && p.runId === runsBefore[0]?.runId)).toBe(true);
    // The build's run alone, still the only one: `ledger show` took no lock generation either.
    expect(await ledgerRuns(project.dir)).toEqual(runsBefore);
    expect(RunLock.generation(join(project.dir, ".sluice/dev/run.lock"))).toBe(1);
  }, 120_000);

  it("ledger show waits for a build that holds the lock, and refuses with exit 3 when the wait runs out", async () => {
    project = exampleProject();
    expect(sluice(["build", "--project-dir", project.dir]).code).toBe(0);
    const lockPath = join(project.dir, ".sluice/dev/run.lock");
    const held = await RunLock.acquire(lockPath, { runId: "holder", command: "build", waitMs: 0 });
    try {
      const before = listing(project.dir);
      const show = sluice(["ledger", "show", "--project-dir", project.dir]);
      expect(show.code).toBe(3);
      expect(show.stdout).toBe("");
      expect(show.stderr).toContain("another build holds the lock");
      expect(show.stderr).toContain("build run holder");
      expect(listing(project.dir)).toEqual(before);
      expect(() => held.assertHeld()).not.toThrow();
    } finally {
      held.release();
    }
  }, 120_000);
});

/** The runs the ledger records, read from a copy so that the read itself changes nothing. */
async function ledgerRuns(dir: string): Promise<{ runId: string; command: string }[]> {
  const snapshot = new FileSnapshot();
  const engine = new DuckDbEngine();
  try {
    await engine.attach("ledger", snapshot.copyOf(join(dir, ".sluice/dev/ledger.duckdb")));
    const session = await engine.open();
    const { rows } = await session.query("select run_id, command from ledger.runs order by started_at");
    await session.close();
    return rows.map((r) => ({ runId: String(r[0]), command: String(r[1]) }));
  } finally {
    await engine.close();
    snapshot.remove();
  }
}

describe("plan against servers that cannot be reached", () => {
  const PROD_ENV = {
    COOLWEAR_SQL_HOST: "sql.example.invalid",
    COOLWEAR_SQL_USER: "etl",
    COOLWEAR_SQL_PASSWORD: "not-a-real-password",
    COOLWEAR_HIVE_HOST: "hive.example.invalid",
    COOLWEAR_HIVE_USER: "etl",
    COOLWEAR_HIVE_PASSWORD: "not-a-real-password",
  };

  it("fails with one line naming the connection, its host and the fix, exit 1, and writes nothing", () => {
    project = exampleProject();
    scratch = mkdtempSync(join(tmpdir(), "sluice-readers-"));
    const before = listing(project.dir);
    const run = sluice(["plan", "--project-dir", project.dir, "--target", "prod"], {
      env: { ...PROD_ENV, TMPDIR: scratch },
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    const lines = run.stderr.split("\n").filter((l) => l !== "");
    expect(lines).toHaveLength(1);
    const named =
      /^error: plan needs connection '(source|lake|mart)' of target 'prod' \((sqlserver|hive): host=([^,]+),/.exec(
        lines[0]!,
      );
    expect(named, lines[0]).not.toBeNull();
    const [, connection, type, host] = named!;
    expect(type).toBe(connection === "lake" ? "hive" : "sqlserver");
    expect(host).toBe(connection === "lake" ? "hive.example.invalid" : "sql.example.invalid");
    expect(lines[0]).toContain("cannot be reached: ");
    expect(lines[0]).toContain("nothing was planned or written");
    expect(lines[0]).toContain("profiles.yml");
    expect(lines[0]).toContain("sluice debug --target prod");
    expect(lines[0]).not.toContain("not-a-real-password");
    expect(listing(project.dir)).toEqual(before);
    expect(readdirSync(scratch)).toEqual([]);
  }, 120_000);

  it("still plans a selection whose steps need no engine's facts (a table with no ledger record)", () => {
    project = exampleProject();
    const run = sluice(
      ["plan", "--project-dir", project.dir, "--target", "prod", "-s", "sales_by_country_month"],
      { env: PROD_ENV },
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/build_table\s+model\.sales_by_country_month: table rebuilt in full/);
  }, 60_000);
});
