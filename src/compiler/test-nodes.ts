// Turns the tests declared in property YAML and the singular test files into test nodes, each a
// query returning failing rows on the engine where the tested relation lives.
import type { PartitionValue } from "../adapters/contract.js";
import type {
  Manifest,
  ManifestNode,
  RelationRef,
  TestConfig,
  TestNode,
  TestType,
} from "../manifest/types.js";
import { didYouMean, type Diagnostics } from "../project/diagnostics.js";
import { templateErrorPosition, type Project } from "../project/load.js";
import type { TestEntry } from "../project/schema.js";
import { hash } from "../manifest/checksum.js";
import { lineOf, type IndexedProperties, type PropertyEntry } from "./properties.js";
import { lookUpEnvVar, lookUpVar, type TemplateEnvironment } from "./environment.js";
import {
  GENERIC_TESTS,
  genericTestSql,
  SCOPABLE_TESTS,
  scopedGenericTestSql,
  type GenericTestInput,
} from "./data-tests.js";
import { canRead, quoteIdentifier, renderRelation } from "./relations.js";
import { partitionPredicate, reconcileProfile, selectPartitions } from "./partition-sql.js";
import { compileStatic } from "./static-template.js";
import { macroTestSql, testMacroName } from "./macro-tests.js";
import { dbtRelationName } from "./dbt-naming.js";

const OPTION_KEYS = new Set([
  "severity",
  "where",
  "error_if",
  "warn_if",
  "fail_calc",
  "limit",
  "name",
  "tags",
  "config",
]);

interface Declared {
  type: string;
  args: Record<string, unknown>;
  options: Record<string, unknown>;
}

/** Every data test of the project, generic and singular. */
export function buildDataTests(
  project: Project,
  env: TemplateEnvironment,
  props: IndexedProperties,
  nodes: Record<string, ManifestNode>,
  diagnostics: Diagnostics,
): TestNode[] {
  const tests: TestNode[] = [];
  const ids = new Set<string>();
  const uniqueId = (base: string): string => {
    let id = `test.${base}`;
    for (let n = 2; ids.has(id); n++) id = `test.${base}_${n}`;
    ids.add(id);
    return id;
  };
  const attach = (
    node: ManifestNode | undefined,
    entry: PropertyEntry<unknown>,
    columns: { name: string; tests?: TestEntry[] }[] | undefined,
    tableTests: TestEntry[] | undefined,
  ) => {
    if (!node || node.kind === "test") return;
    if (node.kind === "model" && node.config.materialized === "ephemeral") {
      if (tableTests?.length || columns?.some((c) => c.tests?.length))
        diagnostics.error(
          entry.path,
          entry.line,
          1,
          `ephemeral model '${node.name}' cannot be tested`,
          "test the models that use it",
        );
      return;
    }
    const declared: { column: string | null; test: TestEntry }[] = [
      ...(tableTests ?? []).map((test) => ({ column: null, test })),
      ...(columns ?? []).flatMap((c) => (c.tests ?? []).map((test) => ({ column: c.name, test }))),
    ];
    for (const { column, test } of declared) {
      const parsed = parseEntry(test);
      const line = lineOf(entry.text, column ?? node.name.split(".").pop()!, entry.line);
      if (!parsed) {
        diagnostics.error(
          entry.path,
          line,
          1,
          "a test must be a name or { test_name: { arguments } }",
          "write e.g. - unique, or - accepted_values: { values: [a, b] }",
        );
        continue;
      }
      const macro = (GENERIC_TESTS as readonly string[]).includes(parsed.type)
        ? undefined
        : testMacroName(env, parsed.type);
      if (!(GENERIC_TESTS as readonly string[]).includes(parsed.type) && !macro) {
        const known = [
          ...GENERIC_TESTS,
          ...[...env.macros.keys()].filter((m) => m.startsWith("test_")).map((m) => m.slice(5)),
        ];
        diagnostics.error(
          entry.path,
          line,
          1,
          `unknown test '${parsed.type}'`,
          didYouMean(parsed.type, known) ?? `generic tests: ${known.join(", ")}`,
        );
        continue;
      }
      const where = typeof parsed.options["where"] === "string" ? parsed.options["where"] : null;
      const built:
        | { sql: string; dependsOn: string[]; reconcile?: TestNode["reconcile"] }
        | { error: string; hint: string } = macro
        ? macroTestSql(project, env, macro, node, column, parsed.args, where, nodes)
        : genericTest(project, node, column, parsed, nodes);
      if ("error" in built) {
        diagnostics.error(
          entry.path,
          line,
          1,
          `${parsed.type} on ${node.name}${column ? `.${column}` : ""}: ${built.error}`,
          built.hint,
        );
        continue;
      }
      const base =
        `${parsed.type.split(".").pop()}_${node.name.replace(/\./g, "_")}` + `${column ? `_${column}` : ""}`;
      const id = uniqueId((parsed.options["name"] as string | undefined) ?? base);
      const testNode: TestNode = {
        id,
        kind: "test",
        name: id.slice("test.".length),
        location: { path: entry.path, line },
        description: "",
        tags: [...node.tags, ...toList(parsed.options["tags"])],
        dependsOn: built.dependsOn,
        checksum: hash(JSON.stringify([built.sql, parsed])),
        testType: macro ? "generic" : (parsed.type as TestType),
        testName: parsed.type,
        attachedTo: node.id,
        column,
        args: parsed.args,
        config: testConfig(parsed.options),
        connection: node.relation.connection,
        compiledSql: built.sql,
        reconcile: built.reconcile ?? null,
      };
      if (!checkFailCalcAndLimit(project, testNode, parsed.options, diagnostics)) continue;
      tests.push(placeFailures(project, env, testNode, parsed.options, diagnostics));
    }
  };

  for (const [name, entry] of props.models)
    attach(nodes[`model.${name}`], entry, entry.value.columns, entry.value.tests);
  for (const [name, entry] of props.seeds)
    attach(nodes[`seed.${name}`], entry, entry.value.columns, entry.value.tests);
  for (const entry of props.sources) {
    for (const table of entry.value.tables)
      attach(nodes[`source.${entry.value.name}.${table.name}`], entry, table.columns, table.tests);
  }

  for (const file of project.singularTests) {
    const test = singularTest(project, env, file, nodes, diagnostics);
    if (test) {
      ids.add(test.id);
      tests.push(test);
    }
  }
  return tests;
}

