// Compiles a loaded project into a manifest: scans every template for its dependencies, resolves
// configs and connections in graph order, renders every model (incremental ones in both modes)
// and builds the data tests. Opens no connection. Collects every error before failing.
import { CycleError, Dag } from "../graph/dag.js";
import {
  MANIFEST_VERSION,
  type Manifest,
  type ManifestNode,
  type ModelNode,
  type RelationRef,
  type SeedNode,
  type SourceNode,
} from "../manifest/types.js";
import { Diagnostics, ProjectError, didYouMean, type Diagnostic } from "../project/diagnostics.js";
import { templateErrorPosition, type ModelFile, type Project } from "../project/load.js";
import { ModelConfig } from "../project/schema.js";
import { SLUICE_VERSION } from "../version.js";
import { TemplateEnvironment, type CompiledTemplate } from "./environment.js";
import { CLOCK_NAME, INTROSPECTION_NAMES } from "./scan.js";
import { canRead, defaultPlacement } from "./relations.js";
import { compileStatic } from "./static-template.js";
import { buildDataTests } from "./test-nodes.js";
import { buildUnitTests } from "./unit-tests.js";
import { type ContractReading, checkIncrementalContract } from "./incremental-contract.js";
import { ContractCache } from "./contract-cache.js";
import { startGenerating, type RenderPool, type TemplateResult } from "./template-batch.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { renderHooks, renderJobFor, renderModel, renderModelHooks } from "./render.js";
import { renderJob, type RenderJob, type RenderOutput } from "./render-pool.js";
import { RenderCache, renderKey, sharedRenderInputs } from "./render-cache.js";
import { hash } from "../manifest/checksum.js";
import { mergeDbtModelConfig } from "./dbt-model-config.js";
import { modelContract } from "./dbt-contract.js";
import { dbtRelationName } from "./dbt-naming.js";
import { dbtSeedColumnTypes } from "./dbt-seed-types.js";
import { columnDocs, indexProperties, lineOf, type ModelProps, type PropertyEntry } from "./properties.js";

export interface CompileResult {
  manifest: Manifest;
  warnings: Diagnostic[];
  /** The project's load errors, given back here only with CompileOptions.loadErrorsInResult. */
  loadErrors?: Diagnostic[];
}

interface ModelDraft {
  file: ModelFile;
  template: CompiledTemplate;
  props: PropertyEntry<ModelProps> | undefined;
  config: ModelConfig;
  dependsOn: string[];
}

/** Compiles every node; throws a ProjectError listing every problem when anything is wrong. */
export interface CompileOptions {
  /** Templates already compiled or generated, by path (see compileProjectCached); others are done here. */
  templates?: Map<string, TemplateResult | CompiledTemplate>;
  /** Another thread to share rendering with (see render-pool.ts); everything renders here without. */
  renderPool?: RenderPool;
  /**
   * Renders of the previous compile (see render-cache.ts):
   * a model whose inputs are unchanged is not rendered.
   */
  renderCache?: RenderCache;
  /** The incremental contract's readings of the previous compile (see contract-cache.ts). */
  contractCache?: ContractCache<ContractReading>;
  /**
   * When the models compile and only the project's load errors are left, return the manifest with
   * them in `loadErrors` instead of throwing: the PR check still runs its offline checks on what
   * compiled. The caller must then treat the result as failed and write nothing.
   */
  loadErrorsInResult?: boolean;
}

/**
 * Compiles like compileProject, with template code from the content-hash cache under the state
 * folder and, for many dynamic templates, generated and rendered on two threads. What the CLI uses.
 */
