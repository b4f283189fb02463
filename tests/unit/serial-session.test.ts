import { afterEach, describe, expect, it } from "vitest";
import { DuckDbEngine } from "../../src/adapters/duckdb/index.js";
import { serialSession } from "../../src/adapters/serial-session.js";
import { Ledger } from "../../src/ledger/ledger.js";

// Two statements at once on one DuckDB connection cancel each other; the ledger's lookups then
// came back empty and the planner took a source for first seen. Every session is serial now.
const engines: DuckDbEngine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
});
async function session() {
  const engine = new DuckDbEngine();
  engines.push(engine);
  return serialSession(await engine.open());
}

describe("one session, one statement at a time", () => {
  it("answers every ledger lookup made at once, none coming back empty", async () => {
    const ledger = await Ledger.open(":memory:");
    const sources = Array.from({ length: 6 }, (_, i) => `source.s.t${i}`);
    const facts = sources.map((source, i) => ({
      model: "m",
      modelVersion: "v",
      source,
      from: null,
      to: { value: `fp${i}`, kind: "fingerprint" as const },
    }));
    await ledger.commitLoad("r1", "m", [], facts, false);
    for (let round = 0; round < 20; round++) {
      const got = await Promise.all(sources.map((s) => ledger.watermark("m", s)));
      expect(got.map((g) => g?.watermark.value)).toEqual(sources.map((_, i) => `fp${i}`));
    }
    await ledger.close();
  });

  it("runs queries made at once on one DuckDB session in turn, each with its own answer", async () => {
    const s = await session();
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => s.query(`select ${i} + count(*) from range(${1000 * (30 - i)})`)),
    );
    expect(answers.map((a) => Number(a.rows[0]![0]))).toEqual(
      Array.from({ length: 30 }, (_, i) => i + 1000 * (30 - i)),
    );
  });

  it("keeps a statement made during another caller's transaction out of that transaction", async () => {
    const s = await session();
    await s.execute("create table t (v int)");
    let inside!: () => void;
    const entered = new Promise<void>((resolve) => (inside = resolve));
    const failing = s.transaction(async () => {
      await s.execute("insert into t values (1)");
      inside();
      await new Promise((r) => setTimeout(r, 20));
      await s.execute("insert into t values (2)");
      throw new Error("rolled back");
    });
    await entered;
    const outside = s.execute("insert into t values (3)");
    await expect(failing).rejects.toThrow("rolled back");
    await outside;
    expect((await s.query("select v from t order by v")).rows.map((r) => Number(r[0]))).toEqual([3]);
  });

  it("refuses a statement on a session while it streams, instead of cancelling the stream", async () => {
    const s = await session();
    const seen: number[] = [];
    let refused = "";
    for await (const batch of s.stream("select range from range(5000)", 1000)) {
      seen.push(batch.rowCount);
      if (!refused)
        refused = await s.query("select 1").then(
          () => "ran",
          (e: Error) => e.message,
        );
    }
    expect(seen.reduce((a, b) => a + b, 0)).toBe(5000);
    expect(refused).toMatch(
      /while it streamed the rows of another query \(select range from range\(5000\)\); open a second session/,
    );
    expect((await s.query("select 42")).rows[0]![0]).toBe(42);
  });
});
