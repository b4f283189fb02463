// Renders templates into SQL: a model's variants (full, incremental, and the change window of a
// lineage model), the scope of context functions each sees, hooks and operations.
import { modelVersion } from "../manifest/checksum.js";
import type { Manifest, ManifestNode, ModelNode, SourceNode } from "../manifest/types.js";
import { type Diagnostics, ProjectError, didYouMean } from "../project/diagnostics.js";
import { templateErrorPosition, type Project } from "../project/load.js";
import {
  lookUpEnvVar,
  lookUpVar,
  TemplateEnvironment,
  type CompiledTemplate,
  type RenderScope,
} from "./environment.js";
import type { ModelProps, PropertyEntry } from "./properties.js";
import { quoteIdentifier, renderRelation } from "./relations.js";
import { watermarkPlaceholder } from "./watermark-placeholders.js";
import { aliasWindows, windowAlias } from "./window-alias.js";
import type { RenderJob } from "./render-pool.js";
import { targetContext } from "./target-context.js";
import { compileAnswers, type IntrospectionAnswers, RenderIntrospection } from "./dbt-introspection.js";
import { EPHEMERAL_PREFIX } from "./jinja-context.js";
import { FLAGS_NAME } from "./scan.js";

/** What rendering a model needs from the compile that scanned it. */
export interface RenderDraft {
  template: CompiledTemplate;
  props: PropertyEntry<ModelProps> | undefined;
}

/**
 * Renders a call of one of the project's macros with keyword arguments, for `sluice run-operation`.
 * Returns the SQL the macro produces for `connection`.
 */
export function renderOperation(
  project: Project,
  macro: string,
  args: Record<string, unknown>,
  connection: string,
): string {
  const env = new TemplateEnvironment();
  if (project.dbt) env.useDbtProject(project.dbt.projectName, project.dbt.dispatch);
  for (const file of project.macros) env.addMacros(file.path, file.text, file.package);
  if (!env.macros.has(macro)) {
    throw new ProjectError([
      {
        severity: "error",
        file: "macros",
        line: 1,
        column: 1,
        message: `no macro named '${macro}'`,
        hint: didYouMean(macro, env.macros.keys()) ?? "define it with {% macro name() %} in macros/",
      },
    ]);
  }
  if (!project.target.connections[connection]) {
    throw new ProjectError([
      {
        severity: "error",
        file: "profiles.yml",
        line: 1,
        column: 1,
        message: `connection '${connection}' is not defined in target '${project.targetName}'`,
        hint: didYouMean(connection, Object.keys(project.target.connections)),
      },
    ]);
  }
  const call = `{{ ${macro}(${Object.entries(args)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(", ")}) }}`;
  return env.renderString(
    call,
    renderScope(project, hookScopeModel(connection), {}, false, () => ""),
  );
}

export function renderHooks(
  project: Project,
  env: TemplateEnvironment,
  diagnostics: Diagnostics,
): Manifest["hooks"] {
  const render = (which: "on_run_start" | "on_run_end") =>
    project.config[which].flatMap((hook, i) => {
      const connection = project.target.connections[hook.connection];
      if (!connection) {
        // A connection whose profile entry is wrong is reported by load already.
        if (!project.gaps?.connections.includes(hook.connection))
          diagnostics.error(
            "project.yml",
            1,
            1,
            `${which}[${i}]: connection '${hook.connection}' ` +
              `is not defined in target '${project.targetName}'`,
            didYouMean(hook.connection, Object.keys(project.target.connections)),
          );
        return [];
      }
      // A hook written for other engines (the example's DuckDB
      // data generator on a SQL Server target) is left out.
      if (hook.connection_types && !hook.connection_types.includes(connection.type)) return [];
      try {
        const scope: RenderScope = {
          ...renderScope(project, hookScopeModel(hook.connection), {}, false, () => ""),
          ref: () => {
            throw new Error("hooks cannot ref() models");
          },
        };
        return [{ connection: hook.connection, sql: env.renderString(hook.sql, scope) }];
      } catch (e) {
        const { message } = templateErrorPosition(e);
        diagnostics.error("project.yml", 1, 1, `${which}[${i}]: ${message}`, renderHint(message, project));
        return [];
      }
    });
  return { on_run_start: render("on_run_start"), on_run_end: render("on_run_end") };
}

/**
 * A model's pre_hook and post_hook, rendered as its SQL is (`this` is the model's relation, with
 * vars, env_var, target and macros) but on the connection the model lives on, where they run.
 * A hook cannot ref() models: it runs around one model, not as a node of the graph.
 */
