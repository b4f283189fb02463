// One command's run: compile, select, plan, execute the steps on their engines, and write
// target/run_results.json. Nothing is written to any engine when compile fails. A cancelled run
// (runner/cancellation.ts) still closes its engines, releases the lock and writes its results.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { PartitionValue } from "../adapters/contract.js";
import { compileProjectCached } from "../compiler/compile.js";
import { readYamlSelectors } from "../graph/selectors-file.js";
import type { WarnErrorPolicy } from "./warn-error.js";
import { checkRestate, manifestDag, SelectorError, selectNodes } from "../graph/selector.js";
import { writeJson, writeManifest } from "../manifest/io.js";
import { stateFor } from "../manifest/state.js";
import type { Manifest } from "../manifest/types.js";
import type { NodeResult, RunCommandName, RunResults } from "../manifest/run-results.js";
import { blockingTests, planBuild, type Plan, type PlanOptions } from "../planner/plan.js";
import type { Project } from "../project/load.js";
import { explainModelFailure, explainTestFailure, type FailureContext } from "./engine-error.js";
import { type Cancellation, type CancelSignal, SIGNAL_EXIT } from "./cancellation.js";
import { executeStep, type StepContext, type StepReport } from "./execute-step.js";
import { createLineageEmitter } from "./openlineage.js";
import type { Reporter } from "./reporter.js";
import { PASSING, schedule } from "./scheduler.js";
import { newRunId } from "./run-id.js";
export { newRunId };
import { openWorkspace, type Workspace } from "./workspace.js";
import { RunTimeRenderer } from "../compiler/dbt-run-render.js";
import { renderAtRunTime, RunTimeRenderError } from "./run-time-render.js";
import { splitStatements } from "./statements.js";
import { BuildRefusal } from "./refusal.js";
import { PhaseClock } from "./phase-clock.js";

export type Command = RunCommandName;
export type { NodeResult, RunResults };

export interface RunOptions {
  command: Command;
  select?: string[];
  /** `--selector NAME` of selectors.yml. */
  selector?: string;
  /** Which warnings are errors (--warn-error, --warn-error-options). */
  warnError?: WarnErrorPolicy;
  /** dbt's --store-failures (build, test). */
  storeFailures?: boolean;
  exclude?: string[];
  /** Folder of a previous manifest, for state: selectors. */
  stateDir?: string;
  fullRefresh?: boolean;
  threads?: number;
  restate?: { model: string; partitions: PartitionValue[] };
  /** A file or http(s) URL to send OpenLineage run events to. */
  openLineage?: string;
  /** How long to wait for another build holding the run lock, in milliseconds (default: refuse at once). */
  lockWaitMs?: number;
  /** Set by Ctrl-C or SIGTERM: stops scheduling and cancels the engines' running statements. */
  cancellation?: Cancellation;
  reporter: Reporter;
  /**
   * When the command began (ms since the epoch), so `Done in`
   * covers loading and compiling too; default: this call.
   */
  startedAtMs?: number;
}

const INCLUDE: Record<Command, PlanOptions["include"]> = {
  build: { models: true, seeds: true, tests: true },
  run: { models: true, seeds: false, tests: false },
  test: { models: false, seeds: false, tests: true },
  seed: { models: false, seeds: true, tests: false },
  snapshot: { models: true, seeds: false, tests: false },
};

