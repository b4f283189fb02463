// The plan: the ordered steps a command will take, each with its reason. `plan` prints it and
// `build` executes the very same list, so the explanation cannot drift from what runs.
import type { Connections } from "../adapters/index.js";
import type { PartitionValue, WriteMode } from "../adapters/contract.js";
import { manifestDag } from "../graph/selector.js";
import type { Ledger, NodeOutcome, WatermarkFact } from "../ledger/ledger.js";
import type { Manifest, ManifestNode, ModelNode, SourceNode, TestNode } from "../manifest/types.js";
import { untrackedSources } from "./fingerprints.js";
import { describePartitions, planLineage, PartitionSet } from "./lineage.js";
import { restatedPartitions } from "./restate.js";
import { scopeTest, type TestScope } from "./test-scope.js";
import { PlanReads } from "./plan-reads.js";
import { UnchangedNodes } from "./unchanged.js";
import { affectedGroups } from "./affected-groups.js";
import { UnreachableConnectionError } from "./unreachable.js";

export type StepAction =
  /** Load a seed's CSV, replacing its table. */
  | "load_seed"
  /** Create or replace a view. */
  | "create_view"
  /** Build the whole table beside the old one and swap it in. */
  | "build_table"
  /** Apply the incremental SQL with the model's strategy. */
  | "incremental"
  /** Replace exactly the named partitions, rebuilt whole from the model's full SQL. */
  | "replace_partitions"
  /** Nothing to do; the reason says why. */
  | "skip"
  /** Run a data test. */
  | "run_test"
  /**
   * Only in an offline plan (`sluice plan` with a connection down): what the step does needs facts
   * from an engine that could not be reached; the reason says which, and what the ledger knows.
   */
  | "undecided";

export interface PlanStep {
  node: string;
  action: StepAction;
  reason: string;
  /** Which of the model's compiled SQL variants runs. */
  sql: "full" | "incremental" | null;
  write: WriteMode | null;
  /** Steps that must succeed first (models upstream, and the blocking tests on them). */
  after: string[];
  /** For models tracked in the ledger: the watermarks to commit once the data and tests commit. */
  watermarks?: WatermarkFact[];
  /** For a test narrowed to the partitions its model replaces in this build: which, and the query. */
  scope?: TestScope;
  /**
   * Why this step's watermarks are not committed even if it succeeds: a blocking test of the model
   * is not part of the run, so nothing proves the loaded rows good (see blockingTests).
   */
  ledgerHeld?: string;
  /** Problems the plan found and the run summary repeats (e.g. rows with a NULL update stamp). */
  warnings?: string[];
}

/** What each planned model does to its partitions: the set it replaces, or all of them. */
type PartitionsOf = Map<string, { partitionBy: string[]; partitions: PartitionValue[] | "all" }>;

export interface Plan {
  steps: PlanStep[];
  /**
   * Offline plans only: the connections that could not be reached, so the steps that needed their
   * facts are undecided. A plan with any is incomplete, and `build` would not run it as printed.
   */
  unreachable?: { connection: string; reason: string }[];
}

export interface PlanOptions {
  fullRefresh: boolean;
  /** Include data tests (build, test) and/or models and seeds (build, run, seed). */
  include: { models: boolean; seeds: boolean; tests: boolean };
  /** Replay chosen partitions of one model (and what inherits them downstream). */
  restate?: { model: string; partitions: PartitionValue[] };
  /**
   * Skip seeds, views, tables and tests whose version and inputs are unchanged since they last
   * succeeded (build and run); `sluice test` and `sluice seed` always run what they select.
   */
  skipUnchanged?: boolean;
  /**
   * `sluice plan`: a step whose decision needs a connection that cannot be reached becomes an
   * undecided step (and so does what waits on it) instead of stopping the plan. `build` never sets
   * it: it runs only steps decided on facts.
   */
  offline?: boolean;
}

