import { describe, expect, it } from "vitest";
import { TemplateEnvironment, type RenderScope } from "../../src/compiler/environment.js";
import { compileStatic, parseKeywords } from "../../src/compiler/static-template.js";

const scope = (): RenderScope & { configs: Record<string, unknown>[] } => {
  const configs: Record<string, unknown>[] = [];
  return {
    configs,
    ref: (name) => `"db"."main"."${name}"`,
    source: (s, t) => `"src"."${s}"."${t}"`,
    config: (o) => void configs.push(o),
    var: (name) => `<${name}>`,
    envVar: () => "",
    isIncremental: false,
    self: '"db"."main"."self"',
    target: {},
  };
};

describe("static template fast path", () => {
  const templates = [
    "select * from {{ ref('a') }} join {{ source('shop', 'orders') }} using (id)",
    "{{ config(materialized='table', tags=['a', 'b'], unique_key=\"id\", full_refresh=false) }}\nselect {{ var('x') }} from {{ this }}",
    'select 1\n\n  from {{ref("b")}}',
  ];

  it.each(templates)("renders %j exactly as nunjucks does", (text) => {
    const fast = compileStatic("m.sql", text);
    expect(fast).toBeDefined();
    const full = new TemplateEnvironment().compile("m.sql", text);
    const a = scope();
    const b = scope();
    expect(fast!.render(a)).toBe(full.render(b));
    expect(a.configs).toEqual(b.configs);
    expect(fast!.scan.refs.map((r) => r.name)).toEqual(full.scan.refs.map((r) => r.name));
    expect(fast!.scan.config).toEqual(full.scan.config);
  });

  it("reports the same ref positions as the AST scan", () => {
    const text = "select *\nfrom {{ ref('a') }}, {{ ref('b') }}";
    expect(compileStatic("m.sql", text)!.scan.refs).toEqual(
      new TemplateEnvironment().compile("m.sql", text).scan.refs,
    );
  });

  it.each([
    "{% if x %}{{ ref('a') }}{% endif %}",
    "{{ ref('a') | upper }}",
    "{{ my_macro() }}",
    "{{ config(materialized=var('m')) }}",
  ])("leaves %j to the full engine", (text) => expect(compileStatic("m.sql", text)).toBeUndefined());

  it("parses literal keyword arguments", () => {
    expect(parseKeywords("a='x', b=[1, 'y'], c=True, d=none, e=-2.5")).toEqual({
      a: "x",
      b: [1, "y"],
      c: true,
      d: null,
      e: -2.5,
    });
    expect(parseKeywords("a=b")).toBeUndefined();
  });
});
