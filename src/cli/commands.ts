// The sub-commands: each parses its flags, does its work through the library, and sets the exit code.
// What opens engines (DuckDB's native module, drivers, the runner) loads inside the commands that
// need it, so `compile`, `ls` and `check` start without it.
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { readYamlSelectors } from "../graph/selectors-file.js";
import { type WarnErrorPolicy, WarnErrorOptionsError, warnErrorPolicy } from "../runner/warn-error.js";
import { checkResourceType, checkRestate, manifestDag, selectNodes } from "../graph/selector.js";
import type { Plan } from "../planner/plan.js";
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
import type { PlanWorkspace } from "../runner/plan-workspace.js";
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
  selector?: string;
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
      // With nothing changed since `sluice compile`, its manifest is read instead of loading again.
      const { unchangedManifest } = await import("./compile-command.js");
      const manifest =
        (await unchangedManifest(o)) ?? (await compileProjectCached(await loadFromOptions(o, true))).manifest;
      const dag = manifestDag(manifest);
      const ctx = {
        manifest,
        dag,
        state: stateFor(manifest, o.state),
        selectors: readYamlSelectors(resolve(o.projectDir)),
      };
      const named = o.selector !== undefined || ctx.selectors.some((s) => s.default);
      const selected = selectNodes(ctx, o.select?.length || named ? o.select : ["*"], o.exclude, {
        ...(o.selector ? { selector: o.selector } : {}),
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
      )
      .option(
        "--warn-error",
        "treat warnings as errors: a test past its warn_if fails (also $DBT_WARN_ERROR)",
      )
      .option(
        "--warn-error-options <yaml>",
        "dbt's map of warnings made errors, e.g. '{error: all, warn: [NoNodesForSelectionCriteria]}'",
      );
    if (name === "build" || name === "test")
      cmd = cmd.option(
        "--store-failures",
        "dbt projects on DuckDB: keep every test's failing rows in the audit schema " +
          "(but where a test sets store_failures)",
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
          warnError?: boolean;
          warnErrorOptions?: string;
          storeFailures?: boolean;
        },
      ) => {
        const project = await loadFromOptions(o, true);
        if (o.storeFailures && !project.dbt)
          throw new UsageError("--store-failures is for dbt projects; a sluice test keeps no failing rows");
        const warnError = warnErrorFromOptions(o, project);
        const lineageProblem =
          o.openlineage && !/^https?:\/\//.test(o.openlineage)
            ? folderProblem(project.dir, o.openlineage, "--openlineage")
            : null;
        if (lineageProblem) throw new UsageError(lineageProblem);
        const { exitCodeOf, runCommand } = await import("../runner/run.js");
        const { createReporter } = await import("../runner/reporter.js");
        const { Cancellation, cancelOnSignals } = await import("../runner/cancellation.js");
        const reporter = createReporter(o.logFormat, (s) => project.secrets.redact(s));
        const cancellation = new Cancellation();
        const restoreSignals = cancelOnSignals(cancellation, (m) => process.stderr.write(`${m}\n`));
        try {
          const run = await runCommand(project, {
            command: name,
            select: o.select,
            exclude: o.exclude,
            ...(o.selector ? { selector: o.selector } : {}),
            warnError,
            ...(o.storeFailures ? { storeFailures: true } : {}),
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
          setExit(exitCodeOf(run));
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
          {
            manifest,
            dag: manifestDag(manifest),
            state: stateFor(manifest, o.state),
            selectors: readYamlSelectors(project.dir),
          },
          o.select,
          o.exclude,
          { warn: selectorWarning(o.logFormat), ...(o.selector ? { selector: o.selector } : {}) },
        );
        const { openPlanWorkspace, readWhileNoBuild } = await import("../runner/plan-workspace.js");
        const { planOptionsFor } = await import("../runner/run.js");
        const { formatPlan, planBuild } = await import("../planner/plan.js");
        const cancelled = await runCancellable(
          () => "plan stopped; nothing was printed or written",
          async (cancellation) => {
            const lockWaitMs = (o.lockTimeout ?? 0) * 1000;
            const plan = await readWhileNoBuild(project, "plan", { lockWaitMs, cancellation }, async () => {
              const workspace = await openPlanWorkspace(project, { runId: newRunId(), cancellation });
              try {
                const plan = await planBuild(manifest, selected, workspace.connections, workspace.ledger, {
                  ...planOptionsFor("build", { fullRefresh: o.fullRefresh, restate }),
                  offline: true,
                });
                const names = Object.keys(project.target.connections);
                return plan.unreachable ? withEveryUnreachable(plan, names, workspace.connections) : plan;
              } finally {
                await workspace.close();
              }
            });
            // A plan finished as the signal came is not printed: the user asked it to stop.
            cancellation.signal.throwIfAborted();
            if (o.json) process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
            else if (o.logFormat === "json") {
              // One event per step, so a scheduler's log of `plan --log-format json` stays JSON lines.
              for (const [i, step] of plan.steps.entries()) emitEvent("plan_step", { index: i + 1, ...step });
            } else process.stdout.write(formatPlan(plan));
            if (plan.unreachable) throw incompletePlan(project, plan);
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
      ...(o.selector ? { selector: o.selector } : {}),
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
 * An incomplete plan names every connection of the target that cannot be reached, not only the ones
 * its first undecided steps tried, so one run tells what to fix. The rest are tried together.
 */
async function withEveryUnreachable(
  plan: Plan,
  names: string[],
  connections: PlanWorkspace["connections"],
): Promise<Plan> {
  const known = new Set(plan.unreachable?.map((u) => u.connection));
  const { UnreachableConnectionError } = await import("../planner/unreachable.js");
  const more = await Promise.all(
    names
      .filter((name) => !known.has(name))
      .map((name) =>
        connections
          .withSession(name, async (): Promise<{ connection: string; reason: string } | null> => null)
          .catch((e: unknown) => {
            if (e instanceof UnreachableConnectionError) return { connection: name, reason: e.reason };
            throw e;
          }),
      ),
  );
  const unreachable = [...(plan.unreachable ?? []), ...more.filter((u) => u !== null)];
  return { ...plan, unreachable };
}

/**
 * After an offline plan was printed: which connections could not be reached, where they point and
 * what to do. It is an error (exit 1), so a scheduler that gates `build` on `plan` stops there.
 */
function incompletePlan(project: Project, plan: Plan): Error {
  const undecided = plan.steps.filter((s) => s.action === "undecided").length;
  const lines = (plan.unreachable ?? []).map(({ connection, reason }) => {
    const config = project.target.connections[connection];
    const where = config ? ` (${config.type}: ${describeEndpoint(config)})` : "";
    return `  ${connection}${where}: ${reason}`;
  });
  return new Error(
    `plan incomplete: ${undecided} of ${plan.steps.length} steps undecided, because ` +
      `connections of target '${project.targetName}' cannot be reached; nothing was written:\n` +
      `${lines.join("\n")}\n` +
      `Check their host and port in profiles.yml and that the servers are up and reachable from ` +
      `here (sluice debug --target ${project.targetName} tries every connection); compile, ls and ` +
      `check need no connection`,
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

/**
 * The --warn-error policy: the flags, else $DBT_WARN_ERROR / $DBT_WARN_ERROR_OPTIONS, else
 * dbt_project.yml's `flags: {warn_error, warn_error_options}`, in dbt's order.
 */
function warnErrorFromOptions(
  o: { warnError?: boolean; warnErrorOptions?: string },
  project: Project,
): WarnErrorPolicy {
  if (o.warnError && o.warnErrorOptions !== undefined)
    throw new UsageError("--warn-error and --warn-error-options cannot be used together");
  const env = project.env;
  const flags = project.dbt?.flags ?? {};
  const truthy = (v: string | undefined) => v !== undefined && /^(1|true|yes)$/i.test(v);
  const on = o.warnError === true || truthy(env["DBT_WARN_ERROR"]) || flags["warn_error"] === true;
  const text = o.warnErrorOptions ?? env["DBT_WARN_ERROR_OPTIONS"];
  const map =
    text !== undefined
      ? parseVars(text, "--warn-error-options")
      : typeof flags["warn_error_options"] === "object" && flags["warn_error_options"] !== null
        ? (flags["warn_error_options"] as Record<string, unknown>)
        : undefined;
  try {
    return warnErrorPolicy(on, map);
  } catch (e) {
    if (e instanceof WarnErrorOptionsError) throw new UsageError(e.message);
    throw e;
  }
}
