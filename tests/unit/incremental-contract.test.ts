import { afterEach, describe, expect, it } from "vitest";
import { compileProject } from "../../src/compiler/compile.js";
import type { ModelNode } from "../../src/manifest/types.js";
import { formatDiagnostic, ProjectError } from "../../src/project/diagnostics.js";
import { loadProject } from "../../src/project/load.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";

// The incremental contract read from each lineage model's SQL with a real parser: which models are
// built by partition replacement (and by which key their moved rows are found), which are rebuilt
// in full every time (and why, with file:line), and which are refused with the fix.
const projects: TempProject[] = [];
afterEach(() => {
  for (const p of projects.splice(0)) p.remove();
});

const SOURCES = `sources:
  - name: app
    connection: src
    schema: app
    tables:
      - name: sales
        change_tracking:
          updated_at: updated_at
          deletes: { table: removed, key: sale_id, deleted_at: removed_at, partition_columns: [ym] }
      - name: removed
      - name: lines
        change_tracking: { updated_at: updated_at }
      - name: products
`;

function compile(
  sql: string,
  extraFiles: Record<string, string> = {},
): { model: ModelNode } | { errors: string[] } {
  const project = tempProject({
    "profiles.yml":
      "targets:\n  dev:\n    connections:\n      src: { type: duckdb, path: .sluice/src.duckdb }\n",
    "models/sources.yml": SOURCES,
    "models/m.sql": sql,
    ...extraFiles,
  });
  projects.push(project);
  try {
    return {
      model: compileProject(loadProject({ projectDir: project.dir })).manifest.nodes["model.m"] as ModelNode,
    };
  } catch (e) {
    if (e instanceof ProjectError) return { errors: e.diagnostics.map(formatDiagnostic) };
    throw e;
  }
}

const inc = (extra = "") => `{{ config(materialized='incremental', partition_by='ym'${extra}) }}\n`;
const ym = "year(sale_date) * 100 + month(sale_date) as ym";

