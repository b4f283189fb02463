// `plan`, `compile`, `ls`, `check` and `docs generate` change nothing outside target/: no engine
// file, no ledger, no lock, no cache. Each test lists the project folder (every file with its
// size and modification time) before and after, and gives the commands a private temporary folder
// to prove plan's copies are removed.
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
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

const READERS = [["plan"], ["plan", "--full-refresh"], ["compile"], ["ls"], ["check"], ["docs", "generate"]];

function runReaders(dir: string, temp: string): void {
  for (const args of READERS) {
    const run = sluice([...args, "--project-dir", dir], { env: { TMPDIR: temp } });
    expect(run.code, `${args.join(" ")}: ${run.stderr}`).toBe(0);
  }
}

describe("commands that only read", () => {
  it("plan, compile, ls, check and docs generate create nothing in a project never built", () => {
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
});

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
