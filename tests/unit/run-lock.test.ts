import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LockHeldError, RunLock } from "../../src/ledger/run-lock.js";

const dirs: string[] = [];
const lockPath = () => {
  const dir = mkdtempSync(join(tmpdir(), "sluice-lock-"));
  dirs.push(dir);
  return join(dir, "run.lock");
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const holder = (overrides: Record<string, unknown>) =>
  JSON.stringify({ host: hostname(), pid: process.pid, runId: "other", command: "build", startedAt: "2026-11-25T10:00:00.000Z", heartbeatAt: new Date().toISOString(), ...overrides });

describe("run lock", () => {
  it("refuses a second holder at once, naming the first", async () => {
    const path = lockPath();
    const first = await RunLock.acquire(path, { runId: "r1", command: "build", waitMs: 0 });
    const second = RunLock.acquire(path, { runId: "r2", command: "build", waitMs: 0 });
    await expect(second).rejects.toThrow(LockHeldError);
    await expect(second).rejects.toThrow(new RegExp(`build run r1, pid ${process.pid} on ${hostname()}`));
    first.release();
  });

  it("waits for the holder to release when asked to wait", async () => {
    const path = lockPath();
    const first = await RunLock.acquire(path, { runId: "r1", command: "build", waitMs: 0 });
    setTimeout(() => first.release(), 200);
    const second = await RunLock.acquire(path, { runId: "r2", command: "build", waitMs: 5_000 });
    second.release();
  });

  it("takes over a lock whose process is gone", async () => {
    const path = lockPath();
    writeFileSync(path, holder({ pid: 2 ** 22 + 12345 }));
    const lock = await RunLock.acquire(path, { runId: "r3", command: "build", waitMs: 0 });
    lock.release();
  });

  it("takes over a lock whose heartbeat is stale, even from another host", async () => {
    const path = lockPath();
    writeFileSync(path, holder({ host: "elsewhere", heartbeatAt: "2026-01-01T00:00:00.000Z" }));
    const lock = await RunLock.acquire(path, { runId: "r4", command: "build", waitMs: 0, staleAfterMs: 1_000 });
    lock.release();
  });

  it("respects a live lock from another host with a fresh heartbeat", async () => {
    const path = lockPath();
    writeFileSync(path, holder({ host: "elsewhere", pid: 1 }));
    await expect(RunLock.acquire(path, { runId: "r5", command: "build", waitMs: 0 })).rejects.toThrow(/pid 1 on elsewhere/);
  });
});