/**
 * Where a test with `store_failures: true` keeps its failing rows, named as dbt names it: the
 * custom schema `dbt_test__audit` (or the test's `schema`) through generate_schema_name, and the
 * test's name (or its `alias`) through generate_alias_name. DuckDB only; elsewhere an error.
 */
function placeFailures(
  project: Project,
  env: TemplateEnvironment,
  test: TestNode,
  options: Record<string, unknown>,
  diagnostics: Diagnostics,
): TestNode {
  // Unset, failures are stored under --store-failures, as dbt's should_store_failures() falls back
  // to the flag: placed here for the tests that could store them, refused by the runner elsewhere.
  const unset = options["store_failures"] === undefined || options["store_failures"] === null;
  if (unset) {
    const type = project.target.connections[test.connection]?.type;
    if (!project.dbt || type !== "duckdb" || test.reconcile) return test;
  } else if (options["store_failures"] !== true) return test;
  const where = test.location;
  const as = options["store_failures_as"] ?? "table";
  if (as !== "table" && as !== "view") {
    diagnostics.error(
      where.path,
      where.line,
      1,
      `test '${test.name}': store_failures_as '${String(as)}' is not supported`,
      "use table or view",
    );
    return test;
  }
  if (test.reconcile) {
    diagnostics.error(
      where.path,
      where.line,
      1,
      `test '${test.name}': a reconcile test compares two engines and has no failing rows to store`,
      "remove store_failures",
    );
    return test;
  }
  const type = project.target.connections[test.connection]?.type;
  if (!project.dbt || type !== "duckdb") {
    diagnostics.error(
      where.path,
      where.line,
      1,
      `test '${test.name}': store_failures is supported for dbt projects on DuckDB only` +
        (type && type !== "duckdb" ? ` (its connection '${test.connection}' is ${type})` : ""),
      "remove store_failures, or run the test on a DuckDB connection",
    );
    return test;
  }
  const placed = dbtRelationName(project, env, {
    kind: "test",
    name: test.name,
    path: where.path,
    folders: [],
    config: {
      schema: typeof options["schema"] === "string" ? options["schema"] : "dbt_test__audit",
      ...(typeof options["alias"] === "string" ? { alias: options["alias"] } : {}),
    },
  });
  const relation = { connection: test.connection, ...placed };
  return { ...test, storeFailures: { relation, as, ...(unset ? { when: "flag" as const } : {}) } };
}

