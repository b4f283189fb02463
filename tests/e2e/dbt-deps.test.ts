// `sluice deps` through the binary: a local: package is linked into dbt_packages/ and a build then
// uses its macros from there; a git: package is cloned with the machine's git (from a repository the
// test makes, so no network is needed); a dbt Hub package, or a git package that cannot be fetched,
// fails naming the packages.yml line and what to do, and installs nothing.
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sluice } from "../helpers/cli.js";
import { queryDuckDb } from "../helpers/duckdb.js";
import { emptyProject, type TempProject } from "../helpers/temp-project.js";

const made: TempProject[] = [];
afterEach(() => {
  for (const p of made.splice(0)) p.remove();
});

function dbtProject(packages: string): TempProject {
  const p = emptyProject("sluice-dbt-deps-");
  made.push(p);
  p.write("dbt_project.yml", "name: shop\nprofile: shop\n");
  p.write(
    "profiles.yml",
    "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: shop.duckdb\n",
  );
  p.write("packages.yml", packages);
  p.write("vendor/helpers/dbt_project.yml", "name: helpers\n");
  p.write("vendor/helpers/macros/twice.sql", "{% macro twice(x) %}({{ x }} * 2){% endmacro %}\n");
  return p;
}
const deps = (p: TempProject) => sluice(["deps", "--project-dir", p.dir], { env: { DBT_PROFILES_DIR: "" } });

describe("sluice deps", () => {
  it("links a local: package into dbt_packages/, and a build reads its macros from there", async () => {
    const p = dbtProject("packages:\n  - local: vendor/helpers\n");
    const run = deps(p);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain("Installed helpers (local: vendor/helpers) into dbt_packages/helpers");
    expect(lstatSync(join(p.dir, "dbt_packages/helpers")).isSymbolicLink()).toBe(true);
    // Installed, the package is used from dbt_packages/ even once packages.yml no longer lists it.
    p.write("packages.yml", "packages: []\n");
    p.write("models/m.sql", "{{ config(materialized='table') }}\nselect {{ helpers.twice(21) }} as answer\n");
    const build = sluice(["build", "--project-dir", p.dir], { env: { DBT_PROFILES_DIR: "" } });
    expect(build.code, build.stdout + build.stderr).toBe(0);
    expect(await queryDuckDb({ shop: join(p.dir, "shop.duckdb") }, "select answer from shop.main.m")).toEqual(
      [{ answer: 42 }],
    );
  });

  it("clones a git: package at its revision with the machine's git", () => {
    const repo = emptyProject("sluice-dbt-deps-repo-");
    made.push(repo);
    repo.write("dbt_project.yml", "name: remote_helpers\n");
    repo.write("macros/one.sql", "{% macro one() %}1{% endmacro %}\n");
    const git = (...args: string[]) =>
      spawnSync("git", ["-C", repo.dir, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
        encoding: "utf8",
      });
    git("init", "--quiet", "-b", "main");
    git("add", ".");
    git("commit", "--quiet", "-m", "package");
    git("tag", "v1");
    const p = dbtProject(`packages:\n  - git: "file://${repo.dir}"\n    revision: v1\n`);
    const run = deps(p);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain("Installed remote_helpers (git: file://");
    expect(readFileSync(join(p.dir, "dbt_packages/remote_helpers/macros/one.sql"), "utf8")).toContain(
      "macro one",
    );
  });

  it("refuses a dbt Hub package and an unreachable git package, saying to vendor them, and installs nothing", () => {
    const p = dbtProject(
      "packages:\n  - local: vendor/helpers\n  - package: dbt-labs/dbt_utils\n    version: 1.3.0\n  - git: file:///nonexistent/sluice-test-repo.git\n",
    );
    const run = deps(p);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "packages.yml:3:1 error: dbt Hub package 'dbt-labs/dbt_utils' cannot be installed by sluice, which has no dbt Hub client; vendor it: put a copy of the package in the project (e.g. packages/<name>) and list it as `- local: packages/<name>`",
    );
    expect(run.stderr).toMatch(
      /packages\.yml:5:1 error: cannot fetch git package file:\/\/\/nonexistent\/sluice-test-repo\.git: .+; check the URL and revision, or vendor it/,
    );
    expect(existsSync(join(p.dir, "dbt_packages"))).toBe(false);
  });
});
