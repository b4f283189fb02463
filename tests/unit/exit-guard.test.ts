// The process ends with main()'s exit code, and never with 0 when main() is still pending as the
// event loop empties (Node's default), which a scheduler would read as success.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/temp-project.js";

function child(...args: string[]) {
  const run = spawnSync(process.execPath, ["--import", "tsx", "tests/helpers/exit-guard-child.ts", ...args], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: run.status, stderr: run.stderr };
}

describe("the exit guard", () => {
  it("exits 1 with a message when the event loop empties while main is still pending", () => {
    const run = child("pending");
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      "error: sluice stopped before its command finished: nothing was left running that could finish it " +
        "(a bug in sluice or a driver; run it again, and report it with the command and --log-format json output)\n",
    );
  });

  it("exits with the code main settles on, and says nothing more", () => {
    for (const code of [0, 3]) expect(child("code", String(code))).toEqual({ code, stderr: "" });
  });

  it("exits 1 with the message when main fails", () => {
    expect(child("reject")).toEqual({ code: 1, stderr: "error: main failed\n" });
  });
});