export async function compileProjectCached(
  project: Project,
  options: Pick<CompileOptions, "loadErrorsInResult"> = {},
): Promise<CompileResult> {
  const templates = new Map<string, TemplateResult | CompiledTemplate>();
  const dynamic: ModelFile[] = [];
  for (const m of project.models) {
    const fast = compileStatic(m.path, m.text);
    if (fast) templates.set(m.path, fast);
    else dynamic.push(m);
  }
  // Caches live in target/, as dbt keeps partial parse there: compile writes nothing else.
  const cacheDir = join(project.dir, project.config.target_path, "cache");
  const renderCache = RenderCache.open(join(cacheDir, "renders.json"));
  const generation = startGenerating(dynamic, join(cacheDir, "templates.json"), renderCache.size);
  try {
    for (const [path, generated] of await generation.results()) templates.set(path, generated);
    const contractCache = ContractCache.open<ContractReading>(join(cacheDir, "contracts.json"));
    const result = compileProject(project, {
      ...options,
      templates,
      renderPool: generation.renderPool,
      renderCache,
      contractCache,
    });
    // A compile around load errors keeps no cache: what it read was not the project as written.
    if (!result.loadErrors?.length) {
      renderCache.save();
      contractCache.save();
    }
    return result;
  } finally {
    generation.close();
  }
}

/**
 * Also reports the errors a project was loaded with (LoadOptions.deferErrors), first: what they
 * left out is compiled around, so the models they do not touch still show their own errors, in one
 * ProjectError. A project without a target, or with two nodes of one name, is not compiled at all.
 */
export function compileProject(project: Project, options: CompileOptions = {}): CompileResult {
  const loadErrors = project.loadErrors ?? [];
  if (loadErrors.length > 0 && (project.gaps?.target || project.gaps?.duplicateNames))
    throw new ProjectError(loadErrors);
  let result: CompileResult;
  try {
    result = compileLoaded(project, options);
  } catch (e) {
    if (e instanceof ProjectError && loadErrors.length > 0)
      throw new ProjectError([...loadErrors, ...e.diagnostics]);
    throw e;
  }
  if (loadErrors.length > 0 && !options.loadErrorsInResult) throw new ProjectError(loadErrors);
  return loadErrors.length > 0 ? { ...result, loadErrors } : result;
}