export function renderModelHooks(
  project: Project,
  env: TemplateEnvironment,
  model: ModelNode,
  nodes: Record<string, ManifestNode>,
  diagnostics: Diagnostics,
): void {
  const { preHook = [], postHook = [] } = model.config;
  if (preHook.length === 0 && postHook.length === 0) return;
  const scope: RenderScope = {
    ...renderScope(project, model, nodes, false, () => ""),
    ref: () => {
      throw new Error("model hooks cannot ref() models");
    },
  };
  const render = (which: "pre_hook" | "post_hook", hooks: string[]) =>
    hooks.flatMap((sql, i) => {
      try {
        const text = env.renderString(sql, scope).trim();
        return text === "" ? [] : [text];
      } catch (e) {
        const { message } = templateErrorPosition(e);
        diagnostics.error(model.location.path, 1, 1, `${which}[${i}] of ${model.name}: ${message}`);
        return [];
      }
    });
  model.hooks = { pre: render("pre_hook", preHook), post: render("post_hook", postHook) };
}

/** A stand-in model for rendering hooks: they run on a connection, outside any model. */
function hookScopeModel(connection: string): ModelNode {
  return {
    id: "hook",
    kind: "model",
    name: "hook",
    location: { path: "project.yml", line: 1 },
    description: "",
    tags: [],
    dependsOn: [],
    checksum: "",
    config: {
      materialized: "view",
      connection,
      compute: connection,
      schema: "",
      alias: "",
      tags: [],
      partitionBy: [],
      uniqueKey: [],
      strategy: null,
      fullRefresh: null,
    },
    relation: { connection, schema: "", name: "" },
    columns: [],
    rawSql: "",
    compiledSql: "",
    compiledIncrementalSql: null,
    lineage: null,
    macrosUsed: [],
  };
}

export function renderModel(
  project: Project,
  env: TemplateEnvironment,
  macroChecksums: Record<string, string>,
  model: ModelNode,
  draft: RenderDraft,
  nodes: Record<string, ManifestNode>,
  ephemeralSql: Map<string, { cte: string; sql: string; closure: string[] }>,
  diagnostics: Diagnostics,
  /** The SQL of each variant, rendered already ahead of graph order (see renderJobFor). */
  rendered?: string[],
  /** What introspection gets: dbt's parse-time answers while compiling, the database's at build time. */
  answers: IntrospectionAnswers = compileAnswers(),
): void {
  const trackedSources =
    model.config.materialized === "incremental" && model.config.partitionBy.length > 0
      ? model.dependsOn.filter(
          (id) => nodes[id]?.kind === "source" && (nodes[id] as SourceNode).changeTracking !== null,
        )
      : [];
  const variants: Variant[] =
    model.config.materialized === "incremental" ? ["full", "incremental"] : ["full"];
  if (trackedSources.length > 0) variants.push("changes");
  const computeType = project.target.connections[model.config.compute]!.type;
  const uses = new Set<string>();
  for (const [index, variant] of variants.entries()) {
    const ephemerals: string[] = [];
    const introspection = new RenderIntrospection(answers, (name) => quoteIdentifier(computeType, name));
    // The scope is made only for a render done here: a model rendered ahead reads no ephemeral model.
    const scopeOf = (): RenderScope => {
      const scope = renderScope(
        project,
        model,
        nodes,
        variant === "incremental",
        (id) => {
          const e = ephemeralSql.get(id)!;
          for (const dep of [...e.closure, id]) if (!ephemerals.includes(dep)) ephemerals.push(dep);
          return e.cte;
        },
        introspection,
      );
      if (variant === "changes") {
        const plain = scope.source;
        scope.source = (source, table) => {
          const node = nodes[`source.${source}.${table}`];
          return node?.kind === "source" && trackedSources.includes(node.id)
            ? changeWindow(project, model, node)
            : plain(source, table);
        };
      }
      return scope;
    };
    let sql: string;
    try {
      sql = rendered?.[index] ?? draft.template.render(scopeOf()).trim();
      for (const use of introspection.uses) uses.add(use);
      // An ephemeral input's SQL is inlined here, so its run-time render is this model's too.
      for (const id of ephemerals)
        for (const use of (nodes[id] as ModelNode | undefined)?.introspects ?? []) uses.add(use);
    } catch (e) {
      const reported = templateErrorPosition(e);
      const { line, column } = callPosition(model.rawSql, reported.message) ?? reported;
      diagnostics.error(
        model.location.path,
        line,
        column,
        reported.message,
        renderHint(reported.message, project),
      );
      return;
    }
    if (variant === "changes") sql = aliasWindows(sql);
    const ctes = ephemerals.map((id) => `${ephemeralSql.get(id)!.cte} as (\n${ephemeralSql.get(id)!.sql}\n)`);
    if (model.config.materialized === "ephemeral") {
      ephemeralSql.set(model.id, { cte: cteName(model.name), sql, closure: ephemerals });
    }
    const full = model.config.materialized === "ephemeral" ? sql : withCtes(sql, ctes);
    if (variant === "incremental") model.compiledIncrementalSql = full;
    else if (variant === "changes") model.lineage = { trackedSources, changesSql: full };
    else model.compiledSql = full;
  }
  if (uses.size > 0) {
    // Rendered again at build time, against the database (see dbt-run-render.ts).
    model.introspects = [...uses].sort();
    if (trackedSources.length > 0)
      diagnostics.error(
        model.location.path,
        1,
        1,
        `'${model.name}' asks the database while rendering (${model.introspects.join(", ")}), ` +
          `so its change window over ${trackedSources.join(", ")} cannot be planned before it runs`,
        "drop change_tracking from its sources' lineage (make it a plain " +
          "incremental or a table), or write the model without introspection",
      );
  }
  model.macrosUsed = env.macrosReached(draft.template.scan.calls);
  const names = [draft.template.scan.calls, ...model.macrosUsed.map((m) => env.macroCalls.get(m) ?? [])];
  if (names.some((calls) => [...calls].includes(FLAGS_NAME))) model.readsFlags = true;
  model.checksum = modelVersion(
    model,
    model.dependsOn.map((id) => nodes[id]),
    model.macrosUsed.map((m) => macroChecksums[m] ?? null),
    draft.props?.value.config ?? null,
  );
}

