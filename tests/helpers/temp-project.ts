// Builds throwaway projects for tests: files from a map, or a copy of the example project, in a
// fresh temporary folder that the test removes afterwards.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { TEST_CLOCK } from "./clock.js";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export interface TempProject {
  dir: string;
  write(path: string, text: string): void;
  remove(): void;
}

export const DUCKDB_PROFILE = `targets:
  dev:
    connections:
      warehouse:
        type: duckdb
        path: .sluice/warehouse.duckdb
`;

/** An empty project folder under the system's temporary folder (for a dbt project: no project.yml). */
export function emptyProject(prefix: string): TempProject {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    write(path, text) {
      const file = join(dir, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A project from `files`; project.yml and profiles.yml get defaults when not given. */
export function tempProject(files: Record<string, string>): TempProject {
  const project = emptyProject("sluice-test-");
  project.write("project.yml", "name: test_project\n");
  project.write("profiles.yml", DUCKDB_PROFILE);
  for (const [path, text] of Object.entries(files)) project.write(path, text);
  return project;
}

/**
 * A copy of the repository's example project (CoolWearPT), its data generator pinned to
 * TEST_CLOCK (the `coolwear_now` var) so the data does not move with the calendar.
 */
export function exampleProject(): TempProject {
  const project = emptyProject("sluice-example-");
  for (const entry of ["project.yml", "profiles.yml", "models", "macros", "seeds", "data_tests"]) {
    cpSync(join(REPO_ROOT, entry), join(project.dir, entry), { recursive: true });
  }
  const config = join(project.dir, "project.yml");
  const text = readFileSync(config, "utf8");
  if (!/^vars:\n/m.test(text))
    throw new Error("the example's project.yml has no top-level vars: block to pin the clock in");
  writeFileSync(config, text.replace(/^vars:\n/m, `vars:\n  coolwear_now: "${TEST_CLOCK}"\n`));
  return project;
}