/** Plans the selected nodes; looks at the engines and the ledger to choose what to rebuild. */
export async function planBuild(
  manifest: Manifest,
  selected: Set<string>,
  connections: Connections,
  ledger: Ledger | null,
  options: PlanOptions,
): Promise<Plan> {
  const steps: PlanStep[] = [];
  const reads = new PlanReads(connections);
  const order = manifestDag(manifest).topologicalOrder();
  // Models-only commands (`sluice run`) still run the blocking tests of the lineage models they
  // write: their watermarks may advance only once those tests pass.
  const guardsLedger = (t: TestNode): boolean =>
    options.include.models &&
    !options.include.tests &&
    lineageModelsGuarded(manifest, t).some((m) => selected.has(m));
  const included = order
    .map((id) => manifest.nodes[id]!)
    .filter((n) => selected.has(n.id))
    .filter(
      (n) =>
        (n.kind === "model" && options.include.models && n.config.materialized !== "ephemeral") ||
        (n.kind === "seed" && options.include.seeds) ||
        (n.kind === "test" && (options.include.tests || guardsLedger(n))),
    );
  unitTestsFirst(included);
  const stepIds = new Set(included.map((n) => n.id));
  const testsOf = new Map<string, string[]>();
  for (const n of included)
    if (n.kind === "test") {
      for (const d of n.dependsOn) testsOf.set(d, [...(testsOf.get(d) ?? []), n.id]);
      // Keyed apart from node ids: a unit test reads its model's inputs, and gates only its model.
      if (n.unit) testsOf.set(`unit:${n.unit.model}`, [...(testsOf.get(`unit:${n.unit.model}`) ?? []), n.id]);
    }
  /** Partition sets decided so far, for models downstream partitioned the same way. */
  const partitionsOf: PartitionsOf = new Map();
  const outcomes =
    ledger &&
    !options.fullRefresh &&
    (options.skipUnchanged || (options.include.models && options.include.tests))
      ? await ledger.lastOutcomes()
      : undefined;
  const unchanged =
    options.skipUnchanged && outcomes && !options.restate
      ? new UnchangedNodes(manifest, outcomes)
      : undefined;
  /**
   * Models whose named partitions this build replaces, and
   * the nodes it writes: what tests may be narrowed to.
   */
  const replacing = new Map<string, PartitionValue[]>();
  const groupedBy = new Map<string, string[]>();
  const changing = new Set<string>();

  /** Offline plans: undecided steps, and the connections that could not be reached. */
  const undecided = new Set<string>();
  const unreachable = new Map<string, string>();

  for (const node of included) {
    const after = upstreamSteps(manifest, node, stepIds, testsOf);
    const waitsOn = after.filter((a) => undecided.has(a));
    if (options.offline && waitsOn.length > 0 && node.kind !== "seed") {
      const names = waitsOn.map((a) => manifest.nodes[a]!.name).join(", ");
      const step: PlanStep =
        node.kind === "test"
          ? {
              node: node.id,
              action: "run_test",
              reason: `${node.config.severity} test; which rows it checks is unknown until ${names} is decided`,
              sql: null,
              write: null,
              after,
            }
          : undecidedStep(node.id, `waits on ${names}, whose step is undecided`, after);
      if (step.action === "undecided") undecided.add(node.id);
      unchanged?.planned(step);
      if (step.action !== "run_test") changing.add(node.id);
      steps.push(step);
      continue;
    }
    let step: PlanStep;
    try {
      step = await planNode(node, after);
    } catch (e) {
      if (!options.offline || !(e instanceof UnreachableConnectionError)) throw e;
      unreachable.set(e.connection, e.reason);
      const last = outcomes?.get(node.id) ?? (await ledger?.lastOutcomes())?.get(node.id);
      const known = last
        ? `last ${last.status} at ${last.at} by this ledger`
        : "first build as far as this ledger knows (it records none)";
      step = undecidedStep(
        node.id,
        `${known}; facts unavailable: connection '${e.connection}' unreachable (${e.reason})`,
        after,
      );
      undecided.add(node.id);
      changing.add(node.id);
    }
    unchanged?.planned(step);
    if (step.action !== "skip" && step.action !== "run_test") changing.add(step.node);
    if (node.kind === "test" && !options.include.tests)
      step.reason += `, run because ${lineageModelsGuarded(manifest, node)
        .map((m) => manifest.nodes[m]!.name)
        .join(", ")} commits its watermarks only after its blocking tests pass`;
    steps.push(step);
  }

  /** One node's step, decided on the ledger and (through `connections`) the engines' facts. */
  async function planNode(node: ManifestNode, after: string[]): Promise<PlanStep> {
    const since = unchanged ? await unchanged.check(node, reads) : null;
    let step: PlanStep;
    if (since) step = { node: node.id, action: "skip", reason: since, sql: null, write: null, after };
    else if (node.kind === "seed")
      step = {
        node: node.id,
        action: "load_seed",
        reason: "seed CSV loaded in full",
        sql: null,
        write: { kind: "replace" },
        after,
      };
    else if (node.kind === "test")
      step = {
        ...testStep(
          node,
          outcomes
            ? scopeTest(node, { manifest, replacing, changing, outcomes, groupedBy })
            : { scope: null },
        ),
        after,
      };
    else if (node.kind === "model") {
      step = {
        ...(await planModel(node, manifest, connections, ledger, options, partitionsOf, {
          reads,
          changing,
          outcomes,
        })),
        after,
      };
      if (step.write?.kind === "partitions")
        partitionsOf.set(node.id, { partitionBy: step.write.partitionBy, partitions: step.write.partitions });
      else if (step.action === "build_table")
        partitionsOf.set(node.id, { partitionBy: node.config.partitionBy, partitions: "all" });
      // A restated model outside the ledger leaves no trace if killed after writing, so its tests stay whole.
      if (
        step.action === "replace_partitions" &&
        step.write?.kind === "partitions" &&
        step.write.partitions.length > 0 &&
        (node.lineage || options.restate?.model !== node.name)
      )
        replacing.set(node.id, step.write.partitions);
      if (
        step.action === "replace_partitions" &&
        step.write?.kind === "partitions" &&
        node.config.materialized === "table"
      )
        groupedBy.set(node.id, step.write.partitionBy);
    } else throw new Error(`${node.id}: a ${node.kind} has no step`);
    return step;
  }
  for (const step of steps) {
    const model = manifest.nodes[step.node];
    if (model?.kind !== "model" || !model.lineage || !step.watermarks?.length) continue;
    const missing = blockingTests(manifest, model.id).filter((t) => !stepIds.has(t));
    if (missing.length === 0) continue;
    const names = missing.map((t) => manifest.nodes[t]!.name).join(", ");
    step.ledgerHeld =
      `watermarks not advanced: its error test${missing.length > 1 ? "s" : ""}` +
      ` ${names} ${missing.length > 1 ? "are" : "is"} not part of this run, so ` +
      `the next build loads this window again`;
    step.reason += `; ${step.ledgerHeld}`;
  }
  if (unreachable.size === 0) return { steps };
  return { steps, unreachable: [...unreachable].map(([connection, reason]) => ({ connection, reason })) };
}

