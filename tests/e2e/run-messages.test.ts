// What a person sees when a model or test fails in the engine: the file and line they wrote, the
// engine's words, and the compiled SQL to open. Real DuckDB through the real binary.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sluice } from "../helpers/cli.js";
import { emptyProject, tempProject, type TempProject } from "../helpers/temp-project.js";

let project: TempProject | undefined;
afterEach(() => project?.remove());

describe("run-time error messages", () => {
  it("says on build what compile warns of, in both log formats", () => {
    project = emptyProject("sluice-warn-");
    project.write("dbt_project.yml", "name: w\nprofile: w\n");
    project.write(
      "profiles.yml",
      "w:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: w.duckdb\n",
    );
    project.write(
      "models/a.sql",
      "{{ config(materialized='table', grants={'select': ['bi']}) }}\nselect 1 as id\n",
    );
    const warning = "models/a.sql:1:1 warning: config 'grants' is ignored: grants are not applied by sluice";
    const text = sluice(["build", "--project-dir", project.dir]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout.split("\n")[0]).toBe(warning);
    const json = sluice(["build", "--project-dir", project.dir, "--log-format", "json"]);
    const events = json.stdout
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.some((e) => e["message"] === warning)).toBe(true);
  });

  it("names the template line of a failing static line, though DuckDB counts one line more", () => {
    project = tempProject({
      "models/x.sql":
        "-- comment\n{{ config(materialized='table') }}\nselect 1 as a,\n  cast('x' as int) as b\n",
    });
    const run = sluice(["build", "--project-dir", project.dir, "--log-format", "json"]);
    expect(run.code).toBe(1);
    const end = run.stdout
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((e) => e["event"] === "node_end")!;
    // DuckDB itself says LINE 5 for the fourth line: the create statement adds one line before the SQL.
    expect(end["message"]).toBe(
      "models/x.sql:4: Conversion Error: Could not convert string 'x' to INT32 (compiled SQL: target/compiled/models/x.sql:4)",
    );
  });

  it("names the compiled file and line when the failing line was rendered by the template", () => {
    project = tempProject({
      "models/y.sql": "select 1 as a\n{{ 'from nowhere_at_all' }}\n",
      "models/z.sql": "selec 1\n",
    });
    const run = sluice(["run", "--project-dir", project.dir]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "— target/compiled/models/y.sql:2: Catalog Error: Table with name nowhere_at_all does not exist!",
    );
    expect(run.stdout).toContain(
      '— models/z.sql:1: Parser Error: syntax error at or near "selec" (compiled SQL: target/compiled/models/z.sql:1)',
    );
  });

  it("names the YAML line of a test on a column the model does not have", () => {
    project = tempProject({
      "models/x.sql": "select 1 as amount, 2 as b",
      "models/x.yml":
        "models:\n  - name: x\n    columns:\n      - name: amount\n      - name: amuont\n        tests: [not_null]\n",
    });
    const run = sluice(["build", "--project-dir", project.dir]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "models/x.yml:5: test not_null_x_amuont names column 'amuont', which model x does not have; did you mean 'amount'?",
    );
    expect(run.stdout).not.toMatch(/Binder Error/);
  });

  it("names the config line of a unique_key the model's SQL does not return", () => {
    project = tempProject({
      "models/u.sql": "{{ config(materialized='incremental',\n  unique_key='idd') }}\nselect 1 as id\n",
    });
    expect(sluice(["run", "--project-dir", project.dir]).code).toBe(0);
    const run = sluice(["run", "--project-dir", project.dir]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "models/u.sql:2: unique_key of model u names column 'idd', which its SQL does not return; did you mean 'id'?",
    );
  });

  it("names the property file line of a unique_key set in YAML", () => {
    project = tempProject({
      "models/u.sql": "select 1 as id\n",
      "models/u.yml":
        "models:\n  - name: u\n    config:\n      materialized: incremental\n      unique_key: [idd]\n",
    });
    expect(sluice(["run", "--project-dir", project.dir]).code).toBe(0);
    const run = sluice(["run", "--project-dir", project.dir]);
    expect(run.stdout).toContain("models/u.yml:5: unique_key of model u names column 'idd'");
  });

  it("shows hooks with progress and timing, and counts Done in from the start of the command", () => {
    project = tempProject({
      "project.yml":
        "name: p\non_run_start:\n  - { connection: warehouse, sql: 'create table if not exists h as select 1 as x' }\n" +
        "  - { connection: warehouse, sql: 'select count(*) from range(1000)' }\n",
      "models/a.sql": "select 1 as id",
    });
    const run = sluice(["build", "--project-dir", project.dir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /on_run_start hook 1\/2 on warehouse: running\non_run_start hook 1\/2 on warehouse: done \(\d+\.\d\ds\)/,
    );
    expect(run.stdout).toMatch(/on_run_start hook 2\/2 on warehouse: done/);
    const done = Number(
      /Done in ([\d.]+)s\. PASS 1 WARN 0 ERROR 0 SKIP 0 UNCHANGED 0 TOTAL 1/.exec(run.stdout)?.[1],
    );
    const results = JSON.parse(readFileSync(join(project.dir, "target/run_results.json"), "utf8")) as {
      elapsedMs: number;
    };
    // The run's own elapsed time starts after the process loaded; Done in starts before.
    expect(done * 1000).toBeGreaterThanOrEqual(results.elapsedMs);
  });
});
