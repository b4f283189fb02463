// The plan: the ordered steps a command will take, each with its reason. `plan` prints it and
// `build` executes the very same list, so the explanation cannot drift from what runs.
import type { Connections } from "../adapters/index.js";
import type { WriteMode } from "../adapters/contract.js";
import type { Manifest, ManifestNode, ModelNode } from "../manifest/types.js";

export type StepAction =
  /** Load a seed's CSV, replacing its table. */
  | "load_seed"
  /** Create or replace a view. */
  | "create_view"
  /** Build the whole table beside the old one and swap it in. */
  | "build_table"
  /** Apply the incremental SQL with the model's strategy. */
  | "incremental"
  /** Run a data test. */
  | "run_test";

export interface PlanStep {
  node: string;
  action: StepAction;
  reason: string;
  /** Which of the model's compiled SQL variants runs. */
  sql: "full" | "incremental" | null;
  write: WriteMode | null;
  /** Steps that must succeed first (models upstream, and the blocking tests on them). */
  after: string[];
}

export interface Plan {
  steps: PlanStep[];
}

export interface PlanOptions {
  fullRefresh: boolean;
  /** Include data tests (build, test) and/or models and seeds (build, run, seed). */
  include: { models: boolean; seeds: boolean; tests: boolean };
}

/** Plans the selected nodes; looks at what exists on the engines to choose incremental or full. */
export async function planBuild(manifest: Manifest, selected: Set<string>, connections: Connections, options: PlanOptions): Promise<Plan> {
  const steps: PlanStep[] = [];
  const nodes = Object.values(manifest.nodes).filter((n) => selected.has(n.id));
  const included = nodes.filter((n) => (n.kind === "model" && options.include.models && n.config.materialized !== "ephemeral") || (n.kind === "seed" && options.include.seeds) || (n.kind === "test" && options.include.tests));
  const stepIds = new Set(included.map((n) => n.id));
  const testsOf = new Map<string, string[]>();
  for (const n of included) if (n.kind === "test") for (const d of n.dependsOn) testsOf.set(d, [...(testsOf.get(d) ?? []), n.id]);

  for (const node of included) {
    const after = upstreamSteps(manifest, node, stepIds, testsOf);
    if (node.kind === "seed") steps.push({ node: node.id, action: "load_seed", reason: "seed CSV loaded in full", sql: null, write: { kind: "replace" }, after });
    else if (node.kind === "test") steps.push({ node: node.id, action: "run_test", reason: `${node.config.severity} test`, sql: null, write: null, after });
    else if (node.kind === "model") steps.push({ ...(await planModel(node, connections, options)), after });
  }
  return { steps: order(steps) };
}

async function planModel(model: ModelNode, connections: Connections, options: PlanOptions): Promise<Omit<PlanStep, "after">> {
  const base = { node: model.id };
  const { materialized, strategy, partitionBy, uniqueKey } = model.config;
  if (materialized === "view") return { ...base, action: "create_view", reason: "view replaced", sql: "full", write: null };
  if (materialized === "table") return { ...base, action: "build_table", reason: "table rebuilt in full and swapped in", sql: "full", write: { kind: "replace", partitionBy } };
  const fullRefresh = options.fullRefresh && model.config.fullRefresh !== false;
  if (fullRefresh) return { ...base, action: "build_table", reason: "--full-refresh: rebuilt from scratch", sql: "full", write: { kind: "replace", partitionBy } };
  const adapter = connections.get(model.relation.connection);
  const session = await adapter.open();
  try {
    const kind = await adapter.introspector(session).relationKind(model.relation);
    if (kind !== "table") return { ...base, action: "build_table", reason: kind === "view" ? "a view stands where the table goes: built in full" : "first build: table does not exist yet", sql: "full", write: { kind: "replace", partitionBy } };
    if (strategy === "insert_overwrite") {
      const partitions = await adapter.introspector(session).partitions(model.relation, partitionBy);
      if (partitions.length === 0) return { ...base, action: "build_table", reason: "table holds no partitions: built in full", sql: "full", write: { kind: "replace", partitionBy } };
      return { ...base, action: "incremental", reason: `replacing the partitions the incremental SQL returns among ${partitions.length} present`, sql: "incremental", write: { kind: "partitions", partitionBy, partitions: [] } };
    }
    if (strategy === "merge" || strategy === "delete+insert") return { ...base, action: "incremental", reason: `new rows ${strategy === "merge" ? "merged" : "deleted and inserted"} on ${uniqueKey.join(", ")}`, sql: "incremental", write: { kind: strategy, uniqueKey } };
    return { ...base, action: "incremental", reason: "new rows appended", sql: "incremental", write: { kind: "append" } };
  } finally {
    await session.close();
  }
}

/**
 * Steps this node waits for: the nearest upstream steps (looking through ephemerals and sources),
 * and the error-severity tests that check only nodes upstream of it.
 */
function upstreamSteps(manifest: Manifest, node: ManifestNode, stepIds: Set<string>, testsOf: Map<string, string[]>): string[] {
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
        if (test?.kind === "test" && test.config.severity === "error" && test.dependsOn.every((d) => ancestors.has(d))) after.add(t);
      }
      return;
    }
    for (const d of n.dependsOn) visit(d);
  };
  for (const d of node.dependsOn) visit(d);
  return [...after].sort();
}

/** Orders steps so each comes after the steps it waits for, keeping a stable order otherwise. */
function order(steps: PlanStep[]): PlanStep[] {
  const byId = new Map(steps.map((s) => [s.node, s]));
  const done = new Set<string>();
  const out: PlanStep[] = [];
  const visit = (s: PlanStep) => {
    if (done.has(s.node)) return;
    done.add(s.node);
    for (const a of s.after) {
      const up = byId.get(a);
      if (up) visit(up);
    }
    out.push(s);
  };
  for (const s of steps) visit(s);
  return out;
}
