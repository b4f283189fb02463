// One writer per project and target. The lock is a folder, `run.lock/`, of numbered generation
// files; the newest generation is the holder unless it was released or its holder is gone.
//
// Why this is safe (the proof the tests exercise):
// - A generation file is created once, complete, by hard-linking a private file into place, which
//   fails if the name exists. Of any number of processes taking over generation g, exactly one
//   creates g+1; no reader ever sees a half-written holder.
// - Nobody rewrites a file it did not create. The heartbeat and the release only change the times
//   of the holder's own file through its open descriptor, so a stale holder that wakes up cannot
//   touch the lock that replaced it.
// - The newest generation file is never deleted, so generations only grow; the generation is the
//   fencing token. A holder is still the holder exactly while no newer generation exists, and the
//   ledger refuses a commit from any older token (ledger/ledger.ts).
// - A holder on this host whose process is alive keeps the lock whatever its heartbeat says (a
//   build stopped with SIGSTOP is not dead); a holder on another host is judged by its heartbeat.
// - "Alive" means the same process, not the same number: the holder records its process's start
//   time, and a live pid that started at another time is a later process that reused the number.
import {
  closeSync,
  fstatSync,
  futimesSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { spawnSync } from "node:child_process";
import { hostname } from "node:os";
import { join } from "node:path";

export interface LockHolder {
  host: string;
  pid: number;
  runId: string;
  command: string;
  startedAt: string;
  /** When the holder last showed it was alive: its file's modification time. */
  heartbeatAt: string;
  /** The lock's generation, which is also its fencing token. */
  generation: number;
  /** When the holder's process started, as the system tells it (see processStartTime). */
  processStart?: string;
}

export class LockHeldError extends Error {
  constructor(
    readonly holder: LockHolder,
    path: string,
  ) {
    super(
      `another build holds the lock ${path}: ${holder.command} ` +
        `run ${holder.runId}, pid ${holder.pid} on ${holder.host}, ` +
        `started ${holder.startedAt}, last heartbeat ${holder.heartbeatAt}` +
        `; wait for it, or pass --lock-timeout SECONDS to wait`,
    );
    this.name = "LockHeldError";
  }
}

/** Builds kept taking the lock while a reader (`plan`, `ledger show`) read: nothing it read was used. */
export class BuildDuringReadError extends Error {
  constructor(command: string, path: string, attempts: number) {
    super(
      `${command} read the project ${attempts} times and each time a build took the run lock ${path} ` +
        "while it read, so what it read may be half-written; " +
        "nothing was printed. Run it again when the builds are done",
    );
    this.name = "BuildDuringReadError";
  }
}

/** This process held the lock and another took it over (its heartbeat was judged stale). */
export class LockLostError extends Error {
  constructor(path: string, generation: number, newer: LockHolder | undefined) {
    const who = newer
      ? `${newer.command} run ${newer.runId}, pid ${newer.pid} on ${newer.host}`
      : "another process";
    super(
      `this run lost the lock ${path} (generation ${generation}` +
        `) to ${who}; nothing more was recorded in the ledger, ` +
        "and the next build redoes the unfinished work",
    );
    this.name = "LockLostError";
  }
}

export interface LockOptions {
  runId: string;
  command: string;
  /** How long to wait for a live holder, in milliseconds; 0 refuses at once. */
  waitMs: number;
  /** A holder on another host whose heartbeat is older than this is gone. */
  staleAfterMs?: number;
  heartbeatEveryMs?: number;
  /** How often to look again while waiting; the wait backs off from here to 2 s. */
  pollEveryMs?: number;
  /** The host name this process records and judges by (default: the machine's). */
  host?: string;
  /** Told when a lock is taken over from a holder that is gone, or from an unreadable file. */
  notice?: (message: string) => void;
  /** Ends a wait for a live holder early (Ctrl-C): the wait rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** What the ledger needs to refuse commits from a run that no longer holds the lock. */
export interface LockFence {
  readonly path: string;
  readonly token: number;
  /** Throws LockLostError when a newer generation exists. */
  assertHeld(): void;
}

const GENERATION = /^(\d{12})\.json$/;
const fileOf = (generation: number) => `${String(generation).padStart(12, "0")}.json`;

export class RunLock implements LockFence {
  private timer: NodeJS.Timeout | undefined;
  private released = false;

  private constructor(
    readonly path: string,
    readonly token: number,
    private readonly fd: number,
  ) {}

  /** Takes the lock, waiting up to `waitMs` for a live holder; throws LockHeldError after that. */
  static async acquire(path: string, options: LockOptions): Promise<RunLock> {
    const host = options.host ?? hostname();
    const staleAfter = options.staleAfterMs ?? 60_000;
    const notice = options.notice ?? ((m: string) => process.stderr.write(`${m}\n`));
    const deadline = Date.now() + options.waitMs;
    let delay = options.pollEveryMs ?? 100;
    let told = false;
    for (;;) {
      options.signal?.throwIfAborted();
      const legacy = ensureFolder(path, host, staleAfter, notice);
      const newest = generations(path).at(-1) ?? 0;
      const verdict = newest === 0 ? ({ kind: "free" } as const) : judge(path, newest, host, staleAfter);
      if (verdict.kind === "gone") continue;
      const holder = legacy ?? (verdict.kind === "held" ? verdict.holder : undefined);
      if (!holder) {
        if (verdict.kind === "taken over") notice(verdict.message);
        const lock = RunLock.tryCreate(path, newest + 1, host, options);
        if (lock) {
          lock.removeOlder();
          lock.startHeartbeat(options.heartbeatEveryMs ?? Math.max(1_000, Math.floor(staleAfter / 4)));
          return lock;
        }
        continue;
      }
      if (Date.now() >= deadline) throw new LockHeldError(holder, path);
      if (!told) notice(waitingFor(holder, path, options.waitMs));
      told = true;
      await pause(Math.min(delay, Math.max(1, deadline - Date.now())), options.signal);
      delay = Math.min(delay * 2, 2_000);
    }
  }

  /**
   * Waits up to `waitMs` until no live process holds the lock, without taking it or writing
   * anything (not even the lock folder): for readers such as `plan`, which must not write. Throws
   * LockHeldError when the wait runs out. Returns the generation it saw free: a build that starts
   * right after creates a newer one, so a reader that finds `generation(path)` unchanged after its
   * read knows that no build took the lock meanwhile (runner/plan-workspace.ts).
   */
  static async waitUntilFree(
    path: string,
    options: Pick<LockOptions, "waitMs" | "staleAfterMs" | "pollEveryMs" | "host" | "signal" | "notice">,
  ): Promise<number> {
    const notice = options.notice ?? ((m: string) => process.stderr.write(`${m}\n`));
    const deadline = Date.now() + options.waitMs;
    let delay = options.pollEveryMs ?? 100;
    let told = false;
    for (;;) {
      options.signal?.throwIfAborted();
      // Read first: a generation created between this and the holder check is then seen as newer.
      const seen = RunLock.generation(path);
      const holder = RunLock.holder(path, options.staleAfterMs, options.host);
      if (!holder) return seen;
      if (Date.now() >= deadline) throw new LockHeldError(holder, path);
      if (!told) notice(waitingFor(holder, path, options.waitMs));
      told = true;
      await pause(Math.min(delay, Math.max(1, deadline - Date.now())), options.signal);
      delay = Math.min(delay * 2, 2_000);
    }
  }

  /** The newest generation of the lock at `path` (0 when it was never taken); reads, never writes. */
  static generation(path: string): number {
    return generations(path).at(-1) ?? 0;
  }

  /** The live holder of the lock at `path`, if any: for messages such as `debug`'s. */
  static holder(path: string, staleAfterMs = 60_000, host = hostname()): LockHolder | undefined {
    for (;;) {
      const newest = generations(path).at(-1);
      if (newest === undefined) return undefined;
      const verdict = judge(path, newest, host, staleAfterMs);
      if (verdict.kind !== "gone") return verdict.kind === "held" ? verdict.holder : undefined;
    }
  }

  /** Throws LockLostError when another process has taken the lock over since this one took it. */
  assertHeld(): void {
    const newest = generations(this.path).at(-1) ?? 0;
    if (newest > this.token) throw new LockLostError(this.path, this.token, readHolder(this.path, newest));
  }

  /** Releases the lock: marks this run's own generation released. Never touches a newer one. */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (this.timer) clearInterval(this.timer);
    try {
      // Two marks: the time, for the readers of this file in place, and a line in the file, for a
      // copy of the project (cp -r, a CI cache, a checkout) that does not keep the times.
      writeSync(this.fd, RELEASED_MARK, fstatSync(this.fd).size);
      futimesSync(this.fd, 0, 0);
    } finally {
      closeSync(this.fd);
    }
  }

  /** Creates generation `generation`, complete, or returns undefined when another process did first. */
  private static tryCreate(
    path: string,
    generation: number,
    host: string,
    options: LockOptions,
  ): RunLock | undefined {
    const now = new Date().toISOString();
    const content = JSON.stringify({
      host,
      pid: process.pid,
      processStart: ownProcessStart(),
      runId: options.runId,
      command: options.command,
      startedAt: now,
    });
    const draft = join(path, `.draft-${process.pid}-${generation}-${Math.random().toString(36).slice(2)}`);
    const fd = openSync(draft, "wx");
    try {
      writeSync(fd, content);
      linkSync(draft, join(path, fileOf(generation)));
    } catch (e) {
      closeSync(fd);
      if ((e as NodeJS.ErrnoException).code === "EEXIST") return undefined;
      throw e;
    } finally {
      unlinkSync(draft);
    }
    const lock = new RunLock(path, generation, fd);
    // A process that judged from an old listing may create a generation below the newest; it lost.
    if ((generations(path).at(-1) ?? 0) > generation) {
      lock.release();
      return undefined;
    }
    return lock;
  }

  /** Generations two or more below this one: nobody judges by them any more. */
  private removeOlder(): void {
    for (const g of generations(this.path)) {
      if (g < this.token - 1) unlinkSync(join(this.path, fileOf(g)));
    }
  }

  private startHeartbeat(everyMs: number): void {
    this.timer = setInterval(() => {
      const now = new Date();
      futimesSync(this.fd, now, now);
    }, everyMs);
    this.timer.unref();
  }
}

/** Said once when a wait for a live holder begins, so a scheduler's log shows why a run is slow. */
function waitingFor(holder: LockHolder, path: string, waitMs: number): string {
  return (
    `the run lock ${path} is held by ${holder.command} run ${holder.runId}, pid ` +
    `${holder.pid} on ${holder.host}; waiting up to ${Math.round(waitMs / 1000)} s`
  );
}

/** Sleeps `ms`, or rejects with the signal's reason as soon as `signal` aborts. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      signal?.removeEventListener("abort", stop);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const stop = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    if (signal?.aborted) return stop();
    signal?.addEventListener("abort", stop, { once: true });
  });
}

type Verdict =
  | { kind: "free" }
  | { kind: "held"; holder: LockHolder }
  | { kind: "taken over"; message: string }
  /** The file went away while being read: look again. */
  | { kind: "gone" };

/** Whether generation `generation` still holds the lock, as seen from `host`. */
function judge(path: string, generation: number, host: string, staleAfterMs: number): Verdict {
  const file = join(path, fileOf(generation));
  let modified: number;
  let text: string;
  try {
    modified = statSync(file).mtimeMs;
    text = readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { kind: "gone" };
    throw e;
  }
  if (modified === 0 || text.endsWith(RELEASED_MARK)) return { kind: "free" };
  const holder = parseHolder(text, modified, generation);
  // Generation files appear complete, so an unreadable one was damaged; it cannot be a live holder.
  const damage = text.trim() ? "not a readable lock" : "empty";
  if (!holder) return { kind: "taken over", message: `the run lock ${file} was ${damage}; taking it over` };
  const age = Date.now() - modified;
  const whose = `taking over the run lock of ${holder.command} run ${holder.runId}`;
  if (holder.host === host) {
    if (!processAlive(holder.pid))
      return { kind: "taken over", message: `${whose}: its process ${holder.pid} is gone` };
    const now = holder.processStart === undefined ? undefined : processStartTime(holder.pid);
    if (now === undefined || now === holder.processStart) return { kind: "held", holder };
    return {
      kind: "taken over",
      message:
        `${whose}: its process ${holder.pid} is gone (that pid now ` +
        `belongs to a process started at ${now}, not ${holder.processStart})`,
    };
  }
  if (age > staleAfterMs) {
    return {
      kind: "taken over",
      message: `${whose} on ${holder.host}: no heartbeat for ${Math.round(age / 1000)} s`,
    };
  }
  return { kind: "held", holder };
}

/**
 * Makes sure `path` is the lock folder. A plain file there is a lock of sluice before 0.2 (or a
 * damaged one): its live holder is returned and respected; anything else is removed. Unlinking
 * never removes a folder, so two processes doing this at once cannot remove each other's lock.
 */
function ensureFolder(
  path: string,
  host: string,
  staleAfterMs: number,
  notice: (m: string) => void,
): LockHolder | undefined {
  let isFile = false;
  try {
    isFile = !lstatSync(path).isDirectory();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  if (isFile) {
    let text = "";
    let modified = 0;
    try {
      text = readFileSync(path, "utf8");
      modified = statSync(path).mtimeMs;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
    const old = legacyHolder(text, modified);
    const alive =
      old &&
      (old.host === host ? processAlive(old.pid) : Date.now() - Date.parse(old.heartbeatAt) <= staleAfterMs);
    if (old && alive) return old;
    const what = old
      ? `left by ${old.command} run ${old.runId}, which is gone`
      : text.trim()
        ? "not a readable lock"
        : "empty";
    notice(`the run lock ${path} was ${what}; taking it over`);
    try {
      unlinkSync(path);
    } catch (e) {
      if (!["ENOENT", "EISDIR", "EPERM"].includes((e as NodeJS.ErrnoException).code ?? "")) throw e;
    }
  }
  mkdirSync(path, { recursive: true });
  return undefined;
}

function generations(path: string): number[] {
  let names: string[];
  try {
    names = readdirSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT" || (e as NodeJS.ErrnoException).code === "ENOTDIR")
      return [];
    throw e;
  }
  return names
    .flatMap((n) => {
      const m = GENERATION.exec(n);
      return m ? [Number(m[1])] : [];
    })
    .sort((a, b) => a - b);
}

function readHolder(path: string, generation: number): LockHolder | undefined {
  const file = join(path, fileOf(generation));
  try {
    return parseHolder(readFileSync(file, "utf8"), statSync(file).mtimeMs, generation);
  } catch {
    return undefined;
  }
}

/** Appended by the holder to its own file when it releases the lock. */
const RELEASED_MARK = "\nreleased\n";

function parseHolder(text: string, modifiedMs: number, generation: number): LockHolder | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== "object") return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v["host"] !== "string" || typeof v["pid"] !== "number" || typeof v["runId"] !== "string")
    return undefined;
  return {
    host: v["host"],
    pid: v["pid"],
    runId: v["runId"],
    command: typeof v["command"] === "string" ? v["command"] : "build",
    startedAt: typeof v["startedAt"] === "string" ? v["startedAt"] : "unknown",
    heartbeatAt: new Date(modifiedMs).toISOString(),
    generation,
    ...(typeof v["processStart"] === "string" ? { processStart: v["processStart"] } : {}),
  };
}

