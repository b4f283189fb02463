// Renders a model again at build time, as dbt does with `execute` true, for the models whose
// templates asked the database while compiling (ModelNode.introspects): run_query, statement,
// adapter.get_columns_in_relation, get_relation. The runner calls it just before the model runs,
// after its inputs are built, with its compute connection.
//
// nunjucks renders synchronously and a database answers asynchronously, so the render runs in
// passes: each question a pass cannot answer yet is noted (and gets dbt's parse-time answer), the
// noted questions are then put to the database in the order they were asked, and the template is
// rendered again with those answers known. A pass that asked nothing new is the render; the SQL it
// gives is what dbt's run-time render gives, as long as the template is a function of its answers
// (the same question asked twice gets the same answer, which dbt's one-by-one render gives too
// unless a statement of the template itself changes what a later question reads). A pass that
// asked something new and failed is not an error: it rendered with answers still missing.
// nunjucks' async filters and callback render were the other way: they cannot make a global
// function like run_query() return a value to the expression that called it.
import type { Manifest, ManifestNode, ModelNode } from "../manifest/types.js";
import { Diagnostics, ProjectError } from "../project/diagnostics.js";
import type { Project } from "../project/load.js";
import type { ColumnFacts, IntrospectionAnswers, QueryFacts, RelationParts } from "./dbt-introspection.js";
import { TemplateEnvironment, type CompiledTemplate } from "./environment.js";
import { renderModel } from "./render.js";

/** The database a model renders against: its compute connection, open for the render. */
export interface LiveDatabase {
  query(sql: string): Promise<QueryFacts>;
  columns(relation: RelationParts): Promise<ColumnFacts[]>;
  relationKind(relation: RelationParts): Promise<"table" | "view" | null>;
}

/** Renders beyond this many passes mean each answer leads to a new question: refused, not looped. */
const MAX_PASSES = 25;

type Question =
  | { kind: "query"; sql: string }
  | { kind: "columns"; relation: RelationParts }
  | { kind: "relation"; relation: RelationParts };

export class RunTimeRenderer {
  private env: TemplateEnvironment | undefined;
  private readonly templates = new Map<string, CompiledTemplate>();

  constructor(
    private readonly project: Project,
    private readonly manifest: Manifest,
    /** The command running, as templates read it from flags.WHICH (`build`, `run`). */
    private readonly command: string,
    /** `--full-refresh`, as templates read it from flags.FULL_REFRESH. */
    private readonly fullRefresh = false,
  ) {}

  /** The model with the SQL of its run-time render (every variant); the rest of it as compiled. */
  async render(model: ModelNode, database: LiveDatabase): Promise<ModelNode> {
    const known = new Map<string, unknown>();
    for (let pass = 1; pass <= MAX_PASSES; pass++) {
      const asked = new Map<string, Question>();
      const answer = <T>(question: Question): T | undefined => {
        const key = JSON.stringify(question);
        if (known.has(key)) return known.get(key) as T;
        asked.set(key, question);
        return undefined;
      };
      const answers: IntrospectionAnswers = {
        execute: true,
        command: this.command,
        fullRefresh: this.fullRefresh,
        query: (sql) => answer({ kind: "query", sql }),
        columns: (relation) => answer({ kind: "columns", relation }),
        relationKind: (relation) => answer({ kind: "relation", relation }),
      };
      const diagnostics = new Diagnostics();
      const rendered = this.renderOnce(model, answers, diagnostics);
      if (asked.size === 0) {
        if (diagnostics.hasErrors)
          throw new ProjectError(diagnostics.items.filter((d) => d.severity === "error"));
        return {
          ...model,
          compiledSql: rendered.compiledSql,
          compiledIncrementalSql: rendered.compiledIncrementalSql,
        };
      }
      // One at a time, in the order asked: the session is not safe for concurrent use.
      for (const [key, question] of asked) known.set(key, await ask(database, question, model));
    }
    throw new Error(
      `${model.location.path}: rendering '${model.name}' at run time asked the database something new ` +
        `on each of ${MAX_PASSES} passes; its questions must not depend on an endless chain of answers`,
    );
  }

  /** One pass: the model's ephemeral inputs first (their SQL is inlined), then the model. */
  private renderOnce(model: ModelNode, answers: IntrospectionAnswers, diagnostics: Diagnostics): ModelNode {
    const env = this.environment();
    const nodes = this.manifest.nodes;
    const ephemeralSql = new Map<string, { cte: string; sql: string; closure: string[] }>();
    for (const input of ephemeralInputs(model, nodes)) {
      renderModel(
        this.project,
        env,
        {},
        { ...input },
        { template: this.template(input), props: undefined },
        nodes,
        ephemeralSql,
        diagnostics,
        undefined,
        answers,
      );
    }
    const copy: ModelNode = { ...model };
    renderModel(
      this.project,
      env,
      {},
      copy,
      { template: this.template(model), props: undefined },
      nodes,
      ephemeralSql,
      diagnostics,
      undefined,
      answers,
    );
    return copy;
  }

  private template(model: ModelNode): CompiledTemplate {
    let template = this.templates.get(model.id);
    if (!template) {
      template = this.environment().compile(model.location.path, model.rawSql);
      this.templates.set(model.id, template);
    }
    return template;
  }

  /** The compile's environment, built once per run and only when a model needs it. */
  private environment(): TemplateEnvironment {
    if (this.env) return this.env;
    const env = new TemplateEnvironment();
    if (this.project.dbt) env.useDbtProject(this.project.dbt.projectName, this.project.dbt.dispatch);
    for (const file of this.project.macros) env.addMacros(file.path, file.text, file.package);
    this.env = env;
    return env;
  }
}

async function ask(database: LiveDatabase, question: Question, model: ModelNode): Promise<unknown> {
  try {
    if (question.kind === "query") return await database.query(question.sql);
    if (question.kind === "columns") return await database.columns(question.relation);
    return await database.relationKind(question.relation);
  } catch (e) {
    const what =
      question.kind === "query"
        ? `the query\n${question.sql}\n`
        : `${question.kind === "columns" ? "the columns of" : "whether there is"} ` +
          [question.relation.database, question.relation.schema, question.relation.name]
            .filter(Boolean)
            .join(".");
    throw new Error(
      `${model.location.path}: rendering '${model.name}' at run time asked ${what}` +
        ` and the database answered: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

/** The ephemeral models `model` reads, directly or through other ephemeral models, inputs first. */
function ephemeralInputs(model: ModelNode, nodes: Record<string, ManifestNode>): ModelNode[] {
  const out: ModelNode[] = [];
  const seen = new Set<string>();
  const visit = (node: ModelNode) => {
    for (const id of node.dependsOn) {
      const input = nodes[id];
      if (input?.kind !== "model" || input.config.materialized !== "ephemeral" || seen.has(id)) continue;
      seen.add(id);
      visit(input);
      out.push(input);
    }
  };
  visit(model);
  return out;
}
