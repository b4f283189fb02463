// One writer per project and target: a lock file beside the ledger, created exclusively, holding
// who has it (host, pid, run, start) and a heartbeat. A lock whose holder process is gone (same
// host) or whose heartbeat is stale is taken over; the takeover renames the stale file away first,
// so of two processes taking over at once only one wins.
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname } from "node:path";

export interface LockHolder {
  host: string;
  pid: number;
  runId: string;
  command: string;
  startedAt: string;
  heartbeatAt: string;
}

export class LockHeldError extends Error {
  constructor(readonly holder: LockHolder, path: string) {
    super(
      `another build holds the lock ${path}: ${holder.command} run ${holder.runId}, pid ${holder.pid} on ${holder.host}, started ${holder.startedAt}, last heartbeat ${holder.heartbeatAt}; wait for it, or pass --lock-timeout SECONDS to wait`,
    );
    this.name = "LockHeldError";
  }
}

export interface LockOptions {
  runId: string;
  command: string;
  /** How long to wait for a live holder, in milliseconds; 0 refuses at once. */
  waitMs: number;
  /** A heartbeat older than this means the holder is dead, even on another host. */
  staleAfterMs?: number;
  heartbeatEveryMs?: number;
}

export class RunLock {
  private timer: NodeJS.Timeout | undefined;
  private holder: LockHolder | undefined;

  private constructor(readonly path: string) {}

  /** Takes the lock, waiting up to `waitMs` for a live holder; throws LockHeldError after that. */
  static async acquire(path: string, options: LockOptions): Promise<RunLock> {
    const lock = new RunLock(path);
    const staleAfter = options.staleAfterMs ?? 60_000;
    const deadline = Date.now() + options.waitMs;
    mkdirSync(dirname(path), { recursive: true });
    for (let delay = 100; ; delay = Math.min(delay * 2, 2_000)) {
      if (lock.tryCreate(options)) {
        lock.startHeartbeat(options.heartbeatEveryMs ?? Math.max(1_000, Math.floor(staleAfter / 4)));
        return lock;
      }
      const holder = readHolder(path);
      if (holder && isStale(holder, staleAfter)) {
        // Rename, not delete: if two processes see the same stale lock, only one rename succeeds.
        try {
          renameSync(path, `${path}.stale-${process.pid}`);
          rmSync(`${path}.stale-${process.pid}`, { force: true });
        } catch {
          // Someone else took it over first; go round again.
        }
        continue;
      }
      if (Date.now() >= deadline) {
        if (holder) throw new LockHeldError(holder, path);
        continue;
      }
      await new Promise((r) => setTimeout(r, Math.min(delay, Math.max(10, deadline - Date.now()))));
    }
  }

  /** Releases the lock if this process still holds it. */
  release(): void {
    if (this.timer) clearInterval(this.timer);
    const current = readHolder(this.path);
    if (current && this.holder && current.pid === this.holder.pid && current.runId === this.holder.runId) rmSync(this.path, { force: true });
  }

  private tryCreate(options: LockOptions): boolean {
    const now = new Date().toISOString();
    const holder: LockHolder = { host: hostname(), pid: process.pid, runId: options.runId, command: options.command, startedAt: now, heartbeatAt: now };
    let fd: number;
    try {
      fd = openSync(this.path, "wx");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw e;
    }
    writeFileSync(fd, JSON.stringify(holder));
    closeSync(fd);
    this.holder = holder;
    return true;
  }

  private startHeartbeat(everyMs: number): void {
    this.timer = setInterval(() => {
      if (!this.holder) return;
      this.holder = { ...this.holder, heartbeatAt: new Date().toISOString() };
      const tmp = `${this.path}.beat-${process.pid}`;
      writeFileSync(tmp, JSON.stringify(this.holder));
      renameSync(tmp, this.path);
    }, everyMs);
    this.timer.unref();
  }
}

function readHolder(path: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as LockHolder;
  } catch {
    // A lock file being written right now, or just removed.
    return undefined;
  }
}

function isStale(holder: LockHolder, staleAfterMs: number): boolean {
  if (holder.host === hostname() && !processAlive(holder.pid)) return true;
  return Date.now() - Date.parse(holder.heartbeatAt) > staleAfterMs;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
