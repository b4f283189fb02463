import { cpSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sluice } from "../helpers/cli.js";
import { queryDuckDb } from "../helpers/duckdb.js";
import { tempProject } from "../helpers/temp-project.js";

// A project folder with an embedded lake can be moved, copied or checked out twice: the lake's
// views are re-pointed at the Parquet files under the folder's own lake_root when it opens.
const PROFILE = `targets:
  dev:
    default_connection: warehouse
    connections:
      warehouse: { type: duckdb, path: .sluice/warehouse.duckdb }
      lake: { type: duckdb, path: .sluice/lake.duckdb, lake_root: .sluice/lake }
`;
const FILES = {
  "profiles.yml": PROFILE,
  "seeds/countries.csv": "code,name\nPT,Portugal\nES,Spain\nFR,France\n",
  "seeds/seeds.yml": "seeds:\n  - name: countries\n    config: { connection: lake }\n",
  "models/country_names.sql":
    "{{ config(materialized='table', connection='warehouse', compute='lake') }}select code, name from {{ ref('countries') }}",
};
const folders: string[] = [];
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const lakeRows = (dir: string) =>
  queryDuckDb(
    { lake: join(dir, ".sluice/lake.duckdb") },
    "select code from lake.main.countries order by code",
  );
const martRows = (dir: string) =>
  queryDuckDb(
    { w: join(dir, ".sluice/warehouse.duckdb") },
    "select code from w.main.country_names order by code",
  );

describe("moved and copied projects", () => {
  it("builds after the project folder was moved", async () => {
    const project = tempProject(FILES);
    folders.push(project.dir);
    expect(sluice(["build", "--project-dir", project.dir]).code).toBe(0);
    const moved = `${project.dir}-moved`;
    renameSync(project.dir, moved);
    folders.push(moved);
    const run = sluice(["build", "--project-dir", moved]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(await lakeRows(moved)).toEqual([{ code: "ES" }, { code: "FR" }, { code: "PT" }]);
  });

  it("reads its own files after cp -r, whatever happens to the original", async () => {
    const original = tempProject(FILES);
    folders.push(original.dir);
    expect(sluice(["build", "--project-dir", original.dir]).code).toBe(0);
    const copy = `${original.dir}-copy`;
    cpSync(original.dir, copy, { recursive: true });
    folders.push(copy);
    // The original moves on: its lake gets new files and drops the ones the copy was made from.
    writeFileSync(join(original.dir, "seeds/countries.csv"), "code,name\nDE,Germany\nPT,Portugal\n");
    expect(sluice(["build", "--project-dir", original.dir]).code).toBe(0);
    const run = sluice(["build", "--project-dir", copy]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(await lakeRows(copy)).toEqual([{ code: "ES" }, { code: "FR" }, { code: "PT" }]);
    expect(await martRows(copy)).toEqual([{ code: "ES" }, { code: "FR" }, { code: "PT" }]);
    rmSync(original.dir, { recursive: true, force: true });
    expect(await lakeRows(copy)).toEqual([{ code: "ES" }, { code: "FR" }, { code: "PT" }]);
  });
});