function parseEntry(entry: TestEntry): Declared | undefined {
  if (typeof entry === "string") return { type: entry, args: {}, options: {} };
  const keys = Object.keys(entry);
  if (keys.length !== 1) return undefined;
  const type = keys[0]!;
  const args: Record<string, unknown> = {};
  const options: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entry[type] ?? {})) {
    if (k === "config" && v && typeof v === "object") Object.assign(options, v);
    else if (OPTION_KEYS.has(k)) options[k] = v;
    else args[k] = v;
  }
  return { type, args, options };
}

function testConfig(options: Record<string, unknown>): TestConfig {
  const severity = options["severity"] === "warn" ? "warn" : "error";
  return {
    severity,
    errorIf: typeof options["error_if"] === "string" ? options["error_if"] : "!=0",
    warnIf: typeof options["warn_if"] === "string" ? options["warn_if"] : "!=0",
    where: typeof options["where"] === "string" ? options["where"] : null,
    ...(typeof options["fail_calc"] === "string" && options["fail_calc"].trim() !== "count(*)"
      ? { failCalc: options["fail_calc"].trim() }
      : {}),
    ...(typeof options["limit"] === "number" ? { limit: options["limit"] } : {}),
  };
}

/**
 * Refuses `fail_calc` and `limit` where sluice cannot run them as dbt does: a value of the wrong
 * type, or a test that is not a plain failing-rows query on DuckDB.
 */
function checkFailCalcAndLimit(
  project: Project,
  test: TestNode,
  options: Record<string, unknown>,
  diagnostics: Diagnostics,
): boolean {
  const { path, line } = test.location;
  const refuse = (message: string, hint: string) => {
    diagnostics.error(path, line, 1, `test '${test.name}': ${message}`, hint);
    return false;
  };
  const failCalc = options["fail_calc"];
  const limit = options["limit"];
  if (failCalc !== undefined && (typeof failCalc !== "string" || failCalc.trim() === ""))
    return refuse("fail_calc must be a SQL expression, such as sum(n)", "write fail_calc: 'count(*)'");
  if (limit !== undefined && limit !== null && !(Number.isInteger(limit) && (limit as number) >= 0))
    return refuse(
      `limit must be a whole number of rows, not ${JSON.stringify(limit)}`,
      "write e.g. limit: 100",
    );
  const used = [
    ...(test.config.failCalc ? ["fail_calc"] : []),
    ...(test.config.limit !== undefined ? ["limit"] : []),
  ];
  if (used.length === 0) return true;
  if (test.reconcile)
    return refuse(`a reconcile test compares two engines and takes no ${used.join(" or ")}`, "remove it");
  const type = project.target.connections[test.connection]?.type;
  if (type !== "duckdb")
    return refuse(
      `${used.join(" and ")} ${used.length > 1 ? "are" : "is"} supported on DuckDB only` +
        ` (its connection '${test.connection}' is ${type})`,
      `remove ${used.join(" and ")}, or run the test on a DuckDB connection`,
    );
  return true;
}

