// Templates render as Jinja (and dbt) render them: each case is a template and the text Jinja 2
// gives for it, rendered through sluice's real template environment.
import { describe, expect, it, vi } from "vitest";
import { PyFloat } from "../../src/compiler/dbt-introspection.js";
import { TemplateEnvironment, type RenderScope } from "../../src/compiler/environment.js";

function scope(overrides: Partial<RenderScope> = {}): RenderScope {
  return {
    ref: (name) => `"shop"."main"."${name}"`,
    source: (s, t) => `"shop"."${s}"."${t}"`,
    config: () => undefined,
    var: (_name, fallback) => fallback,
    envVar: (name, fallback) =>
      (
        ({ SLUICE_RUN_STARTED_AT: "2024-02-29T23:59:58.250Z", SLUICE_INVOCATION_ID: "inv-1" }) as Record<
          string,
          string
        >
      )[name] ??
      fallback ??
      "",
    isIncremental: false,
    self: `"shop"."main_marts"."orders"`,
    target: { name: "dev", type: "duckdb", schema: "main", database: "shop" },
    ...overrides,
  };
}

function render(text: string, macros = "", s = scope()): string {
  const env = new TemplateEnvironment();
  if (macros) env.addMacros("macros/m.sql", macros);
  return env.compile("models/m.sql", text).render(s);
}

describe("Jinja syntax dbt projects use", () => {
  it.each([
    [
      "trailing commas in calls, lists and dicts",
      "{{ [1, 2,] }} {{ {'a': 1,} }} {{ 'a-b'.split('-',) }}",
      "[1, 2] {'a': 1} ['a', 'b']",
    ],
    [
      "tuples are sequences",
      "{{ 'x' in ('x', 'y') }} {{ 'y' in ('xy',) }} {{ (1, 2) | length }}",
      "True False 2",
    ],
    [
      "{% do %} runs an expression and writes nothing",
      "{% set l = [] %}{% do l.append(1) %}{% do l.extend([2, 3]) %}{{ l }}",
      "[1, 2, 3]",
    ],
    [
      "namespace() attributes set inside a loop",
      "{% set ns = namespace(n=0) %}{% for i in [1, 2, 3] %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}",
      "6",
    ],
    ["block set", "{% set x %}a{{ 1 + 1 }}{% endset %}[{{ x }}]", "[a2]"],
    [
      "loop variables",
      "{% for x in ['a', 'b', 'c'] %}{{ loop.index }}{{ x }}{% if not loop.last %},{% endif %}{% endfor %}",
      "1a,2b,3c",
    ],
  ])("%s", (_what, template, expected) => {
    expect(render(template)).toBe(expected);
  });

  it("renders True, lists, dicts as Jinja does and None as nothing", () => {
    expect(
      render(
        "{{ True }}|{{ false }}|{{ [1, 'a', none] }}|{{ {'k': [True]} }}|{{ none }}|{{ None }}|{{ 1.5 }}",
      ),
    ).toBe("True|False|[1, 'a', None]|{'k': [True]}|||1.5");
  });

  it("still fails on a name that is not defined", () => {
    expect(() => render("{{ no_such_name }}")).toThrow(/undefined/);
  });
});

describe("Python methods on strings, lists and dicts", () => {
  it.each([
    ["{{ 'AbC'.lower() }} {{ 'abc'.upper() }} {{ '  x  '.strip() }} {{ 'xxaxx'.strip('x') }}", "abc ABC x a"],
    [
      "{{ 'a,b,,c'.split(',') }} {{ ' a  b '.split() }} {{ 'a.b.c'.split('.', 1) }}",
      "['a', 'b', '', 'c'] ['a', 'b'] ['a', 'b.c']",
    ],
    [
      "{{ ', '.join(['x', 'y']) }} {{ 'a-a-a'.replace('-', '_') }} {{ 'a-a-a'.replace('-', '_', 1) }}",
      "x, y a_a_a a_a-a",
    ],
    [
      "{{ 'model_x'.startswith('model') }} {{ 'x.sql'.endswith(('.py', '.sql')) }} {{ 'ab'.find('b') }}",
      "True True 1",
    ],
    [
      "{{ '{}_{}'.format('a', 2) }} {{ '{name}!'.format(name='x') }} {{ 'hello world'.title() }}",
      "a_2 x! Hello World",
    ],
    [
      "{% set d = {'a': 1, 'b': 2} %}{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %} {{ d.get('c', 0) }} {{ d.keys() | list }}",
      "a=1;b=2; 0 ['a', 'b']",
    ],
    [
      "{% set l = [3, 1] %}{{ l.pop() }} {{ l }} {{ [1, 2, 2].count(2) }} {{ ['a', 'b'].index('b') }}",
      "1 [3] 2 1",
    ],
  ])("%s", (template, expected) => {
    expect(render(template)).toBe(expected);
  });
});

