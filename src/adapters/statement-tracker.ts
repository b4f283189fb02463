// Knows the open sessions of a target and the statements running on them, so a cancelled run can
// stop its engines: a cancel interrupts every open session at once, and keeps interrupting them
// until they close, except a statement started after the cancel (a rollback, dropping a staging
// table), which gets a grace period first. So clean-up runs, but nothing long outlives a Ctrl-C,
// even work an adapter runs on its driver's connection directly (the lake's COPY).
import type { Adapter, Session } from "./contract.js";

export class StatementTracker {
  private cancelledAt: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Open sessions, each with the start times of its statements in flight. */
  private readonly open = new Map<Session, number[]>();

  constructor(
    private readonly graceMs = 5_000,
    private readonly everyMs = 250,
  ) {}

  /** Interrupts what runs now, and from then on whatever outlives the grace period. */
  async cancel(): Promise<void> {
    if (this.cancelledAt !== undefined) return;
    this.cancelledAt = Date.now();
    this.timer = setInterval(() => void this.interruptDue(), this.everyMs);
    this.timer.unref();
    await this.interruptDue();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Wraps an adapter so every session it opens is known here. */
  adapter(adapter: Adapter): Adapter {
    return new Proxy(adapter, {
      get: (target, property, receiver) => {
        if (property === "open") return async () => this.session(await target.open());
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  private async interruptDue(): Promise<void> {
    const since = this.cancelledAt ?? Date.now();
    const due = [...this.open].filter(
      ([, starts]) => !starts.some((t) => t >= since && Date.now() - t < this.graceMs),
    );
    await Promise.all(due.map(([s]) => s.cancel?.().catch(() => undefined)));
  }

  private session<S extends Session>(session: S): S {
    this.open.set(session, []);
    return new Proxy(session, {
      get: (target, property, receiver) => {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (typeof value !== "function") return value;
        const method = (value as (...a: unknown[]) => unknown).bind(target);
        if (property === "execute" || property === "query") {
          return async (...args: unknown[]) => {
            const end = this.begin(target);
            try {
              return await (method(...args) as Promise<unknown>);
            } finally {
              end();
            }
          };
        }
        if (property === "stream")
          return (...args: unknown[]) => this.tracked(target, method(...args) as AsyncIterable<unknown>);
        if (property === "close") {
          return async () => {
            this.open.delete(target);
            await (method() as Promise<void>);
          };
        }
        return method;
      },
    });
  }

  private async *tracked<T>(session: Session, rows: AsyncIterable<T>): AsyncIterable<T> {
    const end = this.begin(session);
    try {
      yield* rows;
    } finally {
      end();
    }
  }

  private begin(session: Session): () => void {
    const started = Date.now();
    this.open.get(session)?.push(started);
    return () => {
      const starts = this.open.get(session);
      const i = starts?.indexOf(started) ?? -1;
      if (starts && i >= 0) starts.splice(i, 1);
    };
  }
}
