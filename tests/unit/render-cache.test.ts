// The render cache (src/compiler/render-cache.ts): a compile with nothing changed takes every
// model's SQL from it, and a change to anything a render reads renders the model again. Each test
// compiles once, then overwrites every cached SQL with a marker: a model whose SQL comes out as
// the marker was served from the cache, so a stale render cannot go unnoticed.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { compileProjectCached } from "../../src/compiler/compile.js";
import type { Manifest, ModelNode } from "../../src/manifest/types.js";
import { loadProject } from "../../src/project/load.js";
import { TEST_CLOCK } from "../helpers/clock.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";

const MARKER = "select 'served from the render cache'";
const ENV = { SLUICE_RUN_STARTED_AT: TEST_CLOCK, SLUICE_INVOCATION_ID: "render-cache-test" };

let project: TempProject;
afterEach(() => project?.remove());

const PROFILES = `targets:
  dev:
    connections:
      warehouse:
        type: duckdb
        path: .sluice/warehouse.duckdb
  other:
    connections:
      warehouse:
        type: duckdb
        path: .sluice/other.duckdb
        schema: elsewhere
`;

function newProject(): TempProject {
  return tempProject({
    "project.yml": "name: cached\nvars:\n  floor: 1\n",
    "profiles.yml": PROFILES,
    "macros/m.sql": "{% macro doubled(c) %}({{ c }} * 2){% endmacro %}\n",
    "models/base.sql": "{{ config(materialized='table') }}\nselect 1 as id\n",
    "models/uses_macro.sql": "select {{ doubled('id') }} as v from {{ ref('base') }}\n",
    "models/uses_var.sql": "select id from {{ ref('base') }} where id >= {{ var('floor') }}\n",
    "models/uses_env.sql": "select '{{ env_var('CACHE_TEST_REGION', 'none') }}' as region\n",
    "models/uses_target.sql": "select '{{ target.name }}/{{ target.schema }}' as t, {{ this }} as me\n",
    "models/plain.sql": "select * from {{ ref('base') }}\n",
  });
}

async function compile(
  options: { target?: string; env?: Record<string, string>; vars?: Record<string, unknown> } = {},
): Promise<Record<string, string>> {
  const loaded = loadProject({
    projectDir: project.dir,
    target: options.target,
    vars: options.vars,
    env: { ...ENV, ...options.env },
  });
  const { manifest } = await compileProjectCached(loaded);
  return sqlByModel(manifest);
}

function sqlByModel(manifest: Manifest): Record<string, string> {
  return Object.fromEntries(
    Object.values(manifest.nodes)
      .filter((n): n is ModelNode => n.kind === "model")
      .map((n) => [n.name, n.compiledSql]),
  );
}

/** Overwrites every cached render with the marker; returns how many there were. */
function markCache(): number {
  const file = join(project.dir, "target", "cache", "renders.json");
  const data = JSON.parse(readFileSync(file, "utf8")) as {
    entries: Record<string, { sql: string[] }>;
  };
  for (const entry of Object.values(data.entries)) entry.sql = entry.sql.map(() => MARKER);
  writeFileSync(file, JSON.stringify(data));
  return Object.keys(data.entries).length;
}

describe("render cache", () => {
  it("serves every model from the cache when nothing changed, with the same SQL as a fresh render", async () => {
    project = newProject();
    const fresh = await compile();
    expect(markCache()).toBe(Object.keys(fresh).length);
    const served = await compile();
    for (const name of Object.keys(fresh)) expect(served[name]).toBe(MARKER);
    // And without the cache file the same SQL comes back as the first time.
    project.remove();
    project = newProject();
    expect(await compile()).toEqual(fresh);
  });

  it("renders again every model once a macro changes, and serves none of them stale", async () => {
    project = newProject();
    await compile();
    markCache();
    project.write("macros/m.sql", "{% macro doubled(c) %}({{ c }} + {{ c }}){% endmacro %}\n");
    const after = await compile();
    expect(after["uses_macro"]).toContain("(id + id)");
    for (const sql of Object.values(after)) expect(sql).not.toBe(MARKER);
  });

  it("renders again a model whose template changed, and only that one", async () => {
    project = newProject();
    await compile();
    markCache();
    project.write("models/plain.sql", "select id from {{ ref('base') }}\n");
    const after = await compile();
    expect(after["plain"]).toMatch(/^select id from/);
    expect(after["uses_var"]).toBe(MARKER);
  });

  it("renders again when a var changes (--vars included)", async () => {
    project = newProject();
    await compile();
    markCache();
    const after = await compile({ vars: { floor: 5 } });
    expect(after["uses_var"]).toContain("id >= 5");
  });

  it("renders again a model whose env_var() changes, is newly set or is unset again", async () => {
    project = newProject();
    await compile();
    markCache();
    const set = await compile({ env: { CACHE_TEST_REGION: "north" } });
    expect(set["uses_env"]).toContain("'north'");
    // Models that read no environment variable stay cached.
    expect(set["plain"]).toBe(MARKER);
    markCache();
    expect((await compile({ env: { CACHE_TEST_REGION: "south" } }))["uses_env"]).toContain("'south'");
    markCache();
    expect((await compile())["uses_env"]).toContain("'none'");
  });

  it("renders again when the target changes", async () => {
    project = newProject();
    await compile();
    markCache();
    const after = await compile({ target: "other" });
    expect(after["uses_target"]).toContain("'other/elsewhere'");
    expect(after["uses_target"]).toContain('"elsewhere"."uses_target"');
  });

  it("renders again the readers of a model whose alias changes", async () => {
    project = newProject();
    await compile();
    markCache();
    project.write("models/base.sql", "{{ config(materialized='table', alias='base_v2') }}\nselect 1 as id\n");
    const after = await compile();
    for (const reader of ["plain", "uses_macro", "uses_var"]) {
      expect(after[reader]).toContain('"base_v2"');
      expect(after[reader]).not.toBe(MARKER);
    }
    expect(after["uses_env"]).toBe(MARKER);
  });

  it("renders again a model that reads run_started_at once the run's start time changes", async () => {
    project = newProject();
    project.write("models/stamped.sql", "select '{{ run_started_at }}' as at\n");
    const first = await compile();
    expect(first["stamped"]).toContain(TEST_CLOCK.slice(0, 10));
    markCache();
    const later = await compile({ env: { SLUICE_RUN_STARTED_AT: "2030-01-02T03:04:05.000Z" } });
    expect(later["stamped"]).toContain("2030-01-02");
  });

  it("never serves a model that names dbt's modules (datetime.now()), directly or through a macro", async () => {
    project = newProject();
    project.write(
      "macros/clock.sql",
      "{% macro today() %}{{ modules.datetime.date.today() }}{% endmacro %}\n",
    );
    project.write("models/now_direct.sql", "select '{{ modules.datetime.datetime.now() }}' as at\n");
    project.write("models/now_macro.sql", "select '{{ today() }}' as d\n");
    await compile();
    markCache();
    const after = await compile();
    expect(after["now_direct"]).not.toBe(MARKER);
    expect(after["now_macro"]).not.toBe(MARKER);
    expect(after["plain"]).toBe(MARKER);
  });
});