describe("macros as dbt writes them", () => {
  it("passes extra arguments as varargs and kwargs, and return() gives a value", () => {
    const macros = "{% macro collect(a, b=2) %}{% do return([a, b, varargs, kwargs]) %}{% endmacro %}";
    expect(render("{{ collect(1) }} {{ collect(1, 3, 4, 5, z=6) }}", macros)).toBe(
      "[1, 2, [], {}] [1, 3, [4, 5], {'z': 6}]",
    );
  });

  it("keeps the caller's variables after a macro returns early from inside a loop", () => {
    const macros =
      "{% macro first_even(items) %}{% for i in items %}{% if i % 2 == 0 %}{{ return(i) }}{% endif %}{% endfor %}{{ return(none) }}{% endmacro %}";
    expect(
      render(
        "{% set keep = 'k' %}{{ first_even([1, 4, 6]) }} {{ keep }} {{ first_even([1]) is none }}",
        macros,
      ),
    ).toBe("4 k True");
  });

  it("reads {% test %} blocks as test_ macros and {% materialization %} blocks as refusable definitions", () => {
    const env = new TemplateEnvironment();
    const names = env.addMacros(
      "macros/t.sql",
      "{% test positive(model, column_name) %}select * from {{ model }} where {{ column_name }} <= 0{% endtest %}\n{% materialization fancy, adapter='duckdb' %}{{ return({'relations': []}) }}{% endmaterialization %}",
    );
    expect(names).toEqual(["test_positive", "materialization__fancy__duckdb"]);
    expect(env.materializations.get("fancy")).toBe("macros/t.sql");
    expect(
      String(env.callMacro("test_positive", [{ __keywords: true, model: "t", column_name: "c" }], scope())),
    ).toBe("select * from t where c <= 0");
  });
});

describe("dbt's context", () => {
  it("gives relations their parts: this, ref() and source()", () => {
    expect(
      render(
        "{{ this }} {{ this.identifier }} {{ this.schema }} {{ this.database }} {{ this.include(database=False) }}",
      ),
    ).toBe(`"shop"."main_marts"."orders" orders main_marts shop "main_marts"."orders"`);
    expect(
      render(
        "{{ ref('customers').identifier }} {{ ref('pkg', 'customers') }} {{ source('raw', 'orders').schema }}",
      ),
    ).toBe(`customers "shop"."main"."customers" raw`);
  });

  it("gives target's schema, database, type and name", () => {
    expect(render("{{ target.schema }} {{ target.database }} {{ target.type }} {{ target.name }}")).toBe(
      "main shop duckdb dev",
    );
  });

  it("pins run_started_at and invocation_id per compile, with Python's datetime methods", () => {
    expect(
      render(
        "{{ run_started_at }} {{ run_started_at.strftime('%Y%m%d %H:%M') }} {{ run_started_at.year }} {{ invocation_id }}",
      ),
    ).toBe("2024-02-29 23:59:58.250000+00:00 20240229 23:59 2024 inv-1");
  });

  it("has modules.re, tojson and fromjson", () => {
    expect(
      render(
        "{{ modules.re.sub('[0-9]+', 'N', 'a12b3') }} {{ modules.re.match('(?P<w>[a-z]+)_', 'ab_c').group('w') }} {{ modules.re.findall('\\\\d', 'a1b2') }}",
      ),
    ).toBe("aNbN ab ['1', '2']");
    expect(
      render("{{ {'a': [1, True]} | tojson }} {{ tojson([none]) }} {{ fromjson('{\"k\": 2}').k }}"),
    ).toBe('{"a":[1,true]} [null] 2');
  });

  it("keeps the message of exceptions.raise_compiler_error", () => {
    expect(() => render("{{ exceptions.raise_compiler_error('column ' ~ 'x' ~ ' is missing') }}")).toThrow(
      /column x is missing/,
    );
  });

  it("refuses introspection by name where nothing can answer it (hooks, tests, operations)", () => {
    expect(() => render("{% if execute %}{% set r = run_query('select 1') %}{% endif %}")).toThrow(
      /'execute' asks the database while rendering, which sluice does only for models/,
    );
    expect(() => render("{{ run_query('select 1') }}")).toThrow(/'run_query' asks the database/);
    expect(() => render("{{ adapter.get_columns_in_relation(this) }}")).toThrow(
      /'adapter.get_columns_in_relation' asks the database/,
    );
  });

  it("reads config.get from the model's resolved config", () => {
    expect(
      render(
        "{{ config.get('materialized') }} {{ config.get('nope', 'dflt') }}",
        "",
        scope({ modelConfig: { materialized: "table" } }),
      ),
    ).toBe("table dflt");
  });

  it("has the Jinja filters and tests nunjucks lacks", () => {
    expect(
      render(
        "{{ [{'n': 'a'}, {'n': 'b'}] | map(attribute='n') | join(',') }} {{ [1, 1, 2] | unique | list }} {{ [3, 9, 2] | max }}",
      ),
    ).toBe("a,b [1, 2] 9");
    expect(
      render(
        "{{ [{'t': 'x'}, {'t': 'y'}] | selectattr('t', 'equalto', 'y') | list | length }} {{ 3 is integer }} {{ 2.5 is float }} {{ [1] is sequence }}",
      ),
    ).toBe("1 True True True");
  });
});

