// `sluice debug`: what a person needs to diagnose a target: each connection's endpoint (host,
// port, database, user; secrets shown as ****) and whether it opens, with the engine's version.
import type { Command } from "commander";
import type { ConnectionConfig } from "../project/connection-schema.js";
import { newRunId } from "../runner/run-id.js";
import { addCommonOptions, loadFromOptions, type CommonOptions } from "./options.js";

/** The parts of a connection that say where it points; credentials are left out. */
export function describeEndpoint(config: ConnectionConfig): string {
  const parts: [string, unknown][] =
    config.type === "duckdb"
      ? [["path", config.path], ["lake_root", config.lake_root]]
      : [["host", config.host], ["port", config.port], ["database", config.database], ["user", config.user]];
  if (config.type === "hive") parts.push(["transport", config.transport], ["auth", config.auth]);
  return parts.filter(([, v]) => v !== undefined && v !== "").map(([k, v]) => `${k}=${String(v)}`).join(", ");
}

export function registerDebugCommand(program: Command, setExit: (code: number) => void): void {
  addCommonOptions(program.command("debug").description("check each connection of the target and print engine versions")).action(async (o: CommonOptions) => {
    const project = loadFromOptions(o);
    process.stdout.write(`project ${project.config.name} at ${project.dir}\ntarget ${project.targetName}\n`);
    const { openConnections } = await import("../adapters/index.js");
    const connections = await openConnections(project.target, project.dir, newRunId());
    let failed = 0;
    try {
      for (const adapter of connections.all()) {
        const where = describeEndpoint(project.target.connections[adapter.connectionName]!);
        const head = `  ${adapter.connectionName} (${adapter.type})`;
        try {
          const version = await connections.withSession(adapter.connectionName, (session) => adapter.version(session));
          process.stdout.write(`${head}: OK, ${version}${where ? ` (${where})` : ""}\n`);
        } catch (e) {
          failed += 1;
          const message = project.secrets.redact(e instanceof Error ? e.message : String(e));
          process.stdout.write(`${head}: FAILED${where ? ` (${where})` : ""}, ${message}\n`);
        }
      }
    } finally {
      await connections.close();
    }
    setExit(failed === 0 ? 0 : 1);
  });
}