const cases: [
  string,
  string,
  Record<string, string>,
  { key?: [string, string]; keys?: [string, string][]; full?: RegExp; error?: RegExp },
][] = [
  [
    "two tracked sources joined, the result carrying a key of each (an order header and its lines)",
    `${inc(", unique_key='line_id'")}select s.sale_id as sid, l.line_id, l.qty, ${ym}\nfrom {{ source('app', 'sales') }} s join {{ source('app', 'lines') }} l on l.sale_id = s.sale_id`,
    {},
    {
      keys: [
        ["line_id", "line_id"],
        ["sale_id", "sid"],
      ],
    },
  ],
  [
    "a row-local model keyed by the deletes key",
    `${inc()}select sale_id, amount, ${ym} from {{ source('app', 'sales') }}`,
    {},
    { key: ["sale_id", "sale_id"] },
  ],
  [
    "a renamed key",
    `${inc()}select s.sale_id as id, s.amount, ${ym}\nfrom {{ source('app', 'sales') }} s`,
    {},
    { key: ["sale_id", "id"] },
  ],
  [
    "select *",
    `${inc()}select *, ${ym} from {{ source('app', 'sales') }}`,
    {},
    { key: ["sale_id", "sale_id"] },
  ],
  [
    "a composite unique_key over a one-column deletes key",
    `${inc(", unique_key=['sale_id', 'line']")}select sale_id, line, ${ym} from {{ source('app', 'sales') }}`,
    {},
    { key: ["sale_id", "sale_id"] },
  ],
  [
    "a key on a source without a deletes table, by unique_key",
    `${inc(", unique_key='line_id'")}select l.line_id, l.qty, ${ym}\nfrom {{ source('app', 'lines') }} l`,
    {},
    { key: ["line_id", "line_id"] },
  ],
  [
    "a window function",
    `${inc()}select sale_id, ${ym},\n  row_number() over (partition by client order by sale_date) as rn\nfrom {{ source('app', 'sales') }}`,
    {},
    {
      full: /^models\/m\.sql:3: window function row_number\(\) … over makes a row depend on rows of other partitions$/,
    },
  ],
  [
    "an aggregate",
    `${inc()}select ${ym}, count(*) as n\nfrom {{ source('app', 'sales') }}\ngroup by 1`,
    {},
    { full: /^models\/m\.sql:4: GROUP BY makes a row depend/ },
  ],
  [
    "an aggregate without GROUP BY",
    `${inc()}select 202601 as ym, sum(amount) as total from {{ source('app', 'sales') }}`,
    {},
    { full: /aggregate sum\(\) makes a row depend/ },
  ],
  [
    "SELECT DISTINCT",
    `${inc()}select distinct sale_id, ${ym} from {{ source('app', 'sales') }}`,
    {},
    { full: /SELECT DISTINCT/ },
  ],
  [
    "two tracked sources joined",
    `${inc()}select s.sale_id, l.qty, ${ym}\nfrom {{ source('app', 'sales') }} s join {{ source('app', 'lines') }} l on l.sale_id = s.sale_id`,
    {},
    {
      full: /joins 2 change-tracked sources \(app\.lines, app\.sales\), and its result has no column holding a key of app\.lines/,
    },
  ],
  [
    "a tracked source read through a view",
    `${inc()}select s.sale_id, v.qty, ${ym}\nfrom {{ source('app', 'sales') }} s join {{ ref('lines_v') }} v on v.sale_id = s.sale_id`,
    { "models/lines_v.sql": "select * from {{ source('app', 'lines') }}" },
    { full: /reads change-tracked app\.lines through view lines_v/ },
  ],
  [
    "no key of the source in the result",
    `${inc()}select l.qty, ${ym} from {{ source('app', 'lines') }} l`,
    {},
    {
      error:
        /^models\/m\.sql:1:1 error: incremental model 'm' is partitioned by ym over change-tracked app\.lines, but its result has no column holding a key of app\.lines.*; set unique_key to a column selected straight from app\.lines, add a deletes table to its change_tracking, or declare full_refresh_only: true$/,
    },
  ],
  [
    "a unique_key computed, not passed through",
    `${inc(", unique_key='k'")}select l.line_id + 1 as k, ${ym} from {{ source('app', 'lines') }} l`,
    {},
    { error: /has no column holding unique_key k \(a column taken straight from app\.lines\)/ },
  ],
  [
    "the deletes key left out",
    `${inc(", unique_key='amount'")}select amount, ${ym} from {{ source('app', 'sales') }}`,
    {},
    {
      error:
        /has no column holding the deletes key 'sale_id' of app\.sales.*; select sale_id from app\.sales \(it may be renamed\), or declare full_refresh_only: true/,
    },
  ],
  [
    "no key, declared full_refresh_only",
    `${inc(", full_refresh_only=true")}select l.qty, ${ym} from {{ source('app', 'lines') }} l`,
    {},
    { full: /^declared full_refresh_only$/ },
  ],
];

describe("the incremental contract", () => {
  it.each(cases)("%s", (_, sql, files, expected) => {
    const result = compile(sql, files);
    if (expected.error) {
      expect("errors" in result ? result.errors : []).toEqual([expect.stringMatching(expected.error)]);
      return;
    }
    if (!("model" in result)) throw new Error(result.errors.join("\n"));
    const lineage = result.model.lineage!;
    if (expected.full) expect(lineage.fullRebuild).toMatch(expected.full);
    else expect(lineage.fullRebuild).toBeNull();
    if (expected.key)
      expect(lineage.keys?.map((k) => [k.sourceColumn, k.modelColumn])).toEqual([expected.key]);
    if (expected.keys)
      expect(lineage.keys?.map((k) => [k.sourceColumn, k.modelColumn])).toEqual(expected.keys);
  });
});
