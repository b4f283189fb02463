import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterEach, describe, expect, it } from "vitest";
import { sluice } from "../helpers/cli.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";

let project: TempProject | undefined;
const cleanup: string[] = [];
afterEach(() => {
  project?.remove();
  for (const dir of cleanup.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const profile = (path: string) =>
  `targets:\n  dev:\n    connections:\n      warehouse: { type: duckdb, path: "${path}" }\n`;

describe("debug while a build runs", () => {
  it("says a build holds the lock and leaves the DuckDB files it has open alone", async () => {
    project = tempProject({ "models/a.sql": "select 1 as id" });
    expect(sluice(["build", "--project-dir", project.dir]).code).toBe(0);
    // What a running build holds: the run lock, and its DuckDB file open for writing.
    const { RunLock } = await import("../../src/ledger/run-lock.js");
    const lock = await RunLock.acquire(join(project.dir, ".sluice/dev/run.lock"), {
      runId: "holder-run",
      command: "build",
      waitMs: 0,
    });
    const instance = await DuckDBInstance.create(join(project.dir, ".sluice/warehouse.duckdb"));
    const connection = await instance.connect();
    try {
      await connection.run("create or replace table busy as select 1 as x");
      const run = sluice(["debug", "--project-dir", project.dir]);
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(
        /a build holds the run lock \(build run holder-run, pid \d+ on \S+, started [^)]+\): its DuckDB files are not opened/,
      );
      expect(run.stdout).toContain(
        "warehouse (duckdb): in use by the running build, not opened (path=.sluice/warehouse.duckdb)",
      );
    } finally {
      connection.closeSync();
      instance.closeSync();
      lock.release();
    }
    expect(sluice(["debug", "--project-dir", project.dir]).stdout).toMatch(
      /warehouse \(duckdb\): OK, DuckDB v/,
    );
  });
});

describe("folders sluice creates", () => {
  const missing = () => {
    const dir = join(tmpdir(), `sluice-typo-${process.pid}-${Date.now()}`);
    cleanup.push(dir);
    return dir;
  };

  it("refuses a DuckDB path outside the project whose folder does not exist, and creates nothing", () => {
    const typo = missing();
    project = tempProject({
      "profiles.yml": profile(`${typo}/nested/db.duckdb`),
      "models/a.sql": "select 1 as id",
    });
    const run = sluice(["build", "--project-dir", project.dir]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(
      `connection 'warehouse': path ${typo}/nested/db.duckdb: the folder ${typo}/nested does not exist; sluice creates folders only inside the project`,
    );
    expect(existsSync(typo)).toBe(false);
  });

  it("creates folders under the project, and uses an explicit path whose folder exists", () => {
    project = tempProject({
      "profiles.yml": profile(".sluice/deep/er/db.duckdb"),
      "models/a.sql": "select 1 as id",
    });
    expect(sluice(["build", "--project-dir", project.dir]).code).toBe(0);
    expect(existsSync(join(project.dir, ".sluice/deep/er/db.duckdb"))).toBe(true);
    const outside = mkdtempSync(join(tmpdir(), "sluice-outside-"));
    cleanup.push(outside);
    project.write("profiles.yml", profile(`${outside}/db.duckdb`));
    expect(sluice(["build", "--project-dir", project.dir]).code).toBe(0);
    expect(existsSync(join(outside, "db.duckdb"))).toBe(true);
  });

  it("refuses an --openlineage file outside the project in a folder that does not exist", () => {
    const typo = missing();
    project = tempProject({ "models/a.sql": "select 1 as id" });
    const run = sluice(["build", "--project-dir", project.dir, "--openlineage", `${typo}/events.jsonl`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`--openlineage ${typo}/events.jsonl: the folder ${typo} does not exist`);
    expect(existsSync(typo)).toBe(false);
    const inside = sluice(
      ["build", "--project-dir", project.dir, "--openlineage", "target/lineage/events.jsonl"],
      { cwd: project.dir },
    );
    expect(inside.code).toBe(0);
    expect(existsSync(join(project.dir, "target/lineage/events.jsonl"))).toBe(true);
  });
});
