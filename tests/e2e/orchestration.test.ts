import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EXIT_FAILED, EXIT_LOCKED, EXIT_OK, EXIT_USAGE } from "../../src/cli/main.js";
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
    for (const command of [["ls"], ["check"]]) {
      const offline = sluice([...command, "--project-dir", project.dir, "--target", "prod"], {
        env: PROD_ENV,
      });
      expect(offline.code, `${command[0]}: ${offline.stderr}`).toBe(0);
    }
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
        command[0] === "build" || command[0] === "plan"
          ? flags.filter((f) => f !== "--prefix")
          : flags.filter((f) => !["--prefix", "--lock-timeout"].includes(f));
      for (const flag of wanted) expect(help.stdout, `${command.join(" ")} ${flag}`).toContain(flag);
    }
  });

  it("documents the CLI's own exit codes in the README and the Airflow DAG, which skips a held lock", () => {
    const cli = [EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_LOCKED];
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    const paragraph = /^Exit codes: [\s\S]*?\n\n/m.exec(readme)?.[0] ?? "";
    const documented = [...paragraph.matchAll(/\*\*(\d+)\*\* ([^,]+)/g)].map((m) => [Number(m[1]), m[2]!]);
    expect(documented.map(([code]) => code)).toEqual(cli);
    expect(documented.find(([code]) => code === EXIT_LOCKED)?.[1]).toMatch(/run\slock/);
    const dag = readFileSync(join(REPO_ROOT, "examples/airflow/sluice_dag.py"), "utf8");
    const docstring = /^"""([\s\S]*?)"""/.exec(dag)?.[1] ?? "";
    const listed = [...docstring.matchAll(/^ {2}(\d+) (.+)$/gm)].map((m) => [Number(m[1]), m[2]!]);
    expect(listed.map(([code]) => code)).toEqual(cli);
    expect(listed.find(([code]) => code === EXIT_LOCKED)?.[1]).toContain("run lock");
    expect(/^EXIT_LOCKED = (\d+)$/m.exec(dag)?.[1]).toBe(String(EXIT_LOCKED));
    // plan and build wait for the lock, and a lock still held after the wait skips them.
    for (const task of ["plan", "build"]) {
      const operator = new RegExp(`task_id="${task}"[^)]*\\)`).exec(dag)?.[0] ?? "";
      expect(operator, task).toContain("skip_on_exit_code=EXIT_LOCKED");
      expect(operator, task).toContain("--lock-timeout");
    }
  });

  it("prints JSON lines only on stdout for each command of the DAG under --log-format json", () => {
    project = exampleProject();
    const dag = readFileSync(join(REPO_ROOT, "examples/airflow/sluice_dag.py"), "utf8");
    for (const command of invocations(dag)) {
      const run = sluice([...command, "--project-dir", project.dir, "--log-format", "json"]);
      expect(run.code, `${command.join(" ")}: ${run.stderr}`).toBe(0);
      const events = run.stdout
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as { event: string; exit_code?: number; action?: string });
      expect(events.at(-1), command.join(" ")).toMatchObject({ event: "finish", exit_code: 0 });
      if (command[0] === "plan")
        expect(events.filter((e) => e.event === "plan_step").map((e) => e.action)).toContain("build_table");
    }
  });

  it("runs the README's crontab line: its log is JSON lines ending with the exit code the shell saw", () => {
    project = exampleProject();
    const logs = join(project.dir, "logs");
    mkdirSync(logs);
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    const line = /```cron\n(.+)\n```/.exec(readme)?.[1] ?? "";
    const command = line
      .replace(/^(\S+ ){5}/, "")
      .replace("/srv/coolwear", project.dir)
      .replace("npx sluice", `${process.execPath} ${join(REPO_ROOT, "bin/sluice.js")}`)
      .replaceAll("/var/log/sluice", logs);
    expect(command).not.toBe(line);
    // The prod target's servers do not exist: the build fails at once (exit 1), as on a bad night.
    const run = spawnSync("sh", ["-c", command], { env: { ...process.env, ...PROD_ENV }, encoding: "utf8" });
    expect(run.status).toBe(1);
    const events = readFileSync(join(logs, "coolwear.jsonl"), "utf8")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as { event: string; exit_code?: number; message?: string });
    expect(events.at(-1)).toMatchObject({ event: "finish", exit_code: 1 });
    expect(events.some((e) => e.event === "error" && e.message?.includes(".example.invalid"))).toBe(true);
    expect(readFileSync(join(logs, "coolwear.err"), "utf8")).toMatch(/^error: /m);
    expect(`${readFileSync(join(logs, "coolwear.jsonl"), "utf8")}`).not.toContain("not-a-real-password");
  });
});
