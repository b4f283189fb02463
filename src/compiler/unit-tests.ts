// Turns dbt unit tests (project/dbt-unit-tests.ts) into test nodes: the tested model rendered with
// each of its inputs read from a CTE of fixture rows, the overrides applied (vars, env_vars,
// is_incremental), and the rows expected. Every input the model reads must be given, as dbt asks,
// so a unit test never reads a real table by accident.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import { dialectFor } from "../adapters/dialects.js";
import { hash } from "../manifest/checksum.js";
import type { FixtureValue, ManifestNode, ModelNode, TestNode, UnitTestSpec } from "../manifest/types.js";
import { didYouMean, type Diagnostics } from "../project/diagnostics.js";
import type { FixtureRows, UnitTestDecl } from "../project/dbt-unit-tests.js";
import { templateErrorPosition, type Project } from "../project/load.js";
import type { CompiledTemplate } from "./environment.js";
import { renderWithInputs, withCtes } from "./render.js";

/** The prefix of a fixture CTE's name; plain, so it needs no quoting on any engine. */
const FIXTURE_PREFIX = "__sluice_unit_input_";

/** The unit tests every property file declares, as test nodes; errors go to `diagnostics`. */
export function buildUnitTests(
  project: Project,
  templates: Map<string, CompiledTemplate>,
  nodes: Record<string, ManifestNode>,
  diagnostics: Diagnostics,
): TestNode[] {
  const out: TestNode[] = [];
  const ids = new Set<string>();
  for (const file of project.properties)
    for (const decl of file.content.unitTests ?? []) {
      const test = unitTestNode(project, templates, nodes, decl, diagnostics);
      if (!test) continue;
      if (ids.has(test.id)) {
        diagnostics.error(
          decl.path,
          decl.line,
          1,
          `two unit tests of model '${decl.model}' are named '${decl.name}'`,
          "rename one",
        );
        continue;
      }
      ids.add(test.id);
      out.push(test);
    }
  return out;
}

function unitTestNode(
  project: Project,
  templates: Map<string, CompiledTemplate>,
  nodes: Record<string, ManifestNode>,
  decl: UnitTestDecl,
  diagnostics: Diagnostics,
): TestNode | undefined {
  const label = `unit test '${decl.name}'`;
  const error = (line: number, message: string, hint?: string) => {
    diagnostics.error(decl.path, line, 1, `${label}: ${message}`, hint);
    return undefined;
  };
  const model = nodes[`model.${decl.model}`];
  const template = templates.get(`model.${decl.model}`);
  if (model?.kind !== "model" || !template) {
    const names = Object.values(nodes).flatMap((n) => (n.kind === "model" ? [n.name] : []));
    return error(decl.line, `no model is named '${decl.model}'`, didYouMean(decl.model, names));
  }
  if (model.snapshot) return error(decl.line, `'${decl.model}' is a snapshot; unit tests test SQL models`);
  if (model.introspects)
    return error(
      decl.line,
      `'${decl.model}' asks the database while rendering (${model.introspects.join(", ")}), ` +
        "which a unit test cannot answer from fixtures (dbt refuses it too)",
    );
  const incremental = decl.overrides.isIncremental === true;
  const inputs: UnitTestSpec["inputs"] = [];
  const cteOf = new Map<string, string>();
  for (const given of decl.given) {
    const id = inputNode(given.input, model, nodes);
    if (typeof id !== "string") return error(given.line, id.problem, id.hint);
    if (cteOf.has(id)) return error(given.line, `${given.input} is given twice`);
    const rows = fixtureRows(project, given.rows, (m, h) => error(given.line, m, h));
    if (!rows) return undefined;
    const cte = `${FIXTURE_PREFIX}${inputs.length}`;
    cteOf.set(id, cte);
    const node = nodes[id];
    const declared = node && node.kind !== "test" ? node.columns : [];
    inputs.push({
      node: id,
      cte,
      line: given.line,
      declared: declared.map((c) => ({ name: c.name, ...(c.dataType ? { dataType: c.dataType } : {}) })),
      ...rows,
      ...(given.rows.format === "csv" ? { csv: true as const } : {}),
    });
  }
  const missing = model.dependsOn.filter((id) => nodes[id]?.kind !== "test" && !cteOf.has(id));
  if (missing.length > 0)
    return error(
      decl.line,
      `'${decl.model}' reads ${missing.map((id) => callOf(nodes[id]!)).join(", ")}, which ` +
        `${missing.length === 1 ? "is" : "are"} not given`,
      "give every input the model reads under given: (rows: [] for an empty one)",
    );
  const expectRows = fixtureRows(project, decl.expect.rows, (m, h) => error(decl.expect.line, m, h));
  if (!expectRows) return undefined;
  // A `this` the template reads but the test does not give would read the real table.
  const thisMark = `${FIXTURE_PREFIX}this`;
  let sql: string;
  try {
    const scoped: Project = {
      ...project,
      vars: { ...project.vars, ...decl.overrides.vars },
      env: { ...project.env, ...decl.overrides.envVars },
    };
    sql = renderWithInputs(scoped, template, model, nodes, incremental, (id) => cteOf.get(id) ?? thisMark);
  } catch (e) {
    return error(decl.line, `rendering '${decl.model}' failed: ${templateErrorPosition(e).message}`);
  }
  if (sql.includes(thisMark))
    return error(
      decl.line,
      `'${decl.model}' reads {{ this }}${incremental ? " when is_incremental() is true" : ""}, ` +
        "which is not given",
      "add a given entry with input: this and the rows of the existing table",
    );
  const spec: UnitTestSpec = {
    model: model.id,
    sql,
    inputs,
    expect: { line: decl.expect.line, ...expectRows },
  };
  const dialect = dialectFor(project.target.connections[model.config.compute]!.type);
  // What `sluice compile` shows: the fixtures as plain literals; a run types them (runner/unit-test.ts).
  const ctes = inputs.map(
    (input) =>
      `${input.cte} as (\n${
        input.rows.length === 0
          ? `select ${
              input.columns.map((c) => `null as ${dialect.quoteIdentifier(c)}`).join(", ") || "null"
            } where 1 = 0`
          : input.rows
              .map(
                (row) =>
                  `select ${row
                    .map(
                      (v, i) =>
                        `${dialect.literal(v ?? null)} as ${dialect.quoteIdentifier(input.columns[i]!)}`,
                    )
                    .join(", ")}`,
              )
              .join("\nunion all\n")
      }\n)`,
  );
  return {
    id: `unit_test.${model.name}.${decl.name}`,
    kind: "test",
    name: decl.name,
    location: { path: decl.path, line: decl.line },
    description: decl.description ?? "",
    tags: decl.tags,
    dependsOn: model.dependsOn.filter((id) => nodes[id]?.kind !== "test"),
    checksum: hash(JSON.stringify(spec)),
    testType: "unit",
    attachedTo: model.id,
    column: null,
    args: {},
    config: { severity: "error", errorIf: "!=0", warnIf: "!=0", where: null },
    connection: model.config.compute,
    compiledSql: withCtes(sql, ctes),
    reconcile: null,
    unit: spec,
  };
}

