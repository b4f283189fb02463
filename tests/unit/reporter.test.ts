// The words a run reports its steps by, the recap at its end, and when output is coloured.
import { describe, expect, it } from "vitest";
import { colours, createReporter, resultWord } from "../../src/runner/reporter.js";

function capture(): { stream: NodeJS.WriteStream; text: () => string } {
  let out = "";
  const stream = {
    isTTY: false,
    write: (s: string) => {
      out += s;
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  return { stream, text: () => out };
}

describe("run reporting", () => {
  it.each([
    ["build_table", "success", "pass"],
    ["run_test", "pass", "pass"],
    ["run_test", "warn", "warn"],
    ["run_test", "fail", "error"],
    ["create_view", "error", "error"],
    ["build_table", "skipped", "skip"],
    ["skip", "success", "unchanged"],
    ["skip", "skipped", "skip"],
  ] as const)("reports %s ending %s as %s", (action, status, word) => {
    expect(resultWord(action, status)).toBe(word);
  });

  it("recaps failed and warned nodes with their first line, then the totals", () => {
    const { stream, text } = capture();
    const r = createReporter("text", (s) => s.replace("hunter2", "****"), stream);
    const e = (node: string, action: string, index: number) => ({ node, action, index, total: 5 });
    r.start(5, "build");
    r.nodeEnd(
      e("model.a", "build_table", 1),
      { status: "error", message: "models/a.sql:3: Binder Error: hunter2\nsecond line" },
      10,
    );
    r.nodeEnd(
      e("model.b", "build_table", 2),
      { status: "skipped", message: "upstream model.a did not succeed" },
      0,
    );
    r.nodeEnd(e("test.t", "run_test", 3), { status: "warn", message: "2 failing rows" }, 5);
    r.nodeEnd(e("model.c", "skip", 4), { status: "success", message: "unchanged" }, 0);
    r.nodeEnd(e("model.d", "create_view", 5), { status: "success" }, 3);
    r.finish("Done in 1.00s", false, 1);
    const out = text();
    expect(out).toMatch(/1\/5 ERROR +build_table model\.a/);
    expect(out).toMatch(/2\/5 SKIP +build_table model\.b/);
    expect(out).toMatch(/4\/5 UNCHANGED skip model\.c/);
    expect(out).toContain(
      "Completed with 1 error and 1 warning:\n  ERROR model.a: models/a.sql:3: Binder Error: ****\n  WARN  test.t: 2 failing rows\n",
    );
    expect(out).toContain("Done in 1.00s. PASS 1 WARN 1 ERROR 1 SKIP 1 UNCHANGED 1 TOTAL 5\n");
    expect(out).not.toContain("hunter2");
  });

  it("ends a JSON log with the totals", () => {
    const { stream, text } = capture();
    const r = createReporter("json", (s) => s, stream);
    r.nodeEnd({ node: "model.a", action: "build_table", index: 1, total: 1 }, { status: "success" }, 1);
    r.finish("Done in 0.10s", true, 0);
    const [end, finish] = text()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(end).toMatchObject({ event: "node_end", status: "pass" });
    expect(finish).toMatchObject({
      event: "finish",
      ok: true,
      exit_code: 0,
      totals: { pass: 1, warn: 0, error: 0, skip: 0, unchanged: 0, total: 1 },
    });
  });

  it("colours a terminal, not a pipe (CI or not), unless FORCE_COLOR says so", () => {
    const red = (c: ReturnType<typeof colours>) => c.red("x") !== "x";
    expect(red(colours({ isTTY: false }, { CI: "1" }))).toBe(false);
    expect(red(colours({ isTTY: true }, {}))).toBe(true);
    expect(red(colours({ isTTY: false }, { CI: "1", FORCE_COLOR: "1" }))).toBe(true);
    expect(red(colours({ isTTY: true }, { FORCE_COLOR: "0" }))).toBe(false);
    expect(red(colours({ isTTY: true }, { NO_COLOR: "1" }))).toBe(false);
  });
});
