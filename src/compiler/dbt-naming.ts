// Schema and alias of a dbt project's relations, as dbt names them: the project's own
// generate_schema_name / generate_alias_name macros when it defines them, else dbt's defaults
// (a custom schema is appended to the target's: `main` + `marts` → `main_marts`).
import type { Project } from "../project/load.js";
import { targetContext } from "./target-context.js";
import { lookUpEnvVar, lookUpVar, type RenderScope, type TemplateEnvironment } from "./environment.js";

export interface NamedNode {
  kind: "model" | "seed" | "test";
  name: string;
  /** Path relative to the project, e.g. `models/marts/orders.sql`. */
  path: string;
  /** Folders under the model or seed path. */
  folders: string[];
  config: Record<string, unknown>;
}

/** The schema and name a dbt project's node is built under. */
export function dbtRelationName(
  project: Project,
  env: TemplateEnvironment,
  node: NamedNode,
): { schema: string; name: string } {
  const dbt = project.dbt!;
  const customSchema = typeof node.config["schema"] === "string" ? node.config["schema"] : null;
  const customAlias = typeof node.config["alias"] === "string" ? node.config["alias"] : null;
  const nodeObject = {
    name: node.name,
    alias: node.name,
    resource_type: node.kind,
    unique_id: `${node.kind}.${dbt.projectName}.${node.name}`,
    package_name: dbt.projectName,
    fqn: [dbt.projectName, ...node.folders, node.name],
    path: node.path.split("/").slice(1).join("/"),
    original_file_path: node.path,
    config: { ...node.config },
    tags: node.config["tags"] ?? [],
  };
  const scope = namingScope(project);
  const schema = env.macros.has("generate_schema_name")
    ? String(env.callMacro("generate_schema_name", [customSchema, nodeObject], scope)).trim()
    : customSchema === null
      ? dbt.targetSchema
      : `${dbt.targetSchema}_${customSchema.trim()}`;
  const name = env.macros.has("generate_alias_name")
    ? String(env.callMacro("generate_alias_name", [customAlias, nodeObject], scope)).trim()
    : customAlias === null
      ? node.name
      : customAlias.trim();
  return { schema, name };
}

/** What the naming macros see: the target, vars and env vars, and no relations. */
function namingScope(project: Project): RenderScope {
  const connection = project.dbt!.connection;
  const refuse = (): never => {
    throw new Error("generate_schema_name and generate_alias_name cannot ref() or source()");
  };
  return {
    ref: refuse,
    source: refuse,
    config: () => undefined,
    var: (name, fallback) => lookUpVar(project.vars, name, fallback),
    envVar: (name, fallback) => lookUpEnvVar(project.env, name, fallback, project.secrets.secretEnvNames()),
    isIncremental: false,
    self: "",
    target: targetContext(project, connection, connection),
  };
}
