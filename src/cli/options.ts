// Options every command shares, and turning them into a loaded project.
import { resolve } from "node:path";
import { parse as parseYamlText } from "yaml";
import type { Command } from "commander";
import type * as Compiler from "../compiler/compile.js";
import type { Project } from "../project/load.js";
import type { LogFormat } from "../runner/reporter.js";
import { redactProcessOutput } from "./redacted-output.js";

export interface CommonOptions {
  projectDir: string;
  profilesDir?: string;
  target?: string;
  vars?: string;
  logFormat: LogFormat;
}

export class UsageError extends Error {}

export function addCommonOptions(command: Command): Command {
  return command
    .option("--project-dir <dir>", "folder holding project.yml", ".")
    .option(
      "--profiles-dir <dir>",
      "folder holding profiles.yml (default: the project folder, or $SLUICE_PROFILES_DIR)",
    )
    .option("-t, --target <name>", "target of profiles.yml to use (default: its default_target)")
    .option("--vars <yaml>", "YAML or JSON map overriding project vars, e.g. '{rows: 1000}'")
    .option("--log-format <format>", "text or json", "text");
}

export function addSelectionOptions(command: Command): Command {
  return command
    .option(
      "-s, --select <selectors...>",
      "nodes to include: name, +name, name+, @name, tag:x, path:x, config.materialized:x",
    )
    .option("--exclude <selectors...>", "nodes to leave out, same syntax as --select")
    .option("--selector <name>", "a selector of the project's selectors.yml, instead of --select")
    .option(
      "--state <dir>",
      "folder of a previous manifest.json, for state:new and state:modified selectors",
    );
}

export function parseVars(text: string | undefined, flag = "--vars"): Record<string, unknown> {
  if (!text) return {};
  let value: unknown;
  try {
    value = parseYamlText(text);
  } catch (e) {
    const reason = (e instanceof Error ? e.message : String(e)).split("\n")[0];
    throw new UsageError(`${flag} is not valid YAML (${reason}); pass a map such as '{rows: 1000}'`);
  }
  if (!value || typeof value !== "object" || Array.isArray(value))
    throw new UsageError(`${flag} must be a YAML or JSON map, got: ${text}`);
  return value as Record<string, unknown>;
}

/**
 * The project the options name. `compiles` (for commands that compile before anything else) keeps
 * load errors for the compile to report with its own; otherwise they are thrown here.
 */
export async function loadFromOptions(options: CommonOptions, compiles = false): Promise<Project> {
  checkLogFormat(options);
  // Imported here, not at start-up: the schemas it builds are most of what a start would evaluate.
  const { loadProject } = await import("../project/load.js");
  const project = loadProject({
    projectDir: resolve(options.projectDir),
    profilesDir: options.profilesDir ? resolve(options.profilesDir) : undefined,
    target: options.target,
    vars: parseVars(options.vars),
    deferErrors: compiles,
  });
  redactProcessOutput(project.secrets);
  return project;
}

export function checkLogFormat(options: CommonOptions): void {
  if (options.logFormat !== "text" && options.logFormat !== "json")
    throw new UsageError(`--log-format must be text or json, got '${String(options.logFormat)}'`);
}

/** The CLI's compile (compiler/compile.ts), imported on first use for the same reason. */
export async function compileProjectCached(
  ...args: Parameters<typeof Compiler.compileProjectCached>
): ReturnType<typeof Compiler.compileProjectCached> {
  const compiler = await import("../compiler/compile.js");
  return compiler.compileProjectCached(...args);
}

/** A `--lock-timeout`-like option: a number of seconds, zero or more. */
export function nonNegative(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new UsageError(`${flag} must be a number of seconds, got '${value}'`);
  return n;
}

export { stateFor } from "../manifest/state.js";
