// One run reports every problem: errors in project.yml, profiles.yml and property YAML do not stop
// the compile of the models they do not touch, so their errors come in the same report, in every
// output format, with exit 2 and nothing written.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sluice } from "../helpers/cli.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";

let project: TempProject | undefined;
afterEach(() => project?.remove());

/** A YAML error (an unknown key in a property file) and a ref error in a model it does not describe. */
const broken = {
  "models/a.sql": "select 1 as id",
  "models/b.sql": "select * from {{ ref('aa') }}",
  "models/schema.yml": "models:\n  - name: a\n    descripton: the first model\n",
};
const yamlError = {
  file: "models/schema.yml",
  line: 3,
  column: 5,
  message: "unknown key 'descripton' at models[0]",
  hint: "did you mean 'description'?",
};
const refError = {
  file: "models/b.sql",
  line: 1,
  column: 18,
  message: "ref('aa') not found",
  hint: "did you mean 'a'?",
};

/** Nothing a compile or a build would leave: no manifest, no state folder, no database. */
function expectNothingWritten(dir: string): void {
  expect(existsSync(join(dir, "target", "manifest.json"))).toBe(false);
  expect(existsSync(join(dir, ".sluice"))).toBe(false);
}

describe("load errors and compile errors in one run", () => {
  it("compile and build print both, as text, exit 2 and write nothing", () => {
    project = tempProject(broken);
    for (const command of ["compile", "build"]) {
      const run = sluice([command, "--project-dir", project.dir]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(
        "models/schema.yml:3:5 error: unknown key 'descripton' at models[0]; did you mean 'description'?",
      );
      expect(run.stderr).toContain("models/b.sql:1:18 error: ref('aa') not found; did you mean 'a'?");
      expect(run.stderr).toContain("2 errors; nothing was run or written.");
      expectNothingWritten(project.dir);
    }
  });

  it("--log-format json gives each as an error event, then finish", () => {
    project = tempProject(broken);
    for (const command of ["compile", "check", "build"]) {
      const run = sluice([command, "--project-dir", project.dir, "--log-format", "json"]);
      expect(run.code).toBe(2);
      const events = run.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const errors = events
        .filter((e) => e["event"] === "error")
        .map(({ file, line, column, message, hint }) => ({ file, line, column, message, hint }));
      expect(errors).toEqual([yamlError, refError]);
      expect(events.at(-1)).toMatchObject({ event: "finish", ok: false, exit_code: 2 });
      expectNothingWritten(project.dir);
    }
  });

  it("check annotates both for GitHub and fails both in JUnit", () => {
    project = tempProject(broken);
    const junit = join(project.dir, "out", "check.xml");
    const run = sluice(["check", "--project-dir", project.dir, "--format", "github", "--junit", junit]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(
      "::error file=models/schema.yml,line=3,col=5,title=sluice::unknown key 'descripton' at models[0]; did you mean 'description'?",
    );
    expect(run.stdout).toContain(
      "::error file=models/b.sql,line=1,col=18,title=sluice::ref('aa') not found; did you mean 'a'?",
    );
    expect(run.stdout).toMatch(/check failed: 2 nodes, 2 errors/);
    const xml = readFileSync(junit, "utf8");
    expect(xml).toMatch(/<testsuite name="sluice check" tests="3" failures="2"/);
    expect(xml).toContain(
      `<testcase name="model.b" classname="models/b.sql" file="models/b.sql">\n      <failure message="ref('aa') not found" type="error">`,
    );
    expect(xml).toContain(
      `<testcase name="models/schema.yml" classname="models/schema.yml" file="models/schema.yml">\n      <failure message="unknown key 'descripton' at models[0]" type="error">`,
    );
    expect(xml).toContain(
      `<testcase name="model.a" classname="models/a.sql" file="models/a.sql"></testcase>`,
    );
    expect(existsSync(join(project.dir, "target", "manifest.json"))).toBe(false);
  });

  it("check in text reports a project.yml key, a profiles.yml entry and a YAML syntax error with the models' own", () => {
    project = tempProject({
      "project.yml": "name: test_project\nmodle_paths: [models]\n",
      "profiles.yml":
        "targets:\n  dev:\n    connections:\n      warehouse:\n        type: duckdb\n        path: w.duckdb\n" +
        "      lake:\n        type: duckdb\n        pth: lake.duckdb\n",
      "models/sources.yml": "sources:\n  - name: raw\n    tables:\n      - name: orders\n   - bad\n",
      "models/a.sql": "select 1 as id",
      "models/b.sql": "select * from {{ ref('aa') }}",
      // What the broken files left out is not reported again: a source of the unreadable file, a
      // model on the connection whose entry is wrong, and what is downstream of them.
      "models/from_raw.sql": "select * from {{ source('raw', 'orders') }}",
      "models/on_lake.sql": "{{ config(connection='lake', materialized='table') }} select 1 as id",
      "models/after_lake.sql": "select * from {{ ref('on_lake') }}",
    });
    const run = sluice(["check", "--project-dir", project.dir]);
    expect(run.code).toBe(2);
    const lines = run.stdout.trim().split("\n");
    expect(lines.filter((l) => l.includes(" error: ")).map((l) => l.split(" error: ")[0])).toEqual([
      "project.yml:2:1",
      "profiles.yml:8:9",
      "profiles.yml:9:9",
      "models/sources.yml:5:4",
      "models/b.sql:1:18",
    ]);
    expect(run.stdout).toContain(
      "project.yml:2:1 error: unknown key 'modle_paths' at top level; did you mean 'model_paths'?",
    );
    expect(run.stdout).toContain(
      "profiles.yml:9:9 error: unknown key 'pth' at targets.dev.connections.lake; did you mean 'path'?",
    );
    expect(run.stdout).toMatch(/models\/sources\.yml:5:4 error: invalid YAML: .*; fix the YAML syntax/);
  });

  it("check runs its offline column checks beside a YAML error, and writes no manifest", () => {
    project = tempProject({
      "models/a.sql": "select 1 as id",
      "models/b.sql": "{{ config(materialized='incremental', unique_key='idd') }} select 1 as id",
      "models/schema.yml":
        "models:\n  - name: a\n    descripton: the first model\n" +
        "  - name: b\n    columns:\n      - name: id\n        data_type: integer\n",
    });
    const run = sluice(["check", "--project-dir", project.dir]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain("models/schema.yml:3:5 error: unknown key 'descripton' at models[0]");
    expect(run.stdout).toContain(
      "error: config unique_key names column 'idd', which b does not declare; did you mean 'id'?",
    );
    expect(run.stdout).toMatch(/check failed: 2 nodes, 2 errors/);
    expectNothingWritten(project.dir);
  });

  it("a render error is reported beside a YAML error, once the models resolve", () => {
    project = tempProject({
      "models/a.sql": "select {{ var('not_set') }} as x",
      "models/schema.yml": "models:\n  - name: a\n    descripton: the first model\n",
    });
    const run = sluice(["compile", "--project-dir", project.dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("models/schema.yml:3:5 error: unknown key 'descripton'");
    expect(run.stderr).toContain("models/a.sql:1:11 error: var('not_set') is not defined");
    expectNothingWritten(project.dir);
  });

  it("keeps an unreadable project.yml fatal, with nothing else reported", () => {
    project = tempProject({
      "project.yml": "name: [test_project\n",
      "models/b.sql": "select * from {{ ref('aa') }}",
    });
    const run = sluice(["compile", "--project-dir", project.dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^project\.yml:\d+:\d+ error: invalid YAML/m);
    expect(run.stderr).not.toContain("models/b.sql");
  });

  it("commands that do not compile still stop at the load error", () => {
    project = tempProject({ ...broken, "models/b.sql": "select 1 as id" });
    const run = sluice(["debug", "--project-dir", project.dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("models/schema.yml:3:5 error: unknown key 'descripton'");
  });
});
