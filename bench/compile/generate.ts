// Generates a synthetic sluice project of N models (~10 lines each) in layers: layer 0 reads
// sources, every later model refs 1-3 models of earlier layers. 60% of models are static
// templates (only ref/source/config with literal arguments, the compiler's fast path), 40% use
// {% if %}, {% for %} and project macros. Each layer folder has a property YAML with tests on
// every fifth model's columns. Deterministic for a given N. With `flavour: "dbt"` the same models,
// macros and YAML go under a dbt_project.yml and a dbt profiles.yml instead of sluice's
// project.yml/profiles.yml, so `dbt parse` (and sluice, which reads dbt projects) see one project.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { seededRandom } from "../../tests/helpers/random.js";

export interface Generated {
  dir: string;
  models: number;
  layers: number;
  staticModels: number;
  dynamicModels: number;
  testedModels: number;
  sourceTables: number;
}

const name = (i: number) => `m_${String(i).padStart(5, "0")}`;

export function generateProject(
  dir: string,
  models: number,
  flavour: "sluice" | "dbt" = "sluice",
): Generated {
  rmSync(dir, { recursive: true, force: true });
  const layers = models >= 5000 ? 20 : 10;
  const perLayer = Math.ceil(models / layers);
  const sourceTables = 20;
  const rand = seededRandom(models);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;

  mkdirSync(join(dir, "models"), { recursive: true });
  mkdirSync(join(dir, "macros"), { recursive: true });
  if (flavour === "dbt") {
    writeFileSync(
      join(dir, "dbt_project.yml"),
      `name: synthetic\nversion: "1.0"\nconfig-version: 2\nprofile: synthetic\nvars:\n  include_category: true\n  min_amount: 0\nmodels:\n  synthetic:\n    layer_00:\n      +materialized: view\n`,
    );
    writeFileSync(
      join(dir, "profiles.yml"),
      `synthetic:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: .sluice/dev/warehouse.duckdb\n      threads: 2\n`,
    );
  } else {
    writeFileSync(
      join(dir, "project.yml"),
      `name: synthetic\nvars:\n  include_category: true\n  min_amount: 0\nmodels:\n  layer_00:\n    materialized: view\n`,
    );
    writeFileSync(
      join(dir, "profiles.yml"),
      `default_target: dev\ntargets:\n  dev:\n    connections:\n      warehouse:\n        type: duckdb\n        path: .sluice/dev/warehouse.duckdb\n`,
    );
  }
  writeFileSync(
    join(dir, "macros", "helpers.sql"),
    `{% macro cents_to_units(column, scale=100) -%}\n  ({{ column }} / {{ scale }})::decimal(18, 2)\n{%- endmacro %}\n\n{% macro safe_category(column) -%}\n  coalesce({{ column }}, 'unknown')\n{%- endmacro %}\n`,
  );
  const tables = Array.from({ length: sourceTables }, (_, i) => `t_${String(i).padStart(2, "0")}`);
  writeFileSync(
    join(dir, "models", "sources.yml"),
    `sources:\n  - name: raw\n    schema: raw\n    tables:\n${tables.map((t) => `      - name: ${t}\n        columns:\n          - name: id\n            tests: [not_null]\n`).join("")}`,
  );

  let staticModels = 0;
  let dynamicModels = 0;
  let tested = 0;
  const byLayer: string[][] = [];
  for (let layer = 0, i = 0; layer < layers; layer++) {
    const folder = join(dir, "models", `layer_${String(layer).padStart(2, "0")}`);
    mkdirSync(folder, { recursive: true });
    const names: string[] = [];
    const props: string[] = [];
    for (let k = 0; k < perLayer && i < models; k++, i++) {
      const m = name(i);
      names.push(m);
      // Inputs: sources for layer 0, else 1-3 distinct models of earlier layers (mostly the previous one).
      const inputs: string[] = [];
      if (layer === 0) {
        inputs.push(`{{ source('raw', '${pick(tables)}') }}`);
        if (rand() < 0.3) inputs.push(`{{ source('raw', '${pick(tables)}') }}`);
      } else {
        const n = 1 + Math.floor(rand() * 3);
        const chosen = new Set<string>();
        while (chosen.size < n) {
          const from = rand() < 0.7 ? layer - 1 : Math.floor(rand() * layer);
          chosen.add(pick(byLayer[from]!));
        }
        inputs.push(...[...chosen].map((r) => `{{ ref('${r}') }}`));
      }
      const isStatic = rand() < 0.6;
      const materialized = layer === 0 ? "view" : pick(["table", "table", "view"]);
      const joins = inputs.slice(1).map((inp, j) => `left join ${inp} j${j} on j${j}.id = a.id`);
      let sql: string;
      if (isStatic) {
        staticModels++;
        sql = [
          `{{ config(materialized='${materialized}', tags=['layer${layer}']) }}`,
          `-- ${m}: static template`,
          `select`,
          `  a.id,`,
          `  a.amount${inputs.length > 1 ? " + coalesce(j0.amount, 0)" : ""} as amount,`,
          `  a.category,`,
          `  a.created_at`,
          `from ${inputs[0]} a`,
          ...joins,
          `where a.amount >= 0`,
        ].join("\n");
      } else {
        dynamicModels++;
        sql = [
          `{{ config(materialized='${materialized}') }}`,
          `{% set measures = ['amount'] %}`,
          `select`,
          `  a.id,`,
          `  {% for c in measures %}{{ cents_to_units('a.' ~ c) }} as {{ c }},{% endfor %}`,
          `  {% if var('include_category') %}{{ safe_category('a.category') }}{% else %}null{% endif %} as category,`,
          `  a.created_at`,
          `from ${inputs[0]} a`,
          ...joins,
          `where a.amount >= {{ var('min_amount') }}`,
        ].join("\n");
      }
      writeFileSync(join(folder, `${m}.sql`), `${sql}\n`);
      if (i % 5 === 0) {
        tested++;
        props.push(
          `  - name: ${m}\n    description: Synthetic model ${i}.\n    columns:\n      - name: id\n        tests: [unique, not_null]\n      - name: category\n        tests:\n          - accepted_values: ${flavour === "dbt" ? "{ arguments: { values: [a, b, c, unknown] } }" : "{ values: [a, b, c, unknown] }"}\n`,
        );
      }
    }
    byLayer.push(names);
    if (props.length) writeFileSync(join(folder, "schema.yml"), `models:\n${props.join("")}`);
  }
  return { dir, models, layers, staticModels, dynamicModels, testedModels: tested, sourceTables };
}