type Variant = "full" | "incremental" | "changes";

/**
 * A model as a job another thread can render without the graph (see render-pool.ts), or undefined
 * when its render needs more: an ephemeral model, one that reads ephemeral models (their SQL is
 * inlined), or one with a change-window variant. What the job carries is what renderScope gives.
 */
export function renderJobFor(
  project: Project,
  model: ModelNode,
  nodes: Record<string, ManifestNode>,
  code: string,
): RenderJob | undefined {
  const materialized = model.config.materialized;
  if (materialized === "ephemeral") return undefined;
  const computeType = project.target.connections[model.config.compute]!.type;
  const refs: Record<string, string> = {};
  const sources: Record<string, string> = {};
  for (const id of model.dependsOn) {
    const node = nodes[id];
    if (!node || node.kind === "test") continue;
    if (node.kind === "model" && node.config.materialized === "ephemeral") return undefined;
    if (node.kind === "source") {
      if (
        materialized === "incremental" &&
        model.config.partitionBy.length > 0 &&
        node.changeTracking !== null
      )
        return undefined;
      sources[`${node.sourceName}\0${node.tableName}`] = renderRelation(computeType, node.relation);
    } else refs[node.name] = renderRelation(computeType, node.relation);
  }
  return {
    path: model.location.path,
    code,
    refs,
    sources,
    // A hook or an operation has no relation of its own (and SQL Server refuses an empty name).
    self: model.relation.name ? renderRelation(computeType, model.relation) : "",
    target: targetContext(project, model.config.connection, model.config.compute),
    incremental: materialized === "incremental" ? [false, true] : [false],
    modelConfig: modelConfigOf(model),
  };
}

/** A tracked source narrowed to the rows changed in its window; the planner fills the bounds. */
function changeWindow(project: Project, model: ModelNode, source: SourceNode): string {
  const type = project.target.connections[model.config.compute]!.type;
  const column = quoteIdentifier(type, source.changeTracking!.updatedAt);
  const window =
    `(select * from ${renderRelation(type, source.relation)} where ${column} > ` +
    `${watermarkPlaceholder("from", source.id)} and ${column} <= ${watermarkPlaceholder("to", source.id)})`;
  return `${window}${windowAlias(quoteIdentifier(type, source.relation.name))}`;
}

/**
 * A model's full SQL (or its incremental SQL when `incremental`) with every input it reads, and
 * `this`, read from the name `inputs` gives; for a dbt unit test, whose inputs are fixture CTEs.
 * Throws the template's error.
 */
export function renderWithInputs(
  project: Project,
  template: CompiledTemplate,
  model: ModelNode,
  nodes: Record<string, ManifestNode>,
  incremental: boolean,
  inputs: (id: string) => string,
): string {
  const scope = renderScope(project, model, nodes, incremental, inputs, undefined, inputs);
  return template.render({ ...scope, self: inputs(model.id) }).trim();
}

