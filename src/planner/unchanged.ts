// Which nodes a build can leave alone: a seed, view or table whose version is the one that last
// succeeded and whose inputs have not changed since, and a test whose subject has not changed since
// it last passed. Sources are never assumed unchanged: a table or test reading one always runs.
import type { NodeOutcome } from "../ledger/ledger.js";
import type { Manifest, ManifestNode } from "../manifest/types.js";
import type { PlanStep } from "./plan.js";
import type { PlanReads } from "./plan-reads.js";

const SUCCEEDED = new Set(["success", "pass", "warn"]);

export class UnchangedNodes {
  /** Nodes whose step in this plan writes data (so what reads them must run). */
  private readonly changing = new Set<string>();

  constructor(
    private readonly manifest: Manifest,
    private readonly outcomes: Map<string, NodeOutcome>,
  ) {}

  /** Notes a planned step; anything but a skip changes the node's data. */
  planned(step: PlanStep): void {
    if (step.action !== "skip" && step.action !== "run_test") this.changing.add(step.node);
  }

  /** The reason to skip `node`, or null when it must run. */
  async check(node: ManifestNode, reads: PlanReads): Promise<string | null> {
    if (node.kind === "source") return null;
    if (
      node.kind === "model" &&
      (node.config.materialized === "incremental" || node.config.materialized === "ephemeral")
    )
      return null;
    // Its SQL depends on what the database holds when it renders (see compiler/dbt-run-render.ts).
    if (node.kind === "model" && node.introspects?.length) return null;
    const last = this.outcomes.get(node.id);
    if (!last || !SUCCEEDED.has(last.status) || last.version !== node.checksum) return null;
    for (const dep of node.dependsOn) {
      const input = this.manifest.nodes[dep];
      if (!input || input.kind === "source" || input.kind === "test" || this.changing.has(dep)) return null;
      // An input written after this node last succeeded (in another run) makes it stale.
      const written = this.outcomes.get(dep);
      if (!written || written.at > last.at) return null;
    }
    if (node.kind !== "test" && node.kind !== "model" && node.kind !== "seed") return null;
    if (node.kind !== "test" && (await reads.kind(node.relation)) === null) return null;
    const what = node.kind === "test" ? "passed" : "was built";
    return node.dependsOn.length === 0
      ? `unchanged since it ${what} at ${last.at}`
      : `unchanged, and so are its inputs, since it ${what} at ${last.at}`;
  }
}
