// `plan`, `compile`, `ls`, `check`, `docs generate` and `ledger show` change nothing outside target/:
// no engine file, no ledger row, no lock, no cache. Each test lists the project folder (every file with its
// size and modification time) before and after, and gives the commands a private temporary folder
// to prove plan's copies are removed.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DuckDbEngine } from "../../src/adapters/duckdb/index.js";
import { RunLock } from "../../src/ledger/run-lock.js";
import { FileSnapshot } from "../../src/runner/plan-workspace.js";
import { sluice, sluiceAsync } from "../helpers/cli.js";
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

  /** The node of every step line `sluice plan` printed, in order. */
  const planNodes = (stdout: string) =>
    stdout
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => /^\s*\d+\. \S+\s+(\S+):/.exec(l)?.[1] ?? `unparsed: ${l}`);

  it("prints every step, undecided where an engine's facts are missing, names every unreachable connection, exits 1 and writes nothing", () => {
    project = exampleProject();
    scratch = mkdtempSync(join(tmpdir(), "sluice-readers-"));
    const before = listing(project.dir);
    const run = sluice(["plan", "--project-dir", project.dir, "--target", "prod"], {
      env: { ...PROD_ENV, TMPDIR: scratch },
    });
    expect(run.code, run.stderr).toBe(1);
    // Every node the dev target plans is in the offline plan, in the same order.
    const dev = sluice(["plan", "--project-dir", project.dir], { env: { TMPDIR: scratch } });
    expect(dev.code, dev.stderr).toBe(0);
    expect(planNodes(run.stdout)).toEqual(planNodes(dev.stdout));
    expect(run.stdout).toMatch(
      /undecided\s+model\.sales_history: first build as far as this ledger knows \(it records none\); facts unavailable: connection 'lake' unreachable \(.*ENOTFOUND hive\.example\.invalid\)/,
    );
    expect(run.stdout).toMatch(
      /undecided\s+model\.sales_by_country_month: waits on sales_history, whose step is undecided/,
    );
    expect(run.stdout).toMatch(/load_seed\s+seed\.countries: seed CSV loaded in full/);
    expect(run.stdout).toMatch(
      /run_test\s+test\.unique_sales_history_sale_id: error test; which rows it checks is unknown/,
    );
    const errors = run.stderr.split("\n").filter((l) => l !== "");
    expect(errors[0]).toMatch(
      /^error: plan incomplete: 3 of \d+ steps undecided, because connections of target 'prod' cannot be reached; nothing was written:$/,
    );
    // Every connection of the target is named with where it points, the first tried first.
    expect(errors.slice(1, 4).map((l) => /^ {2}(\w+) \((\w+): host=([^,]+),/.exec(l)?.slice(1))).toEqual([
      ["lake", "hive", "hive.example.invalid"],
      ["source", "sqlserver", "sql.example.invalid"],
      ["mart", "sqlserver", "sql.example.invalid"],
    ]);
    expect(errors[4]).toContain("sluice debug --target prod");
    expect(run.stdout + run.stderr).not.toContain("not-a-real-password");
    // --json carries the same: the undecided steps and the unreachable connections.
    const json = sluice(["plan", "--project-dir", project.dir, "--target", "prod", "--json"], {
      env: { ...PROD_ENV, TMPDIR: scratch },
    });
    expect(json.code).toBe(1);
    const plan = JSON.parse(json.stdout) as {
      steps: { node: string; action: string }[];
      unreachable: { connection: string; reason: string }[];
    };
    expect(plan.steps.filter((s) => s.action === "undecided").map((s) => s.node)).toEqual([
      "model.sales_history",
      "model.sales_by_country_month",
      "model.daily_category_revenue",
    ]);
    expect(plan.unreachable.map((u) => u.connection)).toEqual(["lake", "source", "mart"]);
    expect(listing(project.dir)).toEqual(before);
    expect(readdirSync(scratch)).toEqual([]);
  }, 120_000);

  it("build names the connection it cannot reach and where it points, without its password", () => {
    project = exampleProject();
    const run = sluice(["build", "--project-dir", project.dir, "--target", "prod"], { env: PROD_ENV });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(
      /connection 'lake' \(hive: host=hive\.example\.invalid, port=10000, .*user=etl.*\) cannot be reached: .*ENOTFOUND hive\.example\.invalid/,
    );
    expect(run.stdout + run.stderr).not.toContain("not-a-real-password");
  }, 60_000);

  it("gives up on a server that accepts but never answers after 5 s, not its build-time 15 s and retries", async () => {
    project = exampleProject();
    // A socket that takes connections and never says a word: a firewall or a hung server.
    const silent = createServer(() => {});
    await new Promise<void>((done) => silent.listen(0, "127.0.0.1", done));
    const { port } = silent.address() as AddressInfo;
    const profiles = readFileSync(join(project.dir, "profiles.yml"), "utf8").replace(
      /^( +)host: "\{\{ env_var\('COOLWEAR_(SQL|HIVE)_HOST'\) \}\}"$/gm,
      `$&\n$1port: ${port}`,
    );
    project.write("profiles.yml", profiles);
    try {
      const started = Date.now();
      const run = await sluiceAsync(
        ["plan", "--project-dir", project.dir, "--target", "prod", "-s", "sales_history"],
        { env: { ...PROD_ENV, COOLWEAR_SQL_HOST: "127.0.0.1", COOLWEAR_HIVE_HOST: "127.0.0.1" } },
      );
      const seconds = (Date.now() - started) / 1000;
      expect(run.code, run.stderr).toBe(1);
      expect(run.stdout).toMatch(
        /undecided\s+model\.sales_history: .*connection 'lake' unreachable \(.*within 5000 ms/,
      );
      expect(run.stderr).toMatch(/^ {2}source \(sqlserver: .*in 5000ms/m);
      expect(run.stderr).toMatch(/^ {2}mart \(sqlserver: .*in 5000ms/m);
      // One timeout per connection, the last two together: ~10 s, where 15 s tried 4 times was a minute.
      expect(seconds).toBeLessThan(40);
    } finally {
      silent.close();
    }
  }, 120_000);

  it("says what the ledger recorded of a step it cannot decide", () => {
    project = exampleProject();
    expect(sluice(["build", "--project-dir", project.dir]).code).toBe(0);
    // The dev ledger stands in for prod's, so prod's ledger has a build of sales_history on record.
    mkdirSync(join(project.dir, ".sluice/prod"), { recursive: true });
    cpSync(join(project.dir, ".sluice/dev/ledger.duckdb"), join(project.dir, ".sluice/prod/ledger.duckdb"));
    const run = sluice(["plan", "--project-dir", project.dir, "--target", "prod", "-s", "sales_history"], {
      env: PROD_ENV,
    });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(
      /undecided\s+model\.sales_history: last success at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\S* by this ledger; facts unavailable: connection 'lake' unreachable/,
    );
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
