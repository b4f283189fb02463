// The files `sluice init` writes: a runnable project on embedded DuckDB. The YAML files name the
// JSON Schema the package ships, found where npm installs sluice in the project (editors with the
// YAML language server then complete and check keys).
const schema = (up: string, file: string) =>
  `# yaml-language-server: $schema=${up}node_modules/sluice/schemas/${file}\n`;

export const INIT_FILES: Record<string, string> = {
  "project.yml": `${schema("", "project.schema.json")}name: {{PROJECT_NAME}}
default_target: dev
models:
  marts:
    materialized: table
`,
  "profiles.yml":
    `${schema("", "profiles.schema.json")}` +
    `# Targets and their connections. Credentials come from env_var('NAME') only.
targets:
  dev:
    connections:
      warehouse:
        type: duckdb
        path: .sluice/dev/warehouse.duckdb
`,
  "seeds/customers.csv": `customer_id,name,country
1,Ana,PT
2,Bruno,ES
3,Carla,PT
`,
  "models/staging/stg_customers.sql": `select customer_id, name, upper(country) as country
from {{ ref('customers') }}
`,
  "models/marts/customers_by_country.sql": `select country, count(*) as customers
from {{ ref('stg_customers') }}
group by country
`,
  "models/marts/schema.yml": `${schema("../../", "properties.schema.json")}models:
  - name: customers_by_country
    description: Customers per country.
    columns:
      - name: country
        tests: [unique, not_null]
`,
  ".gitignore": `target/
.sluice/
`,
};