/** The node a given input names, or why it names none the model reads. */
function inputNode(
  input: string,
  model: ModelNode,
  nodes: Record<string, ManifestNode>,
): string | { problem: string; hint?: string } {
  if (input === "this") return model.id;
  const ref = /^ref\(\s*(['"])([^'"]+)\1\s*(?:,\s*(['"])([^'"]+)\3\s*)?\)$/.exec(input);
  const source = /^source\(\s*(['"])([^'"]+)\1\s*,\s*(['"])([^'"]+)\3\s*\)$/.exec(input);
  let id: string | undefined;
  if (ref) {
    const name = ref[4] ?? ref[2]!;
    id = [`model.${name}`, `seed.${name}`].find((c) => nodes[c]);
  } else if (source) id = `source.${source[2]}.${source[4]}`;
  else
    return {
      problem: `input '${input}' is not a ref(), a source() or this`,
      hint: "write input: ref('model'), input: source('source', 'table') or input: this",
    };
  if (!id || !model.dependsOn.includes(id)) {
    const reads = model.dependsOn.flatMap((d) =>
      nodes[d] && nodes[d].kind !== "test" ? [callOf(nodes[d])] : [],
    );
    return {
      problem: `'${model.name}' does not read ${input}`,
      hint: reads.length ? `it reads ${reads.join(", ")}` : `'${model.name}' reads no other node`,
    };
  }
  return id;
}

function callOf(node: ManifestNode): string {
  return node.kind === "source" ? `source('${node.sourceName}', '${node.tableName}')` : `ref('${node.name}')`;
}

/** Column names (in the order first given) and one array per row; undefined when not readable. */
function fixtureRows(
  project: Project,
  rows: FixtureRows,
  error: (message: string, hint?: string) => undefined,
): { columns: string[]; rows: (FixtureValue | undefined)[][] } | undefined {
  let records: Record<string, unknown>[];
  if (rows.format === "dict") records = rows.rows;
  else {
    let text: string;
    if ("fixture" in rows) {
      const file = findFixture(project, rows.fixture);
      if (!file)
        return error(
          `fixture '${rows.fixture}' not found`,
          `put it at ${project.config.test_paths[0] ?? "tests"}/fixtures/${rows.fixture}.csv`,
        );
      // Through the load's recorder, so that a no-change compile sees an edited fixture.
      text = project.inputs ? project.inputs.read(file) : readFileSync(file, "utf8");
    } else text = rows.csv;
    try {
      // dbt reads an empty CSV cell as NULL.
      records = (
        parseCsv(text, { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[]
      ).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === "" ? null : v])));
    } catch (e) {
      return error(`cannot read the CSV rows: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const columns: string[] = [];
  for (const r of records) for (const key of Object.keys(r)) if (!columns.includes(key)) columns.push(key);
  const values: (FixtureValue | undefined)[][] = [];
  for (const r of records) {
    const row: (FixtureValue | undefined)[] = [];
    for (const c of columns) {
      const v = r[c];
      if (v === undefined || v === null || ["string", "number", "boolean"].includes(typeof v))
        row.push(v as FixtureValue | undefined);
      else if (v instanceof Date) row.push(v.toISOString());
      else
        return error(
          `column '${c}' holds ${JSON.stringify(v)}; a fixture value is a number, text, true/false or null`,
        );
    }
    values.push(row);
  }
  return { columns, rows: values };
}

/** `<test path>/**\/fixtures/**\/<name>.csv`, where dbt looks for fixture files. */
function findFixture(project: Project, name: string): string | undefined {
  const walk = (dir: string, inFixtures: boolean): string | undefined => {
    if (!existsSync(dir)) return undefined;
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        const found = walk(path, inFixtures || entry.name === "fixtures");
        if (found) return found;
      } else if (inFixtures && entry.name === `${name}.csv`) return path;
    }
    return undefined;
  };
  for (const root of project.config.test_paths) {
    // A fixture added later changes what the unit test reads: the folder is recorded as listed.
    project.inputs?.folders.add(join(project.dir, root));
    const found = walk(join(project.dir, root), false);
    if (found) return found;
  }
  return undefined;
}
