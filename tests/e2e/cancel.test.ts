// Ctrl-C and SIGTERM on a real build of the example project: a slow lake model is running when the
// signal arrives, and the model downstream of it has not started. The build must cancel the query,
// clean up, write run_results.json, release the lock and exit 130 or 143; a second signal exits at
// once. And a build piped into `head -1` must not crash on EPIPE.
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { RunLock } from "../../src/ledger/run-lock.js";
import { sluice } from "../helpers/cli.js";
import { queryDuckDb } from "../helpers/duckdb.js";
import { exampleProject, REPO_ROOT, tempProject, type TempProject } from "../helpers/temp-project.js";

let project: TempProject | undefined;
afterEach(() => project?.remove());

/** A lake model that would run for minutes, and a mart model that reads it. */
const SLOW = `{{ config(materialized='table', connection='lake', compute='lake') }}
select a.range as a, sum(a.range * b.range % 7) as s from range(3000) a, range(10000000) b group by a.range`;
const AFTER = `{{ config(materialized='table', connection='mart', compute='lake') }}
select count(*) as n from {{ ref('slow_lake') }}`;

function slowExample(): TempProject {
  const p = exampleProject();
  p.write("models/lake/slow_lake.sql", SLOW);
  p.write("models/marts/after_slow.sql", AFTER);
  return p;
}

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** From the first signal sent to the process's end. */
  afterSignalMs: number;
}

/** Starts a build, waits until the slow model has started, then sends `signals` 100 ms apart. */
function buildAndSignal(dir: string, signals: NodeJS.Signals[]): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, "bin/sluice.js"), "build", "--project-dir", dir], {
      env: { ...process.env, CI: "true", NO_COLOR: "1" },
    });
    let stdout = "";
    let stderr = "";
    let signalledAt = 0;
    const guard = setTimeout(() => child.kill("SIGKILL"), 90_000);
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      if (signalledAt === 0 && /START build_table model\.slow_lake/.test(stdout)) {
        signalledAt = Date.now();
        // Let the slow statement reach the engine before the signal.
        // A second signal comes 10 ms after the first: well inside the clean-up it must cut short
        // (at 100 ms a quiet machine had often finished cleaning up), yet apart enough that the
        // kernel delivers two signals rather than one pending.
        setTimeout(() => {
          for (const [i, s] of signals.entries()) setTimeout(() => child.kill(s), i * 10);
        }, 500);
      }
    });
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(guard);
      resolve({
        code,
        signal,
        stdout,
        stderr,
        afterSignalMs: signalledAt ? Date.now() - signalledAt - 500 : -1,
      });
    });
  });
}

function filesUnder(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).map((f) => f.split("\\").join("/"));
}

async function expectCancelledCleanly(
  dir: string,
  ended: Ended,
  signal: "SIGINT" | "SIGTERM",
): Promise<void> {
  expect(ended.code, ended.stdout + ended.stderr).toBe(signal === "SIGINT" ? 130 : 143);
  // The slow statement alone would run for minutes: the engine stopped it.
  expect(ended.afterSignalMs).toBeLessThan(15_000);
  expect(ended.stderr).toContain(
    `${signal}: cancelling. No new step starts and running queries are being cancelled`,
  );
  expect(ended.stdout).toMatch(
    new RegExp(`CANCELLED build_table model\\.slow_lake .*cancelled by ${signal}`),
  );
  expect(ended.stderr).not.toMatch(/\n\s+at /);

  const results = JSON.parse(readFileSync(join(dir, "target/run_results.json"), "utf8")) as {
    success: boolean;
    cancelledBy?: string;
    results: { node: string; status: string }[];
  };
  expect(results.success).toBe(false);
  expect(results.cancelledBy).toBe(signal);
  const status = new Map(results.results.map((r) => [r.node, r.status]));
  expect(status.get("model.slow_lake")).toBe("cancelled");
  expect(status.get("model.after_slow")).toBe("not_started");
  // Whatever else was running or waiting when the signal came is cancelled or not started; the
  // rest finished; nothing is reported as failed.
  expect(
    [...new Set(status.values())].filter((s) => !["success", "pass", "cancelled", "not_started"].includes(s)),
  ).toEqual([]);
  const named = (want: string) => results.results.filter((r) => r.status === want).map((r) => r.node);
  const [cancelled, notStarted] = [named("cancelled"), named("not_started")];
  expect(ended.stdout).toContain(
    `Cancelled by ${signal}: ${cancelled.length} running step${cancelled.length === 1 ? "" : "s"} cancelled (${cancelled.join(", ")}), ` +
      `${notStarted.length} not started (${notStarted.join(", ")})`,
  );

  // Engines closed cleanly (no WAL left to replay), no staging folder, and the lock was released
  // rather than left for the next build to take over.
  const state = filesUnder(join(dir, ".sluice"));
  expect(state.filter((f) => f.endsWith(".wal"))).toEqual([]);
  expect(state.filter((f) => f.includes("_staging_"))).toEqual([]);
  const notices: string[] = [];
  const lock = await RunLock.acquire(join(dir, ".sluice/dev/run.lock"), {
    runId: "after",
    command: "build",
    waitMs: 0,
    notice: (m) => notices.push(m),
  });
  lock.release();
  expect(notices).toEqual([]);
  const ledger = await queryDuckDb(
    { l: join(dir, ".sluice/dev/ledger.duckdb") },
    "select status from l.main.runs order by started_at desc limit 1",
  );
  expect(ledger).toEqual([{ status: "cancelled" }]);
}

