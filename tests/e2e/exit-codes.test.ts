// The documented exit codes, through the real binary: 0 ok, 1 a node failed, 2 a project or usage
// error (nothing written), 3 the run lock is held by another run.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { RunLock } from "../../src/ledger/run-lock.js";
import { sluice } from "../helpers/cli.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";

let project: TempProject | undefined;
afterEach(() => project?.remove());

const simple = () =>
  tempProject({
    "models/a.sql": "select 1 as id",
    "macros/ops.sql": "{% macro make_t(n) %}create table if not exists t as select {{ n }} as n{% endmacro %}",
  });

describe("exit codes", () => {
  it("exits 0 when everything succeeds and 1 when a model fails", () => {
    project = simple();
    expect(sluice(["build", "--project-dir", project.dir]).code).toBe(0);
    project.write("models/b.sql", "select no_such_column from {{ ref('a') }}");
    const failed = sluice(["build", "--project-dir", project.dir]);
    expect(failed.code, failed.stdout + failed.stderr).toBe(1);
    expect(failed.stdout).toMatch(/ERROR\s+\S+ model\.b/);
  });

  it("exits 2 on --vars that is not valid YAML, naming the flag, and writes nothing", () => {
    project = simple();
    const run = sluice(["build", "--project-dir", project.dir, "--vars", "{rows: [1"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: --vars is not valid YAML \(.+\); pass a map such as '\{rows: 1000\}'/);
    expect(existsSync(join(project.dir, "target"))).toBe(false);
    expect(existsSync(join(project.dir, ".sluice"))).toBe(false);
  });

  it("exits 2 on run-operation --args that is not valid YAML, and runs nothing", () => {
    project = simple();
    const run = sluice(["run-operation", "make_t", "-c", "warehouse", "--project-dir", project.dir, "--args", "{n: [1"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: --args is not valid YAML/);
    expect(existsSync(join(project.dir, ".sluice"))).toBe(false);
  });

  it("exits 3 when another run holds the lock, for build and plan alike", async () => {
    project = simple();
    expect(sluice(["build", "--project-dir", project.dir]).code).toBe(0);
    const lock = await RunLock.acquire(join(project.dir, ".sluice/dev/run.lock"), { runId: "holder", command: "build", waitMs: 0 });
    try {
      for (const args of [["build"], ["plan"]]) {
        const run = sluice([...args, "--project-dir", project.dir]);
        expect(run.code, `${args[0]}: ${run.stdout}${run.stderr}`).toBe(3);
        expect(run.stderr, args[0]).toMatch(/error: another build holds the lock .*run\.lock: build run holder, pid \d+/);
      }
    } finally {
      lock.release();
    }
    expect(sluice(["build", "--project-dir", project.dir]).code).toBe(0);
  }, 60_000);
});
