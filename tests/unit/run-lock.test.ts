// The run lock with real processes: takeover races, damaged lock files, stopped holders, and a
// holder that lost the lock being unable to commit to the ledger.
import { fork, spawn, spawnSync, type ChildProcess } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Ledger } from "../../src/ledger/ledger.js";
import { LockHeldError, LockLostError, processStartTime, RunLock } from "../../src/ledger/run-lock.js";
import { REPO_ROOT } from "../helpers/temp-project.js";

const dirs: string[] = [];
const children: ChildProcess[] = [];
const lockPath = () => {
  const dir = mkdtempSync(join(tmpdir(), "sluice-lock-"));
  dirs.push(dir);
  return join(dir, "run.lock");
};
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill("SIGKILL");
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A pid that surely belongs to no process: one that just exited. */
const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid!;
const quiet = { notice: () => undefined };
const holderJson = (overrides: Record<string, unknown>) =>
  JSON.stringify({
    host: hostname(),
    pid: process.pid,
    runId: "other",
    command: "build",
    startedAt: "2026-11-25T10:00:00.000Z",
    ...overrides,
  });
const generationFiles = (path: string) =>
  readdirSync(path)
    .filter((n) => /^\d{12}\.json$/.test(n))
    .sort();
/** Writes the generation after the newest, as another process's lock would be. */
function writeGeneration(path: string, text: string, modified?: Date): void {
  mkdirSync(path, { recursive: true });
  const newest = Number(generationFiles(path).at(-1)?.slice(0, 12) ?? 0);
  const file = join(path, `${String(newest + 1).padStart(12, "0")}.json`);
  writeFileSync(file, text);
  if (modified) utimesSync(file, modified, modified);
}

interface ChildMessage {
  kind: string;
  round?: number;
  token?: number;
  double?: boolean;
  held?: boolean;
}

