// The `target` a template sees: sluice's keys (name, connection, compute, type) and dbt's (schema,
// database, profile_name, target_name, threads), so dbt macros that branch on target read the same.
import type { Project } from "../project/load.js";
import { defaultPlacement } from "./relations.js";

export function targetContext(
  project: Project,
  connection: string,
  compute: string,
): Record<string, unknown> {
  const config = project.target.connections[compute]!;
  const placement = defaultPlacement(compute, config);
  return {
    name: project.targetName,
    target_name: project.targetName,
    profile_name: project.dbt?.profile ?? project.config.name,
    connection,
    compute,
    type: config.type,
    schema: placement.schema,
    database: placement.database ?? (config.type === "sqlserver" ? config.database : placement.schema),
    threads: project.target.threads,
  };
}
