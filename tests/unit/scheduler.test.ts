import { describe, expect, it } from "vitest";
import { schedule, type StepOutcome } from "../../src/runner/scheduler.js";

const step = (node: string, after: string[] = []) => ({ node, after });

describe("scheduler", () => {
  it("skips everything downstream of a failure and says which step failed", async () => {
    const skipped: string[] = [];
    const outcomes = await schedule(
      [step("a"), step("b", ["a"]), step("c", ["b"]), step("d")],
      2,
      async (s): Promise<StepOutcome> =>
        s.node === "a" ? { status: "error", message: "boom" } : { status: "success" },
      (s, because) => skipped.push(`${s.node}<-${because}`),
    );
    expect(outcomes.get("a")?.status).toBe("error");
    expect(outcomes.get("b")?.status).toBe("skipped");
    expect(outcomes.get("c")?.status).toBe("skipped");
    expect(outcomes.get("d")?.status).toBe("success");
    expect(skipped).toEqual(["b<-a", "c<-b"]);
  });

  it("lets warnings through", async () => {
    const outcomes = await schedule(
      [step("t"), step("m", ["t"])],
      1,
      async (s) => ({ status: s.node === "t" ? "warn" : "success" }),
      () => undefined,
    );
    expect(outcomes.get("m")?.status).toBe("success");
  });

  it("never runs more steps at once than threads, and runs independent steps together", async () => {
    let running = 0;
    let peak = 0;
    await schedule(
      Array.from({ length: 8 }, (_, i) => step(`n${i}`)),
      3,
      async () => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 10));
        running -= 1;
        return { status: "success" };
      },
      () => undefined,
    );
    expect(peak).toBe(3);
  });

  it("runs a step only after everything it waits for", async () => {
    const order: string[] = [];
    await schedule(
      [step("c", ["a", "b"]), step("a"), step("b", ["a"])],
      4,
      async (s) => {
        order.push(s.node);
        return { status: "success" };
      },
      () => undefined,
    );
    expect(order).toEqual(["a", "b", "c"]);
  });

  it("turns a thrown error into an error outcome", async () => {
    const outcomes = await schedule(
      [step("a")],
      1,
      async () => {
        throw new Error("disk full");
      },
      () => undefined,
    );
    expect(outcomes.get("a")).toEqual({ status: "error", message: "disk full" });
  });
});

describe("scheduler, cancelled", () => {
  it("starts no step once the signal aborts: running steps finish, waiting ones are not started", async () => {
    const controller = new AbortController();
    const started: string[] = [];
    const notStarted: string[] = [];
    const outcomes = await schedule(
      [step("a"), step("b"), step("c", ["a"]), step("d", ["b"])],
      2,
      async (s): Promise<StepOutcome> => {
        started.push(s.node);
        if (s.node === "a") controller.abort();
        await new Promise((r) => setTimeout(r, 10));
        return { status: "success" };
      },
      () => undefined,
      { signal: controller.signal, notStarted: (s) => notStarted.push(s.node) },
    );
    expect(started).toEqual(["a", "b"]);
    expect(notStarted.sort()).toEqual(["c", "d"]);
    expect(outcomes.get("c")?.status).toBe("not_started");
    expect(outcomes.get("b")?.status).toBe("success");
  });
});
