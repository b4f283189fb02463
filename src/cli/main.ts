// The sluice command line: one sub-command per verb, shared options, and exit codes
// (0 all good, 1 a model or test failed, 2 the project did not compile or the command was misused,
// 3 another run holds the run lock, or this run lost it).
import { Command, CommanderError } from "commander";
import { SelectorError } from "../graph/selector.js";
import { BuildDuringReadError, LockHeldError, LockLostError } from "../ledger/run-lock.js";
import { StateError } from "../manifest/state.js";
import { ProjectError, formatDiagnostic } from "../project/diagnostics.js";
import { SLUICE_VERSION } from "../version.js";
import { colours } from "../runner/colours.js";
import { registerCommands } from "./commands.js";
import { emitEvent, errorEvents, logFormatOf, needsFinish } from "./log-events.js";
import { UsageError } from "./options.js";

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
/** Distinct from a failure, so a scheduler can retry later instead of paging someone. */
export const EXIT_LOCKED = 3;

export async function main(argv: string[]): Promise<number> {
  ignoreClosedPipes();
  const program = new Command("sluice")
    .description("Declarative SQL-model builds across engines: SQL Server, Hive/Spark and DuckDB")
    .version(SLUICE_VERSION)
    .exitOverride()
    .showHelpAfterError();
  let exitCode = EXIT_OK;
  registerCommands(program, (code) => {
    exitCode = code;
  });
  const json = logFormatOf(argv) === "json";
  let failed = false;
  try {
    await program.parseAsync(argv);
  } catch (e) {
    failed = true;
    exitCode = reportError(e);
    if (json) for (const { event, fields } of errorEvents(e)) emitEvent(event, fields);
  }
  if (json && needsFinish(argv, failed))
    emitEvent("finish", { ok: exitCode === EXIT_OK, exit_code: exitCode });
  return exitCode;
}

/**
 * `sluice build | head -1`: once the reader has gone, output is dropped instead of crashing the
 * process with an EPIPE stack trace; the command runs to its end and exits with its own code.
 */
function ignoreClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code !== "EPIPE" && e.code !== "ERR_STREAM_DESTROYED") throw e;
    });
  }
}

function reportError(e: unknown): number {
  const pc = colours(process.stderr);
  if (e instanceof CommanderError) {
    // Commander already printed help or the usage message.
    return e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  if (e instanceof ProjectError) {
    for (const d of e.diagnostics) process.stderr.write(`${pc.red(formatDiagnostic(d))}\n`);
    process.stderr.write(
      `${e.diagnostics.length} error${e.diagnostics.length === 1 ? "" : "s"}; nothing was run or written.\n`,
    );
    return EXIT_USAGE;
  }
  if (e instanceof UsageError || e instanceof SelectorError || e instanceof StateError) {
    process.stderr.write(`${pc.red(`error: ${e.message}`)}\n`);
    return EXIT_USAGE;
  }
  if (e instanceof LockHeldError || e instanceof LockLostError || e instanceof BuildDuringReadError) {
    process.stderr.write(`${pc.red(`error: ${e.message}`)}\n`);
    return EXIT_LOCKED;
  }
  process.stderr.write(`${pc.red(`error: ${e instanceof Error ? e.message : String(e)}`)}\n`);
  return EXIT_FAILED;
}
