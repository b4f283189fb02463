// One statement at a time per session. Engines do not take two statements at once on one
// connection: DuckDB cancels the first (a ledger lookup silently returned no row when the planner
// ran two with Promise.all), SQL Server and Hive serialise or fail depending on the driver. Every
// session the adapters and the ledger hand out goes through `serialSession`, so callers cannot
// overlap statements on one session by accident: calls queue in the order they were made.
import { AsyncLocalStorage } from "node:async_hooks";
import type { Adapter, Session } from "./contract.js";

/** Runs queued work one piece at a time, in the order it was queued. */
class Queue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/**
 * The queue a call on a session joins, by session: the session's own, or inside a transaction's
 * body the transaction's inner queue, so the body's statements run (one at a time) while calls
 * from outside wait for the transaction to end instead of landing inside it.
 */
const inner = new AsyncLocalStorage<Map<object, Queue>>();

/** Statements that run on the session; other members pass through untouched. */
const STATEMENTS = new Set<PropertyKey>(["execute", "query", "queryPlain", "batch", "bulkLoad"]);

/** Wraps `session` so its statements, streams and transactions never overlap. */
export function serialSession<S extends Session>(session: S): S {
  const root = new Queue();
  let streaming: string | null = null;
  const queueOf = (): Queue => inner.getStore()?.get(proxy) ?? root;
  const busy = (what: string): Error =>
    new Error(
      `a session was used for ${what} while it streamed the rows of ` +
        `another query (${streaming}); open a second session for it`,
    );

  const proxy: S = new Proxy(session, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== "function") return value;
      const method = value as (...args: unknown[]) => unknown;
      if (STATEMENTS.has(property)) {
        return (...args: unknown[]) => {
          // A statement issued while this session streams would cancel the stream (DuckDB) or wait
          // for it forever; it is a bug in the caller, so it fails at once, saying so.
          if (streaming !== null) return Promise.reject(busy(String(args[0]).slice(0, 80)));
          return queueOf().run(() => method.apply(target, args) as Promise<unknown>);
        };
      }
      if (property === "transaction") {
        return <T>(work: () => Promise<T>) =>
          queueOf().run(() => {
            const scope = new Map(inner.getStore() ?? []);
            scope.set(proxy, new Queue());
            return inner.run(scope, () => (method as (w: () => Promise<T>) => Promise<T>).call(target, work));
          });
      }
      if (property === "stream") {
        return (...args: unknown[]) => serialStream(target, method, args);
      }
      return method.bind(target);
    },
  });

  async function* serialStream(
    target: S,
    method: (...args: unknown[]) => unknown,
    args: unknown[],
  ): AsyncGenerator<unknown> {
    if (streaming !== null) throw busy(String(args[0]).slice(0, 80));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // Waits for statements queued before it, then holds the session until the reader is done.
    await new Promise<void>((started) => {
      void queueOf().run(() => {
        started();
        return held;
      });
    });
    streaming = String(args[0]).replace(/\s+/g, " ").slice(0, 80);
    try {
      yield* method.apply(target, args) as AsyncIterable<unknown>;
    } finally {
      streaming = null;
      release();
    }
  }

  return proxy;
}

/** Wraps an adapter so every session it opens is a serial session. */
export function adapterWithSerialSessions(adapter: Adapter): Adapter {
  return new Proxy(adapter, {
    get(target, property, receiver) {
      if (property === "open") return async () => serialSession(await target.open());
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
