import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sluice } from "../helpers/cli.js";
import { exampleProject, REPO_ROOT, type TempProject } from "../helpers/temp-project.js";

let project: TempProject | undefined;
afterEach(() => project?.remove());

const PROD_ENV = {
  COOLWEAR_SQL_HOST: "sql.example.invalid",
  COOLWEAR_SQL_USER: "etl",
  COOLWEAR_SQL_PASSWORD: "not-a-real-password",
  COOLWEAR_HIVE_HOST: "hive.example.invalid",
  COOLWEAR_HIVE_USER: "etl",
  COOLWEAR_HIVE_PASSWORD: "not-a-real-password",
};

/** The sluice commands a scheduler's shell line runs: `{SLUICE} docs generate …` or `npx sluice build …`. */
function invocations(text: string): string[][] {
  return [...text.matchAll(/(?:\{SLUICE\}|npx sluice) ([a-z-]+)( generate)? /g)].map((m) => [
    m[1]!,
    ...(m[2] ? [m[2].trim()] : []),
  ]);
}

describe("running unattended", () => {
  it("plans a fresh clone of the example, saying which sources do not exist yet, and runs no hook", () => {
    project = exampleProject();
    const run = sluice(["plan", "--project-dir", project.dir]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      "model.sales_history: production.sales, production.clients, production.products do not exist yet",
    );
    // No hook ran and nothing was created: not even the empty database files (plan reads copies).
    expect(existsSync(join(project.dir, ".sluice"))).toBe(false);
  });

  it("compiles the example's prod target with no server, leaving out the DuckDB-only generator hook", () => {
    project = exampleProject();
    const prod = sluice(["compile", "--project-dir", project.dir, "--target", "prod"], { env: PROD_ENV });
    expect(prod.stderr).toBe("");
    expect(prod.code).toBe(0);
    const manifest = () =>
      JSON.parse(readFileSync(join(project!.dir, "target/manifest.json"), "utf8")) as {
        hooks: { on_run_start: unknown[] };
      };
    expect(manifest().hooks.on_run_start).toEqual([]);
    expect(sluice(["compile", "--project-dir", project.dir]).code).toBe(0);
    expect(manifest().hooks.on_run_start).toHaveLength(1);
  });

  it("refuses an unknown connection type in a hook, naming project.yml", () => {
    project = exampleProject();
    project.write(
      "project.yml",
      readFileSync(join(project.dir, "project.yml"), "utf8").replace(
        "connection_types: [duckdb]",
        "connection_types: [duck]",
      ),
    );
    const run = sluice(["compile", "--project-dir", project.dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/project\.yml:\d+:\d+ error: .*connection_types/);
  });

  it("ships an Airflow DAG and a crontab line whose commands and flags exist", () => {
    const dag = readFileSync(join(REPO_ROOT, "examples/airflow/sluice_dag.py"), "utf8");
    const python = spawnSync(
      "python3",
      [
        "-c",
        "import ast, sys; ast.parse(open(sys.argv[1]).read())",
        join(REPO_ROOT, "examples/airflow/sluice_dag.py"),
      ],
      { encoding: "utf8" },
    );
    if (!python.error) expect(python.status, python.stderr).toBe(0);
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    const cron = /```cron\n(.+)\n```/.exec(readme)?.[1];
    expect(cron).toBeDefined();
    const used = [...invocations(dag), ...invocations(cron!)];
    expect(used.map((c) => c.join(" "))).toEqual(["check", "plan", "build", "docs generate", "build"]);
    const flags = [...new Set([...`${dag}\n${cron}`.matchAll(/(--[a-z-]+)/g)].map((m) => m[1]!))];
    expect(flags).toEqual(
      expect.arrayContaining(["--project-dir", "--target", "--log-format", "--lock-timeout"]),
    );
    for (const command of used) {
      const help = sluice([...command, "--help"]);
      expect(help.code, command.join(" ")).toBe(0);
      const wanted =
        command[0] === "build"
          ? flags.filter((f) => f !== "--prefix")
          : flags.filter((f) => !["--prefix", "--lock-timeout"].includes(f));
      for (const flag of wanted) expect(help.stdout, `${command.join(" ")} ${flag}`).toContain(flag);
    }
  });
});
