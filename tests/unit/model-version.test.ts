import { afterEach, describe, expect, it } from "vitest";
import { compileProject } from "../../src/compiler/compile.js";
import { loadProject } from "../../src/project/load.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";

// A model's version is a hash of what runs: rendered SQL (with var() and env_var() values as
// rendered), config, and how each input is read. Each row changes one thing and says whether the
// versions of a lineage model and a table model reading it must change.
const projects: TempProject[] = [];
afterEach(() => {
  for (const p of projects.splice(0)) p.remove();
});

interface Variant {
  vars?: Record<string, unknown>;
  env?: string;
  identifier?: string;
  schema?: string;
  description?: string;
  updatedAt?: string;
  comment?: string;
}

function versions(v: Variant): { hist: string; totals: string } {
  const files = {
    "profiles.yml": `targets:
  dev:
    connections:
      src: { type: duckdb, path: .sluice/src.duckdb }
`,
    "models/sources.yml": `sources:
  - name: app
    connection: src
    schema: ${v.schema ?? "app"}
    tables:
      - name: sales
        description: ${v.description ?? "sales"}${v.identifier ? `\n        identifier: ${v.identifier}` : ""}
        change_tracking: { updated_at: ${v.updatedAt ?? "updated_at"} }
`,
    "models/hist.sql": `{{ config(materialized='incremental', partition_by='ym', unique_key='sale_id') }}
select sale_id, amount * {{ var('factor', 1) }} as amount, ym from {{ source('app', 'sales') }}${v.comment ?? ""}`,
    "models/totals.sql": `{{ config(materialized='table') }}
select ym, sum(amount) as total, '{{ env_var('SLUICE_TEST_REGION', 'eu') }}' as region from {{ ref('hist') }} group by ym`,
  };
  const project = tempProject(files);
  projects.push(project);
  const previous = process.env["SLUICE_TEST_REGION"];
  if (v.env === undefined) delete process.env["SLUICE_TEST_REGION"];
  else process.env["SLUICE_TEST_REGION"] = v.env;
  try {
    const m = compileProject(loadProject({ projectDir: project.dir, vars: v.vars })).manifest;
    return { hist: m.nodes["model.hist"]!.checksum, totals: m.nodes["model.totals"]!.checksum };
  } finally {
    if (previous === undefined) delete process.env["SLUICE_TEST_REGION"];
    else process.env["SLUICE_TEST_REGION"] = previous;
  }
}

const cases: [string, Variant, { hist: boolean; totals: boolean }][] = [
  ["a var() value the SQL renders", { vars: { factor: 2 } }, { hist: true, totals: false }],
  ["a var() value equal to the default", { vars: { factor: 1 } }, { hist: false, totals: false }],
  ["an unused var", { vars: { other: 5 } }, { hist: false, totals: false }],
  ["an env_var() value", { env: "us" }, { hist: false, totals: true }],
  ["the source's identifier", { identifier: "Sales" }, { hist: true, totals: false }],
  ["the source's schema", { schema: "app2" }, { hist: true, totals: false }],
  ["the source's change tracking", { updatedAt: "changed_at" }, { hist: true, totals: false }],
  ["the source's description", { description: "all sales" }, { hist: false, totals: false }],
  ["a comment in the SQL", { comment: "\n-- note" }, { hist: true, totals: false }],
];

describe("model version", () => {
  it.each(cases)("%s", (_, variant, changes) => {
    const base = versions({});
    const now = versions(variant);
    expect({ hist: now.hist !== base.hist, totals: now.totals !== base.totals }).toEqual(changes);
  });
});