function compileLoaded(project: Project, options: CompileOptions): CompileResult {
  const diagnostics = new Diagnostics();
  diagnostics.items.push(...project.warnings);
  const env = new TemplateEnvironment();
  const connections = project.target.connections;
  const connectionNames = Object.keys(connections);
  const defaultConnection = project.target.default_connection ?? connectionNames[0]!;
  // What load errors left out (already reported): what needs it is left out too, without an error of its own.
  const lostConnections = new Set(project.gaps?.connections);
  const lostSources = new Set(project.gaps?.sources);
  const blocked = new Set<string>();
  if (!connections[defaultConnection] && !lostConnections.has(defaultConnection)) {
    diagnostics.error(
      "profiles.yml",
      1,
      1,
      `default_connection '${defaultConnection}' is not a connection of target '${project.targetName}'`,
      didYouMean(defaultConnection, connectionNames),
    );
  }

  const macros: Manifest["macros"] = {};
  if (project.dbt) env.useDbtProject(project.dbt.projectName, project.dbt.dispatch);
  for (const file of project.macros) {
    try {
      for (const name of env.addMacros(file.path, file.text, file.package))
        macros[name] = { path: file.path, checksum: hash(file.text) };
    } catch (e) {
      const { line, column, message } = templateErrorPosition(e);
      diagnostics.error(file.path, line, column, message, "fix the macro's template syntax");
    }
  }

  const props = indexProperties(project);
  const nodes: Record<string, ManifestNode> = {};
  const checkConnection = (name: string, file: string, line: number): boolean => {
    if (connections[name]) return true;
    if (lostConnections.has(name)) return false;
    diagnostics.error(
      file,
      line,
      1,
      `connection '${name}' is not defined in target '${project.targetName}'`,
      didYouMean(name, connectionNames) ?? `defined: ${connectionNames.join(", ")}`,
    );
    return false;
  };

  for (const entry of props.sources) {
    const { value: source, path, line } = entry;
    const connection = source.connection ?? defaultConnection;
    if (!checkConnection(connection, path, line)) {
      if (lostConnections.has(connection)) lostSources.add(source.name);
      continue;
    }
    const placement = defaultPlacement(connection, connections[connection]!);
    for (const table of source.tables) {
      const relation: RelationRef = {
        connection,
        database: source.database ?? placement.database,
        schema: source.schema ?? placement.schema,
        name: table.identifier ?? table.name,
      };
      const tracking = table.change_tracking;
      const node: SourceNode = {
        id: `source.${source.name}.${table.name}`,
        kind: "source",
        name: `${source.name}.${table.name}`,
        sourceName: source.name,
        tableName: table.name,
        location: { path, line: lineOf(entry.text, table.name, line) },
        description: table.description ?? source.description ?? "",
        tags: [...(source.tags ?? []), ...(table.tags ?? [])],
        dependsOn: [],
        checksum: hash(JSON.stringify({ source: { ...source, tables: undefined }, table })),
        relation,
        columns: columnDocs(table.columns),
        changeTracking: tracking
          ? {
              updatedAt: tracking.updated_at,
              deletes: tracking.deletes
                ? {
                    relation: {
                      ...relation,
                      schema: tracking.deletes.schema ?? relation.schema,
                      name: tracking.deletes.table,
                    },
                    key: tracking.deletes.key,
                    deletedAt: tracking.deletes.deleted_at,
                    partitionColumns: tracking.deletes.partition_columns ?? [],
                  }
                : null,
              lookback: tracking.lookback ?? null,
              ...(tracking.stamp_problems ? { stampProblems: tracking.stamp_problems } : {}),
            }
          : null,
      };
      nodes[node.id] = node;
    }
  }

  for (const seed of project.seeds) {
    const entry = props.seeds.get(seed.name);
    const config = { ...seed.defaults, ...entry?.value.config };
    if (config.enabled === false) continue;
    const connection = config.connection ?? defaultConnection;
    if (!checkConnection(connection, entry?.path ?? seed.path, entry?.line ?? 1)) {
      if (lostConnections.has(connection)) blocked.add(`seed.${seed.name}`);
      continue;
    }
    const placement = defaultPlacement(connection, connections[connection]!);
    const csv = readFileSync(join(project.dir, seed.path), "utf8");
    const node: SeedNode = {
      id: `seed.${seed.name}`,
      kind: "seed",
      name: seed.name,
      location: { path: seed.path, line: 1 },
      description: entry?.value.description ?? "",
      tags: config.tags ?? [],
      dependsOn: [],
      // The seed's version: its config and its data, so an edited CSV reloads.
      checksum: hash(JSON.stringify(config) + csv),
      relation: {
        connection,
        database: placement.database,
        ...seedPlacement(project, env, seed, config, placement.schema),
      },
      columns: columnDocs(entry?.value.columns),
      columnTypes: project.dbt
        ? dbtSeedColumnTypes(csv, config.delimiter ?? ",", config.column_types ?? {})
        : (config.column_types ?? {}),
      delimiter: config.delimiter ?? ",",
    };
    nodes[node.id] = node;
  }

  // Scan every model; resolve what it reads.
  const nameToId = new Map<string, string>();
  for (const n of Object.values(nodes)) if (n.kind === "seed") nameToId.set(n.name, n.id);
  for (const id of blocked) nameToId.set(id.slice("seed.".length), id);
  for (const m of project.models) nameToId.set(m.name, `model.${m.name}`);
  const drafts = new Map<string, ModelDraft>();
  for (const file of project.models) {
    const template = compileTemplate(env, file, options.templates?.get(file.path), diagnostics);
    if (!template) continue;
    const entry = props.models.get(file.name);
    const config = project.dbt
      ? mergeDbtModelConfig(file, entry, template, env, diagnostics)
      : mergeConfig(project, file, entry, template, diagnostics);
    if (!config || config.enabled === false) continue;
    const dependsOn = resolveDependencies(file, template, config, nameToId, nodes, lostSources, diagnostics);
    const missing = template.scan.sources.filter((s) => !nodes[`source.${s.source}.${s.table}`]);
    if (missing.some((s) => lostSources.has(s.source))) blocked.add(`model.${file.name}`);
    drafts.set(`model.${file.name}`, { file, template, props: entry, config, dependsOn });
  }
  for (const [name, entry] of props.models) {
    if (!nameToId.has(name))
      diagnostics.error(
        entry.path,
        entry.line,
        1,
        `properties for model '${name}' but no models/**/${name}.sql exists`,
        didYouMean(name, [...nameToId.keys()]),
      );
  }

  const dag = new Dag();
  for (const id of [...Object.keys(nodes), ...drafts.keys()]) dag.addNode(id);
  for (const [id, d] of drafts) for (const dep of d.dependsOn) if (dag.has(dep)) dag.addEdge(dep, id);
  let order: string[] = [];
  try {
    order = dag.topologicalOrder();
  } catch (e) {
    if (!(e instanceof CycleError)) throw e;
    const first = drafts.get(e.path[0] ?? "");
    diagnostics.error(
      first?.file.path ?? "models",
      1,
      1,
      `dependency cycle: ${e.path.map((id) => id.replace(/^model\./, "")).join(" → ")}`,
      "remove one of these refs",
    );
  }
  diagnostics.throwIfErrors();

  // Resolve connections, upstream first; then render in the same order, sharing with another
  // thread what it can render alone. A model's render sees only the models before it, as if each
  // were resolved and rendered in turn.
  const steps: { id: string; draft: ModelDraft; model: ModelNode | undefined; problems: Diagnostics }[] = [];
  const resolved = new Map<string, ModelNode>();
  for (const id of order) {
    const draft = drafts.get(id);
    if (!draft) continue;
    if (blocked.has(id) || draft.dependsOn.some((dep) => blocked.has(dep))) {
      blocked.add(id);
      continue;
    }
    // Kept aside so every model's problems are reported in graph order, as when each rendered in turn.
    const problems = new Diagnostics();
    const model = resolveModel(project, env, draft, nodes, defaultConnection, lostConnections, problems);
    steps.push({ id, draft, model, problems });
    if (!model && !problems.hasErrors) blocked.add(id);
    if (!model) continue;
    resolved.set(id, model);
    nodes[id] = model;
  }
  const clean = steps.every((s) => !s.problems.hasErrors);
  const rendered = clean
    ? renderAhead(project, env, options, resolved, drafts, nodes)
    : new Map<string, string[]>();
  for (const id of resolved.keys()) delete nodes[id];
  const ephemeralSql = new Map<string, { cte: string; sql: string; closure: string[] }>();
  const macroChecksums = Object.fromEntries(Object.entries(macros).map(([name, m]) => [name, m.checksum]));
  for (const { id, draft, model, problems } of steps) {
    diagnostics.items.push(...problems.items);
    if (!model) continue;
    renderModel(
      project,
      env,
      macroChecksums,
      model,
      draft,
      nodes,
      ephemeralSql,
      diagnostics,
      rendered.get(id),
    );
    renderModelHooks(project, env, model, nodes, diagnostics);
    nodes[id] = model;
  }
  diagnostics.throwIfErrors();
  checkIncrementalContract(
    nodes,
    (c) => connections[c]!.type,
    diagnostics,
    (m) => m.config.fullRefreshOnly === true,
    options.contractCache,
  );
  diagnostics.throwIfErrors();

  const tests = buildDataTests(project, env, props, nodes, diagnostics);
  for (const t of tests) nodes[t.id] = t;
  if (project.properties.some((p) => p.content.unitTests?.length)) {
    const templates = new Map([...drafts].map(([id, d]) => [id, d.template]));
    for (const t of buildUnitTests(project, templates, nodes, diagnostics)) nodes[t.id] = t;
  }
  diagnostics.throwIfErrors();

  const hooks = renderHooks(project, env, diagnostics);
  diagnostics.throwIfErrors();

  const manifest: Manifest = {
    manifestVersion: MANIFEST_VERSION,
    sluiceVersion: SLUICE_VERSION,
    generatedAt: new Date().toISOString(),
    project: project.config.name,
    target: project.targetName,
    connections: Object.fromEntries(
      Object.entries(connections).map(([name, c]) => [
        name,
        { type: c.type, lake: c.type === "hive" || (c.type === "duckdb" && c.lake_root !== undefined) },
      ]),
    ),
    nodes,
    hooks,
    macros,
  };
  return { manifest, warnings: diagnostics.items.filter((d) => d.severity === "warning") };
}