describe("a cancelled build", () => {
  it("on SIGINT cancels the running query, cleans up, writes run_results.json, releases the lock and exits 130", async () => {
    project = slowExample();
    const ended = await buildAndSignal(project.dir, ["SIGINT"]);
    await expectCancelledCleanly(project.dir, ended, "SIGINT");

    // The next build finishes the work (with the slow model made quick).
    project.write("models/lake/slow_lake.sql", SLOW.replace("range(10000000)", "range(10)"));
    const next = sluice(["build", "--project-dir", project.dir]);
    expect(next.code, next.stdout + next.stderr).toBe(0);
    expect(
      await queryDuckDb(
        { m: join(project.dir, ".sluice/dev/mart.duckdb") },
        "select n::int as n from m.main.after_slow",
      ),
    ).toEqual([{ n: 3000 }]);
  }, 180_000);

  it("on SIGTERM does the same and exits 143", async () => {
    project = slowExample();
    const ended = await buildAndSignal(project.dir, ["SIGTERM"]);
    await expectCancelledCleanly(project.dir, ended, "SIGTERM");
  }, 180_000);

  it("exits at once on a second signal", async () => {
    // The first signal's clean-up can finish within the 10 ms before the second arrives; then
    // the run ended cleanly with 130 and there is nothing to prove, so try again (at most 4 times).
    const ends: Ended[] = [];
    for (let attempt = 0; attempt < 4 && !ends.some((e) => e.signal === "SIGINT"); attempt++) {
      project?.remove();
      project = slowExample();
      ends.push(await buildAndSignal(project.dir, ["SIGINT", "SIGINT"]));
    }
    for (const e of ends) expect(e.signal === "SIGINT" || e.code === 130, e.stdout + e.stderr).toBe(true);
    // Killed by the signal itself, which a shell reports as 130.
    const killed = ends.find((e) => e.signal === "SIGINT");
    expect(killed, "the second signal never arrived during the clean-up").toBeDefined();
    expect(killed!.stderr).toContain("SIGINT again: exiting at once");
    expect(killed!.afterSignalMs).toBeLessThan(15_000);
  }, 300_000);
});

describe("a build piped into head -1", () => {
  it("does not crash on EPIPE and exits with the build's own code", () => {
    project = tempProject(
      Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`models/m${i}.sql`, `select ${i} as id`])),
    );
    const run = spawnSync(
      "bash",
      [
        "-c",
        `"${process.execPath}" "${join(REPO_ROOT, "bin/sluice.js")}" build --project-dir "${project.dir}" | head -1; echo "exit \${PIPESTATUS[0]}" >&2`,
      ],
      {
        env: { ...process.env, CI: "true", NO_COLOR: "1" },
        encoding: "utf8",
        timeout: 120_000,
      },
    );
    expect(run.stdout).toBe("Running build: 30 steps\n");
    expect(run.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(run.stderr.trim()).toBe("exit 0");
    const results = JSON.parse(readFileSync(join(project.dir, "target/run_results.json"), "utf8")) as {
      success: boolean;
      results: unknown[];
    };
    expect(results).toMatchObject({ success: true });
    expect(results.results.length).toBe(30);
  }, 120_000);
});
