// The PR check as a pull request meets it: every mistake of any phase (loading YAML and profiles,
// compiling, the declared-schema checks) is a GitHub annotation and a JUnit failure, and the
// shipped workflow and composite action run their steps against a real git repository with a
// base and a head commit.
import { spawnSync } from "node:child_process";
import { readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sluice } from "../helpers/cli.js";
import { REPO_ROOT, tempProject, type TempProject } from "../helpers/temp-project.js";
import { runJob, type WorkflowContext } from "../helpers/workflow.js";

let project: TempProject | undefined;
afterEach(() => project?.remove());

function check(files: Record<string, string>): { code: number; stdout: string; junit: string } {
  project = tempProject(files);
  const junit = join(project.dir, "out/check.xml");
  const run = sluice(["check", "--project-dir", project.dir, "--format", "github", "--junit", junit]);
  return { code: run.code, stdout: run.stdout, junit: readFileSync(junit, "utf8") };
}

describe("sluice check reports every phase as annotations and JUnit failures", () => {
  it.each([
    [
      "a YAML syntax error",
      { "models/a.sql": "select 1 as id", "models/a.yml": "models:\n  - name: a\n   columns: [\n" },
      "models/a.yml",
      /::error file=models\/a\.yml,line=\d+,col=\d+,title=sluice::/,
    ],
    [
      "an unknown key",
      { "project.yml": "name: p\nmodelz: {}\n" },
      "project.yml",
      /::error file=project\.yml,line=2,col=1,title=sluice::unknown key 'modelz' at top level; did you mean 'models'\?/,
    ],
    [
      "a wrong type",
      {
        "profiles.yml":
          "targets:\n  dev:\n    threads: many\n    connections:\n      w: { type: duckdb, path: w.duckdb }\n",
      },
      "profiles.yml",
      /::error file=profiles\.yml,line=3,col=\d+,title=sluice::targets\.dev\.threads/,
    ],
    [
      "a duplicate name",
      { "models/a.sql": "select 1 as id", "models/sub/a.sql": "select 2 as id" },
      "models/",
      /::error file=models\/(sub\/)?a\.sql,line=\d+,col=\d+,title=sluice::.*a/,
    ],
    [
      "a profile error",
      { "profiles.yml": "targets:\n  dev:\n    connections:\n      w: { type: oracle }\n" },
      "profiles.yml",
      /::error file=profiles\.yml,line=4,col=\d+,title=sluice::/,
    ],
  ] as const)("%s", (_what, files, file, annotation) => {
    const run = check(files);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(annotation);
    expect(run.junit).toMatch(/failures="[1-9]\d*"/);
    expect(run.junit).toContain(`file="${file}`);
    expect(run.junit).toMatch(/<failure message="[^"]+" type="error">/);
  });

  it("catches unique_key, partition_by, change-tracking and tested columns a declared schema lacks", () => {
    const run = check({
      "models/sources.yml": `sources:
  - name: prod
    connection: warehouse
    tables:
      - name: sales
        change_tracking:
          updated_at: updatd_at
          deletes: { table: removed, key: sale_idd, deleted_at: removed_at, partition_columns: [ym] }
        columns:
          - { name: sale_id, data_type: integer }
          - { name: updated_at, data_type: timestamp }
          - { name: ym, data_type: varchar }
      - name: removed
        columns:
          - { name: sale_id, data_type: integer }
          - { name: removed_date, data_type: timestamp }
          - { name: ym, data_type: varchar }
`,
      "models/h.sql":
        "{{ config(materialized='incremental', partition_by=['ymm'], unique_key='saleid') }}select * from {{ source('prod', 'sales') }}",
      "models/h.yml": `models:
  - name: h
    columns:
      - { name: sale_id, data_type: integer }
      - { name: ym, data_type: varchar }
    tests:
      - unique: { columns: [sale_ide] }
`,
    });
    expect(run.code).toBe(2);
    for (const message of [
      "config partition_by names column 'ymm', which h does not declare",
      "config unique_key names column 'saleid', which h does not declare",
      "change_tracking.updated_at names column 'updatd_at', which prod.sales does not declare",
      "change_tracking.deletes.key names column 'sale_idd', which prod.removed does not declare",
      "change_tracking.deletes.deleted_at names column 'removed_at', which prod.removed does not declare",
      "test unique_h names column 'sale_ide', which h does not declare",
    ]) {
      expect(run.stdout).toContain(message);
      expect(run.junit).toContain(message);
    }
  });
});