/**
 * Renders ahead of graph order every model that renders alone (see renderJobFor): from the render
 * cache where its inputs are unchanged, else on `renderPool` and this thread at once (dynamic
 * templates on either thread, static ones, cheap, here while the worker starts), else here.
 * Returns the SQL of each variant by model id; a model missing from it is rendered in graph order.
 */
/**
 * Whether a template, or a macro it reaches, may ask the database or read the clock while
 * rendering: its render then depends on more than its inputs, so it is neither cached nor rendered ahead.
 */
function readsOutsideInputs(env: TemplateEnvironment, calls: Set<string>): boolean {
  const names = new Set(calls);
  for (const macro of env.macrosReached(calls)) for (const c of env.macroCalls.get(macro) ?? []) names.add(c);
  return [...names].some((n) => INTROSPECTION_NAMES.has(n) || n === CLOCK_NAME);
}

function renderAhead(
  project: Project,
  env: TemplateEnvironment,
  options: CompileOptions,
  resolved: Map<string, ModelNode>,
  drafts: Map<string, ModelDraft>,
  nodes: Record<string, ManifestNode>,
): Map<string, string[]> {
  const { renderPool: pool, renderCache: cache } = options;
  const out = new Map<string, string[]>();
  if (!pool && !cache) return out;
  const context = {
    vars: project.vars,
    env: { ...project.env },
    secretEnv: project.secrets.secretEnvNames(),
  };
  const shared = cache ? sharedRenderInputs(project, context) : "";
  const pending: { id: string; job: RenderJob; key: string; generated: boolean }[] = [];
  for (const [id, model] of resolved) {
    const given = options.templates?.get(model.location.path);
    const code = given && "code" in given ? given.code : undefined;
    if (readsOutsideInputs(env, drafts.get(id)!.template.scan.calls)) continue;
    const job = renderJobFor(project, model, nodes, code ?? "");
    if (!job) continue;
    const key = cache ? renderKey(shared, drafts.get(id)!.file.text, job) : "";
    const sql = cache?.get(key, context.env);
    if (sql) out.set(id, sql);
    else pending.push({ id, job, key, generated: code !== undefined });
  }
  const keep = (p: (typeof pending)[number], output: RenderOutput) => {
    if (!output) return;
    out.set(p.id, output.sql);
    cache?.set(p.key, output);
  };
  const here = (p: (typeof pending)[number]) => renderJob(p.job, context, drafts.get(p.id)!.template.render);
  const elsewhere = pool ? pending.filter((p) => p.generated) : [];
  const local = pool ? pending.filter((p) => !p.generated) : pending;
  const renderLocal = () => {
    for (const p of local) keep(p, here(p));
  };
  if (elsewhere.length === 0) {
    renderLocal();
    return out;
  }
  const outputs = pool!.render(
    project.macros,
    context,
    elsewhere.map((p) => p.job),
    (i) => here(elsewhere[i]!),
    renderLocal,
  );
  outputs.forEach((output, i) => {
    keep(elsewhere[i]!, output);
  });
  return out;
}

