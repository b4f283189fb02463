// The shape of a run's results (target/run_results.json): what the runner writes and the docs site
// and other readers read, kept beside the manifest so readers need not import the runner.
import type { PartitionValue, Row } from "../adapters/contract.js";

/** The commands that run steps. */
export type RunCommandName = "build" | "run" | "test" | "seed" | "snapshot";

/** `cancelled`: was running when the run was cancelled; `not_started`: the run was cancelled first. */
export type StepStatus =
  | "success"
  | "error"
  | "skipped"
  | "pass"
  | "warn"
  | "fail"
  | "cancelled"
  | "not_started";

export interface StepOutcome {
  status: StepStatus;
  message?: string;
}

export interface StepReport extends StepOutcome {
  rowsAffected?: number | null;
  failures?: number;
  sample?: { columns: string[]; rows: Row[] };
  partitions?: PartitionValue[];
  /**
   * For a test narrowed to the partitions its model replaced in
   * this build: which (the rest passed before and is unchanged).
   */
  scope?: { model: string; partitions: PartitionValue[] };
  /** Rows (and a checksum where the engine gives one) of each partition written, for the ledger. */
  partitionRows?: { partition: PartitionValue; rows: number; checksum: string | null }[];
}

export interface NodeResult extends StepReport {
  node: string;
  action: string;
  reason: string;
  startedAt: string | null;
  elapsedMs: number;
}

export interface RunResults {
  runId: string;
  command: RunCommandName;
  target: string;
  startedAt: string;
  elapsedMs: number;
  success: boolean;
  /**
   * The signal that cancelled the run (runner/cancellation.ts);
   * its nodes then include `cancelled` and `not_started` ones.
   */
  cancelledBy?: "SIGINT" | "SIGTERM";
  /**
   * Wall time of each phase in milliseconds: `start` (process start to this command, when the CLI
   * says when it began), `compile`, `select`, `lock`, `ledger_open`, `connections_open`, hooks,
   * `plan`, `steps`, `ledger_commit`, and the closing of each; what the steps do not account for.
   */
  phasesMs?: Record<string, number>;
  results: NodeResult[];
}
