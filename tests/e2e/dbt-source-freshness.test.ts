// `sluice source freshness` on a dbt project with the sluice binary and real DuckDB: each source
// table's newest loaded_at_field is graded against warn_after / error_after by the database's own
// clock, as dbt does. The rows are stamped relative to that clock when the test runs, so the
// grades are the same on any date, hour and time zone.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sluice, type CliResult } from "../helpers/cli.js";
import { executeOnDuckDb } from "../helpers/duckdb.js";

let dir: string;
let run: CliResult;

const SOURCES = `version: 2
sources:
  - name: raw
    freshness:
      warn_after: {count: 1, period: hour}
      error_after: {count: 1, period: day}
    loaded_at_field: loaded_at
    tables:
      - name: fresh_events
      - name: stale_events
      - name: dead_events
      - name: naive_events
        loaded_at_field: loaded_utc
      - name: filtered_events
        freshness:
          warn_after: {count: 10, period: minute}
          filter: kind = 'live'
      - name: lookup
        freshness: null
`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sluice-dbt-freshness-"));
  writeFileSync(join(dir, "dbt_project.yml"), "name: fresh\nversion: '1.0'\nprofile: fresh\n");
  writeFileSync(
    join(dir, "profiles.yml"),
    "fresh:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: fresh.duckdb\n",
  );
  mkdirSync(join(dir, "models"));
  writeFileSync(join(dir, "models/sources.yml"), SOURCES);
  await executeOnDuckDb(
    join(dir, "fresh.duckdb"),
    "fresh",
    [
      "create schema raw",
      "create table raw.fresh_events as select 1 as id, now() - interval 30 minute as loaded_at",
      "create table raw.stale_events as select 1 as id, now() - interval 3 hour as loaded_at",
      "create table raw.dead_events as select 1 as id, now() - interval 3 day as loaded_at",
      // A timestamp without a time zone holds UTC, as dbt reads it.
      "create table raw.naive_events as select 1 as id, timezone('UTC', now() - interval 2 hour) as loaded_utc",
      "create table raw.filtered_events as select * from (values ('live', now() - interval 20 minute), ('test', now())) t(kind, loaded_at)",
      "create table raw.lookup as select 1 as id",
    ].join(";\n"),
  );
  run = sluice(["source", "freshness", "--project-dir", dir], { env: { DBT_PROFILES_DIR: "" } });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("sluice source freshness", () => {
  it("grades each table as dbt does and fails when one is past error_after", () => {
    expect(run.stderr).toBe("");
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^PASS {2}freshness of raw\.fresh_events: newest loaded_at is 30m old$/m);
    expect(run.stdout).toMatch(/^WARN {2}freshness of raw\.stale_events: newest loaded_at is 3\.0h old$/m);
    expect(run.stdout).toMatch(/^ERROR freshness of raw\.dead_events: newest loaded_at is 3\.0d old$/m);
    expect(run.stdout).toMatch(/^WARN {2}freshness of raw\.naive_events: newest loaded_utc is 2\.0h old$/m);
    expect(run.stdout).toMatch(/^WARN {2}freshness of raw\.filtered_events: newest loaded_at is 20m old$/m);
    expect(run.stdout).not.toMatch(/lookup/);
    expect(run.stdout).toMatch(/PASS 1 WARN 3 ERROR 1 TOTAL 5/);
  });

  it("writes target/sources.json in the shape of dbt's sources artifact", () => {
    const artifact = JSON.parse(readFileSync(join(dir, "target/sources.json"), "utf8"));
    expect(artifact.metadata.dbt_schema_version).toBe("https://schemas.getdbt.com/dbt/sources/v3.json");
    const stale = artifact.results.find(
      (r: { unique_id: string }) => r.unique_id === "source.fresh.raw.stale_events",
    );
    expect(stale.status).toBe("warn");
    expect(stale.criteria).toEqual({
      warn_after: { count: 1, period: "hour" },
      error_after: { count: 1, period: "day" },
      filter: null,
    });
    expect(Math.abs(stale.max_loaded_at_time_ago_in_s - 3 * 3600)).toBeLessThan(300);
  });

  it("checks only the selected sources, and passes when none is past error_after", () => {
    const selected = sluice(["source", "freshness", "--project-dir", dir, "-s", "source:raw.fresh_events"], {
      env: { DBT_PROFILES_DIR: "" },
    });
    expect(selected.code).toBe(0);
    expect(selected.stdout).toMatch(/PASS 1 WARN 0 ERROR 0 TOTAL 1/);
  });
});