function compileTemplate(
  env: TemplateEnvironment,
  file: ModelFile,
  given: TemplateResult | CompiledTemplate | undefined,
  diagnostics: Diagnostics,
): CompiledTemplate | undefined {
  if (given && "render" in given) return given;
  const generated = given;
  if (generated && "error" in generated) {
    diagnostics.error(
      file.path,
      generated.line,
      generated.column,
      `template syntax: ${templateErrorPosition(new Error(generated.error)).message}`,
      "check the {{ }} and {% %} tags",
    );
    return undefined;
  }
  try {
    return generated
      ? env.compile(file.path, file.text, generated)
      : (compileStatic(file.path, file.text) ?? env.compile(file.path, file.text));
  } catch (e) {
    const { line, column, message } = templateErrorPosition(e);
    diagnostics.error(
      file.path,
      line,
      column,
      `template syntax: ${message}`,
      "check the {{ }} and {% %} tags",
    );
    return undefined;
  }
}

/** Folder defaults from project.yml, then the property YAML, then config() in the file. */
function mergeConfig(
  project: Project,
  file: ModelFile,
  entry: PropertyEntry<ModelProps> | undefined,
  template: CompiledTemplate,
  diagnostics: Diagnostics,
): ModelConfig | undefined {
  const folders = Object.keys(project.config.models)
    .filter((folder) => folder === "" || file.folder === folder || file.folder.startsWith(`${folder}/`))
    .sort((a, b) => a.length - b.length);
  const merged: Record<string, unknown> = {};
  for (const folder of folders) Object.assign(merged, project.config.models[folder]);
  Object.assign(merged, entry?.value.config ?? {});
  const parsed = ModelConfig.safeParse(template.scan.config);
  if (!parsed.success) {
    const call = template.scan.calls.has("config") ? findLine(file.text, "config(") : 1;
    for (const issue of parsed.error.issues) {
      const keys = issue.code === "unrecognized_keys" ? issue.keys : [issue.path.join(".")];
      for (const key of keys) {
        const hint =
          issue.code === "unrecognized_keys"
            ? didYouMean(key, Object.keys(ModelConfig.shape))
            : issue.message;
        diagnostics.error(
          file.path,
          call,
          1,
          `config(): ` +
            `${issue.code === "unrecognized_keys" ? `unknown key '${key}'` : `${key}: ${issue.message}`}`,
          hint,
        );
      }
    }
    return undefined;
  }
  Object.assign(merged, parsed.data);
  return merged as ModelConfig;
}