function renderScope(
  project: Project,
  model: ModelNode,
  nodes: Record<string, ManifestNode>,
  incremental: boolean,
  ephemeralRef: (id: string) => string,
  introspection?: RenderIntrospection,
  /** Every input's name, when each is read from somewhere other than its relation. */
  inputRef?: (id: string) => string,
): RenderScope {
  const connections = project.target.connections;
  const computeType = connections[model.config.compute]!.type;
  const relationOf = (node: ManifestNode): string => {
    if (inputRef) return inputRef(node.id);
    if (node.kind === "model" && node.config.materialized === "ephemeral") return ephemeralRef(node.id);
    if (node.kind === "test") throw new Error(`cannot select from test '${node.name}'`);
    return renderRelation(computeType, node.relation);
  };
  return {
    ref: (name) => {
      const node = nodes[`model.${name}`] ?? nodes[`seed.${name}`];
      if (!node) throw new Error(`ref('${name}') not found`);
      if (!model.dependsOn.includes(node.id))
        throw new Error(`ref('${name}') is built dynamically and not declared; add it to config depends_on`);
      return relationOf(node);
    },
    source: (source, table) => {
      const node = nodes[`source.${source}.${table}`];
      if (!node) throw new Error(`source('${source}', '${table}') not found`);
      return relationOf(node);
    },
    config: () => undefined,
    var: (name, fallback) => lookUpVar(project.vars, name, fallback),
    envVar: (name, fallback) => lookUpEnvVar(project.env, name, fallback, project.secrets.secretEnvNames()),
    isIncremental: incremental,
    // A hook or an operation has no relation of its own (and SQL Server refuses an empty name).
    self: model.relation.name ? renderRelation(computeType, model.relation) : "",
    target: targetContext(project, model.config.connection, model.config.compute),
    modelConfig: modelConfigOf(model),
    ...(introspection ? { introspection } : {}),
  };
}

/** The model's resolved config in dbt's keys, as config.get() reads it. */
function modelConfigOf(model: ModelNode): Record<string, unknown> {
  return {
    materialized: model.config.materialized,
    schema: model.config.schema,
    alias: model.config.alias,
    tags: model.config.tags,
    unique_key:
      model.config.uniqueKey.length === 1
        ? model.config.uniqueKey[0]
        : model.config.uniqueKey.length
          ? model.config.uniqueKey
          : null,
    partition_by: model.config.partitionBy.length ? model.config.partitionBy : null,
    incremental_strategy: model.config.strategy,
    full_refresh: model.config.fullRefresh,
  };
}

/**
 * Where the failing context-function call sits in the template. nunjucks reports runtime errors
 * at the enclosing tag, often lines away, so the call named in the message is looked up instead.
 */
function callPosition(text: string, message: string): { line: number; column: number } | undefined {
  const call = /\b((?:env_)?var|ref|source)\('([^']+)'/.exec(message);
  if (!call) return undefined;
  const index = new RegExp(
    `\\b${call[1]}\\(\\s*['"]${call[2]!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}['"]`,
  ).exec(text)?.index;
  if (index === undefined) return undefined;
  const before = text.slice(0, index).split("\n");
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

function renderHint(message: string, project: Project): string {
  const missingVar = /var\('([^']+)'\) is not defined/.exec(message);
  if (missingVar)
    return (
      didYouMean(missingVar[1]!, Object.keys(project.vars)) ??
      `define it under vars: in project.yml or pass --vars '{"${missingVar[1]}": ...}'`
    );
  if (/is a secret and cannot be rendered/.test(message))
    return "read secrets in profiles.yml connection fields only; SQL is written to target/ and the docs";
  if (/env_var/.test(message)) return "set the environment variable or give env_var() a default";
  return "check the expression at this position";
}

/** Puts ephemeral models in front of a query as CTEs, joining the query's own WITH if it has one. */
export function withCtes(sql: string, ctes: string[]): string {
  if (ctes.length === 0) return sql;
  const own = /^(\s*(?:--[^\n]*\n\s*)*)with\s+(?!recursive\b)/i.exec(sql);
  if (own) return `${own[1]}with ${ctes.join(",\n")},\n${sql.slice(own[0].length)}`;
  return `with ${ctes.join(",\n")}\n${sql}`;
}

/** The CTE name an ephemeral model is inlined under; plain, so it needs no quoting on any engine. */
function cteName(name: string): string {
  return `${EPHEMERAL_PREFIX}${name}`;
}
