// `sluice compile` with nothing changed (src/compiler/compile-fingerprint.ts) loads nothing and
// leaves target/ as it is. Each test first shows that the unchanged compile is served from the
// record (manifest.json not rewritten: its stamp stays), then changes one thing a compile reads and
// checks that the next compile does the work again and its SQL shows the change.
import { readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { compileCommand, unchangedManifest } from "../../src/cli/compile-command.js";
import type { CommonOptions } from "../../src/cli/options.js";
import { fingerprintFile } from "../../src/compiler/compile-fingerprint.js";
import type { Manifest, ModelNode } from "../../src/manifest/types.js";
import { emptyProject, tempProject, type TempProject } from "../helpers/temp-project.js";

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

let project: TempProject;
let printed: string[];
beforeEach(() => {
  printed = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  });
  project = tempProject({
    "project.yml": "name: kept\nvars:\n  floor: 1\n",
    "profiles.yml": PROFILES,
    "macros/m.sql": "{% macro doubled(c) %}({{ c }} * 2){% endmacro %}\n",
    "models/base.sql": "{{ config(materialized='table') }}\nselect 1 as id\n",
    "models/uses_macro.sql": "select {{ doubled('id') }} as v from {{ ref('base') }}\n",
    "models/uses_var.sql": "select id from {{ ref('base') }} where id >= {{ var('floor') }}\n",
    "models/uses_env.sql": "select '{{ env_var('KEPT_TEST_REGION', 'none') }}' as region\n",
    "models/uses_target.sql": "select '{{ target.name }}/{{ target.schema }}' as t\n",
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  project?.remove();
});

/** Sets every project file's times well in the past, so that none is too recent to be kept. */
function age(dir = project.dir): void {
  const past = new Date(Date.now() - 60_000);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "target" && dir === project.dir) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) age(path);
    utimesSync(path, past, past);
  }
}

function manifestStamp(): string {
  const s = statSync(join(project.dir, "target", "manifest.json"), { bigint: true });
  return `${s.mtimeNs}:${s.ctimeNs}:${s.size}`;
}

function sql(): Record<string, string> {
  const manifest = JSON.parse(readFileSync(join(project.dir, "target", "manifest.json"), "utf8")) as Manifest;
  return Object.fromEntries(
    Object.values(manifest.nodes)
      .filter((n): n is ModelNode => n.kind === "model")
      .map((n) => [n.name, n.compiledSql]),
  );
}

async function compile(options: Partial<CommonOptions> = {}): Promise<void> {
  await compileCommand({ projectDir: project.dir, logFormat: "text", ...options });
}

/** Compiles, then compiles again and expects that second one served without rewriting anything. */
async function compileThenServed(options: Partial<CommonOptions> = {}): Promise<Record<string, string>> {
  age();
  await compile(options);
  const before = manifestStamp();
  const output = sql();
  printed = [];
  await compile(options);
  expect(manifestStamp()).toBe(before);
  expect(printed.join("")).toMatch(/^Compiled \d+ models?(, \d+ tests?)? in \d+ ms to target\/\n$/);
  return output;
}