function resolveDependencies(
  file: ModelFile,
  template: CompiledTemplate,
  config: ModelConfig,
  nameToId: Map<string, string>,
  nodes: Record<string, ManifestNode>,
  lostSources: Set<string>,
  diagnostics: Diagnostics,
): string[] {
  const deps = new Set<string>();
  for (const ref of template.scan.refs) {
    const id = nameToId.get(ref.name);
    if (id) deps.add(id);
    else
      diagnostics.error(
        file.path,
        ref.line,
        ref.column,
        `ref('${ref.name}') not found`,
        didYouMean(ref.name, nameToId.keys()) ?? "check the model's file name",
      );
  }
  for (const src of template.scan.sources) {
    const id = `source.${src.source}.${src.table}`;
    if (nodes[id]) deps.add(id);
    else if (!lostSources.has(src.source)) {
      const known = Object.values(nodes).filter((n): n is SourceNode => n.kind === "source");
      const hint =
        didYouMean(
          `${src.source}.${src.table}`,
          known.map((n) => n.name),
        ) ?? "declare it under sources: in a YAML file beside the models";
      diagnostics.error(
        file.path,
        src.line,
        src.column,
        `source('${src.source}', '${src.table}') not found`,
        hint,
      );
    }
  }
  for (const declared of config.depends_on ?? []) {
    const id = nameToId.get(declared);
    if (id) deps.add(id);
    else
      diagnostics.error(
        file.path,
        1,
        1,
        `depends_on names '${declared}', which is not a model or seed`,
        didYouMean(declared, nameToId.keys()),
      );
  }
  for (const call of template.scan.dynamic) {
    if (call.fn === "ref" && !config.depends_on?.length) {
      diagnostics.error(
        file.path,
        call.line,
        call.column,
        "ref() with a computed name cannot be found without running the template",
        "use a literal name, or list the models in config depends_on",
      );
    } else if (call.fn === "source") {
      diagnostics.error(
        file.path,
        call.line,
        call.column,
        "source() needs literal names",
        "write source('name', 'table')",
      );
    } else if (call.fn === "config") {
      // config() is read from the template's text, so a computed value is not seen. Where the key
      // decides how or where the model is built, building without it would be wrong: refused. Other
      // keys (enabled, tags, meta, docs, hooks…) are common in dbt packages as var()s: warned.
      const deciding = call.keys?.filter((k) => !NOT_DECIDING_CONFIG.has(k)) ?? ["the whole dict"];
      const where = [file.path, call.line, call.column] as const;
      if (deciding.length > 0)
        diagnostics.error(
          ...where,
          `config() computes ${deciding.join(", ")} while rendering (a var(), macro or expression), ` +
            "which sluice cannot read and the build depends on",
          "write the value literally, or set it in dbt_project.yml, where {{ var() }} is rendered",
        );
      else
        diagnostics.warn(
          ...where,
          `config() computes ${call.keys!.join(", ")} while rendering, which sluice does not read: ` +
            "the model is compiled and built as if it were not set",
          "write the value literally, or set it in dbt_project.yml, where {{ var() }} is rendered",
        );
    }
  }
  return [...deps];
}

/**
 * config() keys that do not change what a model's table holds or where it is: a computed one is
 * warned about and left out (see resolveDependencies); any other computed key is refused.
 */
