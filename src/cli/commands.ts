// The sub-commands: each parses its flags, does its work through the library, and sets the exit code.
// What opens engines (DuckDB's native module, drivers, the runner) loads inside the commands that
// need it, so `compile`, `ls` and `check` start without it.
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { checkResourceType, checkRestate, manifestDag, selectNodes } from "../graph/selector.js";
import { expandPartitions } from "../planner/restate.js";
import type { Command as RunCommandName } from "../runner/run.js";
import { newRunId } from "../runner/run-id.js";
import {
  addCommonOptions,
  addSelectionOptions,
  compileProjectCached,
  loadFromOptions,
  nonNegative,
  parseVars,
  stateFor,
  UsageError,
  type CommonOptions,
} from "./options.js";
import { INIT_FILES } from "./init-files.js";
import { emitEvent, selectorWarning } from "./log-events.js";
import { folderProblem } from "../project/paths.js";
import type { Project } from "../project/load.js";
import { registerLedgerCommands } from "./ledger-command.js";
import { runCancellable } from "./cancellable.js";
import { registerCheckCommand } from "./check-command.js";
import { registerDocsCommands } from "./docs-command.js";
import { describeEndpoint, registerDebugCommand } from "./debug-command.js";
import { registerSchemaCommand } from "./schema-command.js";
import { registerDepsCommand } from "./deps-command.js";

interface SelectionOptions extends CommonOptions {
  select?: string[];
  exclude?: string[];
  state?: string;
}