describe("compile with nothing changed", () => {
  it("rewrites nothing and prints what the compile printed", async () => {
    const first = await compileThenServed();
    expect(sql()).toEqual(first);
    expect(first["uses_var"]).toContain(">= 1");
  });

  it("compiles again when a model's template changes, even to text of the same length", async () => {
    await compileThenServed();
    project.write("models/base.sql", "{{ config(materialized='table') }}\nselect 2 as id\n");
    await compile();
    expect(sql()["base"]).toContain("select 2 as id");
  });

  it("compiles again when a macro a model calls changes", async () => {
    await compileThenServed();
    project.write("macros/m.sql", "{% macro doubled(c) %}({{ c }} * 3){% endmacro %}\n");
    await compile();
    expect(sql()["uses_macro"]).toContain("(id * 3)");
  });

  it("compiles again when a var changes in project.yml or through --vars", async () => {
    await compileThenServed();
    project.write("project.yml", "name: kept\nvars:\n  floor: 7\n");
    await compile();
    expect(sql()["uses_var"]).toContain(">= 7");
    await compileThenServed();
    await compile({ vars: "{floor: 9}" });
    expect(sql()["uses_var"]).toContain(">= 9");
  });

  it("compiles again when an environment variable is set, changed or removed", async () => {
    await compileThenServed();
    vi.stubEnv("KEPT_TEST_REGION", "eu");
    await compile();
    expect(sql()["uses_env"]).toContain("'eu'");
    await compileThenServed();
    vi.stubEnv("KEPT_TEST_REGION", "us");
    await compile();
    expect(sql()["uses_env"]).toContain("'us'");
    await compileThenServed();
    vi.unstubAllEnvs();
    await compile();
    expect(sql()["uses_env"]).toContain("'none'");
  });

  it("compiles again for another target, and when profiles.yml changes", async () => {
    await compileThenServed();
    await compile({ target: "other" });
    expect(sql()["uses_target"]).toContain("'other/elsewhere'");
    await compileThenServed({ target: "other" });
    project.write("profiles.yml", PROFILES.replace("schema: elsewhere", "schema: yonder"));
    await compile({ target: "other" });
    expect(sql()["uses_target"]).toContain("'other/yonder'");
  });

  it("compiles again when an upstream model's relation name changes in its property YAML", async () => {
    await compileThenServed();
    project.write("models/schema.yml", "models:\n  - name: base\n    config:\n      alias: renamed\n");
    await compile();
    expect(sql()["uses_macro"]).toContain("renamed");
  });

  it("compiles again when a model is added or removed, or a compiled file is deleted", async () => {
    await compileThenServed();
    project.write("models/added.sql", "select 3 as id\n");
    await compile();
    expect(sql()["added"]).toBe("select 3 as id");
    await compileThenServed();
    rmSync(join(project.dir, "models", "added.sql"));
    await compile();
    expect(sql()["added"]).toBeUndefined();
    await compileThenServed();
    const compiled = join(project.dir, "target", "compiled", "models", "base.sql");
    rmSync(compiled);
    await compile();
    expect(readFileSync(compiled, "utf8")).toContain("select 1 as id");
  });

  it("does not trust a file modified just before the compile", async () => {
    project.write("models/base.sql", "{{ config(materialized='table') }}\nselect 5 as id\n");
    await compile();
    const before = manifestStamp();
    await compile();
    expect(manifestStamp()).not.toBe(before);
  });

  it("keeps no record for a project whose text asks for the time or the run", async () => {
    project.write("models/stamped.sql", "select '{{ run_started_at }}' as at\n");
    age();
    await compile();
    expect(() => statSync(fingerprintFile(project.dir))).toThrow();
  });

  it("keeps no record of a compile that failed, so the next one reports the error again", async () => {
    await compileThenServed();
    project.write("models/broken.sql", "select {{ ref('missing') }}\n");
    await expect(compile()).rejects.toThrow(/missing/);
    expect(() => statSync(fingerprintFile(project.dir))).toThrow();
    age();
    await expect(compile()).rejects.toThrow(/missing/);
  });

  it("compiles a dbt project again when dbt_project.yml or a package's macro changes", async () => {
    project.remove();
    project = emptyProject("sluice-kept-dbt-");
    project.write("dbt_project.yml", "name: kept\nprofile: kept\nvars:\n  n: 1\n");
    project.write(
      "profiles.yml",
      "kept:\n  target: dev\n  outputs:\n    dev: { type: duckdb, path: k.duckdb }\n",
    );
    project.write("models/a.sql", "select {{ var('n') }} as n, {{ util.twice('n') }} as t\n");
    project.write("dbt_packages/util/dbt_project.yml", "name: util\n");
    project.write("dbt_packages/util/macros/m.sql", "{% macro twice(c) %}({{ c }} * 2){% endmacro %}\n");
    await compileThenServed();
    project.write("dbt_project.yml", "name: kept\nprofile: kept\nvars:\n  n: 4\n");
    await compile();
    expect(sql()["a"]).toContain("select 4 as n");
    await compileThenServed();
    project.write(
      "dbt_packages/util/macros/m.sql",
      "{% macro twice(c) %}({{ c }} + {{ c }}){% endmacro %}\n",
    );
    await compile();
    expect(sql()["a"]).toContain("(n + n)");
  });

  it("compiles again when a dbt unit test's fixture file changes or appears", async () => {
    project.remove();
    project = emptyProject("sluice-kept-unit-");
    project.write("dbt_project.yml", "name: kept\nprofile: kept\n");
    project.write(
      "profiles.yml",
      "kept:\n  target: dev\n  outputs:\n    dev: { type: duckdb, path: k.duckdb }\n",
    );
    project.write("models/base.sql", "select 1 as id\n");
    project.write("models/ids.sql", "select id from {{ ref('base') }}\n");
    project.write(
      "models/unit.yml",
      `unit_tests:
  - name: ids_from_fixture
    model: ids
    given:
      - input: ref('base')
        format: csv
        fixture: some_ids
    expect:
      rows: [{id: 1}]
`,
    );
    const manifestText = () => readFileSync(join(project.dir, "target", "manifest.json"), "utf8");
    project.write("tests/fixtures/some_ids.csv", "id\n1\n");
    await compileThenServed();
    expect(manifestText()).not.toContain("4242");
    project.write("tests/fixtures/some_ids.csv", "id\n4242\n");
    await compile();
    expect(manifestText()).toContain("4242");
    // A fixture of the same name found earlier in the walk (a folder sorted first) is read instead.
    await compileThenServed();
    project.write("tests/a/fixtures/some_ids.csv", "id\n5151\n");
    await compile();
    expect(manifestText()).toContain("5151");
  });

  it("does not compile again for the shell's own `_`, unless a project file names it", async () => {
    vi.stubEnv("_", "/usr/bin/sluice");
    await compileThenServed();
    vi.stubEnv("_", "/usr/bin/time");
    const before = manifestStamp();
    await compile();
    expect(manifestStamp()).toBe(before);
    project.write("models/uses_env.sql", "select '{{ env_var('_', 'none') }}' as region\n");
    await compileThenServed();
    vi.stubEnv("_", "/usr/bin/sluice");
    await compile();
    expect(sql()["uses_env"]).toContain("'/usr/bin/sluice'");
  });

  it("writes no environment value into the record", async () => {
    vi.stubEnv("KEPT_TEST_TOKEN", "s3cr3t-value-never-written");
    await compileThenServed();
    expect(readFileSync(fingerprintFile(project.dir), "utf8")).not.toContain("s3cr3t-value-never-written");
    writeFileSync(join(project.dir, "unrelated.txt"), "outside every folder the project reads\n");
    const before = manifestStamp();
    await compile();
    expect(manifestStamp()).toBe(before);
  });
});

describe("ls with nothing changed since the compile", () => {
  it("reads the manifest that compile wrote, and loads again once a model or a var changes", async () => {
    const options: CommonOptions = { projectDir: project.dir, logFormat: "text" };
    await compileThenServed();
    const served = await unchangedManifest(options);
    const written = JSON.parse(
      readFileSync(join(project.dir, "target", "manifest.json"), "utf8"),
    ) as Manifest;
    expect(served).toEqual(written);
    expect(Object.keys(served!.nodes)).toContain("model.uses_var");
    // Other --vars than the compile's: not this manifest.
    expect(await unchangedManifest({ ...options, vars: "{floor: 2}" })).toBeUndefined();
    writeFileSync(join(project.dir, "models", "added.sql"), "select 2 as id\n");
    expect(await unchangedManifest(options)).toBeUndefined();
    // The next compile records the new model, and ls is served it.
    age();
    await compile();
    expect(Object.keys((await unchangedManifest(options))!.nodes)).toContain("model.added");
  });
});
