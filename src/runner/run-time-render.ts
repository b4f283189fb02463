// Renders a model that asks the database while rendering (ModelNode.introspects) against its
// compute connection, just before it runs: the answers come from one session there. The SQL it
// gives is written under target/run/ (compiledPath), as dbt writes what a run ran.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Connections } from "../adapters/index.js";
import type { RunTimeRenderer } from "../compiler/dbt-run-render.js";
import type { ModelNode } from "../manifest/types.js";
import { compiledPath } from "./engine-error.js";

/** A model's run-time render failed: its message already names the file (and query) to look at. */
export class RunTimeRenderError extends Error {}

/** The model with the SQL of its run-time render; written to target/run/ before it runs. */
export async function renderAtRunTime(
  renderer: RunTimeRenderer,
  connections: Connections,
  model: ModelNode,
  project: { dir: string; targetPath: string },
): Promise<ModelNode> {
  const rendered = await connections
    .withSession(model.config.compute, (session, adapter) => {
      const introspector = adapter.introspector(session);
      return renderer.render(model, {
        query: (sql) => session.query(sql),
        columns: async (relation) =>
          (await introspector.columns(relation)).map((c) => ({ name: c.name, nativeType: c.nativeType })),
        relationKind: (relation) => introspector.relationKind(relation),
      });
    })
    .catch((e: unknown) => {
      throw new RunTimeRenderError(e instanceof Error ? e.message : String(e));
    });
  const write = (incremental: boolean, sql: string) => {
    const path = join(project.dir, compiledPath(project.targetPath, rendered, incremental));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${sql}\n`);
  };
  write(false, rendered.compiledSql);
  if (rendered.compiledIncrementalSql !== null) write(true, rendered.compiledIncrementalSql);
  return rendered;
}
