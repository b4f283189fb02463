import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sluice } from "../helpers/cli.js";
import { queryDuckDb } from "../helpers/duckdb.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";

let project: TempProject | undefined;
afterEach(() => project?.remove());
const warehouse = () => ({ warehouse: join(project!.dir, ".sluice/warehouse.duckdb") });

describe("sluice command line", () => {
  it("prints help for every command", () => {
    for (const command of [
      "init",
      "compile",
      "ls",
      "seed",
      "build",
      "run",
      "test",
      "plan",
      "clean",
      "debug",
      "run-operation",
    ]) {
      const run = sluice([command, "--help"]);
      expect(run.code, command).toBe(0);
      expect(run.stdout, command).toContain(`Usage: sluice ${command}`);
    }
  });

  it("exits 2 and writes nothing when the project does not compile", () => {
    project = tempProject({ "models/a.sql": "select * from {{ ref('missing') }}" });
    const run = sluice(["build", "--project-dir", project.dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("models/a.sql:1:18 error: ref('missing') not found");
    expect(run.stderr).toContain("nothing was run or written");
  });

  it("exits 2 on a misused flag", () => {
    expect(sluice(["build", "--threads", "zero"]).code).toBe(2);
    expect(sluice(["build", "--no-such-flag"]).code).toBe(2);
  });

  it("compiles with no connection at all", () => {
    project = tempProject({
      "profiles.yml":
        "targets:\n  prod:\n    connections:\n      mart: { type: sqlserver, host: 192.0.2.1, database: d, connect_timeout_ms: 1000 }\n",
      "models/a.sql": "select 1 as id",
    });
    const run = sluice(["compile", "--project-dir", project.dir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Compiled 1 model in \d+ ms/);
  });

  it("exits 1 when an error test fails, prints failing rows and skips what is downstream", async () => {
    project = tempProject({
      "models/a.sql": "select * from (values (1), (1), (2)) t(id)",
      "models/b.sql": "{{ config(materialized='table') }}select * from {{ ref('a') }}",
      "models/schema.yml": "models:\n  - name: a\n    columns:\n      - name: id\n        tests: [unique]\n",
    });
    const run = sluice(["build", "--project-dir", project.dir]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/ERROR\s+run_test test\.unique_a_id .*1 failing row/);
    expect(run.stdout).toMatch(/id \| n_records\n\s+1 \| 2/);
    expect(run.stdout).toMatch(/SKIP +build_table model\.b/);
  });

  it("passes with a warning when a warn-severity test fails", () => {
    project = tempProject({
      "models/a.sql": "select * from (values (1), (1)) t(id)",
      "models/schema.yml":
        "models:\n  - name: a\n    columns:\n      - name: id\n        tests:\n          - unique: { severity: warn }\n",
    });
    const run = sluice(["build", "--project-dir", project.dir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/WARN\s+run_test/);
  });

  it("applies error_if thresholds", () => {
    project = tempProject({
      "models/a.sql": "select * from (values (null), (null), (1)) t(id)",
      "models/schema.yml":
        "models:\n  - name: a\n    columns:\n      - name: id\n        tests:\n          - not_null: { error_if: '>5' }\n",
    });
    expect(sluice(["build", "--project-dir", project.dir]).code).toBe(0);
  });

  it("loads seeds with typed columns and lets models ref them", async () => {
    project = tempProject({
      "seeds/rates.csv": "code,rate,since\nEUR,1.0,2024-01-01\nUSD,0.92,2024-02-01\n",
      "seeds/schema.yml":
        "seeds:\n  - name: rates\n    config:\n      column_types: { rate: 'decimal(10,4)' }\n",
      "models/usd.sql":
        "{{ config(materialized='table') }}select rate from {{ ref('rates') }} where code = 'USD'",
    });
    expect(sluice(["build", "--project-dir", project.dir]).code).toBe(0);
    const rows = await queryDuckDb(
      warehouse(),
      "select rate::varchar as rate, typeof(rate) as t from warehouse.main.usd",
    );
    expect(rows).toEqual([{ rate: "0.9200", t: "DECIMAL(10,4)" }]);
  });

  it("lists the selection with ls", () => {
    project = tempProject({
      "models/a.sql": "select 1 as id",
      "models/b.sql": "select * from {{ ref('a') }}",
      "models/c.sql": "select 2 as id",
    });
    const run = sluice(["ls", "--project-dir", project.dir, "--select", "a+"]);
    expect(run.stdout.trim().split("\n")).toEqual(["a", "b"]);
  });

  it("checks each connection with debug", () => {
    project = tempProject({});
    const run = sluice(["debug", "--project-dir", project.dir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/warehouse \(duckdb\): OK, DuckDB v\d/);
  });

  it("emits JSON lines with --log-format json", () => {
    project = tempProject({ "models/a.sql": "select 1 as id" });
    const run = sluice(["build", "--project-dir", project.dir, "--log-format", "json"]);
    const events = run.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { event: string });
    expect(events.map((e) => e.event)).toEqual(["start", "node_start", "node_end", "finish"]);
  });

  it("scaffolds a project with init that builds as it is", () => {
    project = tempProject({});
    const dir = join(project.dir, "new_project");
    expect(sluice(["init", dir]).code).toBe(0);
    const run = sluice(["build", "--project-dir", dir]);
    expect(run.code).toBe(0);
    expect(sluice(["init", dir]).code).toBe(2);
  });
});
