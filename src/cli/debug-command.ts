// `sluice debug`: what a person needs to diagnose a target: each connection's endpoint (host,
// port, database, user; secrets shown as ****) and whether it opens, with the engine's version.
import { existsSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
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

/**
 * Who holds the run lock, read from the lock file without taking it: null when there is no lock
 * file or its holder is a dead process on this host. A file that cannot be read counts as held.
 */
export function lockHolder(path: string): string | null {
  if (!existsSync(path)) return null;
  let holder: { host?: unknown; pid?: unknown; command?: unknown; runId?: unknown; startedAt?: unknown };
  try {
    holder = JSON.parse(readFileSync(path, "utf8")) as typeof holder;
  } catch {
    return `${path} exists but cannot be read`;
  }
  if (holder.host === hostname() && typeof holder.pid === "number" && !alive(holder.pid)) return null;
  return `${String(holder.command ?? "a run")} run ${String(holder.runId ?? "?")}, pid ${String(holder.pid ?? "?")} on ${String(holder.host ?? "?")}, started ${String(holder.startedAt ?? "?")}`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function registerDebugCommand(program: Command, setExit: (code: number) => void): void {
  addCommonOptions(program.command("debug").description("check each connection of the target and print engine versions")).action(async (o: CommonOptions) => {
    const project = loadFromOptions(o);
    process.stdout.write(`project ${project.config.name} at ${project.dir}\ntarget ${project.targetName}\n`);
    // A running build has the target's DuckDB files open; a second process opening them fails or
    // worse, so debug leaves them alone then and checks the servers.
    const { statePaths } = await import("../runner/workspace.js");
    const held = lockHolder(statePaths(project).lock);
    if (held) process.stdout.write(`a build holds the run lock (${held}): its DuckDB files are not opened; checking the other connections\n`);
    const { openConnections } = await import("../adapters/index.js");
    let connections;
    try {
      connections = await openConnections(project.target, project.dir, newRunId());
    } catch (e) {
      process.stdout.write(`  FAILED, ${project.secrets.redact(e instanceof Error ? e.message : String(e))}\n`);
      setExit(1);
      return;
    }
    let failed = 0;
    try {
      for (const adapter of connections.all()) {
        const where = describeEndpoint(project.target.connections[adapter.connectionName]!);
        const head = `  ${adapter.connectionName} (${adapter.type})`;
        if (held && adapter.type === "duckdb") {
          process.stdout.write(`${head}: in use by the running build, not opened${where ? ` (${where})` : ""}\n`);
          continue;
        }
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
