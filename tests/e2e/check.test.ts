import { cpSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { sluice } from "../helpers/cli.js";
import { REPO_ROOT, tempProject, type TempProject } from "../helpers/temp-project.js";

let project: TempProject | undefined;
afterEach(() => project?.remove());

const base = {
  "models/a.sql": "select 1 as id",
  "models/b.sql": "select * from {{ ref('a') }}",
  "models/c.sql": "select * from {{ ref('b') }}",
  "models/d.sql": "select 2 as id",
};

describe("sluice check (PR checks)", () => {
  it("annotates a broken ref and a cycle for GitHub, writes JUnit and exits 2", () => {
    project = tempProject({
      ...base,
      "models/b.sql": "select * from {{ ref('aa') }}",
      "models/x.sql": "select * from {{ ref('y') }}",
      "models/y.sql": "select * from {{ ref('x') }}",
    });
    const junit = join(project.dir, "out/check.xml");
    const run = sluice(["check", "--project-dir", project.dir, "--format", "github", "--junit", junit]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(
      "::error file=models/b.sql,line=1,col=18,title=sluice::ref('aa') not found; did you mean 'a'?",
    );
    expect(run.stdout).toMatch(
      /::error file=models\/x\.sql,line=1,col=1,title=sluice::dependency cycle: x → y → x/,
    );
    const xml = readFileSync(junit, "utf8");
    expect(xml).toMatch(/<testsuite name="sluice check" tests="\d+" failures="2"/);
    expect(xml).toContain(
      `<testcase name="model.b" classname="models/b.sql" file="models/b.sql">\n      <failure message="ref('aa') not found" type="error">`,
    );
  });

  it("selects what a change touches with state:modified+ and passes when it compiles", () => {
    project = tempProject(base);
    expect(sluice(["compile", "--project-dir", project.dir]).code).toBe(0);
    const state = join(project.dir, "base-state");
    cpSync(join(project.dir, "target"), state, { recursive: true });
    project.write("models/b.sql", "select id, 1 as flag from {{ ref('a') }}");
    project.write("models/e.sql", "select 3 as id");
    const run = sluice(["check", "--project-dir", project.dir, "--state", state]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("state:modified+ selects 3 nodes: model.b, model.c, model.e");
    const ls = sluice(["ls", "--project-dir", project.dir, "--select", "state:modified+", "--state", state]);
    expect(new Set(ls.stdout.trim().split("\n"))).toEqual(new Set(["b", "c", "e"]));
  });

  it("counts a change to a macro as a change of the models that use it", () => {
    project = tempProject({
      ...base,
      "macros/m.sql": "{% macro one() %}1{% endmacro %}",
      "models/d.sql": "select {{ one() }} as id",
    });
    expect(sluice(["compile", "--project-dir", project.dir]).code).toBe(0);
    const state = join(project.dir, "base-state");
    cpSync(join(project.dir, "target"), state, { recursive: true });
    project.write("macros/m.sql", "{% macro one() %}2{% endmacro %}");
    const ls = sluice(["ls", "--project-dir", project.dir, "--select", "state:modified", "--state", state]);
    expect(ls.stdout.trim()).toBe("d");
  });

  it("refuses tests on columns a model's declared schema lacks", () => {
    project = tempProject({
      "models/a.sql": "select 1 as id",
      "models/schema.yml":
        "models:\n  - name: a\n    columns:\n      - name: id\n        data_type: integer\n    tests:\n      - unique: { columns: [idd] }\n",
    });
    const run = sluice(["check", "--project-dir", project.dir]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(
      "error: test unique_a names column 'idd', which a does not declare; did you mean 'id'?",
    );
  });

  it("passes on the example project", () => {
    const run = sluice(["check"]);
    expect(run.stdout).toMatch(/check passed: \d+ nodes, 0 errors/);
    expect(run.code).toBe(0);
  });

  it("ships a composite action and a workflow that call commands that exist", () => {
    const action = parse(readFileSync(join(REPO_ROOT, "action.yml"), "utf8")) as {
      runs: { using: string; steps: { run?: string }[] };
    };
    expect(action.runs.using).toBe("composite");
    const scripts = action.runs.steps.map((s) => s.run ?? "").join("\n");
    expect(scripts).toContain('sluice.js" check');
    expect(scripts).toContain('--select "+state:modified+"');
    const workflow = parse(readFileSync(join(REPO_ROOT, ".github/workflows/sluice-pr.yml"), "utf8")) as {
      on: unknown;
      jobs: Record<string, unknown>;
    };
    expect(Object.keys(workflow.on as object)).toEqual(["pull_request"]);
    expect(existsSync(join(REPO_ROOT, "bin/sluice.js"))).toBe(true);
  });
});
