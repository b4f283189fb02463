// A build that starts right after `plan` (or the docs catalog) found the run lock free: the reader
// copies the DuckDB files and the ledger while the build writes them. The window is held open with the test-only pause
// SLUICE_TEST_PAUSE_AFTER_LOCK_CHECK (plan stops after its lock check until a file appears), a real
// build is started in it, and plan must not print what it read during the build.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { Ledger } from "../../src/ledger/ledger.js";
import { RunLock } from "../../src/ledger/run-lock.js";
import { type CliResult, sluice } from "../helpers/cli.js";
import { REPO_ROOT, tempProject, type TempProject } from "../helpers/temp-project.js";

let project: TempProject | undefined;
let scratch: string | undefined;
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill("SIGKILL");
  project?.remove();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** A quick table, and a table whose query keeps the build busy for seconds. */
const FILES = {
  "models/a.sql": "{{ config(materialized='table') }}\nselect 1 as id\n",
  "models/slow.sql":
    "{{ config(materialized='table') }}\nselect sum(a.range * b.range % 7) as s from range(2000) a, range(100000) b\n",
};

interface Started {
  done: Promise<CliResult>;
  /** Resolves once the output so far matches `pattern`. */
  said(pattern: RegExp): Promise<void>;
}

function start(args: string[], env: Record<string, string> = {}): Started {
  const child = spawn(process.execPath, [join(REPO_ROOT, "bin/sluice.js"), ...args], {
    env: { ...process.env, CI: "true", NO_COLOR: "1", ...env },
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  const look = () => {
    for (const w of [...waiters])
      if (w.pattern.test(stdout + stderr)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
  };
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
    look();
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
    look();
  });
  const done = new Promise<CliResult>((resolve) =>
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr })),
  );
  return {
    done,
    said: (pattern) =>
      new Promise<void>((resolve) => {
        waiters.push({ pattern, resolve });
        look();
      }),
  };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(10);
  }
}

/**
 * Starts plan (paused after its lock check), then a build, and lets plan read once the build
 * holds the lock; returns both results and what plan printed before any of it.
 */
async function planRacingBuild(planArgs: string[]) {
  project = tempProject(FILES);
  scratch = mkdtempSync(join(tmpdir(), "sluice-race-"));
  const before = sluice(["plan", "--project-dir", project.dir]);
  expect(before.code, before.stderr).toBe(0);
  const go = join(scratch, "go");
  const plan = start(["plan", "--project-dir", project.dir, ...planArgs], {
    SLUICE_TEST_PAUSE_AFTER_LOCK_CHECK: go,
  });
  await plan.said(/test pause: the run lock was free/);
  const build = start(["build", "--project-dir", project.dir]);
  const lock = join(project.dir, ".sluice/dev/run.lock");
  await until(() => RunLock.holder(lock) !== undefined, "the build holds the lock");
  writeFileSync(go, "");
  return { before, plan: await plan.done, build: await build.done };
}