export async function runCommand(project: Project, options: RunOptions): Promise<RunResults> {
  const startedAt = new Date();
  const clock = new PhaseClock();
  if (options.startedAtMs !== undefined) clock.add("start", Math.max(0, Date.now() - options.startedAtMs));
  const runId = newRunId();
  const { manifest, warnings } = await clock.time("compile", () => compileProjectCached(project));
  // What compile warns of (a dbt key read and ignored, a deprecated spelling) is said on every run.
  for (const w of warnings) options.reporter.info(`${w.file}:${w.line}:${w.column} warning: ${w.message}`);
  const targetDir = join(project.dir, project.config.target_path);
  if (options.restate) checkRestate(manifest, options.restate.model);
  // Read before this run's manifest overwrites it, when --state points at this project's own target/.
  const warn = (message: string) => {
    if (options.warnError?.errors("NoNodesForSelectionCriteria"))
      throw new SelectorError(`${message} (an error under --warn-error)`);
    if (!options.warnError?.silenced("NoNodesForSelectionCriteria"))
      options.reporter.info(`warning: ${message}`);
  };
  const selected = await clock.time("select", () =>
    selectNodes(
      {
        manifest,
        dag: manifestDag(manifest),
        state: stateFor(manifest, options.stateDir),
        selectors: readYamlSelectors(project.dir),
      },
      options.select,
      options.exclude,
      { warn, ...(options.selector ? { selector: options.selector } : {}) },
    ),
  );
  await clock.time("manifest_write", () => writeManifest(targetDir, manifest));
  // As in dbt: `snapshot` takes the snapshots only, `run` builds models but not snapshots.
  for (const id of [...selected]) {
    const node = manifest.nodes[id];
    if (node?.kind !== "model") continue;
    const isSnapshot = node.snapshot !== undefined;
    if (options.command === "snapshot" ? !isSnapshot : options.command === "run" && isSnapshot)
      selected.delete(id);
  }

  const workspace = await openWorkspace(project, {
    runId,
    command: options.command,
    lockWaitMs: options.lockWaitMs ?? 0,
    clock,
  });
  const cancellation = options.cancellation;
  const stopEngines = cancellation?.onCancel(() => void workspace.connections.cancel());
  const results: NodeResult[] = [];
  let failure: unknown;
  try {
    await runSteps(project, manifest, selected, workspace, options, results, clock);
  } catch (e) {
    // A statement interrupted by the cancel may fail a hook or the plan: the run is cancelled, not failed.
    if (!cancellation?.cancelled) throw e;
    failure = e;
  } finally {
    stopEngines?.();
    const passed = results.length > 0 && results.every((r) => PASSING.has(r.status));
    await workspace.close(cancellation?.cancelled ? "cancelled" : passed ? "success" : "failed");
  }
  const ok = !cancellation?.cancelled && results.every((r) => PASSING.has(r.status));
  const run: RunResults = {
    runId,
    command: options.command,
    target: project.targetName,
    startedAt: startedAt.toISOString(),
    elapsedMs: Date.now() - startedAt.getTime(),
    success: ok,
    ...(cancellation?.by ? { cancelledBy: cancellation.by } : {}),
    phasesMs: clock.toJSON(),
    results,
  };
  writeJson(join(targetDir, "run_results.json"), run);
  if (cancellation?.by) reportCancelled(options.reporter, cancellation.by, results, failure);
  options.reporter.finish(
    `Done in ${((Date.now() - (options.startedAtMs ?? startedAt.getTime())) / 1000).toFixed(2)}s`,
    run.success,
    exitCodeOf(run),
  );
  return run;
}

/** The exit code of a run: 130/143 when a signal cancelled it, else 0 when everything passed, else 1. */
export function exitCodeOf(run: RunResults): number {
  return run.cancelledBy ? SIGNAL_EXIT[run.cancelledBy] : run.success ? 0 : 1;
}

/** How a command plans: what it includes and what it may skip. `sluice plan` plans as `build` does. */
export function planOptionsFor(
  command: Command,
  options: { fullRefresh?: boolean; restate?: RunOptions["restate"] },
): PlanOptions {
  return {
    fullRefresh: options.fullRefresh ?? false,
    include: INCLUDE[command],
    restate: options.restate,
    skipUnchanged: command === "build" || command === "run",
  };
}

/** What a cancelled run says it stopped: the steps it cancelled and those it never started. */
function reportCancelled(
  reporter: Reporter,
  by: CancelSignal,
  results: NodeResult[],
  failure: unknown,
): void {
  const named = (status: string) => results.filter((r) => r.status === status).map((r) => r.node);
  const cancelled = named("cancelled");
  const notStarted = named("not_started");
  const list = (nodes: string[]) => (nodes.length ? nodes.join(", ") : "none");
  reporter.info(
    `Cancelled by ${by}: ${cancelled.length} running step${cancelled.length === 1 ? "" : "s"}` +
      ` cancelled (${list(cancelled)}), ${notStarted.length} not started (${list(notStarted)})`,
  );
  if (failure !== undefined && cancelled.length === 0 && results.length === 0) {
    reporter.info(
      `cancelled before any step ran: ${failure instanceof Error ? failure.message : String(failure)}`,
    );
  }
}

/** Plans and executes the selected nodes of a compiled manifest in an open workspace, into `results`. */
export async function runSteps(
  project: Project,
  manifest: Manifest,
  selected: Set<string>,
  workspace: Workspace,
  options: RunOptions,
  results: NodeResult[] = [],
  clock: PhaseClock = new PhaseClock(),
): Promise<NodeResult[]> {
  const { connections, ledger } = workspace;
  const cancelled = () => options.cancellation?.cancelled === true;
  await clock.time("on_run_start", () =>
    runHooks(manifest, project, connections, "on_run_start", options.reporter),
  );
  if (cancelled()) return results;
  const plan = await clock.time("plan", () =>
    planBuild(manifest, selected, connections, ledger, planOptionsFor(options.command, options)),
  );
  await executePlan(plan, manifest, project, workspace, options, results, clock);
  if (!cancelled())
    await clock.time("on_run_end", () =>
      runHooks(manifest, project, connections, "on_run_end", options.reporter),
    );
  return results;
}

