// Introspection while compiling: `execute` is false and every question gets dbt's parse-time answer,
// the manifest names the models that asked, and what cannot be rendered again at build time (a
// change window planned before the model runs, hooks, tests) is refused with the fix.
import { afterEach, describe, expect, it } from "vitest";
import { compileProject, compileProjectCached } from "../../src/compiler/compile.js";
import { agateTable, DbtColumn, statementResult } from "../../src/compiler/dbt-introspection.js";
import type { ModelNode } from "../../src/manifest/types.js";
import { formatDiagnostic, ProjectError } from "../../src/project/diagnostics.js";
import { loadProject } from "../../src/project/load.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";

const projects: TempProject[] = [];
afterEach(() => {
  for (const p of projects.splice(0)) p.remove();
});

function compile(files: Record<string, string>) {
  const project = tempProject({
    "profiles.yml":
      "targets:\n  dev:\n    connections:\n      src: { type: duckdb, path: .sluice/src.duckdb }\n",
    "models/sources.yml":
      "sources:\n  - name: app\n    connection: src\n    schema: app\n    tables:\n      - name: sales\n        change_tracking: { updated_at: updated_at }\n",
    ...files,
  });
  projects.push(project);
  try {
    return { manifest: compileProject(loadProject({ projectDir: project.dir })).manifest };
  } catch (e) {
    if (e instanceof ProjectError) return { errors: e.diagnostics.map(formatDiagnostic) };
    throw e;
  }
}

describe("introspection while compiling", () => {
  it("still knows a model asks the database when its render comes from the render cache", async () => {
    const project = tempProject({
      "macros/ask.sql": "{% macro ask() %}{% if execute %}1{% else %}0{% endif %}{% endmacro %}",
      "models/direct.sql": "select {{ run_query('select 1') is none }} as x",
      "models/through_macro.sql": "select {{ ask() }} as x",
      "models/plain.sql": "select 1 as x",
    });
    projects.push(project);
    for (let round = 0; round < 2; round++) {
      // The second compile finds every render in target/cache/renders.json.
      const { manifest } = await compileProjectCached(loadProject({ projectDir: project.dir }));
      const asks = (name: string) => (manifest.nodes[`model.${name}`] as ModelNode).introspects;
      expect(asks("direct"), `round ${round}`).toEqual(["run_query"]);
      expect(asks("through_macro"), `round ${round}`).toEqual(["execute"]);
      expect(asks("plain"), `round ${round}`).toBeUndefined();
    }
  });

  it("renders with execute false, run_query None, no columns and no relation, as dbt's parse does", () => {
    const result = compile({
      "models/m.sql": [
        "select {{ execute }} as ran,",
        " {{ run_query('select 1') is none }} as no_result,",
        " {{ adapter.get_columns_in_relation(source('app', 'sales')) | length }} as columns,",
        " {{ load_relation(source('app', 'sales')) is none }} as no_relation",
        "{% call statement('s', fetch_result=True) %}{{ exceptions.raise_compiler_error('not run') }}{% endcall %}",
        "{{ load_result('s') }}",
      ].join("\n"),
    });
    const model = result.manifest!.nodes["model.m"] as ModelNode;
    expect(model.compiledSql).toBe(
      "select False as ran,\n True as no_result,\n 0 as columns,\n True as no_relation",
    );
    expect(model.introspects).toEqual([
      "adapter.get_columns_in_relation",
      "execute",
      "load_relation",
      "load_result",
      "run_query",
      "statement",
    ]);
  });

  it("records nothing for a model that asks nothing", () => {
    const result = compile({ "models/m.sql": "select 1 as id" });
    expect((result.manifest!.nodes["model.m"] as ModelNode).introspects).toBeUndefined();
  });

  it("marks a model that inlines an ephemeral model which asks the database", () => {
    const result = compile({
      "models/e.sql": "{{ config(materialized='ephemeral') }}select {{ 1 if execute else 0 }} as x",
      "models/m.sql": "select * from {{ ref('e') }}",
    });
    expect((result.manifest!.nodes["model.m"] as ModelNode).introspects).toEqual(["execute"]);
  });

  it("refuses a lineage model that asks the database: its change window is planned before it runs", () => {
    const result = compile({
      "models/m.sql":
        "{{ config(materialized='incremental', partition_by='ym', unique_key='sale_id') }}\n{% if execute %}{% endif %}select sale_id, 1 as ym from {{ source('app', 'sales') }}",
    });
    expect(result.errors).toEqual([
      expect.stringMatching(
        /^models\/m\.sql:1:1 error: 'm' asks the database while rendering \(execute\), so its change window over source\.app\.sales cannot be planned before it runs; drop change_tracking/,
      ),
    ]);
  });

  it("refuses introspection in a hook, where no answer can come", () => {
    const result = compile({
      "project.yml":
        "name: test_project\non_run_start:\n  - connection: src\n    sql: \"{{ run_query('select 1') }}\"\n",
      "models/m.sql": "select 1 as id",
    });
    expect(result.errors).toEqual([
      expect.stringMatching(
        /on_run_start\[0\]: 'run_query' asks the database while rendering, which sluice does only for models/,
      ),
    ]);
  });
});

describe("what run-time questions return to templates", () => {
  it("reads a result as agate does: rows by position and name, columns with values()", () => {
    const table = agateTable({
      columns: [
        { name: "id", nativeType: "BIGINT" },
        { name: "at", nativeType: "TIMESTAMP" },
      ],
      rows: [[7n, new Date(Date.UTC(2024, 1, 29, 23, 59, 58, 250))]],
    }) as unknown as { rows: Record<string, unknown>[]; columns: { values(): unknown[] }[] } & unknown[][];
    expect(table.length).toBe(1);
    expect(table[0]![0]).toBe(7);
    expect(table.rows[0]!["id"]).toBe(7);
    expect(String(table.columns[1]!.values()[0])).toBe("2024-02-29 23:59:58.250000");
    expect(
      statementResult({ columns: [{ name: "n", nativeType: "INTEGER" }], rows: [[1], [2]] })["data"],
    ).toEqual([[1], [2]]);
  });

  it("describes a column as dbt's Column does", () => {
    const quote = (s: string) => `"${s}"`;
    const text = new DbtColumn("name", "VARCHAR(40)", quote);
    expect([text.is_string(), text.string_size(), text.quoted, text.dtype]).toEqual([
      true,
      40,
      '"name"',
      "VARCHAR",
    ]);
    expect(new DbtColumn("note", "VARCHAR", quote).string_size()).toBe(256);
    const amount = new DbtColumn("amount", "DECIMAL(18,3)", quote);
    expect([amount.is_number(), amount.is_numeric(), amount.numeric_precision, amount.numeric_scale]).toEqual(
      [true, true, 18, 3],
    );
    expect(() => amount.string_size()).toThrow(/non-string column 'amount'/);
  });
});