function genericTest(
  project: Project,
  node: Exclude<ManifestNode, { kind: "test" }>,
  column: string | null,
  declared: Declared,
  nodes: Record<string, ManifestNode>,
): { sql: string; dependsOn: string[]; reconcile?: TestNode["reconcile"] } | { error: string; hint: string } {
  const connections = project.target.connections;
  const type = connections[node.relation.connection]!.type;
  const where = typeof declared.options["where"] === "string" ? declared.options["where"] : null;
  const base = renderRelation(type, node.relation);
  const relation = where ? `(select * from ${base} where ${where})` : base;
  const dependsOn = [node.id];
  let parent: string | undefined;
  if (declared.type === "reconcile") return reconcileTest(project, node, declared);
  if (declared.type === "relationships") {
    const target = parseRelationArg(declared.args["to"]);
    const parentNode = target ? (nodes[target] ?? nodes[target.replace(/^model\./, "seed.")]) : undefined;
    if (!parentNode || parentNode.kind === "test")
      return {
        error:
          `relationships: 'to' must be ref('model') or source('s', ` +
          `'t'), got ${JSON.stringify(declared.args["to"])}`,
        hint: "give to: ref('parent_model')",
      };
    if (!canRead(node.relation.connection, parentNode.relation.connection, connections)) {
      return {
        error:
          `parent on connection '${parentNode.relation.connection}` +
          `' is not readable from '${node.relation.connection}'`,
        hint: "test the relationship where both relations live",
      };
    }
    parent = renderRelation(type, parentNode.relation);
    dependsOn.push(parentNode.id);
  }
  const sql = genericTestSql({
    type: declared.type as Exclude<TestType, "singular" | "reconcile" | "generic" | "unit">,
    engine: type,
    relation,
    column,
    args: declared.args,
    quote: (n) => quoteIdentifier(type, n),
    parent,
  });
  return typeof sql === "string" ? { sql, dependsOn } : sql;
}

/**
 * A reconcile test profiles a model two ways per partition (row count and column sums): its stored
 * table, and its SQL run again where it computes, across engines. Rows that differ fail.
 */
function reconcileTest(
  project: Project,
  node: Exclude<ManifestNode, { kind: "test" }>,
  declared: Declared,
):
  | { sql: string; dependsOn: string[]; reconcile: NonNullable<TestNode["reconcile"]> }
  | { error: string; hint: string } {
  if (node.kind !== "model")
    return { error: "reconcile compares a model with its inputs", hint: "put it on a model" };
  const keyColumns = toList(declared.args["partition_by"] ?? declared.args["group_by"]);
  const keys = keyColumns.length > 0 ? keyColumns : node.config.partitionBy;
  const sums = toList(declared.args["sums"] ?? declared.args["columns"]);
  const connections = project.target.connections;
  const stored = connections[node.relation.connection]!.type;
  const compute = connections[node.config.compute]!.type;
  return {
    sql: reconcileProfile(stored, renderRelation(stored, node.relation), keys, sums),
    dependsOn: [node.id],
    reconcile: {
      connection: node.config.compute,
      sql: reconcileProfile(compute, `(\n${node.compiledSql}\n) sluice_model`, keys, sums),
      keyColumns: keys,
      sums,
    },
  };
}

