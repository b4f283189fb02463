// Which data tests of a build may check only the partitions the build replaces. A scoped test
// passing must mean what a whole-table pass means, so scoping needs the rest of the table to be
// clean already: the test passed with no failing row at its current version, and nothing it reads
// has been written since, except the named partitions of its model in this very build.
import type { PartitionValue } from "../adapters/contract.js";
import type { NodeOutcome } from "../ledger/ledger.js";
import type { Manifest, TestNode } from "../manifest/types.js";
import { scopedReconcileSql, scopedTestSql } from "../compiler/test-nodes.js";
import { describePartitions } from "./lineage.js";

/** A test narrowed to the partitions its model is replacing in this build. */
export interface TestScope {
  /** The model whose partitions are checked. */
  model: string;
  partitions: PartitionValue[];
  /**
   * The failing-rows query over just those partitions (for `unique`: keys found there, counted over
   * the whole table); for a reconcile test, the stored table's profile of those partitions.
   */
  sql: string;
  /** For a reconcile test: the profile of the model's SQL over those partitions, where it computes. */
  computedSql?: string;
}

export interface ScopeInputs {
  manifest: Manifest;
  /** Models whose partitions this build replaces, and which (never empty). */
  replacing: Map<string, PartitionValue[]>;
  /** Nodes this build writes before the test runs. */
  changing: Set<string>;
  /** The last recorded outcome of each node, from the ledger. */
  outcomes: Map<string, NodeOutcome>;
  /**
   * For a table recomputing the groups of replaced values (planner/affected-groups.ts): the column
   * those values are in, which its tests narrow by instead of a `partition_by`.
   */
  groupedBy?: Map<string, string[]>;
}

/**
 * The scope of `test` in this build, or null when it checks the whole table; `whole` says why when
 * its model is being partition-replaced but the test still reads everything.
 */
export function scopeTest(
  test: TestNode,
  inputs: ScopeInputs,
): { scope: TestScope; describe: string } | { scope: null; whole?: string } {
  const partitions = test.attachedTo ? inputs.replacing.get(test.attachedTo) : undefined;
  if (!test.attachedTo || !partitions?.length) return { scope: null };
  const whole = (why: string) => ({ scope: null, whole: why });
  if (!passMeansNoFailures(test)) return whole("its thresholds let it pass with failing rows");
  const last = inputs.outcomes.get(test.id);
  if (!last) return whole("it has not run before");
  if (last.version !== test.checksum) return whole("it changed since it last ran");
  if (last.status !== "pass") return whole(`it did not pass last time (${last.status})`);
  for (const dep of test.dependsOn) {
    const node = inputs.manifest.nodes[dep];
    const written = inputs.outcomes.get(dep);
    if (!node || node.kind === "source")
      return whole(`it reads ${node ? `source ${node.name}` : dep}, which changes outside sluice`);
    if (dep !== test.attachedTo && inputs.changing.has(dep))
      return whole(`${node.name} is written in this build`);
    if (!written) return whole(`${node.name} has no recorded build`);
    if (written.at > last.at) return whole(`${node.name} was written since the test last passed`);
  }
  const model = inputs.manifest.nodes[test.attachedTo]!;
  const columns = inputs.groupedBy?.get(model.id);
  const describe = `on ${describePartitions(partitions)} of ${model.name}`;
  // A reconcile's untouched partitions match if they matched when it last passed: their stored rows
  // are unchanged (checked above), and so are their inputs, or change capture would have named them.
  if (test.reconcile) {
    const built = scopedReconcileSql(inputs.manifest, test, partitions, columns);
    if ("whole" in built) return whole(built.whole);
    return {
      scope: { model: model.id, partitions, sql: built.stored, computedSql: built.computed },
      describe,
    };
  }
  const built = scopedTestSql(inputs.manifest, test, partitions, columns);
  if ("whole" in built) return whole(built.whole);
  return { scope: { model: model.id, partitions, sql: built.sql }, describe };
}

/**
 * True when a pass can only mean no failing row (the default `!=0` thresholds, `>0` or `>=1`, on
 * the count of rows: another fail_calc, such as a sum, may be 0 over failing rows).
 */
export function passMeansNoFailures(test: TestNode): boolean {
  if (test.config.failCalc) return false;
  const zero = (c: string) => /^\s*(!=\s*0|>\s*0|>=\s*1)\s*$/.test(c);
  return zero(test.config.warnIf) || (test.config.severity === "error" && zero(test.config.errorIf));
}