async function executePlan(
  plan: Plan,
  manifest: Manifest,
  project: Project,
  workspace: Workspace,
  options: RunOptions,
  results: NodeResult[],
  clock: PhaseClock,
): Promise<void> {
  const total = plan.steps.length;
  options.reporter.start(total, options.command);
  let started = 0;
  const lineage = createLineageEmitter(options.openLineage, manifest);
  const ctx: StepContext = {
    manifest,
    connections: workspace.connections,
    ledger: workspace.ledger,
    runId: workspace.runId,
    projectDir: project.dir,
    batchRows: 10_000,
    snapshotTime: project.env["SLUICE_RUN_STARTED_AT"] || new Date().toISOString(),
    ...(options.warnError ? { warnError: options.warnError } : {}),
    ...(options.storeFailures ? { storeFailures: true } : {}),
  };
  const fullRefresh = options.fullRefresh === true;
  const runTime = new RunTimeRenderer(project, manifest, options.command, fullRefresh);
  const stepsBegan = performance.now();
  const outcomes = await schedule(
    plan.steps,
    options.threads ?? project.target.threads,
    async (step) => {
      const event = { node: step.node, action: step.action, index: ++started, total };
      const begin = Date.now();
      options.reporter.nodeStart(event);
      const emits = step.action !== "skip" && step.action !== "run_test";
      if (emits) await lineage?.start(step.node);
      let report: StepReport;
      try {
        // A model that asks the database while rendering renders again now, its inputs built; one
        // that reads flags does under --full-refresh, whose FULL_REFRESH the compile renders false
        // (so its version, and the next build's, stay those of its ordinary SQL).
        const node = manifest.nodes[step.node];
        const again = node?.kind === "model" && (node.introspects || (fullRefresh && node.readsFlags));
        if (node?.kind === "model" && again && step.action !== "skip")
          manifest.nodes[step.node] = await renderAtRunTime(runTime, workspace.connections, node, {
            dir: project.dir,
            targetPath: project.config.target_path,
          });
        report = await executeStep(step, ctx);
      } catch (e) {
        const raw = e instanceof Error ? e.message : String(e);
        const by = options.cancellation?.by;
        // A cancelled statement has nothing to explain, and the engines are being stopped.
        const message = project.secrets.redact(
          by || e instanceof RunTimeRenderError || e instanceof BuildRefusal
            ? raw
            : await explainFailure(manifest, step, raw, failureContext(project, manifest, workspace)),
        );
        report = by
          ? { status: "cancelled", message: `cancelled by ${by}: ${message}` }
          : { status: "error", message };
      }
      if (emits)
        await lineage?.end(
          step.node,
          report.status === "success",
          report.rowsAffected,
          report.status === "success" ? undefined : report.message,
        );
      const elapsedMs = Date.now() - begin;
      options.reporter.nodeEnd(event, report, elapsedMs);
      results.push({
        node: step.node,
        action: step.action,
        reason: step.reason,
        startedAt: new Date(begin).toISOString(),
        elapsedMs,
        ...report,
      });
      return report;
    },
    (step, because) => {
      const event = { node: step.node, action: step.action, index: ++started, total };
      const report: StepReport = { status: "skipped", message: `upstream ${because} did not succeed` };
      options.reporter.nodeEnd(event, report, 0);
      results.push({
        node: step.node,
        action: step.action,
        reason: step.reason,
        startedAt: null,
        elapsedMs: 0,
        ...report,
      });
    },
    options.cancellation && {
      signal: options.cancellation.signal,
      notStarted: (step) => {
        const report: StepReport = { status: "not_started", message: "not started: the run was cancelled" };
        results.push({
          node: step.node,
          action: step.action,
          reason: step.reason,
          startedAt: null,
          elapsedMs: 0,
          ...report,
        });
      },
    },
  );
  clock.add("steps", performance.now() - stepsBegan);
  const committing = performance.now();
  await commitLedger(plan, manifest, workspace, results, outcomes, options.reporter);
  // What ran, at which version and how it ended: the next build skips what is still unchanged.
  await workspace.ledger.recordOutcomes(
    workspace.runId,
    plan.steps
      .filter(
        (s) =>
          s.action !== "skip" && !["skipped", "not_started"].includes(outcomes.get(s.node)?.status ?? ""),
      )
      .map((s) => ({
        node: s.node,
        version: manifest.nodes[s.node]!.checksum,
        status: outcomes.get(s.node)?.status ?? "error",
      })),
  );
  clock.add("ledger_commit", performance.now() - committing);
  for (const problem of lineage?.problems() ?? []) options.reporter.info(`warning: ${problem}`);
  for (const step of plan.steps)
    for (const w of step.warnings ?? []) options.reporter.info(`warning: ${step.node}: ${w}`);
}