export function registerCommands(program: Command, setExit: (code: number) => void): void {
  addCommonOptions(
    program.command("compile").description("compile every model to target/ without opening any connection"),
  ).action(async (o: CommonOptions) => {
    const { compileCommand } = await import("./compile-command.js");
    await compileCommand(o);
  });

  addSelectionOptions(addCommonOptions(program.command("ls").description("list the selected nodes")))
    .option("--output <format>", "name, path, id or json", "name")
    .option("--resource-type <kind...>", "only these kinds: model, seed, test, source")
    .action(async (o: SelectionOptions & { output: string; resourceType?: string[] }) => {
      for (const kind of o.resourceType ?? []) checkResourceType(kind, "--resource-type");
      const project = await loadFromOptions(o, true);
      const { manifest } = await compileProjectCached(project);
      const dag = manifestDag(manifest);
      const ctx = { manifest, dag, state: stateFor(manifest, o.state) };
      const selected = selectNodes(ctx, o.select?.length ? o.select : ["*"], o.exclude, {
        includeSources: true,
        warn: selectorWarning(o.logFormat),
      });
      const nodes = dag
        .topologicalOrder()
        .filter((id) => selected.has(id))
        .map((id) => manifest.nodes[id]!)
        .filter((n) => !o.resourceType || o.resourceType.includes(n.kind));
      for (const n of nodes) {
        if (o.output === "json")
          process.stdout.write(
            `${JSON.stringify({ id: n.id, kind: n.kind, name: n.name, path: n.location.path, tags: n.tags })}\n`,
          );
        else if (o.output === "path") process.stdout.write(`${n.location.path}\n`);
        else if (o.output === "id") process.stdout.write(`${n.id}\n`);
        else if (o.output === "name")
          process.stdout.write(`${n.kind === "source" ? `source:${n.name}` : n.name}\n`);
        else throw new UsageError(`--output must be name, path, id or json, got '${o.output}'`);
      }
    });

  const runLike = (name: RunCommandName, description: string, writes: boolean) => {
    let cmd = addSelectionOptions(addCommonOptions(program.command(name).description(description)))
      .option("--threads <n>", "steps run at once (default: the target's threads)", (v) =>
        positiveInt(v, "--threads"),
      )
      .option(
        "--lock-timeout <seconds>",
        "wait this long for another build holding the run lock (default: refuse at once)",
        (v) => nonNegative(v, "--lock-timeout"),
      );
    if (writes) {
      cmd = cmd
        .option("--full-refresh", "rebuild incremental models from scratch and reset their watermarks")
        .option(
          "--restate <model>",
          "replay chosen partitions of a partitioned model, and cascade downstream",
        )
        .option("--partitions <spec>", "partitions for --restate: 202101..202106 (months), 1..9, or a,b,c")
        .option(
          "--openlineage <file|url>",
          "send OpenLineage START/COMPLETE/FAIL events per model to a JSON-lines file or an http(s) endpoint",
        );
    }
    cmd.action(
      async (
        o: SelectionOptions & {
          threads?: number;
          fullRefresh?: boolean;
          restate?: string;
          partitions?: string;
          lockTimeout?: number;
          openlineage?: string;
        },
      ) => {
        const project = await loadFromOptions(o, true);
        const lineageProblem =
          o.openlineage && !/^https?:\/\//.test(o.openlineage)
            ? folderProblem(project.dir, o.openlineage, "--openlineage")
            : null;
        if (lineageProblem) throw new UsageError(lineageProblem);
        const { runCommand } = await import("../runner/run.js");
        const { createReporter } = await import("../runner/reporter.js");
        const { Cancellation, cancelOnSignals, SIGNAL_EXIT } = await import("../runner/cancellation.js");
        const reporter = createReporter(o.logFormat, (s) => project.secrets.redact(s));
        const cancellation = new Cancellation();
        const restoreSignals = cancelOnSignals(cancellation, (m) => process.stderr.write(`${m}\n`));
        try {
          const run = await runCommand(project, {
            command: name,
            select: o.select,
            exclude: o.exclude,
            stateDir: o.state,
            fullRefresh: o.fullRefresh,
            threads: o.threads,
            restate: restateOption(o),
            lockWaitMs: (o.lockTimeout ?? 0) * 1000,
            openLineage: o.openlineage,
            cancellation,
            reporter,
            startedAtMs: performance.timeOrigin,
          });
          setExit(cancellation.by ? SIGNAL_EXIT[cancellation.by] : run.success ? 0 : 1);
        } finally {
          restoreSignals();
        }
      },
    );
  };
  runLike("build", "load seeds, build models and run their tests, in graph order", true);
  runLike("run", "build models only", true);
  runLike("test", "run data tests only", false);
  runLike("seed", "load the CSV seeds", false);
  runLike("snapshot", "take a dbt project's snapshots: a new version of each row that changed", false);

  addSelectionOptions(
    addCommonOptions(program.command("plan").description("show the steps a build would take, and why")),
  )
    .option("--full-refresh", "plan a rebuild from scratch")
    .option("--restate <model>", "plan replaying chosen partitions of a model")
    .option("--partitions <spec>", "partitions for --restate")
    .option("--lock-timeout <seconds>", "wait this long for a running build", (v) =>
      nonNegative(v, "--lock-timeout"),
    )
    .option("--json", "print the steps as JSON")
    .action(
      async (
        o: SelectionOptions & {
          fullRefresh?: boolean;
          restate?: string;
          partitions?: string;
          json?: boolean;
          lockTimeout?: number;
        },
      ) => {
        const project = await loadFromOptions(o, true);
        const { manifest } = await compileProjectCached(project);
        const restate = restateOption(o);
        if (restate) checkRestate(manifest, restate.model);
        const selected = selectNodes(
          { manifest, dag: manifestDag(manifest), state: stateFor(manifest, o.state) },
          o.select,
          o.exclude,
          { warn: selectorWarning(o.logFormat) },
        );
        const { openPlanWorkspace, readWhileNoBuild, UnreachableConnectionError } = await import(
          "../runner/plan-workspace.js"
        );
        const { planOptionsFor } = await import("../runner/run.js");
        const { formatPlan, planBuild } = await import("../planner/plan.js");
        const cancelled = await runCancellable(
          () => "plan stopped; nothing was printed or written",
          async (cancellation) => {
            const lockWaitMs = (o.lockTimeout ?? 0) * 1000;
            const plan = await readWhileNoBuild(project, "plan", { lockWaitMs, cancellation }, async () => {
              const workspace = await openPlanWorkspace(project, { runId: newRunId(), cancellation });
              try {
                return await planBuild(
                  manifest,
                  selected,
                  workspace.connections,
                  workspace.ledger,
                  planOptionsFor("build", { fullRefresh: o.fullRefresh, restate }),
                );
              } catch (e) {
                if (e instanceof UnreachableConnectionError) throw unreachableForPlan(project, e);
                throw e;
              } finally {
                await workspace.close();
              }
            });
            // A plan finished as the signal came is not printed: the user asked it to stop.
            cancellation.signal.throwIfAborted();
            if (o.json) process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
            else process.stdout.write(formatPlan(plan));
          },
        );
        if (cancelled !== null) setExit(cancelled);
      },
    );

  addCommonOptions(
    program.command("run-operation").description("run the SQL a macro renders on one connection"),
  )
    .argument("<macro>", "name of a macro in macros/")
    .requiredOption("-c, --connection <name>", "connection the SQL runs on")
    .option("--args <yaml>", "keyword arguments as a YAML or JSON map, e.g. '{seed: 2}'")
    .option("--lock-timeout <seconds>", "wait this long for a running build (default: refuse at once)", (v) =>
      nonNegative(v, "--lock-timeout"),
    )
    .action(
      async (
        macro: string,
        o: CommonOptions & { connection: string; args?: string; lockTimeout?: number },
      ) => {
        const project = await loadFromOptions(o);
        const args = parseVars(o.args, "--args");
        const { runOperation } = await import("../runner/operation.js");
        let total = 0;
        let done = 0;
        const statements = (n: number) => `${n} statement${n === 1 ? "" : "s"}`;
        const say = (message: string) =>
          o.logFormat === "json" ? emitEvent("info", { message }) : process.stdout.write(`${message}\n`);
        const cancelled = await runCancellable(
          () =>
            `run-operation ${macro} stopped after ${done} of ` +
            `${statements(total)} on ${o.connection}; the lock was released`,
          async (cancellation) => {
            const count = await runOperation(project, macro, args, o.connection, {
              runId: newRunId(),
              lockWaitMs: (o.lockTimeout ?? 0) * 1000,
              cancellation,
              starting: (n) => {
                total = n;
                say(`Running ${macro} on ${o.connection}: ${statements(n)}`);
              },
              ran: (n) => (done = n),
            });
            say(`Ran ${macro} on ${o.connection}: ${statements(count)}`);
          },
        );
        if (cancelled !== null) setExit(cancelled);
      },
    );

  addSelectionOptions(
    addCommonOptions(
      program
        .command("source")
        .description("commands on a project's sources")
        .command("freshness")
        .description(
          "check each source's newest loaded_at_field against its freshness warn_after / error_after",
        ),
    ),
  ).action(async (o: SelectionOptions) => {
    const project = await loadFromOptions(o);
    const { sourceFreshness } = await import("../runner/freshness.js");
    const result = await sourceFreshness(project, {
      select: o.select,
      exclude: o.exclude,
      write: (line) => process.stdout.write(`${project.secrets.redact(line)}\n`),
    });
    setExit(result.success ? 0 : 1);
  });

  registerLedgerCommands(program, setExit);
  registerCheckCommand(program, setExit);

  addCommonOptions(program.command("clean").description("delete the target/ folder")).action(
    async (o: CommonOptions) => {
      const project = await loadFromOptions(o);
      const dir = join(project.dir, project.config.target_path);
      rmSync(dir, { recursive: true, force: true });
      process.stdout.write(`Removed ${project.config.target_path}/\n`);
    },
  );

  program
    .command("init")
    .description("scaffold a new project with an embedded DuckDB target")
    .argument("[dir]", "folder for the new project", ".")
    .option("--name <name>", "project name (default: the folder name)")
    .action((dir: string, o: { name?: string }) => {
      const root = resolve(dir);
      if (existsSync(join(root, "project.yml")))
        throw new UsageError(`${join(dir, "project.yml")} already exists; init makes new projects only`);
      const name = (o.name ?? root.split(/[\\/]/).pop() ?? "my_project")
        .replace(/[^A-Za-z0-9_]/g, "_")
        .replace(/^(\d)/, "_$1");
      for (const [path, text] of Object.entries(INIT_FILES)) {
        const file = join(root, path);
        mkdirSync(join(file, ".."), { recursive: true });
        writeFileSync(file, text.replace(/\{\{PROJECT_NAME\}\}/g, name));
      }
      process.stdout.write(`Created project '${name}' in ${dir}. Next: cd ${dir} && sluice build\n`);
    });

  registerDocsCommands(program, setExit);
  registerSchemaCommand(program);
  registerDepsCommand(program);
  registerDebugCommand(program, setExit);
}