const NOT_DECIDING_CONFIG = new Set([
  "enabled",
  "tags",
  "meta",
  "docs",
  "persist_docs",
  "description",
  "grants",
  "group",
  "access",
  "labels",
  "pre_hook",
  "post_hook",
]);

/** Decides where the model's SQL runs and where its result lives. */
function resolveModel(
  project: Project,
  env: TemplateEnvironment,
  draft: ModelDraft,
  nodes: Record<string, ManifestNode>,
  defaultConnection: string,
  lostConnections: Set<string>,
  diagnostics: Diagnostics,
): ModelNode | undefined {
  const { file, config } = draft;
  const connections = project.target.connections;
  const names = Object.keys(connections);
  const inputConnections = [...new Set(draft.dependsOn.flatMap((id) => inputConnectionsOf(nodes[id])))];
  for (const key of ["connection", "compute"] as const) {
    const value = config[key];
    if (value !== undefined && lostConnections.has(value)) return undefined;
    if (value !== undefined && !connections[value]) {
      diagnostics.error(
        file.path,
        findLine(file.text, key),
        1,
        `${key} '${value}' is not a connection of target '${project.targetName}'`,
        didYouMean(value, names) ?? `defined: ${names.join(", ")}`,
      );
      return undefined;
    }
  }
  const compute =
    config.compute ??
    (config.connection && inputConnections.includes(config.connection)
      ? config.connection
      : inputConnections[0]) ??
    config.connection ??
    defaultConnection;
  const connection = config.connection ?? compute;
  // Only a default connection that is lost or wrong, reported already, is missing here.
  if (!connections[compute] || !connections[connection]) return undefined;
  for (const input of inputConnections) {
    if (!canRead(compute, input, connections)) {
      const readers = draft.dependsOn
        .filter((id) => inputConnectionsOf(nodes[id]).includes(input))
        .map((id) => nodes[id]?.name);
      diagnostics.error(
        file.path,
        1,
        1,
        `'${file.name}' runs on connection '${compute}' (` +
          `${connections[compute]!.type}) but reads ${readers.join(", ")} on ` +
          `connection '${input}' (${connections[input]!.type}), and no path joins them`,
        `set compute: '${input}' (and connection: '${compute}' to land it there), or split the model in two`,
      );
    }
  }
  const materialized = config.materialized ?? "view";
  if (materialized === "ephemeral" && connection !== compute) {
    diagnostics.error(
      file.path,
      1,
      1,
      `ephemeral model '${file.name}' cannot land on another connection`,
      "make it a table or drop connection",
    );
  }
  if (materialized === "view" && connection !== compute) {
    diagnostics.error(
      file.path,
      1,
      1,
      `view '${file.name}' would live on '${connection}' but its SQL runs on '${compute}'`,
      "views cannot cross engines: make it a table or incremental",
    );
  }
  const placement = defaultPlacement(connection, connections[connection]!);
  const named = project.dbt
    ? dbtRelationName(project, env, {
        kind: "model",
        name: file.name,
        path: file.path,
        folders: file.folder ? file.folder.split("/") : [],
        config,
      })
    : { schema: config.schema ?? placement.schema, name: config.alias ?? file.name };
  // A snapshot's target_schema is used as it is, as dbt uses it (not through generate_schema_name).
  const snapshot = file.snapshot?.resolved;
  if (snapshot?.targetSchema) named.schema = snapshot.targetSchema;
  const relation: RelationRef = { connection, database: placement.database, ...named };
  const strategy =
    materialized === "incremental"
      ? (config.strategy ??
        (config.partition_by?.length ? "insert_overwrite" : config.unique_key?.length ? "merge" : "append"))
      : null;
  if ((strategy === "merge" || strategy === "delete+insert") && !config.unique_key?.length) {
    diagnostics.error(
      file.path,
      findLine(file.text, "strategy"),
      1,
      `strategy '${strategy}' needs unique_key`,
      "set unique_key to the column(s) identifying a row",
    );
  }
  if (strategy === "insert_overwrite" && !config.partition_by?.length) {
    diagnostics.error(
      file.path,
      findLine(file.text, "strategy"),
      1,
      "strategy 'insert_overwrite' needs partition_by",
      "set partition_by to the partition column(s)",
    );
  }
  if (strategy === "insert_overwrite" && config.on_schema_change && config.on_schema_change !== "ignore") {
    diagnostics.error(
      file.path,
      findLine(file.text, "on_schema_change"),
      1,
      `on_schema_change '${config.on_schema_change}' is applied to the append, ` +
        `merge and delete+insert strategies only, not to insert_overwrite`,
      "remove on_schema_change, or rebuild the model with --full-refresh when its columns change",
    );
  }
  const entry = draft.props;
  const contract = modelContract(file.name, file.path, config, materialized, entry, diagnostics);
  return {
    id: `model.${file.name}`,
    kind: "model",
    name: file.name,
    location: { path: file.path, line: 1 },
    description: entry?.value.description ?? config.description ?? "",
    tags: config.tags ?? [],
    dependsOn: draft.dependsOn.sort(),
    checksum: "",
    config: {
      materialized,
      connection,
      compute,
      schema: relation.schema,
      alias: relation.name,
      tags: config.tags ?? [],
      partitionBy: config.partition_by ?? [],
      uniqueKey: config.unique_key ?? [],
      strategy,
      fullRefresh: config.full_refresh ?? null,
      ...(materialized === "incremental" && config.on_schema_change && config.on_schema_change !== "ignore"
        ? { onSchemaChange: config.on_schema_change }
        : {}),
      ...(config.full_refresh_only !== undefined ? { fullRefreshOnly: config.full_refresh_only } : {}),
      ...(config.full_rebuild_share !== undefined ? { fullRebuildShare: config.full_rebuild_share } : {}),
      ...hookTemplates(config),
    },
    relation,
    columns: columnDocs(entry?.value.columns),
    rawSql: file.text,
    compiledSql: "",
    compiledIncrementalSql: null,
    lineage: null,
    macrosUsed: [],
    ...(snapshot ? { snapshot } : {}),
    ...(contract ? { contract } : {}),
  };
}