describe("readers racing a build that starts right after their lock check", () => {
  it("throws away what it read during the build, waits for it, and prints the plan of what the build left", async () => {
    const { before, plan, build } = await planRacingBuild(["--lock-timeout", "600"]);
    expect(build.code, build.stderr).toBe(0);
    expect(plan.code, plan.stderr).toBe(0);
    const after = sluice(["plan", "--project-dir", project!.dir]);
    expect(after.code, after.stderr).toBe(0);
    // The build changed what plan says, so a plan of what was copied during it would differ.
    expect(after.stdout).not.toEqual(before.stdout);
    expect(after.stdout).toMatch(/skip\s+model\.slow: unchanged since it was built/);
    expect(plan.stdout).toEqual(after.stdout);
    expect(plan.stderr).toMatch(
      /build run \S+, pid \d+ on .* took the run lock .* while plan read; what was read is thrown away and read again once the lock is free/,
    );
  }, 180_000);

  it("with no --lock-timeout exits 3 naming the holder that took the lock, and prints no plan", async () => {
    project = tempProject(FILES);
    scratch = mkdtempSync(join(tmpdir(), "sluice-race-"));
    const go = join(scratch, "go");
    const plan = start(["plan", "--project-dir", project.dir], { SLUICE_TEST_PAUSE_AFTER_LOCK_CHECK: go });
    await plan.said(/test pause: the run lock was free/);
    // This process takes the lock in the window, as a build would, and holds it until plan ends.
    const held = await RunLock.acquire(join(project.dir, ".sluice/dev/run.lock"), {
      runId: "racer",
      command: "build",
      waitMs: 0,
    });
    try {
      writeFileSync(go, "");
      const ended = await plan.done;
      expect(ended.code, ended.stderr).toBe(3);
      expect(ended.stdout).toBe("");
      expect(ended.stderr).toMatch(/build run racer, pid \d+ on .* took the run lock .* while plan read/);
      expect(ended.stderr).toMatch(/error: another build holds the lock .*: build run racer, pid \d+/);
      expect(() => held.assertHeld()).not.toThrow();
    } finally {
      held.release();
    }
  }, 180_000);

  it("docs generate does not use the engine catalog it read while a build took the lock", async () => {
    project = tempProject({ "models/a.sql": FILES["models/a.sql"] });
    expect(sluice(["build", "--project-dir", project.dir]).code).toBe(0);
    scratch = mkdtempSync(join(tmpdir(), "sluice-race-"));
    const go = join(scratch, "go");
    const docs = start(["docs", "generate", "--project-dir", project.dir], {
      SLUICE_TEST_PAUSE_AFTER_LOCK_CHECK: go,
    });
    await docs.said(/test pause: the run lock was free/);
    const held = await RunLock.acquire(join(project.dir, ".sluice/dev/run.lock"), {
      runId: "racer",
      command: "build",
      waitMs: 0,
    });
    try {
      writeFileSync(go, "");
      const ended = await docs.done;
      expect(ended.code, ended.stderr).toBe(0);
      expect(ended.stdout).toContain(
        "Catalog: warehouse not read (a build took the run lock while its files were read; not used); its columns are the declared ones",
      );
      expect(ended.stdout).not.toContain("Catalog: read columns and types from warehouse");
    } finally {
      held.release();
    }
    // Once the lock is free the same project's catalog is read.
    const again = sluice(["docs", "generate", "--project-dir", project.dir]);
    expect(again.stdout).toContain("Catalog: read columns and types from warehouse");
  }, 180_000);

  it("ledger show --lock-timeout waits for the holder to finish, then prints what the ledger holds", async () => {
    project = tempProject({ "models/a.sql": FILES["models/a.sql"] });
    const ledger = await Ledger.open(join(project.dir, ".sluice/dev/ledger.duckdb"));
    await ledger.commitLoad(
      "r1",
      "model.a",
      [{ model: "model.a", modelVersion: "v", partition: ["202101"], rows: 3, checksum: null }],
      [],
      true,
    );
    await ledger.close();
    const held = await RunLock.acquire(join(project.dir, ".sluice/dev/run.lock"), {
      runId: "holder",
      command: "build",
      waitMs: 0,
    });
    let released = false;
    try {
      const show = start(["ledger", "show", "--project-dir", project.dir, "--json", "--lock-timeout", "600"]);
      await show.said(/is held by build run holder, pid \d+ on .*; waiting up to 600 s\n/);
      held.release();
      released = true;
      const ended = await show.done;
      expect(ended.code, ended.stderr).toBe(0);
      const shown = JSON.parse(ended.stdout) as Record<
        string,
        { partition: string[]; rows: number; runId: string }[]
      >;
      expect(shown["model.a"]?.map((p) => [p.partition, p.rows, p.runId])).toEqual([[["202101"], 3, "r1"]]);
    } finally {
      if (!released) held.release();
    }
  }, 120_000);
});

describe("debug while a build starts", () => {
  it("opens copies of the DuckDB files, so a build that starts while debug has a session open runs", async () => {
    project = tempProject({ "models/a.sql": FILES["models/a.sql"] });
    scratch = mkdtempSync(join(tmpdir(), "sluice-race-"));
    expect(sluice(["build", "--project-dir", project.dir]).code).toBe(0);
    const go = join(scratch, "go");
    // debug holds its DuckDB session open (test-only pause) while a real build opens the same file.
    const debug = start(["debug", "--project-dir", project.dir], {
      SLUICE_TEST_PAUSE_IN_DEBUG_DUCKDB_SESSION: go,
    });
    await debug.said(/test pause: SLUICE_TEST_PAUSE_IN_DEBUG_DUCKDB_SESSION/);
    project.write("models/b.sql", "{{ config(materialized='table') }}\nselect 2 as id\n");
    const build = sluice(["build", "--project-dir", project.dir]);
    writeFileSync(go, "");
    const checked = await debug.done;
    expect(build.stderr).toBe("");
    expect(build.code).toBe(0);
    expect(checked.code, checked.stderr).toBe(0);
    expect(checked.stdout).toMatch(/warehouse \(duckdb\): OK, DuckDB v/);
  }, 120_000);
});