describe("calls as Python writes them", () => {
  it("spreads *args and **kwargs, and takes computed dict keys", () => {
    const macros = "{% macro show(a, b=0) %}{{ a }}/{{ b }}/{{ varargs }}/{{ kwargs }}{% endmacro %}";
    expect(
      render(
        "{% set l = [1, 2, 3] %}{% set k = {'b': 5, 'z': 6} %}{{ show(*l) }} {{ show(0, **k) }}",
        macros,
      ),
    ).toBe("1/2/[3]/{} 0/5/[]/{'z': 6}");
    expect(render("{% set key = 'AbC' %}{{ {key.lower(): 1} }}")).toBe("{'abc': 1}");
  });

  it("compiles a call whose text spans lines", () => {
    expect(render("{{ 'a{}\nb'.format(\n1) }}")).toBe("a1\nb");
  });
});

describe("Python semantics dbt_utils' macros rely on", () => {
  it.each([
    [
      "an empty list or dict is false in if, not, and, or",
      "{% if [] %}a{% else %}b{% endif %}{{ 'c' if not {} }}",
      "bc",
    ],
    [
      "two empty lists joined by and are not taken",
      "{% set x = [] %}{% set y = [] %}{% if x and y %}both{% else %}neither{% endif %}",
      "neither",
    ],
    [
      "or gives the operand that decided",
      "{{ [] or 'fallback' }} {{ 'first' or 'second' }} {{ ([1] and [2]) }}",
      "fallback first [2]",
    ],
    [
      "an empty rendered block is false",
      "{% set b %}{% endset %}{% if b %}full{% else %}empty{% endif %}",
      "empty",
    ],
    [
      "zero and the empty string stay false, a relation stays true",
      "{{ 'a' if 0 else 'b' }}{{ 'c' if '' else 'd' }}{{ 'e' if this else 'f' }}",
      "bde",
    ],
  ])("%s", (_name, template, expected) => {
    expect(render(template)).toBe(expected);
  });

  it("takes a bare name as a dict key from the variable of that name, or as the name itself", () => {
    expect(
      render(
        "{% set relation = ref('a') %}{% set d = {relation: 1, plain: 2} %}{{ d[ref('a')] }} {{ d.plain }}",
      ),
    ).toBe("1 2");
  });

  it("binds a keyword argument by its name even where a global of that name exists (except=)", () => {
    expect(render("{{ m(except=['x']) }}", "{% macro m(except=[]) %}{{ except }}{% endmacro %}")).toBe(
      "['x']",
    );
  });

  it("exports macros whose names start with an underscore, as dbt's package namespaces do", () => {
    expect(render("{{ _helper() }}", "{% macro _helper() %}private{% endmacro %}")).toBe("private");
  });

  it("takes a query's float 0.0 as false and renders 30.0 as Python does", () => {
    const floats = scope({ var: (name) => new PyFloat(name === "zero" ? 0 : 30) });
    expect(render("{{ 'yes' if var('zero') else 'no' }} {{ var('thirty') }}", "", floats)).toBe("no 30.0");
  });

  it("calls an object's own method rather than the dict method of the same name", () => {
    const withValues = scope({ var: () => ({ values: () => [7] }) });
    expect(render("{{ var('column').values()[0] }}", "", withValues)).toBe("7");
  });
});

describe("call blocks", () => {
  it("passes caller() to a macro, also one that returns early", () => {
    const macros =
      "{% macro wrap() %}[{{ caller() }}]{% endmacro %}{% macro pick(x) %}{% if x %}{{ return(caller()) }}{% endif %}none{% endmacro %}";
    expect(
      render(
        "{% call wrap() %}in{% endcall %} {% call pick(true) %}yes{% endcall %} {% call pick(false) %}yes{% endcall %}",
        macros,
      ),
    ).toBe("[in] yes none");
  });
});

describe("log and print", () => {
  it("write log(info=True) and print() to stderr and render nothing", () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      expect(render("a{{ log('quiet') }}{{ log('shown', info=True) }}{{ print(['p']) }}b")).toBe("ab");
    } finally {
      spy.mockRestore();
    }
    expect(written).toEqual(["shown\n", "['p']\n"]);
  });
});
