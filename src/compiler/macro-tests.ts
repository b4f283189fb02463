// Generic tests defined as dbt defines them, by {% test name(model, column_name, …) %} blocks: a
// test entry naming one renders that macro with the tested relation (filtered by `where`, as dbt's
// get_where_subquery does), the column and the entry's arguments; ref()/source() arguments become
// relations and dependencies. The SQL it renders returns the failing rows.
import type { ManifestNode, RelationRef } from "../manifest/types.js";
import type { Project } from "../project/load.js";
import { lookUpEnvVar, lookUpVar, type RenderScope, type TemplateEnvironment } from "./environment.js";
import { relationFromSql } from "./jinja-context.js";
import { renderRelation } from "./relations.js";
import { targetContext } from "./target-context.js";

/** The macro a test entry names: `name` → test_name; `package.name` → that package's test_name. */
export function testMacroName(
  env: TemplateEnvironment,
  type: string,
): { name: string; pkg?: string } | undefined {
  const parts = type.split(".");
  const name = `test_${parts.pop()}`;
  if (parts.length === 1) return env.packageMacro(parts[0]!, name) ? { name, pkg: parts[0]! } : undefined;
  return parts.length === 0 && env.macros.has(name) ? { name } : undefined;
}

const RELATION_ARG = /^\s*(ref|source)\(\s*['"]([^'"]+)['"]\s*(?:,\s*['"]([^'"]+)['"]\s*)?\)\s*$/;

/** The failing-rows SQL of a macro-defined generic test, or why it cannot be built. */
export function macroTestSql(
  project: Project,
  env: TemplateEnvironment,
  macro: { name: string; pkg?: string },
  node: Exclude<ManifestNode, { kind: "test" }>,
  column: string | null,
  args: Record<string, unknown>,
  where: string | null,
  nodes: Record<string, ManifestNode>,
): { sql: string; dependsOn: string[] } | { error: string; hint: string } {
  const connection = node.relation.connection;
  const type = project.target.connections[connection]!.type;
  const dependsOn = [node.id];
  const relationOf = (id: string): string => {
    const found = nodes[id] ?? (id.startsWith("model.") ? nodes[`seed.${id.slice(6)}`] : undefined);
    if (!found || found.kind === "test") throw new Error(`${id.replace(/^(model|source)\./, "")} not found`);
    if (!dependsOn.includes(found.id)) dependsOn.push(found.id);
    return renderRelation(type, (found as { relation: RelationRef }).relation);
  };
  const kwargs: Record<string, unknown> = { __keywords: true };
  for (const [key, value] of Object.entries(args)) {
    const m = typeof value === "string" ? RELATION_ARG.exec(value) : null;
    try {
      kwargs[key] = !m
        ? value
        : relationFromSql(
            m[1] === "ref" ? relationOf(`model.${m[3] ?? m[2]}`) : relationOf(`source.${m[2]}.${m[3]}`),
          );
    } catch (e) {
      return {
        error: `argument ${key}: ${(e as Error).message}`,
        hint: "name a model, seed or declared source",
      };
    }
  }
  const base = renderRelation(type, node.relation);
  kwargs["model"] = where
    ? relationFromSql(`(select * from ${base} where ${where}) dbt_subquery`)
    : relationFromSql(base);
  if (column !== null) kwargs["column_name"] = column;
  const scope: RenderScope = {
    ref: (name) => relationOf(`model.${name}`),
    source: (s, t) => relationOf(`source.${s}.${t}`),
    config: () => undefined,
    var: (name, fallback) => lookUpVar(project.vars, name, fallback),
    envVar: (name, fallback) => lookUpEnvVar(project.env, name, fallback, project.secrets.secretEnvNames()),
    isIncremental: false,
    self: base,
    target: targetContext(project, connection, connection),
  };
  try {
    const sql = String(env.callMacro(macro.name, [kwargs], scope, macro.pkg))
      .trim()
      .replace(/;\s*$/, "");
    if (sql === "")
      return { error: `${macro.name} rendered no SQL`, hint: "the test block must select the failing rows" };
    return { sql, dependsOn };
  } catch (e) {
    return {
      error: (e as Error).message
        .replace(/^\(.*?\)\s*/s, "")
        .replace(/\s+/g, " ")
        .replace(/^Error: /, ""),
      hint: `check the {% test %} block of ${env.macros.get(macro.name) ?? macro.name}`,
    };
  }
}
