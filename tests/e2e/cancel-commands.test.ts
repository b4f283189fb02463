// Ctrl-C and SIGTERM on the commands that are not a run: run-operation (while its statement runs,
// and while it waits for the lock), plan (while it waits for a build), ledger compact and ledger
// show (while a ledger statement runs) and docs generate (while it works out the site). Each test
// spawns the real binary and sends the signal once the command has said it got that far.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Ledger } from "../../src/ledger/ledger.js";
import { RunLock } from "../../src/ledger/run-lock.js";
import { queryDuckDb } from "../helpers/duckdb.js";
import { sluice } from "../helpers/cli.js";
import { REPO_ROOT, tempProject, type TempProject } from "../helpers/temp-project.js";

let project: TempProject | undefined;
let scratch: string | undefined;
afterEach(() => {
  project?.remove();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** A statement that would run for many minutes. */
const SLOW_MACRO =
  "{% macro slow() %}create or replace table slow_t as select sum(a.range * b.range % 7) as s from range(200000) a, range(1000000) b{% endmacro %}";

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** From the first signal to the process's end. */
  afterSignalMs: number;
}

/**
 * Runs sluice with `args`, and once `ready` matches its output sends `signals` 10 ms apart (after
 * `settleMs`, which lets a statement that was just started reach the engine).
 */
function runAndSignal(
  args: string[],
  ready: RegExp,
  signals: NodeJS.Signals[],
  options: { settleMs?: number; env?: Record<string, string> } = {},
): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, "bin/sluice.js"), ...args], {
      env: { ...process.env, CI: "true", NO_COLOR: "1", ...options.env },
    });
    let stdout = "";
    let stderr = "";
    let signalledAt = 0;
    const guard = setTimeout(() => child.kill("SIGKILL"), 90_000);
    const look = () => {
      if (signalledAt !== 0 || !ready.test(stdout + stderr)) return;
      signalledAt = Date.now() + (options.settleMs ?? 0);
      setTimeout(() => {
        for (const [i, s] of signals.entries()) setTimeout(() => child.kill(s), i * 10);
      }, options.settleMs ?? 0);
    };
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      look();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      look();
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr, afterSignalMs: signalledAt ? Date.now() - signalledAt : -1 });
    });
  });
}

function files(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).map((f) => f.split("\\").join("/"));
}

/** The lock is free and was released (not left for a takeover). */
async function expectLockReleased(dir: string): Promise<void> {
  const notices: string[] = [];
  const lock = await RunLock.acquire(join(dir, ".sluice/dev/run.lock"), {
    runId: "after",
    command: "build",
    waitMs: 0,
    notice: (m) => notices.push(m),
  });
  lock.release();
  expect(notices).toEqual([]);
}

const operation = (dir: string, ...more: string[]) => [
  "run-operation",
  "slow",
  "-c",
  "warehouse",
  "--project-dir",
  dir,
  ...more,
];