class LockChild {
  private queue: ChildMessage[] = [];
  private waiters: ((m: ChildMessage) => void)[] = [];
  readonly process: ChildProcess;
  constructor(path: string, args: string[] = []) {
    this.process = fork(join(REPO_ROOT, "tests/helpers/lock-child.ts"), [path, ...args], {
      cwd: REPO_ROOT,
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    children.push(this.process);
    this.process.on("message", (m: ChildMessage) => {
      const waiter = this.waiters.shift();
      if (waiter) waiter(m);
      else this.queue.push(m);
    });
  }
  next(): Promise<ChildMessage> {
    const m = this.queue.shift();
    return m ? Promise.resolve(m) : new Promise((resolve) => this.waiters.push(resolve));
  }
  async ask(message: Record<string, unknown>): Promise<ChildMessage> {
    this.process.send(message);
    return this.next();
  }
  exited(): Promise<void> {
    return this.process.exitCode !== null
      ? Promise.resolve()
      : new Promise((resolve) => this.process.once("exit", () => resolve()));
  }
}

describe("run lock", () => {
  it("refuses a second holder at once, naming the first", async () => {
    const path = lockPath();
    const first = await RunLock.acquire(path, { runId: "r1", command: "build", waitMs: 0 });
    const second = RunLock.acquire(path, { runId: "r2", command: "build", waitMs: 0 });
    await expect(second).rejects.toThrow(LockHeldError);
    await expect(second).rejects.toThrow(new RegExp(`build run r1, pid ${process.pid} on ${hostname()}`));
    first.release();
  });

  it("waits for the holder to release when asked to wait, and the generation grows", async () => {
    const path = lockPath();
    const first = await RunLock.acquire(path, { runId: "r1", command: "build", waitMs: 0 });
    setTimeout(() => first.release(), 200);
    const second = await RunLock.acquire(path, {
      runId: "r2",
      command: "build",
      waitMs: 5_000,
      pollEveryMs: 20,
    });
    expect(second.token).toBe(first.token + 1);
    second.release();
  });

  it("reads a released lock as free after a copy that does not keep file times", async () => {
    const path = lockPath();
    (await RunLock.acquire(path, { runId: "r1", command: "build", waitMs: 0 })).release();
    // cp -r, a CI cache or a checkout gives the file a fresh time; the holder's pid is this live one.
    for (const name of generationFiles(path)) utimesSync(join(path, name), new Date(), new Date());
    const notices: string[] = [];
    const again = await RunLock.acquire(path, {
      runId: "r2",
      command: "build",
      waitMs: 0,
      notice: (m) => notices.push(m),
    });
    again.release();
    expect(notices).toEqual([]);
  });

  it("takes over a lock whose process is gone, saying so", async () => {
    const path = lockPath();
    const pid = deadPid();
    writeGeneration(path, holderJson({ pid, runId: "dead-run" }));
    const notices: string[] = [];
    const lock = await RunLock.acquire(path, {
      runId: "r3",
      command: "build",
      waitMs: 0,
      notice: (m) => notices.push(m),
    });
    expect(notices).toEqual([`taking over the run lock of build run dead-run: its process ${pid} is gone`]);
    lock.release();
  });

  it("reads a start time through ps (the macOS and BSD path) the same whatever the caller's time zone", () => {
    // Run on this machine's own ps: what macOS's ps prints is not checked here.
    const zone = process.env["TZ"];
    try {
      process.env["TZ"] = "Asia/Tokyo";
      const tokyo = processStartTime(process.pid, "darwin");
      process.env["TZ"] = "America/Los_Angeles";
      const angeles = processStartTime(process.pid, "darwin");
      expect(tokyo).toMatch(/^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}$/);
      expect(angeles).toBe(tokyo);
    } finally {
      if (zone === undefined) delete process.env["TZ"];
      else process.env["TZ"] = zone;
    }
    // A process started now is told apart from one that started long before (pid 1, the init).
    const child = spawn("sleep", ["30"], { stdio: "ignore" });
    children.push(child);
    expect(processStartTime(child.pid!, "darwin")).not.toBe(processStartTime(1, "darwin"));
    expect(processStartTime(deadPid(), "darwin")).toBeUndefined();
  });

  it("takes over a lock whose pid now belongs to a later process, and keeps the same process's", async () => {
    const own = processStartTime(process.pid);
    // This platform tells process start times (Linux's /proc, or ps elsewhere).
    expect(own).toMatch(/\S/);
    // The holder that wrote this file had this test's pid but started at another time: the pid
    // was reused after it died.
    const reused = lockPath();
    writeGeneration(reused, holderJson({ runId: "old-run", processStart: "1" }));
    const notices: string[] = [];
    const lock = await RunLock.acquire(reused, {
      runId: "r4",
      command: "build",
      waitMs: 0,
      notice: (m) => notices.push(m),
    });
    expect(notices).toEqual([
      `taking over the run lock of build run old-run: its process ${process.pid} is gone (that pid now belongs to a process started at ${own}, not 1)`,
    ]);
    // What this process recorded is its own start, which a reader judges as the same process.
    const mine = JSON.parse(readFileSync(join(reused, generationFiles(reused).at(-1)!), "utf8")) as {
      processStart?: string;
    };
    expect(mine.processStart).toBe(own);
    await expect(RunLock.acquire(reused, { runId: "r5", command: "build", waitMs: 0 })).rejects.toThrow(
      LockHeldError,
    );
    lock.release();

    // A lock file of an earlier sluice records no start time: a live pid still holds it.
    const older = lockPath();
    writeGeneration(older, holderJson({ runId: "older-run" }));
    await expect(RunLock.acquire(older, { runId: "r6", command: "build", waitMs: 0 })).rejects.toThrow(
      LockHeldError,
    );
  });

  it("tells apart the start times of two live processes", async () => {
    const child = fork(join(REPO_ROOT, "tests/helpers/lock-child.ts"), [lockPath()], {
      cwd: REPO_ROOT,
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "ignore", "ignore", "ipc"],
    });
    children.push(child);
    await new Promise((r) => child.once("message", r));
    const theirs = processStartTime(child.pid!);
    expect(theirs).toMatch(/\S/);
    expect(theirs).not.toBe(processStartTime(process.pid));
    expect(processStartTime(child.pid!)).toBe(theirs);
  });

  it("takes over a lock from another host whose heartbeat is stale, and respects a fresh one", async () => {
    const path = lockPath();
    writeGeneration(path, holderJson({ host: "elsewhere", pid: 1 }));
    await expect(RunLock.acquire(path, { runId: "r5", command: "build", waitMs: 0 })).rejects.toThrow(
      /pid 1 on elsewhere/,
    );
    writeGeneration(path, holderJson({ host: "elsewhere", pid: 1 }), new Date(Date.now() - 120_000));
    const notices: string[] = [];
    const lock = await RunLock.acquire(path, {
      runId: "r4",
      command: "build",
      waitMs: 0,
      notice: (m) => notices.push(m),
    });
    expect(notices[0]).toMatch(
      /^taking over the run lock of build run other on elsewhere: no heartbeat for 1[12]\d s$/,
    );
    lock.release();
  });

  it("takes over an empty lock file with a message, at once instead of spinning", async () => {
    const path = lockPath();
    writeGeneration(path, "");
    const notices: string[] = [];
    const started = Date.now();
    const lock = await RunLock.acquire(path, {
      runId: "r6",
      command: "build",
      waitMs: 60_000,
      notice: (m) => notices.push(m),
    });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(notices).toEqual([`the run lock ${join(path, "000000000001.json")} was empty; taking it over`]);
    expect(lock.token).toBe(2);
    lock.release();
  });

  it("takes over a corrupt lock file with a message", async () => {
    const path = lockPath();
    writeGeneration(path, '{"host": "x", "pi');
    const notices: string[] = [];
    const lock = await RunLock.acquire(path, {
      runId: "r7",
      command: "build",
      waitMs: 60_000,
      notice: (m) => notices.push(m),
    });
    expect(notices).toEqual([
      `the run lock ${join(path, "000000000001.json")} was not a readable lock; taking it over`,
    ]);
    lock.release();
  });

  it("takes over an empty run.lock file of the earlier single-file format, and respects a live one", async () => {
    const path = lockPath();
    writeFileSync(path, "");
    const notices: string[] = [];
    const lock = await RunLock.acquire(path, {
      runId: "r8",
      command: "build",
      waitMs: 60_000,
      notice: (m) => notices.push(m),
    });
    expect(notices).toEqual([`the run lock ${path} was empty; taking it over`]);
    expect(statSync(path).isDirectory()).toBe(true);
    lock.release();

    const live = lockPath();
    writeFileSync(live, holderJson({ heartbeatAt: new Date().toISOString() }));
    await expect(RunLock.acquire(live, { runId: "r9", command: "build", waitMs: 0 })).rejects.toThrow(
      LockHeldError,
    );
  });

  it("lets exactly one of 8 processes win each of 100 takeover races", async () => {
    const path = lockPath();
    mkdirSync(path);
    const racers = Array.from({ length: 8 }, () => new LockChild(path));
    await Promise.all(racers.map((r) => r.next()));
    const dead = deadPid();
    let lastToken = 0;
    const kinds: string[] = [];
    for (let round = 1; round <= 100; round++) {
      // What the racers find: the previous winner's released lock, or one left by a dead process,
      // by a silent host, or damaged. Four times the winner really dies holding the lock, and the
      // next round (scene 0) races to take over from that dead process.
      const scene = round % 5;
      if (scene === 1) writeGeneration(path, holderJson({ pid: dead }));
      if (scene === 2)
        writeGeneration(path, holderJson({ host: "elsewhere", pid: 1 }), new Date(Date.now() - 120_000));
      if (scene === 3) writeGeneration(path, "");
      if (scene === 4) writeGeneration(path, "{broken");
      const replies = await Promise.all(racers.map((r) => r.ask({ kind: "go", round })));
      const winners = replies.flatMap((m, i) => (m.kind === "won" ? [{ m, i }] : []));
      expect(winners.length, `round ${round}: ${JSON.stringify(replies)}`).toBe(1);
      const { m, i } = winners[0]!;
      expect(m.double, `round ${round}: a second holder was inside`).toBe(false);
      expect(m.token!, `round ${round}: the fencing token did not grow`).toBeGreaterThan(lastToken);
      lastToken = m.token!;
      kinds.push(String(scene));
      if (round % 25 === 4) {
        const winner = racers[i]!;
        winner.process.send({ kind: "crash" });
        await winner.exited();
        racers[i] = new LockChild(path);
        await racers[i]!.next();
      } else {
        expect((await racers[i]!.ask({ kind: "release" })).kind).toBe("released");
      }
    }
    expect(kinds.length).toBe(100);
    // Old generations are cleaned up as the lock moves on.
    expect(generationFiles(path).length).toBeLessThanOrEqual(3);
  }, 30_000);

  it("keeps the lock of a stopped process on the same host; another host takes it over by heartbeat age", async () => {
    const path = lockPath();
    const child = new LockChild(path, ["60000", "50"]);
    await child.next();
    const won = await child.ask({ kind: "go", round: 1 });
    expect(won.kind).toBe("won");
    const pid = child.process.pid!;
    child.process.kill("SIGSTOP");
    try {
      await new Promise((r) => setTimeout(r, 600));
      // Same host: the stopped process is alive, so its heartbeat's age does not matter.
      await expect(
        RunLock.acquire(path, {
          runId: "same-host",
          command: "build",
          waitMs: 0,
          staleAfterMs: 300,
          ...quiet,
        }),
      ).rejects.toThrow(new RegExp(`pid ${pid} on ${hostname()}`));
      // Another host cannot see the process, only that the heartbeat stopped.
      const other = await RunLock.acquire(path, {
        runId: "other-host",
        command: "build",
        waitMs: 0,
        staleAfterMs: 300,
        host: "other-host",
        ...quiet,
      });
      const file = join(path, generationFiles(path).at(-1)!);
      const before = { text: readFileSync(file, "utf8"), mtime: statSync(file).mtimeMs };
      child.process.kill("SIGCONT");
      // The woken holder's heartbeat (every 50 ms) must not touch the lock that replaced it,
      // and it learns that it lost the lock.
      await new Promise((r) => setTimeout(r, 300));
      expect((await child.ask({ kind: "check" })).held).toBe(false);
      expect({ text: readFileSync(file, "utf8"), mtime: statSync(file).mtimeMs }).toEqual(before);
      expect(JSON.parse(before.text)).toMatchObject({ runId: "other-host", pid: process.pid });
      other.release();
    } finally {
      child.process.kill("SIGCONT");
    }
  });

  it("does not let a run that lost the lock commit to the ledger", async () => {
    const dir = lockPath().replace(/run\.lock$/, "");
    const path = join(dir, "run.lock");
    const ledgerPath = join(dir, "ledger.duckdb");
    const first = await RunLock.acquire(path, {
      runId: "first",
      command: "build",
      waitMs: 0,
      host: "host-a",
      ...quiet,
    });
    const ledger = await Ledger.open(ledgerPath, first);
    const load = [{ model: "model.m", modelVersion: "v1", partition: ["202601"], rows: 5, checksum: null }];
    try {
      await ledger.commitLoad("first", "model.m", load, [], false);
      // A build on another host judged the first one stale and took over.
      await new Promise((r) => setTimeout(r, 20));
      const second = await RunLock.acquire(path, {
        runId: "second",
        command: "build",
        waitMs: 0,
        staleAfterMs: 1,
        host: "host-b",
        ...quiet,
      });
      await expect(ledger.commitLoad("first", "model.m", load, [], false)).rejects.toThrow(LockLostError);
      await expect(ledger.commitLoad("first", "model.m", load, [], false)).rejects.toThrow(
        /this run lost the lock .*run\.lock \(generation 1\) to build run second, pid \d+ on host-b/,
      );
      await expect(
        ledger.recordOutcomes("first", [{ node: "model.m", version: "v1", status: "success" }]),
      ).rejects.toThrow(LockLostError);
      expect((await ledger.partitions("model.m")).length).toBe(1);
      second.release();
    } finally {
      await ledger.close();
      first.release();
    }
  });

  it("refuses a ledger to a lock generation older than one that already wrote to it", async () => {
    const dir = lockPath().replace(/run\.lock$/, "");
    const ledgerPath = join(dir, "ledger.duckdb");
    const fence = (token: number) => ({ path: join(dir, "run.lock"), token, assertHeld: () => undefined });
    await (await Ledger.open(ledgerPath, fence(7))).close();
    await expect(Ledger.open(ledgerPath, fence(6))).rejects.toThrow(/lost the lock .*\(generation 6\)/);
    await (await Ledger.open(ledgerPath, fence(8))).close();
  });
});