function undecidedStep(node: string, reason: string, after: string[]): PlanStep {
  return { node, action: "undecided", reason, sql: null, write: null, after };
}

/**
 * The error-severity tests whose pass a lineage model's
 * watermarks wait for: its own, and singular tests reading it.
 */
export function blockingTests(manifest: Manifest, modelId: string): string[] {
  return Object.values(manifest.nodes)
    .filter((n): n is TestNode => n.kind === "test" && n.config.severity === "error")
    .filter((t) => t.attachedTo === modelId || (t.testType === "singular" && t.dependsOn.includes(modelId)))
    .map((t) => t.id)
    .sort();
}

/** The lineage models whose watermarks wait for `test`. */
function lineageModelsGuarded(manifest: Manifest, test: TestNode): string[] {
  if (test.config.severity !== "error") return [];
  const candidates = test.testType === "singular" ? test.dependsOn : test.attachedTo ? [test.attachedTo] : [];
  return candidates.filter((id) => {
    const n = manifest.nodes[id];
    return n?.kind === "model" && n.lineage !== null;
  });
}

/**
 * A test's step: narrowed to its model's replaced partitions
 * when `scoped` says so, with the reason either way.
 */
function testStep(test: TestNode, scoped: ReturnType<typeof scopeTest>): Omit<PlanStep, "after"> {
  const base = { node: test.id, action: "run_test" as const, sql: null, write: null };
  const severity = `${test.config.severity} test`;
  if (test.unit)
    return { ...base, reason: `unit test of ${test.unit.model}, on fixture rows, before the model builds` };
  if (scoped.scope)
    return {
      ...base,
      reason:
        `${severity} ${scoped.describe}, the rows this build ` +
        `replaces; the rest is unchanged since it passed`,
      scope: scoped.scope,
    };
  return {
    ...base,
    reason:
      "whole" in scoped && scoped.whole ? `${severity} over the whole table: ${scoped.whole}` : severity,
  };
}