/** Maps an engine failure of a step back to the files the user wrote (see engine-error.ts). */
async function explainFailure(
  manifest: Manifest,
  step: Plan["steps"][number],
  message: string,
  ctx: FailureContext,
): Promise<string> {
  const node = manifest.nodes[step.node];
  try {
    if (node?.kind === "model")
      return await explainModelFailure(node, step.sql === "incremental", message, ctx);
    if (node?.kind === "test")
      return await explainTestFailure(
        node,
        node.attachedTo ? manifest.nodes[node.attachedTo] : undefined,
        message,
        ctx,
      );
  } catch {
    // The explanation is a courtesy: the engine's own message still says what failed.
  }
  return message;
}

function failureContext(project: Project, manifest: Manifest, workspace: Workspace): FailureContext {
  return {
    targetPath: project.config.target_path,
    yamlFiles: [
      ...project.properties.map((p) => ({ path: p.path, text: p.text })),
      // A dbt project has dbt_project.yml instead: a missing file must not lose the step's error.
      ...["project.yml", "dbt_project.yml"]
        .filter((path) => existsSync(join(project.dir, path)))
        .map((path) => ({ path, text: readFileSync(join(project.dir, path), "utf8") })),
    ],
    engines: manifest.connections,
    columnsOf: async (connection, sql) => {
      try {
        const { columns } = await workspace.connections.withSession(connection, (s) =>
          s.query(`select * from (\n${sql}\n) sluice_probe where 1 = 0`),
        );
        return columns.map((c) => c.name);
      } catch {
        return undefined;
      }
    },
  };
}

/**
 * Advances the ledger for each model whose data committed and whose error-severity tests passed;
 * a model with a failed blocking test keeps its old watermark, so the next build redoes its window.
 */
async function commitLedger(
  plan: Plan,
  manifest: Manifest,
  workspace: Workspace,
  results: NodeResult[],
  outcomes: Map<string, { status: string }>,
  reporter: Reporter,
): Promise<void> {
  for (const step of plan.steps) {
    const model = manifest.nodes[step.node];
    if (model?.kind !== "model" || !model.lineage) continue;
    if (!PASSING.has(outcomes.get(step.node)?.status as NodeResult["status"])) continue;
    if (step.ledgerHeld) {
      reporter.info(`${model.name}: ${step.ledgerHeld}`);
      continue;
    }
    // Every blocking test must have run and passed: one that did not run proves nothing.
    if (
      !blockingTests(manifest, model.id).every((t) =>
        PASSING.has(outcomes.get(t)?.status as NodeResult["status"]),
      )
    )
      continue;
    const report = results.find((r) => r.node === step.node);
    const loads = (report?.partitionRows ?? []).map((p) => ({
      model: model.id,
      modelVersion: model.checksum,
      partition: p.partition,
      rows: p.rows,
      checksum: p.checksum,
    }));
    await workspace.ledger.commitLoad(
      workspace.runId,
      model.id,
      loads,
      step.watermarks ?? [],
      step.action === "build_table",
    );
  }
}

async function runHooks(
  manifest: Manifest,
  project: Project,
  connections: Workspace["connections"],
  which: "on_run_start" | "on_run_end",
  reporter: Reporter,
): Promise<void> {
  const hooks = manifest.hooks[which];
  for (const [i, hook] of hooks.entries()) {
    const name = `${which} hook ${i + 1}/${hooks.length} on ${hook.connection}`;
    const begin = Date.now();
    try {
      reporter.info(`${name}: running`);
      await connections.withSession(hook.connection, async (session) => {
        for (const statement of splitStatements(hook.sql)) await session.execute(statement);
      });
      reporter.info(`${name}: done (${((Date.now() - begin) / 1000).toFixed(2)}s)`);
    } catch (e) {
      throw new Error(
        `${which} hook on connection '${hook.connection}' ` +
          `failed: ${project.secrets.redact(e instanceof Error ? e.message : String(e))}`,
      );
    }
  }
}