describe("a cancelled run-operation", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`on ${signal} interrupts the running statement, closes the engine, releases the lock and exits ${signal === "SIGINT" ? 130 : 143}`, async () => {
      project = tempProject({ "macros/slow.sql": SLOW_MACRO });
      const ended = await runAndSignal(
        operation(project.dir),
        /Running slow on warehouse: 1 statement\n/,
        [signal],
        {
          settleMs: 500,
        },
      );
      expect(ended.code, ended.stdout + ended.stderr).toBe(signal === "SIGINT" ? 130 : 143);
      // The statement alone would run for many minutes: the engine stopped it.
      expect(ended.afterSignalMs).toBeLessThan(15_000);
      expect(ended.stderr).toContain(`${signal}: cancelling.`);
      expect(ended.stderr).toContain(
        `Cancelled by ${signal}: run-operation slow stopped after 0 of 1 statement on warehouse; the lock was released`,
      );
      expect(ended.stderr).not.toMatch(/\n\s+at /);
      expect(ended.stdout).not.toContain("Ran slow");
      const state = files(join(project.dir, ".sluice"));
      expect(state.filter((f) => f.endsWith(".wal"))).toEqual([]);
      expect(state.filter((f) => f.startsWith("tmp/") && f !== "tmp/")).toEqual([]);
      await expectLockReleased(project.dir);
    }, 120_000);
  }

  it("exits at once on a second signal", async () => {
    project = tempProject({ "macros/slow.sql": SLOW_MACRO });
    const ended = await runAndSignal(
      operation(project.dir),
      /Running slow on warehouse/,
      ["SIGINT", "SIGINT"],
      {
        settleMs: 500,
      },
    );
    // Killed by the signal itself (a shell reports 130), or, when the clean-up beat the second
    // signal, a clean 130; either way it says what it does and ends well before the statement would.
    expect(ended.signal === "SIGINT" || ended.code === 130, ended.stdout + ended.stderr).toBe(true);
    // Killed by the second signal: it said so, or it came while the process was already ending
    // after a finished clean-up (Node's exit puts the default handler back for its last moments).
    if (ended.signal === "SIGINT")
      expect(ended.stderr, JSON.stringify(ended)).toMatch(
        /SIGINT again: exiting at once|Cancelled by SIGINT: /,
      );
    expect(ended.afterSignalMs).toBeLessThan(15_000);
  }, 120_000);

  it("on SIGTERM while it waits for the lock stops waiting at once, exits 143 and leaves the lock alone", async () => {
    project = tempProject({ "macros/slow.sql": SLOW_MACRO });
    expect(sluice(["compile", "--project-dir", project.dir]).code).toBe(0);
    const held = await RunLock.acquire(join(project.dir, ".sluice/dev/run.lock"), {
      runId: "holder",
      command: "build",
      waitMs: 0,
    });
    try {
      const ended = await runAndSignal(
        operation(project.dir, "--lock-timeout", "600"),
        /is held by build run holder, pid \d+ on .*; waiting up to 600 s\n/,
        ["SIGTERM"],
      );
      expect(ended.code, ended.stdout + ended.stderr).toBe(143);
      expect(ended.afterSignalMs).toBeLessThan(5_000);
      expect(ended.stderr).toContain(
        "Cancelled by SIGTERM: run-operation slow stopped after 0 of 0 statements",
      );
      expect(ended.stdout).toBe("");
      // The holder still holds it: the waiting process took nothing over.
      expect(() => held.assertHeld()).not.toThrow();
      expect(RunLock.holder(join(project.dir, ".sluice/dev/run.lock"))?.runId).toBe("holder");
    } finally {
      held.release();
    }
  }, 120_000);
});

describe("a cancelled plan", () => {
  it("on SIGINT while it waits for a build exits 130, prints no plan and writes nothing", async () => {
    project = tempProject({ "models/a.sql": "select 1 as id" });
    scratch = mkdtempSync(join(tmpdir(), "sluice-plan-cancel-"));
    const held = await RunLock.acquire(join(project.dir, ".sluice/dev/run.lock"), {
      runId: "holder",
      command: "build",
      waitMs: 0,
    });
    try {
      const before = files(project.dir).sort();
      const ended = await runAndSignal(
        ["plan", "--project-dir", project.dir, "--lock-timeout", "600"],
        /waiting up to 600 s\n/,
        ["SIGINT"],
        { env: { TMPDIR: scratch } },
      );
      expect(ended.code, ended.stdout + ended.stderr).toBe(130);
      expect(ended.afterSignalMs).toBeLessThan(5_000);
      expect(ended.stderr).toContain("Cancelled by SIGINT: plan stopped; nothing was printed or written");
      expect(ended.stdout).toBe("");
      expect(
        files(project.dir)
          .filter((f) => !f.startsWith("target"))
          .sort(),
      ).toEqual(before.filter((f) => !f.startsWith("target")));
      expect(readdirSync(scratch)).toEqual([]);
    } finally {
      held.release();
    }
  }, 120_000);
});

/** The slow statement the fault hook runs first (src/adapters/fault-injection.ts) has started. */
const SLOWED = /fault injection: a slow statement runs before .*\n/;

/** A ledger with superseded facts: one partition and one watermark loaded twice, by two runs. */
async function ledgerWithHistory(dir: string): Promise<string> {
  const path = join(dir, ".sluice/dev/ledger.duckdb");
  const ledger = await Ledger.open(path);
  try {
    for (const [run, to] of [
      ["r1", "2021-01-01"],
      ["r2", "2021-02-01"],
    ] as const) {
      await ledger.commitLoad(
        run,
        "model.a",
        [{ model: "model.a", modelVersion: "v", partition: ["202101"], rows: 3, checksum: null }],
        [
          {
            model: "model.a",
            modelVersion: "v",
            source: "s.t",
            from: null,
            to: { value: to, kind: "timestamp" },
          },
        ],
        true,
      );
    }
  } finally {
    await ledger.close();
  }
  return path;
}