/** A lock file of the earlier format, which kept its heartbeat inside. */
function legacyHolder(text: string, modifiedMs: number): LockHolder | undefined {
  const holder = parseHolder(text, modifiedMs, 0);
  if (!holder) return undefined;
  const beat = (JSON.parse(text) as Record<string, unknown>)["heartbeatAt"];
  return typeof beat === "string" && !Number.isNaN(Date.parse(beat))
    ? { ...holder, heartbeatAt: beat }
    : holder;
}

/**
 * When process `pid` started, as text that is equal for the same process and differs for a later
 * one with the same pid; undefined when the system does not say (then a live pid is trusted).
 * Linux: field 22 of /proc/<pid>/stat, in clock ticks since boot. Elsewhere (macOS, the BSDs):
 * `ps -o lstart=`, to the second, in UTC and the C locale, so that a holder and a reader whose TZ or
 * LANG differ (cron and a shell) read the same text. A holder's own start is read once, when it
 * takes the lock. `platform` is for tests, which run the ps path on Linux's own ps.
 */
export function processStartTime(
  pid: number,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  if (platform === "linux") {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // The command name (field 2) is in parentheses and may hold spaces or parentheses itself.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return fields[22 - 3];
    } catch {
      return undefined;
    }
  }
  if (platform === "win32") return undefined;
  const ps = spawnSync("ps", ["-o", "lstart=", "-p", String(pid)], {
    encoding: "utf8",
    env: { ...process.env, TZ: "UTC", LC_ALL: "C" },
  });
  const text = ps.status === 0 ? ps.stdout.trim() : "";
  return text === "" ? undefined : text;
}

let ownStart: { value: string | undefined } | undefined;
/** This process's start, read once and only by a process that takes a lock. */
function ownProcessStart(): string | undefined {
  ownStart ??= { value: processStartTime(process.pid) };
  return ownStart.value;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
