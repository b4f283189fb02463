// Reading dbt's own project files: dbt_project.yml, dbt's profiles.yml, config trees, dbt's schema
// naming and its property-YAML keys, against the dbt-format fixture project tests/fixtures/dbt-shop.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { compileProject } from "../../src/compiler/compile.js";
import type { ModelNode, SeedNode, TestNode } from "../../src/manifest/types.js";
import { ProjectError, formatDiagnostic } from "../../src/project/diagnostics.js";
import { loadProject } from "../../src/project/load.js";
import { REPO_ROOT } from "../helpers/temp-project.js";

const FIXTURE = join(REPO_ROOT, "tests/fixtures/dbt-shop");
const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A dbt project in a fresh folder: the fixture's files, changed or added by `files`. */
function dbtProject(files: Record<string, string | null> = {}, base = FIXTURE): string {
  const dir = mkdtempSync(join(tmpdir(), "sluice-dbt-"));
  made.push(dir);
  if (base) cpSync(base, dir, { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    if (text === null) rmSync(join(dir, path), { force: true });
    else {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
  }
  return dir;
}

function errorsOf(work: () => unknown): string[] {
  try {
    work();
  } catch (e) {
    if (e instanceof ProjectError) return e.diagnostics.map(formatDiagnostic);
    throw e;
  }
  throw new Error("expected a ProjectError");
}

const model = (nodes: Record<string, unknown>, name: string) => nodes[`model.${name}`] as ModelNode;

describe("dbt_project.yml and dbt's profiles.yml", () => {
  it("reads the project, its profile's duckdb output and its vars (project-scoped ones too)", () => {
    const project = loadProject({ projectDir: FIXTURE, env: {} });
    expect(project.config.name).toBe("bike_shop");
    expect(project.targetName).toBe("dev");
    expect(project.dbt?.connection).toBe("bike_shop");
    expect(project.target.connections).toEqual({
      bike_shop: { type: "duckdb", path: "bike_shop.duckdb", schema: "main" },
    });
    expect(project.target.threads).toBe(2);
    expect(project.vars).toMatchObject({ min_quantity: 1, shop_name: "Pedal & Co" });
  });

  it("finds profiles.yml through --profiles-dir, DBT_PROFILES_DIR and ~/.dbt, and says where it looked", () => {
    const profile =
      "bike_shop_profile:\n  target: ci\n  outputs:\n    ci: { type: duckdb, path: ci.duckdb }\n";
    const dir = dbtProject({ "profiles.yml": null });
    const elsewhere = dbtProject({ "profiles.yml": profile }, "");
    const home = dbtProject({ ".dbt/profiles.yml": profile.replace(/ci/g, "home") }, "");
    expect(loadProject({ projectDir: dir, env: { DBT_PROFILES_DIR: elsewhere } }).targetName).toBe("ci");
    expect(
      loadProject({ projectDir: dir, profilesDir: elsewhere, env: {} }).target.connections,
    ).toHaveProperty("ci");
    expect(loadProject({ projectDir: dir, env: { HOME: home } }).targetName).toBe("home");
    const errors = errorsOf(() => loadProject({ projectDir: dir, env: { HOME: dir } }));
    expect(errors[0]).toMatch(
      /^profiles\.yml:1:1 error: no profiles\.yml found \(looked in .*\.dbt\/profiles\.yml\); create one with a profile 'bike_shop_profile'/,
    );
  });

  it("maps sqlserver and spark outputs to sluice's adapters, and names an output type it cannot use", () => {
    const outputs = (output: string) =>
      dbtProject({ "profiles.yml": `bike_shop_profile:\n  target: prod\n  outputs:\n    prod:\n${output}` });
    const mssql = loadProject({
      projectDir: outputs(
        "      type: sqlserver\n      server: db.example.com\n      port: 1433\n      database: shop\n      schema: analytics\n      user: loader\n      password: \"{{ env_var('SHOP_PW') }}\"\n      trust_cert: true\n      driver: ODBC Driver 18 for SQL Server\n",
      ),
      env: { SHOP_PW: "pw-value" },
    });
    expect(mssql.target.connections["shop"]).toMatchObject({
      type: "sqlserver",
      host: "db.example.com",
      database: "shop",
      schema: "analytics",
      user: "loader",
      trust_server_certificate: true,
    });
    expect(mssql.secrets.redact("pw-value")).not.toContain("pw-value");
    const duck = loadProject({
      projectDir: outputs("      type: duckdb\n      path: x.duckdb\n      extensions: [httpfs]\n"),
      env: {},
    });
    expect(duck.warnings.filter((w) => w.file === "profiles.yml").map(formatDiagnostic)).toEqual([
      expect.stringMatching(
        /^profiles\.yml:\d+:\d+ warning: output 'prod': 'extensions' is ignored by sluice$/,
      ),
    ]);
    const spark = loadProject({
      projectDir: outputs(
        "      type: spark\n      method: thrift\n      host: 127.0.0.1\n      port: 10000\n      schema: lake\n      auth: NOSASL\n",
      ),
      env: {},
    });
    expect(spark.target.connections["lake"]).toMatchObject({
      type: "hive",
      host: "127.0.0.1",
      port: 10000,
      database: "lake",
      transport: "binary",
      auth: "nosasl",
    });
    expect(spark.dbt?.targetSchema).toBe("lake");
    const errors = errorsOf(() =>
      loadProject({ projectDir: outputs("      type: snowflake\n      account: x\n"), env: {} }),
    );
    expect(errors).toEqual([
      expect.stringMatching(
        /^profiles\.yml:\d+:\d+ error: output 'prod' of profile 'bike_shop_profile': type 'snowflake' has no sluice adapter; sluice connects to duckdb, sqlserver and spark\/hive$/,
      ),
    ]);
  });

  it("names the profile dbt_project.yml asks for when profiles.yml lacks it", () => {
    const dir = dbtProject({
      "profiles.yml": "bike_shop:\n  target: dev\n  outputs:\n    dev: { type: duckdb, path: a.duckdb }\n",
    });
    expect(errorsOf(() => loadProject({ projectDir: dir, env: {} }))).toEqual([
      "profiles.yml:1:1 error: profile 'bike_shop_profile' (named by dbt_project.yml) is not in profiles.yml; profiles: bike_shop",
    ]);
  });
});

describe("dbt configs and naming", () => {
  it("adds folder configs up as dbt does: parent tags kept, nearer configs win, config() last", () => {
    const { manifest } = compileProject(loadProject({ projectDir: FIXTURE, env: {} }));
    const revenue = model(manifest.nodes, "bike_revenue");
    expect(revenue.tags).toEqual(["shop", "marts", "finance"]);
    expect(revenue.config.materialized).toBe("table");
    const staging = model(manifest.nodes, "stg_bikes");
    expect(staging.tags).toEqual(["shop", "staging"]);
    expect(staging.config.materialized).toBe("view");
  });

  it("names schemas as dbt's default generate_schema_name does: target schema, then _custom", () => {
    const { manifest } = compileProject(loadProject({ projectDir: FIXTURE, env: {} }));
    expect(model(manifest.nodes, "bike_revenue").relation).toEqual({
      connection: "bike_shop",
      database: "bike_shop",
      schema: "main_marts",
      name: "bike_revenue",
    });
    expect(model(manifest.nodes, "stg_bikes").relation.schema).toBe("main");
    expect(model(manifest.nodes, "bike_revenue").compiledSql).toContain(
      `from "bike_shop"."main"."stg_bikes" b`,
    );
  });

  it("honours the project's generate_schema_name and generate_alias_name macros", () => {
    const dir = dbtProject({
      "macros/naming.sql": [
        "{% macro generate_schema_name(custom_schema_name, node) -%}",
        "  {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}",
        "{%- endmacro %}",
        "{% macro generate_alias_name(custom_alias_name=none, node=none) -%}",
        "  {%- if node.resource_type == 'seed' -%}seed_{{ node.name }}{%- else -%}{{ custom_alias_name or node.name }}{%- endif -%}",
        "{%- endmacro %}",
      ].join("\n"),
    });
    const { manifest } = compileProject(loadProject({ projectDir: dir, env: {} }));
    expect(model(manifest.nodes, "bike_revenue").relation.schema).toBe("marts");
    expect(model(manifest.nodes, "stg_bikes").relation.schema).toBe("main");
    expect((manifest.nodes["seed.raw_bikes"] as SeedNode).relation.name).toBe("seed_raw_bikes");
  });

  it("reads dbt config keys in config() and reports the ones that change nothing here", () => {
    const dir = dbtProject({
      "models/marts/bike_revenue.sql":
        "{{ config(materialized='incremental', unique_key='bike_id', incremental_strategy='delete+insert', on_schema_change='fail', grants={'select': ['r']}, post_hook='grant select on {{ this }} to r') }}\nselect 1 as bike_id",
    });
    const { manifest, warnings } = compileProject(loadProject({ projectDir: dir, env: {} }));
    const revenue = model(manifest.nodes, "bike_revenue");
    expect(revenue.config).toMatchObject({
      materialized: "incremental",
      uniqueKey: ["bike_id"],
      strategy: "delete+insert",
      onSchemaChange: "fail",
      postHook: ["grant select on {{ this }} to r"],
    });
    expect(revenue.hooks?.post).toEqual(['grant select on "bike_shop"."main_marts"."bike_revenue" to r']);
    expect(warnings.map(formatDiagnostic)).toEqual(
      expect.arrayContaining([
        "models/marts/bike_revenue.sql:1:1 warning: config 'grants' is ignored: grants are not applied by sluice",
      ]),
    );
    expect(warnings.map(formatDiagnostic).join("\n")).not.toContain("post_hook");
    expect(warnings.map(formatDiagnostic).join("\n")).not.toContain("on_schema_change");
  });

  it("refuses on_schema_change with insert_overwrite, naming the line, and an unknown value", () => {
    const dir = dbtProject({
      "models/marts/bike_revenue.sql":
        "{{ config(materialized='incremental', incremental_strategy='insert_overwrite', partition_by='day',\n  on_schema_change='append_new_columns') }}\nselect 1 as day",
    });
    expect(errorsOf(() => compileProject(loadProject({ projectDir: dir, env: {} })))).toEqual([
      "models/marts/bike_revenue.sql:2:1 error: on_schema_change 'append_new_columns' is applied to the append, merge and delete+insert strategies only, not to insert_overwrite; remove on_schema_change, or rebuild the model with --full-refresh when its columns change",
    ]);
    const typo = dbtProject({
      "models/marts/bike_revenue.sql":
        "{{ config(materialized='incremental', on_schema_change='append_new_column') }}\nselect 1 as day",
    });
    expect(errorsOf(() => compileProject(loadProject({ projectDir: typo, env: {} })))[0]).toMatch(
      /^models\/marts\/bike_revenue\.sql:1:1 error: config: on_schema_change: .*"append_new_columns"\|"sync_all_columns"/,
    );
  });

  it("refuses a materialization sluice does not build, saying where it was set", () => {
    const dir = dbtProject({
      "models/marts/bike_revenue.sql": "{{ config(materialized='materialized_view') }}\nselect 1 as bike_id",
    });
    expect(errorsOf(() => compileProject(loadProject({ projectDir: dir, env: {} })))).toEqual([
      "models/marts/bike_revenue.sql:1:1 error: materialized 'materialized_view' (set in models/marts/bike_revenue.sql:1) is not a materialization sluice builds; use view, table, incremental or ephemeral",
    ]);
  });

  it("refuses a custom materialization by name, pointing at its {% materialization %} block", () => {
    const dir = dbtProject({
      "macros/fancy.sql":
        "{% materialization fancy, adapter='duckdb' %}{{ return({'relations': [this]}) }}{% endmaterialization %}",
      "dbt_project.yml":
        "name: bike_shop\nprofile: bike_shop_profile\nmodels:\n  bike_shop:\n    marts:\n      +materialized: fancy\n",
    });
    expect(errorsOf(() => compileProject(loadProject({ projectDir: dir, env: {} })))).toEqual([
      "models/marts/bike_prices.sql:1:1 error: materialized 'fancy' (set in dbt_project.yml) is a custom materialization ({% materialization %} in macros/fancy.sql); sluice does not run custom materializations; use view, table, incremental or ephemeral",
      "models/marts/bike_revenue.sql:1:1 error: materialized 'fancy' (set in dbt_project.yml) is a custom materialization ({% materialization %} in macros/fancy.sql); sluice does not run custom materializations; use view, table, incremental or ephemeral",
      "models/marts/rental_labels.sql:1:1 error: materialized 'fancy' (set in dbt_project.yml) is a custom materialization ({% materialization %} in macros/fancy.sql); sluice does not run custom materializations; use view, table, incremental or ephemeral",
    ]);
  });

  it("counts a ref inside a {% set %} block as a dependency, and pins run_started_at per compile", () => {
    const dir = dbtProject({
      "models/marts/stamped.sql":
        "{% set inner %}select bike_id from {{ ref('stg_bikes') }}{% endset %}\nselect *, '{{ run_started_at }}' as at, '{{ invocation_id }}' as inv from ({{ inner }})",
    });
    const env = { SLUICE_RUN_STARTED_AT: "2025-01-02T03:04:05Z", SLUICE_INVOCATION_ID: "run-7" };
    const { manifest } = compileProject(loadProject({ projectDir: dir, env }));
    const stamped = model(manifest.nodes, "stamped");
    expect(stamped.dependsOn).toEqual(["model.stg_bikes"]);
    expect(stamped.compiledSql).toBe(
      `select *, '2025-01-02 03:04:05+00:00' as at, 'run-7' as inv from (select bike_id from "bike_shop"."main"."stg_bikes")`,
    );
  });

  it("types seed columns as dbt does, explicit column_types first", () => {
    const { manifest } = compileProject(loadProject({ projectDir: FIXTURE, env: {} }));
    expect((manifest.nodes["seed.raw_bikes"] as SeedNode).columnTypes).toEqual({
      bike_id: "INTEGER",
      model_name: "varchar",
      list_price: "DOUBLE",
      launched_on: "DATE",
      is_electric: "BOOLEAN",
    });
    expect((manifest.nodes["seed.raw_rentals"] as SeedNode).columnTypes).toMatchObject({
      rented_at: "TIMESTAMP",
      status: "VARCHAR",
    });
  });
});

describe("dbt property YAML", () => {
  it("accepts dbt's keys, builds data_tests with arguments and config, and reports what it ignores", () => {
    const { manifest, warnings } = compileProject(loadProject({ projectDir: FIXTURE, env: {} }));
    const tests = Object.values(manifest.nodes).filter(
      (n): n is TestNode => n.kind === "test" && n.testType !== "unit",
    );
    const accepted = tests.find((t) => t.testType === "accepted_values")!;
    expect(accepted.args).toEqual({ values: ["returned", "open", "lost"] });
    expect(accepted.config.severity).toBe("warn");
    expect(tests.map((t) => t.name).sort()).toEqual([
      "accepted_values_stg_rentals_status",
      "at_least_bike_revenue_revenue",
      "no_negative_revenue",
      "not_blank_bike_prices_quoted_name",
      "not_null_raw_bikes_bike_id",
      "not_null_stg_bikes_bike_id",
      "relationships_stg_rentals_bike_id",
      "unique_bike_revenue_bike_id",
      "unique_stg_bikes_bike_id",
    ]);
    expect(warnings.map(formatDiagnostic)).toEqual(
      expect.arrayContaining([
        "models/marts/_marts.yml:19:1 warning: 'exposures' is ignored: exposures are not shown by sluice yet",
      ]),
    );
    expect(warnings.map(formatDiagnostic).join("\n")).not.toMatch(/unit_tests/);
  });

  it("refuses store_failures, fail_calc and limit off DuckDB, and store_failures_as of an unknown kind", () => {
    const stored = (config: string) =>
      `{{ config(store_failures=true${config}) }}\nselect * from {{ ref('stg_bikes') }} where bike_id < 0\n`;
    const mssql = dbtProject({
      "profiles.yml":
        "bike_shop_profile:\n  target: prod\n  outputs:\n    prod:\n      type: sqlserver\n" +
        "      server: db.example.com\n      database: shop\n      schema: analytics\n      user: u\n",
      "tests/stored_failures.sql": stored(""),
      "tests/summed.sql":
        "{{ config(fail_calc='sum(bike_id)', limit=5) }}\nselect bike_id from {{ ref('stg_bikes') }}\n",
    });
    expect(errorsOf(() => compileProject(loadProject({ projectDir: mssql, env: {} })))).toEqual(
      expect.arrayContaining([
        "tests/stored_failures.sql:1:1 error: test 'stored_failures': store_failures is supported for dbt " +
          "projects on DuckDB only (its connection 'shop' is sqlserver); remove store_failures, or run the " +
          "test on a DuckDB connection",
        "tests/summed.sql:1:1 error: test 'summed': fail_calc and limit are supported on DuckDB only " +
          "(its connection 'shop' is sqlserver); remove fail_calc and limit, or run the test on a " +
          "DuckDB connection",
      ]),
    );
    const ephemeral = dbtProject({ "tests/stored_failures.sql": stored(", store_failures_as='ephemeral'") });
    expect(errorsOf(() => compileProject(loadProject({ projectDir: ephemeral, env: {} })))).toEqual([
      "tests/stored_failures.sql:1:1 error: test 'stored_failures': store_failures_as 'ephemeral' is not " +
        "supported; use table or view",
    ]);
  });

  it("compiles a unit test into its model's SQL over a fixture CTE, gated on the model's inputs", () => {
    const { manifest } = compileProject(loadProject({ projectDir: FIXTURE, env: {} }));
    const unit = manifest.nodes["unit_test.stg_bikes.lowercases_names"] as TestNode;
    expect(unit).toMatchObject({
      testType: "unit",
      attachedTo: "model.stg_bikes",
      dependsOn: ["seed.raw_bikes"],
      location: { path: "models/staging/_staging.yml", line: 30 },
    });
    expect(unit.unit?.inputs.map((i) => [i.node, i.columns, i.rows])).toEqual([
      ["seed.raw_bikes", ["bike_id", "model_name"], [[1, "A"]]],
    ]);
    expect(unit.unit?.expect).toMatchObject({ columns: ["bike_id", "model_name"], rows: [[1, "a"]] });
    expect(unit.unit?.sql).toMatch(/from __sluice_unit_input_0\b/);
    expect(unit.compiledSql).toMatch(
      /^with __sluice_unit_input_0 as \(\nselect 1 as "bike_id", 'A' as "model_name"\n\)/,
    );
  });

  it("refuses an enforced contract without columns, a column without data_type, a check without expression, and an incremental that could drift", () => {
    const dir = dbtProject({
      "models/marts/contracts.yml": [
        "version: 2",
        "models:",
        "  - name: bike_revenue",
        "    config: { contract: { enforced: true }, materialized: incremental }",
        "    columns:",
        "      - name: bike_id",
        "        data_type: int",
        "      - name: revenue",
        "        constraints: [{ type: check }]",
        "  - name: bike_prices",
        "    config:",
        "      contract: { enforced: true }",
        "",
      ].join("\n"),
    });
    expect(errorsOf(() => compileProject(loadProject({ projectDir: dir, env: {} })))).toEqual(
      expect.arrayContaining([
        "models/marts/contracts.yml:8:1 error: column 'revenue' of model 'bike_revenue' has no data_type, which its enforced contract needs; give every column of a contracted model a data_type",
        "models/marts/bike_revenue.sql:1:1 error: incremental model 'bike_revenue' enforces a contract with on_schema_change 'ignore', which lets its table drift from the contract; set on_schema_change to 'append_new_columns' or 'fail', as dbt requires",
        "models/marts/contracts.yml:8:1 error: a check constraint of model 'bike_revenue' has no expression; give it the condition every row must meet, e.g. expression: \"amount >= 0\"",
        "models/marts/contracts.yml:10:1 error: model 'bike_prices' enforces a contract but its property YAML declares no columns; list every column the model selects under columns:, each with its data_type",
      ]),
    );
  });

  it("refuses a config() value computed while rendering that decides the build, which would be dropped", () => {
    const dir = dbtProject({
      "models/marts/computed.sql": "{{ config(materialized=var('m', 'table')) }}\nselect 1 as id\n",
    });
    expect(errorsOf(() => compileProject(loadProject({ projectDir: dir, env: {} })))).toContain(
      "models/marts/computed.sql:1:4 error: config() computes materialized while rendering (a var(), macro " +
        "or expression), which sluice cannot read and the build depends on; write the value literally, or " +
        "set it in dbt_project.yml, where {{ var() }} is rendered",
    );
  });

  it("warns of a computed enabled or tags, as dbt packages write them, and keeps the literal keys beside", () => {
    const dir = dbtProject({
      "models/marts/packaged.sql":
        "{{ config(materialized='table', enabled=var('using_x', true), tags=var('t', [])) }}\nselect 1 as id\n",
    });
    const { manifest, warnings } = compileProject(loadProject({ projectDir: dir, env: {} }));
    const node = Object.values(manifest.nodes).find((n) => n.name === "packaged");
    expect(node?.kind === "model" && node.config.materialized).toBe("table");
    expect(warnings.map(formatDiagnostic)).toContain(
      "models/marts/packaged.sql:1:4 warning: config() computes enabled, tags while rendering, which sluice " +
        "does not read: the model is compiled and built as if it were not set; write the value literally, " +
        "or set it in dbt_project.yml, where {{ var() }} is rendered",
    );
  });

  it("warns that versions and snapshot properties are not supported, and accepts freshness, without failing", () => {
    const dir = dbtProject({
      "models/more.yml": [
        "version: 2",
        "models:",
        "  - name: bike_revenue",
        "    latest_version: 2",
        "    versions: [{ v: 2 }]",
        "sources:",
        "  - name: shop_db",
        "    loader: fivetran",
        "    freshness: { warn_after: { count: 1, period: day } }",
        "    loaded_at_field: synced_at",
        "    tables:",
        "      - name: orders",
        "        data_tests: [{ dbt_utils_stub: { arguments: { x: 1 } } }]",
        "snapshots:",
        "  - name: snap",
      ].join("\n"),
      "models/marts/_marts.yml": null,
    });
    const project = loadProject({ projectDir: dir, env: {} });
    const messages = project.warnings.map(formatDiagnostic);
    expect(messages).toEqual(
      expect.arrayContaining([
        "models/more.yml:4:5 warning: 'latest_version' is ignored: model versions are not supported; the model is built once under its own name, not as <name>_v<N>",
        "models/more.yml:14:1 warning: 'snapshots' is ignored: snapshot properties (descriptions, columns, tests, YAML-defined snapshots) are not read yet",
      ]),
    );
    // dbt: a source's schema defaults to its name.
    const source = project.properties.flatMap((p) => p.content.sources ?? [])[0]!;
    expect(source.schema).toBe("shop_db");
  });
});

describe("dbt packages and the macro namespace", () => {
  it("reads a local package's macros under its name and dispatches in the order dbt_project.yml gives", () => {
    const { manifest } = compileProject(loadProject({ projectDir: FIXTURE, env: {} }));
    const sql = model(manifest.nodes, "bike_prices").compiledSql;
    expect(sql).toContain("cast(round(list_price * 100) as bigint) as price_cents");
    expect(sql).toContain("'shop:bike' as label");
    expect(sql).toContain(`'#' || cast(bike_id as varchar) as tag`);
    expect(sql).toContain(`md5(cast(model_name as TEXT)) as name_hash`);
    expect(sql).toContain(`"model_name" as quoted_name`);
    const test = Object.values(manifest.nodes).find(
      (n): n is TestNode => n.kind === "test" && n.name === "not_blank_bike_prices_quoted_name",
    )!;
    expect(test.testType).toBe("generic");
    expect(test.compiledSql).toBe(
      `select quoted_name from "bike_shop"."main_marts"."bike_prices" where trim(quoted_name) = ''`,
    );
  });

  it("falls back to the package's default__ when the search order names only the package", () => {
    const dir = dbtProject({ "macros/label_override.sql": null });
    const { manifest } = compileProject(loadProject({ projectDir: dir, env: {} }));
    expect(model(manifest.nodes, "bike_prices").compiledSql).toContain("'package:bike' as label");
  });

  it("uses packages installed in dbt_packages/ as they are, and says when listed packages are not installed", () => {
    const dir = dbtProject({
      "packages.yml": "packages:\n  - package: example/shop_helpers\n    version: 0.1.0\n",
    });
    cpSync(join(dir, "packages/shop_helpers"), join(dir, "dbt_packages/shop_helpers"), { recursive: true });
    rmSync(join(dir, "packages"), { recursive: true });
    const { manifest } = compileProject(loadProject({ projectDir: dir, env: {} }));
    expect(model(manifest.nodes, "bike_prices").compiledSql).toContain("as price_cents");
    rmSync(join(dir, "dbt_packages"), { recursive: true });
    expect(errorsOf(() => loadProject({ projectDir: dir, env: {} }))).toEqual([
      "packages.yml:1:1 error: packages are listed but dbt_packages/ does not exist; install them with `dbt deps` (sluice uses dbt_packages/ as it is), or list local: packages",
    ]);
  });

  it("names the implementations adapter.dispatch looked for when none exists", () => {
    const dir = dbtProject({
      "models/marts/bike_prices.sql": "select {{ adapter.dispatch('nothing', 'shop_helpers')() }}",
    });
    const errors = errorsOf(() => compileProject(loadProject({ projectDir: dir, env: {} })));
    expect(errors[0]).toContain(
      "adapter.dispatch('nothing', 'shop_helpers') found no implementation (tried bike_shop.duckdb__nothing, bike_shop.default__nothing, shop_helpers.duckdb__nothing, shop_helpers.default__nothing)",
    );
  });
});

describe("more of dbt_project.yml", () => {
  it("runs on-run-start / on-run-end on the profile's connection, reads nested seed folders and a sluice profiles.yml", () => {
    const dir = dbtProject({
      "dbt_project.yml":
        'name: bike_shop\nprofile: bike_shop_profile\nvars: { min_quantity: 1, shop_name: s }\non-run-start: "create schema if not exists {{ target.schema }}_audit"\non-run-end:\n  - "select 1"\n',
      "seeds/extra/raw_colours.csv": "colour_id,colour\n1,red\n",
      "profiles.yml": "targets:\n  dev:\n    connections:\n      wh: { type: duckdb, path: wh.duckdb }\n",
      "models/marts/_marts.yml": null,
    });
    writeFileSync(
      join(dir, "dbt_project.yml"),
      `${readFileSync(join(dir, "dbt_project.yml"), "utf8")}models:\n  bike_shop:\n    marts:\n      +schema: "{{ env_var('MART_SCHEMA', 'marts') }}"\n      +enabled: "{{ var('marts_on', true) }}"\n`,
    );
    const project = loadProject({ projectDir: dir, env: {} });
    expect(project.dbt?.connection).toBe("wh");
    const { manifest } = compileProject(project);
    expect(manifest.hooks).toEqual({
      on_run_start: [{ connection: "wh", sql: "create schema if not exists main_audit" }],
      on_run_end: [{ connection: "wh", sql: "select 1" }],
    });
    expect((manifest.nodes["seed.raw_colours"] as SeedNode).relation).toEqual({
      connection: "wh",
      database: "wh",
      schema: "main",
      name: "raw_colours",
    });
    const withEnv = compileProject(
      loadProject({ projectDir: dir, env: { MART_SCHEMA: "reporting" } }),
    ).manifest;
    expect(model(withEnv.nodes, "bike_revenue").relation.schema).toBe("main_reporting");
    writeFileSync(
      join(dir, "dbt_project.yml"),
      readFileSync(join(dir, "dbt_project.yml"), "utf8").replace(
        "env_var('MART_SCHEMA', 'marts')",
        "env_var('MART_SCHEMA')",
      ),
    );
    expect(errorsOf(() => loadProject({ projectDir: dir, env: {} }))).toEqual([
      "dbt_project.yml:1:1 error: env_var('MART_SCHEMA') is not set; set the environment variable or give env_var() a default",
    ]);
    rmSync(join(dir, "tests/no_negative_revenue.sql"));
    const off = compileProject(
      loadProject({ projectDir: dir, env: { MART_SCHEMA: "m" }, vars: { marts_on: false } }),
    );
    expect(off.manifest.nodes["model.bike_revenue"]).toBeUndefined();
    expect(off.manifest.nodes["model.stg_bikes"]).toBeDefined();
  });
});
