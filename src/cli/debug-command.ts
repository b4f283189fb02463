// `sluice debug`: what a person needs to diagnose a target: each connection's endpoint (host,
// port, database, user; secrets shown as ****) and whether it opens, with the engine's version.
import type { Command } from "commander";
import type { ConnectionConfig } from "../project/connection-schema.js";
import { newRunId } from "../runner/run-id.js";
import { emitEvent } from "./log-events.js";
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
  const command = program.command("debug").description("check each connection of the target and print engine versions");
  addCommonOptions(command).action(async (o: CommonOptions) => {
    const project = loadFromOptions(o);
    const json = o.logFormat === "json";
    const say = (text: string, event: string, fields: Record<string, unknown>) =>
      json ? emitEvent(event, fields) : process.stdout.write(`${text}\n`);
    say(`project ${project.config.name} at ${project.dir}\ntarget ${project.targetName}`, "info", {
      project: project.config.name,
      target: project.targetName,
    });
    const { checkConnections } = await import("../runner/connection-check.js");
    const checks = await checkConnections(project, newRunId());
    for (const c of checks) {
      const where = describeEndpoint(project.target.connections[c.name]!);
      const at = where ? ` (${where})` : "";
      const text = c.ok ? `  ${c.name} (${c.type}): OK, ${c.version}${at}` : `  ${c.name} (${c.type}): FAILED${at}, ${c.error}`;
      say(text, "connection", { ...c, endpoint: where });
    }
    setExit(checks.every((c) => c.ok) ? 0 : 1);
  });
}