/**
 * One line that says which connection, where it points and what to do: a plan needs the facts of
 * every engine its steps read, so it stops rather than print a plan the build would not follow.
 */
function unreachableForPlan(project: Project, e: { connection: string; reason: string }): Error {
  const config = project.target.connections[e.connection];
  const where = config ? ` (${config.type}: ${describeEndpoint(config)})` : "";
  return new Error(
    `plan needs connection '${e.connection}' of target '` +
      `${project.targetName}'${where}, which cannot be reached: ${e.reason}; ` +
      `nothing was planned or written. Check its host and port in ` +
      `profiles.yml and that the server is up and reachable from here ` +
      `(sluice debug --target ${project.targetName} tries every ` +
      `connection); compile, ls and check need no connection`,
  );
}

function restateOption(o: {
  restate?: string;
  partitions?: string;
}): { model: string; partitions: (string | null)[][] } | undefined {
  if (!o.restate && !o.partitions) return undefined;
  if (!o.restate || !o.partitions) throw new UsageError("--restate MODEL and --partitions SPEC go together");
  try {
    return { model: o.restate, partitions: expandPartitions(o.partitions) };
  } catch (e) {
    throw new UsageError(`--partitions ${o.partitions}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag} must be a positive whole number, got '${value}'`);
  return n;
}