async function planModel(
  model: ModelNode,
  manifest: Manifest,
  connections: Connections,
  ledger: Ledger | null,
  options: PlanOptions,
  partitionsOf: PartitionsOf,
  written: {
    reads: PlanReads;
    changing: Set<string>;
    outcomes: Map<string, NodeOutcome> | undefined;
  },
): Promise<Omit<PlanStep, "after">> {
  const base = { node: model.id };
  const { materialized, strategy, partitionBy, uniqueKey } = model.config;
  const rebuild = (reason: string, watermarks?: WatermarkFact[]) => ({
    ...base,
    action: "build_table" as const,
    reason,
    sql: "full" as const,
    write: { kind: "replace" as const, partitionBy },
    watermarks,
  });
  const replace = (partitions: PartitionValue[], reason: string, watermarks?: WatermarkFact[]) => ({
    ...base,
    action: "replace_partitions" as const,
    reason,
    sql: "full" as const,
    write: { kind: "partitions" as const, partitionBy, partitions },
    watermarks,
  });

  if (materialized === "view")
    return { ...base, action: "create_view", reason: "view replaced", sql: "full", write: null };
  if (materialized === "table") {
    // A table grouped by the partition column of an input replacing named partitions recomputes
    // just those groups (planner/affected-groups.ts says when that equals a rebuild).
    const narrowed = model.dependsOn.some((d) => {
      const up = partitionsOf.get(d);
      return up !== undefined && up.partitions !== "all";
    });
    const groups =
      options.fullRefresh || options.restate || !narrowed
        ? null
        : affectedGroups(model, {
            manifest,
            partitionsOf,
            changing: written.changing,
            outcomes: written.outcomes,
          });
    if (groups && "column" in groups && (await relationExists(model, written.reads)))
      return {
        ...base,
        action: "replace_partitions" as const,
        reason:
          `recompute the groups of ${groups.column} in ${describePartitions(groups.partitions)}` +
          `, replaced in ${groups.from}; the other groups are unchanged`,
        sql: "full" as const,
        write: { kind: "partitions" as const, partitionBy: [groups.column], partitions: groups.partitions },
      };
    const whole =
      groups && "whole" in groups
        ? ` (not only the groups a replaced partition touches: ${groups.whole})`
        : "";
    return rebuild(`table rebuilt in full and swapped in${whole}`);
  }
  const fullRefresh = options.fullRefresh && model.config.fullRefresh !== false;
  const exists = await relationExists(model, written.reads);

  if (options.restate && options.restate.model === model.name) {
    if (partitionBy.length === 0) throw new Error(`--restate ${model.name}: the model has no partition_by`);
    if (!exists) return rebuild("restated, but the table does not exist yet: built in full");
    const restated = await restatedPartitions(model, options.restate.partitions, connections);
    return replace(restated, `restate ${describePartitions(restated)} on request`);
  }
  // A model partitioned like an upstream model whose partitions are being replaced inherits them;
  // when that upstream model is rebuilt in full, so is this one.
  if (strategy === "insert_overwrite" && exists && !fullRefresh && !model.lineage) {
    const inherited = new PartitionSet();
    const from: string[] = [];
    for (const dep of model.dependsOn) {
      const up = partitionsOf.get(dep);
      if (!up || !sameColumns(up.partitionBy, partitionBy)) continue;
      if (up.partitions === "all")
        return rebuild(`upstream ${manifest.nodes[dep]!.name} is rebuilt in full: built in full`);
      // Read from the SQL at compile time; a manifest without the reading is not trusted to inherit.
      const reading = model.inheritance?.[dep];
      const problem = reading === undefined ? "its SQL was not read at compile time" : reading;
      if (problem)
        return rebuild(
          `${model.location.path}: cannot inherit the partitions replaced ` +
            `in ${manifest.nodes[dep]!.name}: ${problem}; rebuilt in full`,
        );
      for (const p of up.partitions) inherited.add(p);
      from.push(manifest.nodes[dep]!.name);
    }
    if (inherited.size > 0)
      return replace(
        inherited.values(),
        `inherits ${describePartitions(inherited.values())} from ${from.join(", ")}`,
      );
  }
  if (model.lineage && ledger) {
    // On a fresh clone the sources may not exist until the on_run_start hook creates them: `plan`,
    // which runs no hook, says so instead of failing on the probe.
    const missing = await missingSources(model, manifest, written.reads);
    if (missing.length > 0) {
      return rebuild(
        `${missing.join(", ")} ${missing.length === 1 ? "does" : "do"} not exist yet (a ` +
          `hook or another process must create ${missing.length === 1 ? "it" : "them"} ` +
          `first): built in full once ${missing.length === 1 ? "it exists" : "they exist"}`,
      );
    }
    const decision = await planLineage(
      model,
      manifest,
      { connections, reads: written.reads },
      ledger,
      exists,
      fullRefresh,
      writtenInputs(model, manifest, written.changing, written.outcomes),
    );
    const warned = decision.warnings.length > 0 ? { warnings: decision.warnings } : {};
    const reason = decision.reason + decision.warnings.map((w) => `; warning: ${w}`).join("");
    if (decision.kind === "full") return { ...rebuild(reason, decision.watermarks), ...warned };
    if (decision.kind === "none")
      return {
        ...base,
        action: "skip",
        reason,
        sql: null,
        write: null,
        watermarks: decision.watermarks,
        ...warned,
      };
    return { ...replace(decision.partitions, reason, decision.watermarks), ...warned };
  }
  if (fullRefresh) return rebuild("--full-refresh: rebuilt from scratch");
  if (!exists) return rebuild("first build: table does not exist yet");
  if (strategy === "insert_overwrite")
    return {
      ...base,
      action: "incremental",
      reason: "replacing the partitions the incremental SQL returns",
      sql: "incremental",
      write: { kind: "partitions", partitionBy, partitions: [] },
    };
  if (strategy === "merge" || strategy === "delete+insert")
    return {
      ...base,
      action: "incremental",
      reason:
        `new rows ${strategy === "merge" ? "merged" : "deleted and inserted"}` +
        ` on ${uniqueKey.join(", ")}`,
      sql: "incremental",
      write: { kind: strategy, uniqueKey },
    };
  return {
    ...base,
    action: "incremental",
    reason: "new rows appended",
    sql: "incremental",
    write: { kind: "append" },
  };
}