describe("a cancelled ledger compact", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`on ${signal} in the middle of its transaction rolls it back, records the run cancelled, releases the lock and exits ${signal === "SIGINT" ? 130 : 143}`, async () => {
      project = tempProject({ "models/a.sql": "select 1 as id" });
      const ledgerPath = await ledgerWithHistory(project.dir);
      // The first delete (partition_loads) has run when the slow statement starts.
      const ended = await runAndSignal(
        ["ledger", "compact", "--project-dir", project.dir],
        SLOWED,
        [signal],
        { settleMs: 300, env: { SLUICE_FAULT_SLOW_STATEMENT_BEFORE: "delete from watermarks" } },
      );
      expect(ended.code, ended.stdout + ended.stderr).toBe(signal === "SIGINT" ? 130 : 143);
      expect(ended.afterSignalMs).toBeLessThan(15_000);
      expect(ended.stderr).toContain(
        `Cancelled by ${signal}: ledger compact stopped; the compaction was rolled back unless it said it was done, and the lock was released`,
      );
      expect(ended.stderr).not.toMatch(/\n\s+at /);
      expect(ended.stdout).not.toContain("Compacted");
      expect(files(join(project.dir, ".sluice")).filter((f) => f.endsWith(".wal"))).toEqual([]);
      await expectLockReleased(project.dir);
      const runs = await queryDuckDb({ l: ledgerPath }, "select command, status from l.runs");
      expect(runs).toEqual([{ command: "ledger compact", status: "cancelled" }]);
      // Nothing was folded, the partition_loads delete included: a compaction now folds both facts.
      const again = sluice(["ledger", "compact", "--project-dir", project.dir]);
      expect(again.stderr).toBe("");
      expect(again.stdout).toBe("Compacted the ledger: 2 superseded facts folded away\n");
    }, 120_000);
  }
});

describe("a cancelled ledger show", () => {
  it("on SIGINT while its ledger query runs exits 130, prints nothing and leaves no copy and no lock", async () => {
    project = tempProject({ "models/a.sql": "select 1 as id" });
    await ledgerWithHistory(project.dir);
    scratch = mkdtempSync(join(tmpdir(), "sluice-show-cancel-"));
    const before = files(project.dir).sort();
    const ended = await runAndSignal(["ledger", "show", "--project-dir", project.dir], SLOWED, ["SIGINT"], {
      settleMs: 300,
      env: { SLUICE_FAULT_SLOW_STATEMENT_BEFORE: "from partition_loads", TMPDIR: scratch },
    });
    expect(ended.code, ended.stdout + ended.stderr).toBe(130);
    expect(ended.afterSignalMs).toBeLessThan(15_000);
    expect(ended.stderr).toContain(
      "Cancelled by SIGINT: ledger show stopped; nothing was printed or written",
    );
    expect(ended.stdout).toBe("");
    expect(files(project.dir).sort()).toEqual(before);
    expect(readdirSync(scratch)).toEqual([]);
  }, 120_000);
});

/** Every file under `dir` with a hash of its content. */
function contents(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of files(dir)) {
    const path = join(dir, f);
    if (statSync(path).isFile()) out[f] = createHash("sha256").update(readFileSync(path)).digest("hex");
  }
  return out;
}

