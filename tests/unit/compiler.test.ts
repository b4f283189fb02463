import { afterEach, describe, expect, it } from "vitest";
import { compileProject } from "../../src/compiler/compile.js";
import { ProjectError, formatDiagnostic } from "../../src/project/diagnostics.js";
import { loadProject } from "../../src/project/load.js";
import type { ModelNode } from "../../src/manifest/types.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";

let project: TempProject | undefined;
afterEach(() => project?.remove());

function compile(files: Record<string, string>, vars?: Record<string, unknown>) {
  project = tempProject(files);
  return compileProject(loadProject({ projectDir: project.dir, vars })).manifest;
}

function compileErrors(files: Record<string, string>): string[] {
  try {
    compile(files);
  } catch (e) {
    if (e instanceof ProjectError) return e.diagnostics.map(formatDiagnostic);
    throw e;
  }
  throw new Error("expected compile errors");
}

const model = (manifest: ReturnType<typeof compile>, name: string) =>
  manifest.nodes[`model.${name}`] as ModelNode;

describe("compiler", () => {
  it("counts a ref inside an untaken branch as a dependency", () => {
    const m = compile({
      "models/a.sql": "select 1 as id",
      "models/b.sql":
        "select * from {{ ref('a') }}\n{% if false %}union all select * from {{ ref('c') }}{% endif %}",
      "models/c.sql": "select 2 as id",
    });
    expect(model(m, "b").dependsOn).toEqual(["model.a", "model.c"]);
    expect(model(m, "b").compiledSql).toBe('select * from "warehouse"."main"."a"');
  });

  it("reports an unknown ref with file, line, column and the nearest name", () => {
    const errors = compileErrors({
      "models/sales_history.sql": "select 1 as id",
      "models/mart.sql": "select *\nfrom {{ ref('sale_history') }}",
    });
    expect(errors).toEqual([
      "models/mart.sql:2:9 error: ref('sale_history') not found; did you mean 'sales_history'?",
    ]);
  });

  it("collects every error of a project in one pass", () => {
    const errors = compileErrors({
      "models/a.sql": "select * from {{ ref('nope') }}",
      "models/b.sql": "select * from {{ source('shop', 'orders') }}",
      "models/c.sql": "select {{ 1 + }}",
    });
    expect(errors).toHaveLength(3);
    expect(errors[2]).toMatch(/^models\/c\.sql:1:\d+ error: template syntax/);
  });

  it("points a template syntax error at its line", () => {
    const errors = compileErrors({ "models/a.sql": "select 1 as id\nfrom x\nwhere {% if %}" });
    expect(errors[0]).toMatch(/^models\/a\.sql:3:\d+ error: template syntax: unexpected token/);
  });

  it("names the path of a dependency cycle", () => {
    const errors = compileErrors({
      "models/a.sql": "select * from {{ ref('c') }}",
      "models/b.sql": "select * from {{ ref('a') }}",
      "models/c.sql": "select * from {{ ref('b') }}",
    });
    expect(errors).toEqual([
      "models/a.sql:1:1 error: dependency cycle: a → b → c → a; remove one of these refs",
    ]);
  });

  it("says where an undefined var is used and how to define it", () => {
    const errors = compileErrors({
      "models/a.sql": "select 1 as id\nwhere x = {% if true %}{{ var('start_date') }}{% endif %}",
    });
    expect(errors[0]).toMatch(
      /^models\/a\.sql:2:\d+ error: .*var\('start_date'\) is not defined; define it under vars: in project\.yml/,
    );
  });

  it("refuses a ref built from a variable unless depends_on declares it", () => {
    const errors = compileErrors({
      "models/a.sql": "select 1 as id",
      "models/b.sql": "{% set n = 'a' %}select * from {{ ref(n) }}",
    });
    expect(errors[0]).toContain("ref() with a computed name");
    const m = compile({
      "models/a.sql": "select 1 as id",
      "models/b.sql": "{{ config(depends_on=['a']) }}{% set n = 'a' %}select * from {{ ref(n) }}",
    });
    expect(model(m, "b").compiledSql).toBe('select * from "warehouse"."main"."a"');
  });

  it("renders an incremental model in both modes", () => {
    const m = compile({
      "models/events.sql":
        "{{ config(materialized='incremental', unique_key='id') }}\nselect 1 as id, now() as at\n{% if is_incremental() %}where at > (select max(at) from {{ this }}){% endif %}",
    });
    const events = model(m, "events");
    expect(events.config.strategy).toBe("merge");
    expect(events.compiledSql).toBe("select 1 as id, now() as at");
    expect(events.compiledIncrementalSql).toBe(
      'select 1 as id, now() as at\nwhere at > (select max(at) from "warehouse"."main"."events")',
    );
  });

  it("inlines ephemeral models as CTEs, joining the model's own WITH", () => {
    const m = compile({
      "models/base.sql": "{{ config(materialized='ephemeral') }}select 1 as id",
      "models/mid.sql": "{{ config(materialized='ephemeral') }}select id from {{ ref('base') }}",
      "models/top.sql": "with x as (select * from {{ ref('mid') }})\nselect * from x",
    });
    expect(model(m, "top").compiledSql).toBe(
      "with __sluice_ephemeral_base as (\nselect 1 as id\n),\n__sluice_ephemeral_mid as (\nselect id from __sluice_ephemeral_base\n),\nx as (select * from __sluice_ephemeral_mid)\nselect * from x",
    );
  });

  it("calls project macros from any model, and records which it used", () => {
    const m = compile({
      "macros/money.sql":
        "{% macro cents(col) %}({{ col }} * 100)::bigint{% endmacro %}\n{% macro price(col) %}{{ cents(col) }}{% endmacro %}",
      "models/a.sql": "select {{ price('amount') }} as cents from {{ ref('b') }}",
      "models/b.sql": "select 1.5 as amount",
    });
    expect(model(m, "a").compiledSql).toBe(
      'select (amount * 100)::bigint as cents from "warehouse"."main"."b"',
    );
    expect(model(m, "a").macrosUsed).toEqual(["cents", "price"]);
  });

  it("refuses a ref across engines that no path joins, naming both connections", () => {
    const errors = compileErrors({
      "profiles.yml":
        "targets:\n  dev:\n    connections:\n      src: { type: duckdb, path: a.duckdb }\n      lake: { type: hive, host: localhost }\n",
      "models/a.sql": "{{ config(connection='lake') }}select 1 as id",
      "models/b.sql": "{{ config(compute='src') }}select * from {{ ref('a') }}",
    });
    expect(errors[0]).toContain(
      "'b' runs on connection 'src' (duckdb) but reads a on connection 'lake' (hive)",
    );
  });

  it("lets a model compute where its inputs live and land elsewhere", () => {
    const m = compile({
      "profiles.yml":
        "targets:\n  dev:\n    connections:\n      src: { type: duckdb, path: a.duckdb }\n      lake: { type: hive, host: localhost, database: raw }\n",
      "models/a.sql": "{{ config(connection='src') }}select 1 as id",
      "models/b.sql": "{{ config(materialized='table', connection='lake') }}select * from {{ ref('a') }}",
    });
    expect(model(m, "b").config.compute).toBe("src");
    expect(model(m, "b").relation).toEqual({ connection: "lake", schema: "raw", name: "b" });
  });

  it("applies folder defaults, then YAML config, then config() in the file", () => {
    const m = compile({
      "project.yml": "name: p\nmodels:\n  marts:\n    materialized: table\n    tags: [mart]\n",
      "models/marts/a.sql": "select 1 as id",
      "models/marts/b.sql": "{{ config(materialized='view') }}select 1 as id",
      "models/marts/schema.yml": "models:\n  - name: a\n    config:\n      tags: [daily]\n",
    });
    expect(model(m, "a").config.materialized).toBe("table");
    expect(model(m, "a").tags).toEqual(["daily"]);
    expect(model(m, "b").config.materialized).toBe("view");
  });

  it("reports an unknown config() key with the nearest valid one", () => {
    const errors = compileErrors({ "models/a.sql": "\n{{ config(materialised='table') }}select 1 as id" });
    expect(errors).toEqual([
      "models/a.sql:2:1 error: config(): unknown key 'materialised'; did you mean 'materialized'?",
    ]);
  });

  it("reports a test on a model that does not exist", () => {
    const errors = compileErrors({
      "models/a.sql": "select 1 as id",
      "models/schema.yml": "models:\n  - name: aa\n    columns:\n      - name: id\n        tests: [unique]\n",
    });
    expect(errors[0]).toBe(
      "models/schema.yml:2:1 error: properties for model 'aa' but no models/**/aa.sql exists; did you mean 'a'?",
    );
  });

  it("reports an unknown generic test with the nearest name", () => {
    const errors = compileErrors({
      "models/a.sql": "select 1 as id",
      "models/schema.yml": "models:\n  - name: a\n    columns:\n      - name: id\n        tests: [uniqe]\n",
    });
    expect(errors[0]).toBe("models/schema.yml:4:1 error: unknown test 'uniqe'; did you mean 'unique'?");
  });
});
