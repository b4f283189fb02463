// Test hooks, unset in normal use, where sessions are returned untouched:
// - SLUICE_FAULT_KILL_AFTER_STATEMENTS=N, for the kill tests: the process kills itself (SIGKILL, no
//   cleanup, like a crash or an OOM kill) right before its Nth statement on any engine or the ledger.
// - SLUICE_FAULT_SLOW_STATEMENT_BEFORE=TEXT, for the cancel tests of commands whose own statements
//   are quick (ledger compact): before the first statement whose SQL contains TEXT, the same session
//   runs a DuckDB query of many minutes, after saying so on stderr, so that a signal lands while a
//   real statement runs inside the command's own transaction. DuckDB sessions only.
import type { Adapter, Session } from "./contract.js";

const killAt = Number(process.env["SLUICE_FAULT_KILL_AFTER_STATEMENTS"] ?? 0);
const slowBefore = process.env["SLUICE_FAULT_SLOW_STATEMENT_BEFORE"] ?? "";
let statements = 0;
let slowed = false;

const SLOW_QUERY = "select sum(a.range * b.range % 7) from range(1000000) a, range(1000000) b";

function beforeStatement(): void {
  statements += 1;
  if (killAt && statements >= killAt) process.kill(process.pid, "SIGKILL");
}

async function slowDown(session: Session, sql: unknown): Promise<void> {
  if (slowed || !slowBefore || typeof sql !== "string" || !sql.includes(slowBefore)) return;
  slowed = true;
  process.stderr.write(`fault injection: a slow statement runs before ${JSON.stringify(slowBefore)}\n`);
  await session.execute(SLOW_QUERY);
}

/** Wraps a session so every statement counts towards the kill point, when one is set. */
export function withFaultInjection<S extends Session>(session: S): S {
  if (!killAt && !slowBefore) return session;
  return new Proxy(session, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== "function") return value;
      if (property === "execute" || property === "query" || property === "stream") {
        const run = (args: unknown[]) => {
          beforeStatement();
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
        if (!slowBefore || property === "stream") return (...args: unknown[]) => run(args);
        return async (...args: unknown[]) => {
          await slowDown(target, args[0]);
          return run(args);
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}

/** Wraps an adapter so the sessions it opens count statements, when a kill point is set. */
export function adapterWithFaultInjection(adapter: Adapter): Adapter {
  if (!killAt && !slowBefore) return adapter;
  return new Proxy(adapter, {
    get(target, property, receiver) {
      if (property === "open") return async () => withFaultInjection(await target.open());
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