/**
 * The seeds and tables a lineage model reads (directly or through views and ephemeral models)
 * that this build writes before it, or that another command wrote since the model's last load.
 * They have no change tracking, so the model is rebuilt in full after either.
 */
function writtenInputs(
  model: ModelNode,
  manifest: Manifest,
  changing: Set<string>,
  outcomes: Map<string, NodeOutcome> | undefined,
): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const loaded = outcomes?.get(model.id);
  const visit = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    const node = manifest.nodes[id];
    if (
      node?.kind === "model" &&
      (node.config.materialized === "view" || node.config.materialized === "ephemeral")
    )
      return node.dependsOn.forEach(visit);
    if (node?.kind !== "seed" && node?.kind !== "model") return;
    const what = `${node.kind} ${node.name}`;
    const at = outcomes?.get(id)?.at;
    if (changing.has(id)) out.push(`${what} is written in this build`);
    else if (loaded && at && at > loaded.at)
      out.push(`${what} was written since ${model.name} was last loaded`);
  };
  model.dependsOn.forEach(visit);
  return out;
}

/** The sources a lineage model probes (tracked and fingerprinted) that do not exist, as `source.table`. */
async function missingSources(model: ModelNode, manifest: Manifest, reads: PlanReads): Promise<string[]> {
  const probed = [
    ...model.lineage!.trackedSources.map((id) => manifest.nodes[id] as SourceNode),
    ...untrackedSources(model, manifest),
  ];
  const missing: string[] = [];
  for (const source of probed)
    if ((await reads.kind(source.relation)) === null)
      missing.push(`${source.sourceName}.${source.tableName}`);
  return missing;
}

