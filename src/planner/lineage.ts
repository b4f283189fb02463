// Lineage planning for a partitioned model that reads change-tracked sources: gather the facts
// (lineage-facts.ts, one query at a time), then decide from them alone (lineage-decision.ts). The
// change probes run only when the first facts do not already force a full build.
import type { Connections } from "../adapters/index.js";
import type { PartitionValue } from "../adapters/contract.js";
import type { Ledger } from "../ledger/ledger.js";
import type { Manifest, ModelNode } from "../manifest/types.js";
import {
  decideLineage,
  DEFAULT_DECISION_OPTIONS,
  fullBuildReason,
  sortedPartitions,
  type DecisionOptions,
  type LineageDecision,
} from "./lineage-decision.js";
import { gatherLineageFacts, probeChanges } from "./lineage-facts.js";
import type { PlanReads } from "./plan-reads.js";

export { describePartitions, type LineageDecision } from "./lineage-decision.js";

export async function planLineage(
  model: ModelNode,
  manifest: Manifest,
  engines: { connections: Connections; reads: PlanReads },
  ledger: Ledger,
  tableExists: boolean,
  fullRefresh: boolean,
  writtenInputs: string[] = [],
  options?: DecisionOptions,
): Promise<LineageDecision> {
  const { connections } = engines;
  const facts = await gatherLineageFacts(
    model,
    manifest,
    engines,
    ledger,
    tableExists,
    fullRefresh,
    writtenInputs,
  );
  const decided = options ?? {
    fullRebuildShare: model.config.fullRebuildShare ?? DEFAULT_DECISION_OPTIONS.fullRebuildShare,
  };
  const changes =
    fullBuildReason(facts) === null
      ? await probeChanges(model, manifest, connections, ledger, facts, decided.fullRebuildShare)
      : null;
  return decideLineage({ ...facts, changes }, decided);
}

/** A set of partitions, each a list of values, kept sorted. */
export class PartitionSet {
  private readonly items: PartitionValue[] = [];

  add(partition: PartitionValue): void {
    this.items.push(partition);
  }

  get size(): number {
    return this.values().length;
  }

  values(): PartitionValue[] {
    return sortedPartitions(this.items);
  }
}
