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
    "macros/ops.sql":
      "{% macro make_t(n) %}create table if not exists t as select {{ n }} as n{% endmacro %}",
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
    expect(run.stderr).toMatch(
      /^error: --vars is not valid YAML \(.+\); pass a map such as '\{rows: 1000\}'/,
    );
    expect(existsSync(join(project.dir, "target"))).toBe(false);
    expect(existsSync(join(project.dir, ".sluice"))).toBe(false);
  });

  it("exits 2 on run-operation --args that is not valid YAML, and runs nothing", () => {
    project = simple();
    const run = sluice([
      "run-operation",
      "make_t",
      "-c",
      "warehouse",
      "--project-dir",
      project.dir,
      "--args",
      "{n: [1",
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: --args is not valid YAML/);
    expect(existsSync(join(project.dir, ".sluice"))).toBe(false);
  });

  it("exits 3 when another run holds the lock, for build, plan and run-operation alike", async () => {
    project = simple();
    expect(sluice(["build", "--project-dir", project.dir]).code).toBe(0);
    const lock = await RunLock.acquire(join(project.dir, ".sluice/dev/run.lock"), {
      runId: "holder",
      command: "build",
      waitMs: 0,
    });
    try {
      for (const args of [
        ["build"],
        ["plan"],
        ["run-operation", "make_t", "-c", "warehouse", "--args", "{n: 2}"],
      ]) {
        const run = sluice([...args, "--project-dir", project.dir]);
        expect(run.code, `${args[0]}: ${run.stdout}${run.stderr}`).toBe(3);
        expect(run.stderr, args[0]).toMatch(
          /error: another build holds the lock .*run\.lock: build run holder, pid \d+/,
        );
      }
    } finally {
      lock.release();
    }
    expect(sluice(["build", "--project-dir", project.dir]).code).toBe(0);
  }, 60_000);

  it("run-operation holds the lock while it runs, so a build is refused, and releases it when done", async () => {
    project = simple();
    project.write(
      "macros/slow.sql",
      "{% macro slow() %}create or replace table slow_t as select sum(a.range * b.range % 7) as s from range(20000) a, range(20000) b{% endmacro %}",
    );
    const { spawn } = await import("node:child_process");
    const { REPO_ROOT } = await import("../helpers/temp-project.js");
    const op = spawn(
      process.execPath,
      [
        join(REPO_ROOT, "bin/sluice.js"),
        "run-operation",
        "slow",
        "-c",
        "warehouse",
        "--project-dir",
        project.dir,
      ],
      { env: { ...process.env, CI: "true" } },
    );
    const opEnded = new Promise<number | null>((resolve) => op.on("close", resolve));
    // Wait until the operation holds the lock, then a build must be refused.
    const lockDir = join(project.dir, ".sluice/dev/run.lock");
    for (let i = 0; i < 200 && !RunLock.holder(lockDir); i++) await new Promise((r) => setTimeout(r, 50));
    const holder = RunLock.holder(lockDir);
    expect(holder?.command).toBe("run-operation");
    const refused = sluice(["build", "--project-dir", project.dir]);
    // The operation's cross join takes seconds, so it still runs when the build has been refused.
    expect(await Promise.race([opEnded.then(() => "ended"), Promise.resolve("running")])).toBe("running");
    expect(refused.code, refused.stdout + refused.stderr).toBe(3);
    expect(refused.stderr).toMatch(/another build holds the lock .*: run-operation run /);
    expect(await opEnded).toBe(0);
    expect(RunLock.holder(lockDir)).toBeUndefined();
    expect(sluice(["build", "--project-dir", project.dir]).code).toBe(0);
  }, 120_000);
});
