// A test hook for the kill tests: with SLUICE_FAULT_KILL_AFTER_STATEMENTS=N set, the process kills
// itself (SIGKILL, no cleanup, like a crash or an OOM kill) right before its Nth statement on any
// engine or the ledger. Unset in normal use, where sessions are returned untouched.
import type { Adapter, Session } from "./contract.js";

const killAt = Number(process.env["SLUICE_FAULT_KILL_AFTER_STATEMENTS"] ?? 0);
let statements = 0;

function beforeStatement(): void {
  statements += 1;
  if (statements >= killAt) process.kill(process.pid, "SIGKILL");
}

/** Wraps a session so every statement counts towards the kill point, when one is set. */
export function withFaultInjection<S extends Session>(session: S): S {
  if (!killAt) return session;
  return new Proxy(session, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== "function") return value;
      if (property === "execute" || property === "query" || property === "stream") {
        return (...args: unknown[]) => {
          beforeStatement();
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}

/** Wraps an adapter so the sessions it opens count statements, when a kill point is set. */
export function adapterWithFaultInjection(adapter: Adapter): Adapter {
  if (!killAt) return adapter;
  return new Proxy(adapter, {
    get(target, property, receiver) {
      if (property === "open") return async () => withFaultInjection(await target.open());
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
