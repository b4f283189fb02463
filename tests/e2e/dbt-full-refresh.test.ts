// dbt's flags.FULL_REFRESH in a dbt project built by the sluice binary on real DuckDB: false on an
// ordinary build, true under --full-refresh (where is_incremental() is false), and a build after a
// full refresh is incremental again rather than a rebuild for a "changed" model.
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sluice } from "../helpers/cli.js";
import { queryDuckDb } from "../helpers/duckdb.js";
import { emptyProject, type TempProject } from "../helpers/temp-project.js";

let project: TempProject | undefined;
afterEach(() => project?.remove());

const MODEL = `{{ config(materialized='incremental', unique_key='id') }}
select id, '{{ "full refresh" if flags.FULL_REFRESH else "ordinary" }}' as built_by,
  {{ 'true' if is_incremental() else 'false' }} as incremental
from {{ ref('events') }}
{% if is_incremental() %}where id > (select max(id) from {{ this }}){% endif %}
`;

function dbtProject(): TempProject {
  const p = emptyProject("sluice-dbt-full-refresh-");
  p.write("dbt_project.yml", "name: shop\nprofile: shop\n");
  p.write(
    "profiles.yml",
    "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: shop.duckdb\n",
  );
  p.write("models/loads.sql", MODEL);
  return p;
}

const build = (p: TempProject, ids: number[], ...flags: string[]) => {
  p.write("seeds/events.csv", `id\n${ids.join("\n")}\n`);
  const run = sluice(["build", "--project-dir", p.dir, ...flags], { env: { DBT_PROFILES_DIR: "" } });
  expect(run.code, run.stdout + run.stderr).toBe(0);
  return run;
};

const rows = (p: TempProject) =>
  queryDuckDb(
    { shop: join(p.dir, "shop.duckdb") },
    "select id::int as id, built_by, incremental from shop.main.loads order by id",
  );

describe("flags.FULL_REFRESH", () => {
  it("is true under --full-refresh, where is_incremental() is false, and false otherwise", async () => {
    project = dbtProject();
    build(project, [1]);
    build(project, [1, 2]);
    expect(await rows(project)).toEqual([
      { id: 1, built_by: "ordinary", incremental: false },
      { id: 2, built_by: "ordinary", incremental: true },
    ]);
    build(project, [1, 2, 3], "--full-refresh");
    expect(await rows(project)).toEqual([
      { id: 1, built_by: "full refresh", incremental: false },
      { id: 2, built_by: "full refresh", incremental: false },
      { id: 3, built_by: "full refresh", incremental: false },
    ]);
    // The next build is incremental again: only the new row, with the flag false.
    build(project, [1, 2, 3, 4]);
    expect(await rows(project)).toEqual([
      { id: 1, built_by: "full refresh", incremental: false },
      { id: 2, built_by: "full refresh", incremental: false },
      { id: 3, built_by: "full refresh", incremental: false },
      { id: 4, built_by: "ordinary", incremental: true },
    ]);
  });

  it("is read through a macro too, and stays true for a model that keeps full_refresh: false", async () => {
    project = dbtProject();
    project.write("macros/mode.sql", "{% macro mode() %}{{ flags.FULL_REFRESH }}{% endmacro %}\n");
    project.write(
      "models/kept.sql",
      "{{ config(materialized='incremental', full_refresh=false) }}\n" +
        "select id, '{{ mode() }}' as full_refresh_flag, {{ 'true' if is_incremental() else 'false' }} as incremental\n" +
        "from {{ ref('events') }}\n{% if is_incremental() %}where id > (select max(id) from {{ this }}){% endif %}\n",
    );
    build(project, [1]);
    build(project, [1, 2], "--full-refresh");
    // dbt: full_refresh: false keeps the model incremental under --full-refresh; the flag is still set.
    expect(
      await queryDuckDb(
        { shop: join(project.dir, "shop.duckdb") },
        "select id::int as id, full_refresh_flag, incremental from shop.main.kept order by id",
      ),
    ).toEqual([
      { id: 1, full_refresh_flag: "False", incremental: false },
      { id: 2, full_refresh_flag: "True", incremental: true },
    ]);
  });
});
