// A real process that takes the run lock for the lock tests, steered over IPC by the test:
//   go {round}   try the lock once (no waiting); on success mark the critical section by creating
//                `inside` exclusively, so a second holder at the same time shows up as EEXIST
//   release      leave the critical section and release the lock
//   crash        exit holding the lock, as a killed build would
//   check        report whether this process still holds the lock
// Started as `node --import tsx tests/helpers/lock-child.ts LOCK_PATH [STALE_MS HEARTBEAT_MS]`.
import { openSync, closeSync, unlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { LockHeldError, RunLock } from "../../src/ledger/run-lock.js";

const [lockPath, staleArg, beatArg] = process.argv.slice(2) as [
  string,
  string | undefined,
  string | undefined,
];
const inside = join(dirname(lockPath), "inside");
let lock: RunLock | undefined;

type Message = { kind: "go"; round: number } | { kind: "release" } | { kind: "crash" } | { kind: "check" };

process.on("message", (message: Message) => {
  void handle(message);
});
process.send!({ kind: "ready", pid: process.pid });

async function handle(message: Message): Promise<void> {
  if (message.kind === "go") {
    try {
      lock = await RunLock.acquire(lockPath, {
        runId: `child-${process.pid}-${message.round}`,
        command: "race",
        waitMs: 0,
        staleAfterMs: Number(staleArg ?? 60_000),
        heartbeatEveryMs: Number(beatArg ?? 10_000),
        notice: () => undefined,
      });
    } catch (e) {
      if (e instanceof LockHeldError) return void process.send!({ kind: "lost", round: message.round });
      throw e;
    }
    let double = false;
    try {
      closeSync(openSync(inside, "wx"));
    } catch {
      double = true;
    }
    process.send!({ kind: "won", round: message.round, token: lock.token, double });
  } else if (message.kind === "release") {
    unlinkSync(inside);
    lock!.release();
    lock = undefined;
    process.send!({ kind: "released" });
  } else if (message.kind === "crash") {
    unlinkSync(inside);
    process.exit(0);
  } else {
    let held = lock !== undefined;
    try {
      lock?.assertHeld();
    } catch {
      held = false;
    }
    process.send!({ kind: "checked", held });
  }
}
