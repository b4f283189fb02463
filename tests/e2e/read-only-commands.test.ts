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
