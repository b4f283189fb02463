// The phase clock behind run_results.json's phasesMs: phases add up, count when they throw, and
// keep the order they first ran in.
import { describe, expect, it } from "vitest";
import { PhaseClock } from "../../src/runner/phase-clock.js";

describe("the phase clock", () => {
  it("adds up a phase timed twice and keeps the order phases first ran in", async () => {
    const clock = new PhaseClock();
    clock.add("compile", 10.4);
    await clock.time("plan", () => new Promise((r) => setTimeout(r, 20)));
    clock.add("compile", 5.3);
    const phases = clock.toJSON();
    expect(Object.keys(phases)).toEqual(["compile", "plan"]);
    expect(phases["compile"]).toBe(16);
    expect(phases["plan"]).toBeGreaterThanOrEqual(19);
  });

  it("counts the time of a phase that throws, and passes the error on", async () => {
    const clock = new PhaseClock();
    await expect(
      clock.time("lock", async () => {
        await new Promise((r) => setTimeout(r, 10));
        throw new Error("held");
      }),
    ).rejects.toThrow("held");
    expect(clock.toJSON()["lock"]).toBeGreaterThanOrEqual(9);
  });
});
