import { afterEach, describe, expect, it } from "vitest";
import { compileProject } from "../../src/compiler/compile.js";
import { ProjectError, formatDiagnostic } from "../../src/project/diagnostics.js";
import { loadProject } from "../../src/project/load.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";

let project: TempProject | undefined;
afterEach(() => project?.remove());

function errorsOf(work: () => unknown): string[] {
  try {
    work();
  } catch (e) {
    if (e instanceof ProjectError) return e.diagnostics.map(formatDiagnostic);
    throw e;
  }
  throw new Error("expected a ProjectError");
}

describe("project loading", () => {
  it("names the file, line and nearest key for an unknown key in project.yml", () => {
    project = tempProject({ "project.yml": "name: shop\nmodel_path: [models]\n" });
    const errors = errorsOf(() => loadProject({ projectDir: project!.dir }));
    expect(errors).toEqual([
      "project.yml:2:1 error: unknown key 'model_path' at top level; did you mean 'model_paths'?",
    ]);
  });

  it("points at a misspelt connection key inside profiles.yml", () => {
    project = tempProject({
      "profiles.yml":
        "targets:\n  dev:\n    connections:\n      wh:\n        type: duckdb\n        pth: x.duckdb\n",
    });
    const errors = errorsOf(() => loadProject({ projectDir: project!.dir }));
    expect(
      errors.some(
        (e) =>
          e.startsWith("profiles.yml:6:9 error: unknown key 'pth'") && e.includes("did you mean 'path'?"),
      ),
    ).toBe(true);
  });

  it("rejects an unknown connection type with the supported ones", () => {
    project = tempProject({
      "profiles.yml":
        "targets:\n  dev:\n    connections:\n      wh:\n        type: postgres\n        path: x\n",
    });
    const errors = errorsOf(() => loadProject({ projectDir: project!.dir }));
    expect(errors[0]).toMatch(/^profiles\.yml:5:\d+ error: /);
  });

  it("says which target names exist when --target is wrong", () => {
    project = tempProject({});
    const errors = errorsOf(() => loadProject({ projectDir: project!.dir, target: "deev" }));
    expect(errors).toEqual(["profiles.yml:1:1 error: target 'deev' is not defined; did you mean 'dev'?"]);
  });

  it("renders only the chosen target, so another target's env vars need not be set", () => {
    project = tempProject({
      "profiles.yml":
        "targets:\n  dev:\n    connections:\n      wh: { type: duckdb, path: a.duckdb }\n  prod:\n    connections:\n      wh: { type: sqlserver, host: \"{{ env_var('NOPE_HOST') }}\", database: d }\n",
    });
    expect(loadProject({ projectDir: project.dir, env: {} }).targetName).toBe("dev");
    const errors = errorsOf(() => loadProject({ projectDir: project!.dir, target: "prod", env: {} }));
    expect(errors).toEqual([
      expect.stringMatching(
        /^profiles\.yml:7:\d+ error: environment variable 'NOPE_HOST' is not set; set the environment variable/,
      ),
    ]);
  });

  it("keeps a credential read through env_var out of the manifest", () => {
    project = tempProject({
      "profiles.yml":
        "targets:\n  dev:\n    connections:\n      wh: { type: duckdb, path: a.duckdb }\n      mart: { type: sqlserver, host: h, database: d, user: u, password: \"{{ env_var('MART_PASSWORD') }}\" }\n",
      "models/m.sql": "select 1 as x",
    });
    const loaded = loadProject({ projectDir: project.dir, env: { MART_PASSWORD: "s3cret-value" } });
    const { manifest } = compileProject(loaded);
    expect(JSON.stringify(manifest)).not.toContain("s3cret-value");
    expect(loaded.secrets.redact("login failed for s3cret-value")).toBe("login failed for ****");
  });

  it("reports unknown keys in model property files with the nearest valid key", () => {
    project = tempProject({
      "models/m.sql": "select 1 as x",
      "models/schema.yml": "models:\n  - name: m\n    descripton: typo\n",
    });
    const errors = errorsOf(() => loadProject({ projectDir: project!.dir }));
    expect(errors).toEqual([
      "models/schema.yml:3:5 error: unknown key 'descripton' at models[0]; did you mean 'description'?",
    ]);
  });
});