/**
 * The hook templates of a model's config, each hook's SQL as written, in dbt's order: pre_hooks
 * with `transaction: false` (before_begin) before the others, post_hooks with it (after_commit)
 * after the others, each group in the order written. sluice runs each hook as its own statement.
 */
function hookTemplates(config: ModelConfig): { preHook?: string[]; postHook?: string[] } {
  const outside = (h: string | { transaction?: boolean | undefined }) =>
    typeof h !== "string" && h.transaction === false;
  const sqlOf = (hooks: ModelConfig["pre_hook"], outsideFirst: boolean) => {
    const all = [hooks ?? []].flat();
    const first = all.filter((h) => outside(h) === outsideFirst);
    const last = all.filter((h) => outside(h) !== outsideFirst);
    return [...first, ...last].map((h) => (typeof h === "string" ? h : h.sql));
  };
  const out: { preHook?: string[]; postHook?: string[] } = {};
  if (config.pre_hook !== undefined) out.preHook = sqlOf(config.pre_hook, true);
  if (config.post_hook !== undefined) out.postHook = sqlOf(config.post_hook, false);
  return out;
}

/** A seed's schema and name: dbt's naming in a dbt project, else its config or the connection's. */
function seedPlacement(
  project: Project,
  env: TemplateEnvironment,
  seed: Project["seeds"][number],
  config: { schema?: string; alias?: string },
  schema: string,
): { schema: string; name: string } {
  if (!project.dbt) return { schema: config.schema ?? schema, name: config.alias ?? seed.name };
  return dbtRelationName(project, env, {
    kind: "seed",
    name: seed.name,
    path: seed.path,
    folders: seed.path.split("/").slice(1, -1),
    config,
  });
}

/** Connections a reader of this node actually reads from (an ephemeral model reads its inputs). */
function inputConnectionsOf(node: ManifestNode | undefined): string[] {
  if (!node || node.kind === "test") return [];
  if (node.kind === "model")
    return node.config.materialized === "ephemeral" ? [node.config.compute] : [node.relation.connection];
  return [node.relation.connection];
}

function findLine(text: string, needle: string): number {
  const index = text.indexOf(needle);
  return index < 0 ? 1 : text.slice(0, index).split("\n").length;
}