/** SQL that may make a row's verdict depend on more than the row: subqueries, the clock, randomness. */
const NOT_ROW_LOCAL =
  /\bselect\b|\bcurrent_|\bnow\s*\(|getdate|sysdate|\brandom\s*\(|\brand\s*\(|\buuid|newid/i;

/**
 * A generic test's failing-rows query narrowed to `partitions` of the model it tests, or why it must
 * read the whole table. Sound only for tests whose verdict on a row depends on that row alone (or,
 * for `unique`, on the rows sharing its key), whose `where` and `expression` are row-local, and
 * whose stored query is exactly what this compiler gives (a manifest from another version is not
 * narrowed). Whether the rest of the table is still clean is the planner's question, not this one's.
 */
export function scopedTestSql(
  manifest: Manifest,
  test: TestNode,
  partitions: PartitionValue[],
  partitionColumns?: string[],
): { sql: string } | { whole: string } {
  const model = test.attachedTo ? manifest.nodes[test.attachedTo] : undefined;
  if (!SCOPABLE_TESTS.includes(test.testType))
    return { whole: `${test.testType} tests are not narrowed to partitions` };
  const partitionBy = partitionColumns ?? (model?.kind === "model" ? model.config.partitionBy : []);
  if (model?.kind !== "model" || partitionBy.length === 0)
    return { whole: "it does not test a partitioned model" };
  if (partitions.length === 0) return { whole: "no partitions were named" };
  const row = [
    test.config.where,
    typeof test.args["expression"] === "string" ? test.args["expression"] : null,
  ].find((s) => s && NOT_ROW_LOCAL.test(s));
  if (row) return { whole: `'${row}' may depend on more than the row` };
  const engine = manifest.connections[test.connection]?.type;
  if (!engine) return { whole: `connection '${test.connection}' is not in the manifest` };
  const base = renderRelation(engine, model.relation);
  const where = test.config.where;
  let parent: string | undefined;
  if (test.testType === "relationships") {
    const target = parseRelationArg(test.args["to"]);
    const parentNode = target
      ? (manifest.nodes[target] ?? manifest.nodes[target.replace(/^model\./, "seed.")])
      : undefined;
    if (!parentNode || parentNode.kind === "test") return { whole: "its parent is not in the manifest" };
    parent = renderRelation(engine, parentNode.relation);
  }
  const input: GenericTestInput = {
    type: test.testType as GenericTestInput["type"],
    engine,
    relation: where ? `(select * from ${base} where ${where})` : base,
    column: test.column,
    args: test.args,
    quote: (n) => quoteIdentifier(engine, n),
    parent,
  };
  if (genericTestSql(input) !== test.compiledSql)
    return { whole: "its compiled SQL is not the one this version of sluice generates" };
  const predicate = partitionPredicate(engine, partitionBy, partitions);
  const scoped = scopedGenericTestSql(
    input,
    `(select * from ${base} where (${predicate})${where ? ` and (${where})` : ""})`,
  );
  return typeof scoped === "string"
    ? { sql: scoped }
    : { whole: scoped ? scoped.error : `${test.testType} tests are not narrowed to partitions` };
}

/**
 * A reconcile test's two profiles narrowed to `partitions` of its model: the stored table and the
 * model's SQL, each filtered to those partitions where it runs. Only for a test that profiles by
 * exactly the model's partition columns (a profile by other columns mixes partitions in one row),
 * and whose stored queries are exactly what this compiler gives. Whether the other partitions are
 * still known to match is the planner's question (planner/test-scope.ts). `partitionColumns`: the
 * columns the named values are in, when not the model's `partition_by` (a table recomputing groups).
 */
export function scopedReconcileSql(
  manifest: Manifest,
  test: TestNode,
  partitions: PartitionValue[],
  partitionColumns?: string[],
): { stored: string; computed: string } | { whole: string } {
  const reconcile = test.reconcile;
  const model = test.attachedTo ? manifest.nodes[test.attachedTo] : undefined;
  if (!reconcile) return { whole: "it is not a reconcile test" };
  const partitionBy = partitionColumns ?? (model?.kind === "model" ? model.config.partitionBy : []);
  if (model?.kind !== "model" || partitionBy.length === 0)
    return { whole: "it does not test a partitioned model" };
  if (partitions.length === 0) return { whole: "no partitions were named" };
  const keys = reconcile.keyColumns;
  if (keys.join("\u0000") !== partitionBy.join("\u0000"))
    return { whole: `it profiles by ${keys.join(", ") || "no column"}, not by the partition columns` };
  const stored = manifest.connections[test.connection]?.type;
  const compute = manifest.connections[reconcile.connection]?.type;
  if (!stored || !compute) return { whole: "its connections are not in the manifest" };
  const relation = renderRelation(stored, model.relation);
  if (
    reconcileProfile(stored, relation, keys, reconcile.sums) !== test.compiledSql ||
    reconcileProfile(compute, `(\n${model.compiledSql}\n) sluice_model`, keys, reconcile.sums) !==
      reconcile.sql
  )
    return { whole: "its compiled SQL is not the one this version of sluice generates" };
  const storedFrom =
    `(select * from ${relation} where ` +
    `${partitionPredicate(stored, keys, partitions)}) sluice_partitions`;
  const computedFrom = `(\n${selectPartitions(compute, model.compiledSql, keys, partitions)}\n) sluice_model`;
  return {
    stored: reconcileProfile(stored, storedFrom, keys, reconcile.sums),
    computed: reconcileProfile(compute, computedFrom, keys, reconcile.sums),
  };
}

function parseRelationArg(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const ref = /^\s*ref\(\s*['"]([^'"]+)['"]\s*\)\s*$/.exec(value);
  if (ref) return `model.${ref[1]}`;
  const source = /^\s*source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)\s*$/.exec(value);
  if (source) return `source.${source[1]}.${source[2]}`;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(value) ? `model.${value}` : undefined;
}

function singularTest(
  project: Project,
  env: TemplateEnvironment,
  file: { name: string; path: string; text: string },
  nodes: Record<string, ManifestNode>,
  diagnostics: Diagnostics,
): TestNode | undefined {
  const connections = project.target.connections;
  const dependsOn: string[] = [];
  const relationRefs: RelationRef[] = [];
  const resolve = (id: string, label: string): ManifestNode => {
    const node = nodes[id] ?? (id.startsWith("model.") ? nodes[`seed.${id.slice(6)}`] : undefined);
    if (!node || node.kind === "test") throw new Error(`${label} not found`);
    if (!dependsOn.includes(node.id)) dependsOn.push(node.id);
    relationRefs.push(node.relation);
    return node;
  };
  try {
    const template = compileStatic(file.path, file.text) ?? env.compile(file.path, file.text);
    for (const r of template.scan.refs) resolve(`model.${r.name}`, `ref('${r.name}')`);
    for (const s of template.scan.sources)
      resolve(`source.${s.source}.${s.table}`, `source('${s.source}', '${s.table}')`);
    const connection =
      relationRefs[0]?.connection ?? project.target.default_connection ?? Object.keys(connections)[0]!;
    const type = connections[connection]!.type;
    for (const rel of relationRefs) {
      if (!canRead(connection, rel.connection, connections))
        throw new Error(`reads connections '${connection}' and '${rel.connection}', which no engine joins`);
    }
    const renderFor = (node: ManifestNode): string =>
      renderRelation(type, (node as { relation: RelationRef }).relation);
    const sql = template
      .render({
        ref: (name) => renderFor(resolve(`model.${name}`, `ref('${name}')`)),
        source: (s, t) => renderFor(resolve(`source.${s}.${t}`, `source('${s}', '${t}')`)),
        config: () => undefined,
        var: (name, fallback) => lookUpVar(project.vars, name, fallback),
        envVar: (name, fallback) =>
          lookUpEnvVar(project.env, name, fallback ?? "", project.secrets.secretEnvNames()),
        isIncremental: false,
        self: "",
        target: { name: project.targetName, connection, type },
      })
      .trim()
      .replace(/;\s*$/, "");
    const test: TestNode = {
      id: `test.${file.name}`,
      kind: "test",
      name: file.name,
      location: { path: file.path, line: 1 },
      description: "",
      tags: [],
      dependsOn: dependsOn.sort(),
      checksum: hash(file.text),
      testType: "singular",
      testName: file.name,
      attachedTo: null,
      column: null,
      args: {},
      config: testConfig(template.scan.config),
      connection,
      compiledSql: sql,
      reconcile: null,
    };
    if (!checkFailCalcAndLimit(project, test, template.scan.config, diagnostics)) return undefined;
    return placeFailures(project, env, test, template.scan.config, diagnostics);
  } catch (e) {
    const { line, column, message } = templateErrorPosition(e);
    const names = Object.values(nodes)
      .filter((n) => n.kind !== "test")
      .map((n) => n.name);
    const missing = /ref\('([^']+)'\) not found/.exec(message);
    diagnostics.error(file.path, line, column, message, missing ? didYouMean(missing[1]!, names) : undefined);
    return undefined;
  }
}

function toList(value: unknown): string[] {
  return typeof value === "string" ? [value] : Array.isArray(value) ? value.map(String) : [];
}
