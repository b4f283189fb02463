// The files `sluice init` writes: a runnable project on embedded DuckDB.
export const INIT_FILES: Record<string, string> = {
  "project.yml": `name: {{PROJECT_NAME}}
default_target: dev
models:
  marts:
    materialized: table
`,
  "profiles.yml": `# Targets and their connections. Credentials come from env_var('NAME') only.
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
  "models/marts/schema.yml": `models:
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
