// `--log-format json`: every error is a JSON event on stdout and every command ends with `finish`;
// piped output carries no colour codes under CI unless FORCE_COLOR asks. Real binary, real DuckDB.
import { afterEach, describe, expect, it } from "vitest";
import { sluice } from "../helpers/cli.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";

let project: TempProject | undefined;
afterEach(() => project?.remove());

type Event = Record<string, unknown> & { event: string };
/** Every stdout line must be a JSON event; a text line fails the parse. */
const events = (stdout: string): Event[] =>
  stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Event);

describe("--log-format json", () => {
  it("reports each compile error as an event with file and line, then finish", () => {
    project = tempProject({
      "models/a.sql": "select * from {{ ref('missing') }}",
      "models/b.sql": "select * from {{ ref('gone') }}",
    });
    for (const command of ["compile", "build"]) {
      const run = sluice([command, "--project-dir", project.dir, "--log-format", "json"]);
      expect(run.code, command).toBe(2);
      const out = events(run.stdout);
      expect(
        out
          .filter((e) => e.event === "error")
          .map((e) => `${String(e["file"])}:${String(e["line"])}`)
          .sort(),
      ).toEqual(["models/a.sql:1", "models/b.sql:1"]);
      expect(out.at(-1)).toMatchObject({ event: "finish", ok: false, exit_code: 2 });
    }
  });

  it("reports a load error (YAML syntax) as an event", () => {
    project = tempProject({ "models/a.yml": "models:\n  - name: a\n   columns: [\n" });
    const run = sluice(["ls", "--project-dir", project.dir, "--log-format", "json"]);
    expect(run.code).toBe(2);
    const out = events(run.stdout);
    expect(out[0]).toMatchObject({ event: "error", kind: "project", file: "models/a.yml" });
    expect(out.at(-1)).toMatchObject({ event: "finish", ok: false });
  });

  it("reports a connection that cannot open as an event, in a run and outside one", () => {
    project = tempProject({
      "profiles.yml":
        "targets:\n  dev:\n    connections:\n      warehouse: { type: duckdb, path: project.yml/w.duckdb }\n",
      "models/a.sql": "select 1 as id",
      "macros/m.sql": "{% macro m() %}select 1{% endmacro %}",
    });
    const build = events(sluice(["build", "--project-dir", project.dir, "--log-format", "json"]).stdout);
    expect(build.find((e) => e.event === "node_end")).toMatchObject({
      status: "error",
      message: expect.stringContaining("project.yml"),
    });
    expect(build.at(-1)).toMatchObject({ event: "finish", ok: false });
    const run = sluice([
      "run-operation",
      "m",
      "-c",
      "warehouse",
      "--project-dir",
      project.dir,
      "--log-format",
      "json",
    ]);
    expect(run.code).toBe(1);
    expect(events(run.stdout)).toEqual([
      expect.objectContaining({ event: "info", message: "Running m on warehouse: 1 statement" }),
      expect.objectContaining({
        event: "error",
        kind: "runtime",
        message: expect.stringContaining("project.yml"),
      }),
      expect.objectContaining({ event: "finish", ok: false, exit_code: 1 }),
    ]);
  });

  it("reports a usage error as an event", () => {
    const run = sluice(["build", "--threads", "zero", "--log-format", "json"]);
    expect(run.code).toBe(2);
    expect(events(run.stdout)).toEqual([
      expect.objectContaining({ event: "error", kind: "usage" }),
      expect.objectContaining({ event: "finish", ok: false, exit_code: 2 }),
    ]);
  });

  it("makes compile and debug speak JSON and end with finish", () => {
    project = tempProject({ "models/a.sql": "select 1 as id" });
    const compile = events(sluice(["compile", "--project-dir", project.dir, "--log-format", "json"]).stdout);
    expect(compile.map((e) => e.event)).toEqual(["info", "finish"]);
    expect(compile[0]!["message"]).toMatch(/^Compiled 1 model in \d+ ms/);
    const debug = events(sluice(["debug", "--project-dir", project.dir, "--log-format", "json"]).stdout);
    expect(debug.map((e) => e.event)).toEqual(["info", "connection", "finish"]);
    expect(debug[1]).toMatchObject({ name: "warehouse", type: "duckdb", ok: true });
    expect(debug[2]).toMatchObject({ ok: true, exit_code: 0 });
  });
});

describe("colour", () => {
  it("writes no colour codes to a pipe under CI=1, and does when FORCE_COLOR asks", () => {
    project = tempProject({ "models/a.sql": "selec 1" });
    const plain = sluice(["build", "--project-dir", project.dir], { env: { CI: "1", NO_COLOR: "" } });
    expect(plain.stdout).toMatch(/ERROR +create_view model\.a/);
    expect(plain.stdout + plain.stderr).not.toContain("\u001b[");
    const forced = sluice(["build", "--project-dir", project.dir], {
      env: { CI: "1", NO_COLOR: "", FORCE_COLOR: "1" },
    });
    expect(forced.stdout).toContain("\u001b[31m");
    const broken = sluice(["compile", "--project-dir", project.dir, "--vars", "[1]"], {
      env: { CI: "1", NO_COLOR: "" },
    });
    expect(broken.code).toBe(2);
    expect(broken.stderr).not.toContain("\u001b[");
  });
});