describe("a cancelled docs generate", () => {
  /** Enough models that working out the site takes a while after the catalog line. */
  const models = (column: string) =>
    Object.fromEntries(
      Array.from({ length: 600 }, (_, i) => [
        `models/m${i}.sql`,
        `select ${i} as id, 'v' as ${column}, count(*) over (partition by ${i % 7}) as n from {{ ref('base') }}`,
      ]),
    );

  it("on SIGINT and on SIGTERM while it works out the site leaves the previous site and catalog as they were", async () => {
    project = tempProject({ "models/base.sql": "select 1 as id", ...models("v1") });
    const first = sluice(["docs", "generate", "--project-dir", project.dir]);
    expect(first.code, first.stderr).toBe(0);
    const target = join(project.dir, "target");
    const site = contents(join(target, "docs"));
    const catalog = readFileSync(join(target, "catalog.json"), "utf8");
    // Every model changes, so a site written now would differ from the first one.
    for (const [path, text] of Object.entries(models("v2"))) project.write(path, text);
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      const ended = await runAndSignal(
        ["docs", "generate", "--project-dir", project.dir],
        /Catalog: warehouse not read/,
        [signal],
      );
      expect(ended.code, ended.stdout + ended.stderr).toBe(signal === "SIGINT" ? 130 : 143);
      expect(ended.stderr).toContain(
        `Cancelled by ${signal}: docs generate stopped before writing the site; target/docs/ is as it was`,
      );
      expect(ended.stdout).not.toContain("Wrote the docs site");
      expect(contents(join(target, "docs"))).toEqual(site);
      expect(readFileSync(join(target, "catalog.json"), "utf8")).toBe(catalog);
      expect(readdirSync(target).filter((f) => f.startsWith(".docs-"))).toEqual([]);
      expect(existsSync(join(project.dir, ".sluice"))).toBe(false);
    }
    // And the next generate writes the new site whole.
    const next = sluice(["docs", "generate", "--project-dir", project.dir]);
    expect(next.code, next.stderr).toBe(0);
    expect(readFileSync(join(target, "docs/details.js"), "utf8")).toContain("as v2");
  }, 300_000);
});

describe("a docs generate killed while it swaps the site in", () => {
  /** The site a kill left: target/docs/, or, killed between the swap's renames, the one kept aside. */
  const siteLeft = (target: string) => {
    if (existsSync(join(target, "docs"))) return join(target, "docs");
    const aside = readdirSync(target).filter((f) => f.startsWith(".docs-retired-"));
    expect(aside).toHaveLength(1);
    return join(target, aside[0]!);
  };
  /** Which generate wrote the site in `dir`: v1 or v2, asserting it is whole. */
  const version = (dir: string, names: string[]) => {
    expect(Object.keys(contents(dir)).sort()).toEqual(names);
    const details = readFileSync(join(dir, "details.js"), "utf8");
    return details.includes("as v2") ? "v2" : details.includes("as v1") ? "v1" : "neither";
  };

  it("leaves the old or the new site whole after a SIGKILL at each step, and the next generate cleans up", () => {
    project = tempProject({ "models/a.sql": "select 1 as id, 'x' as v1" });
    const target = join(project.dir, "target");
    const generate = (kill?: string) =>
      sluice(["docs", "generate", "--project-dir", project!.dir, "--offline"], {
        env: kill ? { SLUICE_TEST_KILL_DOCS_AT: kill } : {},
      });
    expect(generate().code).toBe(0);
    const names = Object.keys(contents(join(target, "docs")))
      .filter((f) => f !== "catalog.json")
      .sort();
    // Each round replaces the site the last one left (v1 or v2) by the other.
    let old: "v1" | "v2" = "v1";
    const steps = [
      ["draft-written", "old"],
      ["old-site-aside", "old"],
      ["new-site-in", "new"],
      ["old-site-removed", "new"],
      ["catalog-in", "new"],
    ] as const;
    for (const [step, left] of steps) {
      const fresh: "v1" | "v2" = old === "v1" ? "v2" : "v1";
      project.write("models/a.sql", `select 1 as id, 'x' as ${fresh}`);
      const killed = generate(step);
      expect(killed.code, `${step}: ${killed.stderr}`).toBe(-1);
      const dir = siteLeft(target);
      // Killed before the catalog's rename, the new site still holds its catalog.json.
      const catalogInside = left === "new" && step !== "catalog-in";
      expect(version(dir, catalogInside ? [...names, "catalog.json"].sort() : names), step).toBe(
        left === "old" ? old : fresh,
      );
      if (step === "old-site-aside") {
        // The next generate puts the old site back before anything else: killed again before its
        // own swap, it leaves the old site at target/docs/.
        expect(generate("draft-written").code).toBe(-1);
        expect(version(join(target, "docs"), names)).toBe(old);
      }
      const next = generate();
      expect(next.code, next.stderr).toBe(0);
      expect(version(join(target, "docs"), names), step).toBe(fresh);
      expect(
        readdirSync(target).filter((f) => f.startsWith(".docs-")),
        step,
      ).toEqual([]);
      expect(() => JSON.parse(readFileSync(join(target, "catalog.json"), "utf8"))).not.toThrow();
      old = fresh;
    }
  }, 300_000);
});