async function relationExists(model: ModelNode, reads: PlanReads): Promise<boolean> {
  return (await reads.kind(model.relation)) === "table";
}

function sameColumns(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((c, i) => c.toLowerCase() === b[i]!.toLowerCase());
}

/**
 * Moves each unit test to just before its model, where a build runs it (it reads only the model's
 * inputs, which come earlier), so the plan reads in the order things happen.
 */
function unitTestsFirst(nodes: ManifestNode[]): void {
  const ids = new Set(nodes.map((n) => n.id));
  const before = new Map<string, ManifestNode[]>();
  for (const n of nodes)
    if (n.kind === "test" && n.unit && ids.has(n.unit.model))
      before.set(n.unit.model, [...(before.get(n.unit.model) ?? []), n]);
  if (before.size === 0) return;
  const moved = new Set([...before.values()].flat());
  const ordered = nodes.flatMap((n) => (moved.has(n) ? [] : [...(before.get(n.id) ?? []), n]));
  nodes.splice(0, nodes.length, ...ordered);
}

/**
 * Steps this node waits for: the nearest upstream steps (looking through ephemerals and sources),
 * and the error-severity tests that check only nodes upstream of it.
 */
function upstreamSteps(
  manifest: Manifest,
  node: ManifestNode,
  stepIds: Set<string>,
  testsOf: Map<string, string[]>,
): string[] {
  const ancestors = new Set<string>();
  const collect = (id: string) => {
    if (ancestors.has(id)) return;
    ancestors.add(id);
    for (const d of manifest.nodes[id]?.dependsOn ?? []) collect(d);
  };
  for (const d of node.dependsOn) collect(d);
  const after = new Set<string>();
  const visit = (id: string) => {
    const n = manifest.nodes[id];
    if (!n) return;
    if (stepIds.has(id)) {
      after.add(id);
      if (node.kind === "test") return;
      for (const t of testsOf.get(id) ?? []) {
        const test = manifest.nodes[t];
        if (
          test?.kind === "test" &&
          !test.unit &&
          test.config.severity === "error" &&
          test.dependsOn.every((d) => ancestors.has(d))
        )
          after.add(t);
      }
      return;
    }
    for (const d of n.dependsOn) visit(d);
  };
  for (const d of node.dependsOn) visit(d);
  // A model is built only once its unit tests pass, as dbt's build does; they gate nothing else.
  if (node.kind === "model") for (const id of testsOf.get(`unit:${node.id}`) ?? []) after.add(id);
  return [...after].sort();
}

/** The plan as `sluice plan` prints it: one line per step with its action and reason. */
export function formatPlan(plan: Plan): string {
  const width = String(plan.steps.length).length;
  return (
    plan.steps
      .map((s, i) => `${String(i + 1).padStart(width)}. ${s.action.padEnd(18)} ${s.node}: ${s.reason}\n`)
      .join("") || "nothing to do\n"
  );
}
