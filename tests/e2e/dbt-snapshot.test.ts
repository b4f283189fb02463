// dbt snapshots built with the sluice binary on real DuckDB from the fixture
// tests/fixtures/dbt-snapshots: two builds with a change between them give the SCD type 2 rows dbt
// gives (a closed and a new version of a changed row, a closed version of a deleted row with hard
// deletes invalidated, a first version of a new row), for the timestamp and the check strategy.
// Each build pins its start (SLUICE_RUN_STARTED_AT), the time snapshots stamp.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sluice, type CliResult } from "../helpers/cli.js";
import { queryDuckDb } from "../helpers/duckdb.js";
import { REPO_ROOT } from "../helpers/temp-project.js";

let dir: string;
const runs: CliResult[] = [];
const at = (iso: string) => ({ DBT_PROFILES_DIR: "", SLUICE_RUN_STARTED_AT: iso });
const query = (sql: string) => queryDuckDb({ history: join(dir, "history.duckdb") }, sql);

const CHANGED = `id,name,tier,updated_at
1,ana,gold,2024-01-01 09:00:00
2,ben,gold,2024-01-05 12:00:00
4,dan,bronze,2024-01-06 08:00:00
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "sluice-dbt-snapshots-"));
  cpSync(join(REPO_ROOT, "tests/fixtures/dbt-snapshots"), dir, { recursive: true });
  runs.push(sluice(["build", "--project-dir", dir], { env: at("2024-02-01T10:00:00Z") }));
  writeFileSync(join(dir, "seeds/customers.csv"), CHANGED);
  runs.push(sluice(["build", "--project-dir", dir], { env: at("2024-02-02T10:00:00Z") }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("snapshots over two builds with a change between them", () => {
  it("builds both times", () => {
    for (const run of runs) {
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
    }
    expect(runs[0]!.stdout).toMatch(/customers_snapshot .*snapshot created with 3 versions/);
    expect(runs[1]!.stdout).toMatch(/customers_snapshot .*2 versions added, 1 changed, 1 deleted/);
  });

  it("keeps the timestamp strategy's history as dbt does, hard deletes invalidated", async () => {
    expect(
      await query(
        "select id, name, tier, cast(dbt_updated_at as varchar) as updated, cast(dbt_valid_from as varchar) as valid_from, cast(dbt_valid_to as varchar) as valid_to from history.snapshots.customers_snapshot order by id, dbt_valid_from",
      ),
    ).toEqual([
      {
        id: 1,
        name: "ana",
        tier: "gold",
        updated: "2024-01-01 09:00:00",
        valid_from: "2024-01-01 09:00:00",
        valid_to: null,
      },
      {
        id: 2,
        name: "ben",
        tier: "silver",
        updated: "2024-01-01 09:00:00",
        valid_from: "2024-01-01 09:00:00",
        valid_to: "2024-01-05 12:00:00",
      },
      {
        id: 2,
        name: "ben",
        tier: "gold",
        updated: "2024-01-05 12:00:00",
        valid_from: "2024-01-05 12:00:00",
        valid_to: null,
      },
      {
        id: 3,
        name: "cy",
        tier: "bronze",
        updated: "2024-01-01 09:00:00",
        valid_from: "2024-01-01 09:00:00",
        valid_to: "2024-02-02 10:00:00",
      },
      {
        id: 4,
        name: "dan",
        tier: "bronze",
        updated: "2024-01-06 08:00:00",
        valid_from: "2024-01-06 08:00:00",
        valid_to: null,
      },
    ]);
  });

  it("has dbt's columns and types, and dbt_scd_id as dbt hashes key and updated_at", async () => {
    expect(
      await query(
        "select column_name, data_type from information_schema.columns where table_catalog = 'history' and table_name = 'customers_snapshot' order by ordinal_position",
      ),
    ).toEqual(
      [
        ["id", "INTEGER"],
        ["name", "VARCHAR"],
        ["tier", "VARCHAR"],
        ["updated_at", "TIMESTAMP"],
        ["dbt_scd_id", "VARCHAR"],
        ["dbt_updated_at", "TIMESTAMP"],
        ["dbt_valid_from", "TIMESTAMP"],
        ["dbt_valid_to", "TIMESTAMP"],
      ].map(([column_name, data_type]) => ({ column_name, data_type })),
    );
    // dbt's snapshot_hash_arguments: md5 of each argument cast to text, NULL as '', joined by '|'.
    const ids = await query(
      "select count(*) as rows, count(distinct dbt_scd_id) as ids, count(*) filter (where dbt_scd_id = md5(cast(id as varchar) || '|' || cast(updated_at as varchar))) as as_dbt from history.snapshots.customers_snapshot",
    );
    expect(ids).toEqual([{ rows: "5", ids: "5", as_dbt: "5" }]);
  });

  it("keeps the check strategy's history, stamped with each build's start", async () => {
    expect(
      await query(
        "select id, tier, cast(dbt_valid_from as varchar) as valid_from, cast(dbt_valid_to as varchar) as valid_to from history.snapshots.tiers_snapshot order by id, dbt_valid_from",
      ),
    ).toEqual([
      { id: 1, tier: "gold", valid_from: "2024-02-01 10:00:00", valid_to: null },
      { id: 2, tier: "silver", valid_from: "2024-02-01 10:00:00", valid_to: "2024-02-02 10:00:00" },
      { id: 2, tier: "gold", valid_from: "2024-02-02 10:00:00", valid_to: null },
      // Without hard deletes invalidated, a row gone from the query stays current, as in dbt.
      { id: 3, tier: "bronze", valid_from: "2024-02-01 10:00:00", valid_to: null },
      { id: 4, tier: "bronze", valid_from: "2024-02-02 10:00:00", valid_to: null },
    ]);
  });

  it("lets models ref a snapshot", async () => {
    expect(await query("select id, tier from history.main.current_tiers order by id")).toEqual([
      { id: 1, tier: "gold" },
      { id: 2, tier: "gold" },
      { id: 3, tier: "bronze" },
      { id: 4, tier: "bronze" },
    ]);
  });
});

describe("the snapshot and run commands", () => {
  it("`snapshot` takes only the snapshots, `run` builds only the models, and an unchanged query adds nothing", async () => {
    const snapshot = sluice(["snapshot", "--project-dir", dir], { env: at("2024-02-03T10:00:00Z") });
    expect(snapshot.code).toBe(0);
    expect(snapshot.stdout).toMatch(/TOTAL 2\b/);
    expect(snapshot.stdout).toMatch(/tiers_snapshot .*0 versions added, 0 changed, 0 deleted/);
    const run = sluice(["run", "--project-dir", dir], { env: at("2024-02-03T10:00:00Z") });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/TOTAL 1\b/);
    expect(run.stdout).not.toMatch(/snapshot/);
    expect(await query("select count(*) as n from history.snapshots.customers_snapshot")).toEqual([
      { n: "5" },
    ]);
  });
});

describe("snapshot config sluice cannot run", () => {
  it.each([
    ["no unique_key", "strategy='timestamp', updated_at='updated_at'", /snapshot config needs unique_key/],
    [
      "an unknown strategy",
      "unique_key='id', strategy='latest'",
      /snapshot strategy 'latest' is not one sluice runs/,
    ],
    ["check without columns", "unique_key='id', strategy='check'", /the check strategy needs check_cols/],
    [
      "new_record hard deletes",
      "unique_key='id', strategy='check', check_cols='all', hard_deletes='new_record'",
      /hard_deletes 'new_record' is not supported/,
    ],
  ])("refuses %s at compile time, naming the file and line", (_what, config, message) => {
    writeFileSync(
      join(dir, "snapshots/bad.sql"),
      `-- a broken snapshot\n{% snapshot bad %}\n{{ config(${config}) }}\nselect 1 as id\n{% endsnapshot %}\n`,
    );
    const result = sluice(["compile", "--project-dir", dir], { env: at("2024-02-03T10:00:00Z") });
    rmSync(join(dir, "snapshots/bad.sql"));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`snapshots/bad\\.sql:3:1 error: ${message.source}`));
  });
});
