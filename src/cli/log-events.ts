// `--log-format json` outside a run's progress: errors of every kind (load, compile, usage,
// connection) as JSON events on stdout, and the `finish` event every command ends with.
import { CommanderError } from "commander";
import { SelectorError } from "../graph/selector.js";
import { StateError } from "../manifest/state.js";
import { ProjectError, type Diagnostic } from "../project/diagnostics.js";
import { UsageError } from "./options.js";

/** Commands whose run reporter writes the `finish` event itself when they complete. */
const REPORTED = new Set(["build", "run", "test", "seed", "snapshot"]);

/** The log format the command line asks for; read before commander parses, so parse errors honour it too. */
export function logFormatOf(argv: string[]): "text" | "json" {
  for (const [i, arg] of argv.entries()) {
    if (arg === "--log-format" && argv[i + 1] === "json") return "json";
    if (arg === "--log-format=json") return "json";
  }
  return "text";
}

/** The sub-command named on the command line (its first word that is not an option). */
export function commandOf(argv: string[]): string | undefined {
  return argv.slice(2).find((a) => !a.startsWith("-"));
}

/** Writes one JSON event line. */
export function emitEvent(
  event: string,
  fields: Record<string, unknown>,
  out: { write(s: string): unknown } = process.stdout,
): void {
  out.write(`${JSON.stringify({ ts: new Date().toISOString(), event, ...fields })}\n`);
}

export function diagnosticEvent(d: Diagnostic): Record<string, unknown> {
  const { severity, file, line, column, message } = d;
  return { severity, file, line, column, message, hint: d.hint ?? null };
}

/** The events an error becomes: one per diagnostic of a project error, else one with its kind. */
export function errorEvents(e: unknown): { event: string; fields: Record<string, unknown> }[] {
  if (e instanceof ProjectError) {
    return e.diagnostics.map((d) => ({
      event: d.severity === "error" ? "error" : "warning",
      fields: { kind: "project", ...diagnosticEvent(d) },
    }));
  }
  const usage = [CommanderError, UsageError, SelectorError, StateError].some((type) => e instanceof type);
  const kind = usage ? "usage" : "runtime";
  return [{ event: "error", fields: { kind, message: e instanceof Error ? e.message : String(e) } }];
}

/** Whether main must write the `finish` event: always, except after a run whose reporter wrote it. */
export function needsFinish(argv: string[], failed: boolean): boolean {
  const command = commandOf(argv);
  return failed || command === undefined || !REPORTED.has(command);
}

/** Where a command outside a run says that a selector matched nothing: stderr, or a JSON event. */
export function selectorWarning(format: "text" | "json"): (message: string) => void {
  return (message) => {
    if (format === "json") emitEvent("warning", { kind: "selector", message });
    else process.stderr.write(`warning: ${message}\n`);
  };
}