describe("the shipped PR workflow and action", () => {
  const git = (cwd: string, ...args: string[]) => {
    const r = spawnSync("git", args, {
      cwd,
      encoding: "utf8",
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: "t",
        GIT_AUTHOR_EMAIL: "t@example.com",
        GIT_COMMITTER_NAME: "t",
        GIT_COMMITTER_EMAIL: "t@example.com",
        GIT_AUTHOR_DATE: "2026-01-01T00:00:00Z",
        GIT_COMMITTER_DATE: "2026-01-01T00:00:00Z",
      },
    });
    if (r.status !== 0) throw new Error(r.stderr);
  };
  /** A repository whose `main` is the base commit and whose checked-out `pr` branch is the head. */
  function pullRequest(head: Record<string, string>): WorkflowContext {
    project = tempProject({
      "models/a.sql": "select 1 as id",
      "models/b.sql": "select * from {{ ref('a') }}",
      "models/c.sql": "select 2 as id",
      ".gitignore": "target/\n.sluice/\n.sluice-base/\nbin\n",
    });
    // The workflow calls bin/sluice.js of the repository it checks (this repository checks itself).
    symlinkSync(join(REPO_ROOT, "bin"), join(project.dir, "bin"));
    git(project.dir, "init", "-q", "-b", "main");
    git(project.dir, "add", "-A");
    git(project.dir, "commit", "-q", "-m", "base");
    git(project.dir, "checkout", "-q", "-b", "pr");
    for (const [path, text] of Object.entries(head)) project.write(path, text);
    git(project.dir, "add", "-A");
    git(project.dir, "commit", "-q", "-m", "head");
    return { workspace: project.dir, actionPath: REPO_ROOT, github: { base_ref: "main" }, expressions: {} };
  }
  const workflow = join(REPO_ROOT, ".github/workflows/sluice-pr.yml");

  it("annotates a broken pull request, writes the JUnit report and fails the job", () => {
    const ctx = pullRequest({
      "models/b.sql": "select * from {{ ref('aa') }}",
      "models/c.sql": "select * from {{ ref('bb') }}",
    });
    ctx.expressions!["contains(github.event.pull_request.labels.*.name, 'build-modified')"] = "false";
    const steps = runJob(workflow, "check", ctx);
    const last = steps.at(-1)!;
    expect(last.step).toBe("sluice check");
    expect(last.code).toBe(2);
    expect(steps.slice(0, -1).every((s) => s.code === 0)).toBe(true);
    expect(last.stdout).toContain(
      "::error file=models/b.sql,line=1,col=18,title=sluice::ref('aa') not found; did you mean 'a'?",
    );
    expect(last.stdout).toContain(
      "::error file=models/c.sql,line=1,col=18,title=sluice::ref('bb') not found; did you mean 'b'?",
    );
    const junit = readFileSync(join(project!.dir, "target/sluice-check.xml"), "utf8");
    expect(junit).toMatch(/<testsuite name="sluice check" tests="3" failures="2"/);
    expect(junit).toContain(
      `<failure message="ref('aa') not found" type="error">models/b.sql:1:18 error: ref('aa') not found; did you mean 'a'?</failure>`,
    );
    expect(junit).toContain(`<failure message="ref('bb') not found" type="error">`);
  });

  it("builds just what the pull request changed when labelled build-modified", () => {
    const ctx = pullRequest({ "models/b.sql": "select id, 1 as flag from {{ ref('a') }}" });
    ctx.expressions!["contains(github.event.pull_request.labels.*.name, 'build-modified')"] = "true";
    const steps = runJob(workflow, "check", ctx);
    expect(
      steps.map((s) => [s.step, s.code]),
      JSON.stringify(steps.at(-1)),
    ).toEqual([
      ["actions/checkout@v4", 0],
      ["Compile the base branch's manifest", 0],
      ["Install sluice", 0],
      ["sluice check", 0],
      ["Build what the change touches", 0],
    ]);
    expect(steps[3]!.stdout).toContain("state:modified+ selects 1 node: model.b");
    // The embedded target starts empty: the changed model's input is built first, nothing else.
    const build = steps[4]!.stdout;
    expect(build).toMatch(/PASS +create_view model\.a[\s\S]*PASS +create_view model\.b/);
    expect(build).not.toMatch(/model\.c/);
    expect(build).toContain("TOTAL 2");
  });
});
