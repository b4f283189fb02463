// `sluice debug`: what a person needs to diagnose a target: each connection's endpoint (host,
// port, database, user; secrets shown as ****) and whether it opens, with the engine's version.
import type { Command } from "commander";
import { describeEndpoint } from "../project/endpoint.js";
import { newRunId } from "../runner/run-id.js";
import { emitEvent } from "./log-events.js";
import { addCommonOptions, loadFromOptions, type CommonOptions } from "./options.js";

export { describeEndpoint };

export function registerDebugCommand(program: Command, setExit: (code: number) => void): void {
  const command = program
    .command("debug")
    .description("check each connection of the target and print engine versions");
  addCommonOptions(command).action(async (o: CommonOptions) => {
    const project = await loadFromOptions(o);
    const json = o.logFormat === "json";
    const say = (text: string, event: string, fields: Record<string, unknown>) =>
      json
        ? emitEvent(event, fields)
        : process.stdout.write(`${text}
`);
    say(
      `project ${project.config.name} at ${project.dir}
target ${project.targetName}`,
      "info",
      {
        project: project.config.name,
        target: project.targetName,
      },
    );
    // A running build has the target's DuckDB files open; a second process opening them fails or
    // worse, so debug leaves them alone then and checks the servers.
    const { statePaths } = await import("../runner/workspace.js");
    const { RunLock } = await import("../ledger/run-lock.js");
    const holder = RunLock.holder(statePaths(project).lock);
    const held = holder
      ? `${holder.command} run ${holder.runId}, pid ${holder.pid}` +
        ` on ${holder.host}, started ${holder.startedAt}`
      : null;
    if (held)
      say(
        `a build holds the run lock (${held}): its DuckDB ` +
          `files are not opened; checking the other connections`,
        "info",
        { lock: held },
      );
    const { checkConnections } = await import("../runner/connection-check.js");
    const checks = await checkConnections(
      project,
      newRunId(),
      held ? { types: ["duckdb"], why: "in use by the running build, not opened" } : undefined,
    );
    for (const c of checks) {
      const config = project.target.connections[c.name];
      const where = config ? describeEndpoint(config) : "";
      const at = where ? ` (${where})` : "";
      const head = `  ${c.name} (${c.type})`;
      const text =
        c.ok === true
          ? `${head}: OK, ${c.version}${at}`
          : c.ok === false
            ? `${head}: FAILED${at}, ${c.error}`
            : `${head}: ${c.skipped}${at}`;
      say(text, "connection", { ...c, endpoint: where });
    }
    setExit(checks.some((c) => c.ok === false) ? 1 : 0);
  });
}
