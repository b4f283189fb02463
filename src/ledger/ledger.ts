// The lineage ledger: append-only facts of what was loaded (run, model, model version, partition,
// source, watermark range, rows, checksum) and the partitions a run set out to replace. It lives in
// an embedded DuckDB file under the project's state folder, never in the lake. Every write checks
// the run lock's fencing token first, so a run that lost the lock records nothing more.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { PartitionValue, Session } from "../adapters/contract.js";
import { openEmbeddedFile, type EmbeddedDatabase } from "../adapters/embedded.js";
import { withFaultInjection } from "../adapters/fault-injection.js";
import { serialSession } from "../adapters/serial-session.js";
import { dialectFor } from "../adapters/dialects.js";
import type { Watermark } from "./watermark.js";
import { LockLostError, type LockFence } from "./run-lock.js";

export interface PartitionLoad {
  model: string;
  modelVersion: string;
  partition: PartitionValue;
  rows: number;
  checksum: string | null;
}

export interface WatermarkFact {
  model: string;
  modelVersion: string;
  source: string;
  from: Watermark | null;
  to: Watermark;
}

export interface NodeOutcome {
  version: string;
  status: string;
  at: string;
}

export interface PartitionState {
  partition: PartitionValue;
  rows: number;
  loadedAt: string;
  runId: string;
  watermark: string | null;
}

const SCHEMA = [
  `create table if not exists runs (run_id varchar primary key, target varchar, command varchar, ` +
    `host varchar, pid integer, started_at timestamp, finished_at timestamp, status varchar)`,
  `create table if not exists watermarks (run_id varchar, model varchar, ` +
    `model_version varchar, source varchar, watermark_from varchar, ` +
    `watermark_to varchar, watermark_kind varchar, committed_at timestamp)`,
  `create table if not exists partition_loads (run_id varchar, model varchar, model_version ` +
    `varchar, partition_key varchar, row_count bigint, checksum varchar, loaded_at timestamp)`,
  `create table if not exists pending_partitions (run_id varchar, ` +
    `model varchar, partition_key varchar, planned_at timestamp)`,
  `create table if not exists node_outcomes (run_id varchar, node ` +
    `varchar, version varchar, status varchar, recorded_at timestamp)`,
  // The newest lock generation that wrote here: commits from an older one are refused.
  `create table if not exists lock_fence (token bigint)`,
];

export class Ledger {
  private constructor(
    private readonly database: EmbeddedDatabase,
    private readonly session: Session,
    private readonly fence: LockFence | undefined,
    private readonly lockPath: string,
  ) {}

  /** Opens the ledger; with `fence`, claims it for that lock generation and checks it on every write. */
  static async open(path: string, fence?: LockFence): Promise<Ledger> {
    mkdirSync(dirname(path), { recursive: true });
    const database = await openEmbeddedFile("ledger", path);
    // Steps on several threads record to the ledger at once; its one session takes them in turn.
    const session = serialSession(withFaultInjection(database.session));
    await session.execute("use ledger");
    for (const statement of SCHEMA) await session.execute(statement);
    const ledger = new Ledger(database, session, fence, fence?.path ?? path);
    try {
      if (fence) await ledger.claimFence(fence.token);
    } catch (e) {
      await ledger.close();
      throw e;
    }
    return ledger;
  }

  /** Records `token` as the newest generation, refusing when a newer one has written already. */
  private async claimFence(token: number): Promise<void> {
    await this.session.transaction(async () => {
      const newest = await this.fencedBy();
      if (newest > token) throw new LockLostError(this.lockPath, token, undefined);
      await this.session.execute("delete from lock_fence");
      await this.session.execute(`insert into lock_fence values (${token})`);
    });
  }

  private async fencedBy(): Promise<number> {
    const { rows } = await this.session.query("select coalesce(max(token), 0) from lock_fence");
    return Number(rows[0]?.[0] ?? 0);
  }

  /**
   * The fence: the lock file must show no newer generation, and inside a commit the ledger itself
   * must not have been claimed by one, so the check and the commit cannot be split by a takeover.
   */
  private async checkFence(inTransaction: boolean): Promise<void> {
    if (!this.fence) return;
    this.fence.assertHeld();
    if (inTransaction && (await this.fencedBy()) !== this.fence.token)
      throw new LockLostError(this.lockPath, this.fence.token, undefined);
  }

  /** Interrupts the ledger statement running now (Ctrl-C): its transaction rolls back. */
  async cancel(): Promise<void> {
    await this.session.cancel?.();
  }

  async close(): Promise<void> {
    await this.session.close();
    await this.database.close();
  }

  async runStarted(run: {
    runId: string;
    target: string;
    command: string;
    host: string;
    pid: number;
  }): Promise<void> {
    await this.checkFence(false);
    await this.session.execute(
      `insert into runs values (${lit(run.runId)}, ${lit(run.target)}, ` +
        `${lit(run.command)}, ${lit(run.host)}, ${run.pid}, ${UTC_NOW}, null, 'running')`,
    );
  }

  /** Not fenced: a run that lost the lock still closes its own row, and touches no fact. */
  async runFinished(runId: string, status: "success" | "failed" | "cancelled"): Promise<void> {
    await this.session.execute(
      `update runs set finished_at = ${UTC_NOW}, status = ${lit(status)} where run_id = ${lit(runId)}`,
    );
  }

  /** The latest committed watermark of `source` for `model`, and the model version it was loaded with. */
  async watermark(
    model: string,
    source: string,
  ): Promise<{ watermark: Watermark; modelVersion: string } | null> {
    const { rows } = await this.session.query(
      `select watermark_to, watermark_kind, model_version from watermarks where model = ` +
        `${lit(model)} and source = ${lit(source)} order by committed_at desc, rowid desc limit 1`,
    );
    const row = rows[0];
    if (!row) return null;
    return {
      watermark: { value: String(row[0]), kind: String(row[1]) as Watermark["kind"] },
      modelVersion: String(row[2]),
    };
  }

  /** Partitions a run planned to replace but did not commit: the next run redoes them. */
  async pendingPartitions(model: string): Promise<PartitionValue[]> {
    const { rows } = await this.session.query(
      `select distinct partition_key from pending_partitions where model = ${lit(model)} order by 1`,
    );
    return rows.map((r) => JSON.parse(String(r[0])) as PartitionValue);
  }

  async markPending(runId: string, model: string, partitions: PartitionValue[]): Promise<void> {
    if (partitions.length === 0) return;
    await this.checkFence(false);
    const values = partitions
      .map((p) => `(${lit(runId)}, ${lit(model)}, ${lit(JSON.stringify(p))}, ${UTC_NOW})`)
      .join(", ");
    await this.session.execute(`insert into pending_partitions values ${values}`);
  }

  /**
   * Records a model's load as one transaction: its partitions' facts, its new watermarks, and the
   * end of its pending partitions. Called only after the data and its blocking tests committed.
   */
  async commitLoad(
    runId: string,
    model: string,
    loads: PartitionLoad[],
    watermarks: WatermarkFact[],
    resetPending: boolean,
  ): Promise<void> {
    await this.session.transaction(async () => {
      await this.checkFence(true);
      if (loads.length > 0) {
        const values = loads.map(
          (l) =>
            `(${lit(runId)}, ${lit(l.model)}, ${lit(l.modelVersion)}, ` +
            `${lit(JSON.stringify(l.partition))}, ${l.rows}, ` +
            `${l.checksum === null ? "null" : lit(l.checksum)}, ${UTC_NOW})`,
        );
        await this.session.execute(`insert into partition_loads values ${values.join(", ")}`);
      }
      for (const w of watermarks) {
        await this.session.execute(
          `insert into watermarks values (${lit(runId)}, ${lit(w.model)}, ` +
            `${lit(w.modelVersion)}, ${lit(w.source)}, ${w.from ? lit(w.from.value) : "null"}` +
            `, ${lit(w.to.value)}, ${lit(w.to.kind)}, ${UTC_NOW})`,
        );
      }
      if (resetPending)
        await this.session.execute(`delete from pending_partitions where model = ${lit(model)}`);
      else if (loads.length > 0) {
        const keys = loads.map((l) => lit(JSON.stringify(l.partition))).join(", ");
        await this.session.execute(
          `delete from pending_partitions where model = ${lit(model)} and partition_key in (${keys})`,
        );
      }
    });
  }

  /** Each partition's latest load, for docs and `sluice ledger`. */
  async partitions(model: string): Promise<PartitionState[]> {
    const latestWatermark =
      "(select max(w.watermark_to) from watermarks w where w.run_id = p.run_id and w.model = p.model and " +
      "w.watermark_kind <> 'fingerprint')";
    const { rows } = await this.session.query(`
      select p.partition_key, p.row_count, strftime(p.loaded_at, '%Y-%m-%d %H:%M:%S UTC'), p.run_id,
             ${latestWatermark}
      from partition_loads p
      where p.model = ${lit(model)}
      qualify row_number() over (partition by p.partition_key order by p.loaded_at desc, p.rowid desc) = 1
      order by p.partition_key`);
    return rows.map((r) => ({
      partition: JSON.parse(String(r[0])) as PartitionValue,
      rows: Number(r[1]),
      loadedAt: String(r[2]),
      runId: String(r[3]),
      watermark: r[4] === null ? null : String(r[4]),
    }));
  }

  /** Records how a node's step ended, with the version it ran at; skipped steps are not recorded. */
  async recordOutcomes(
    runId: string,
    outcomes: { node: string; version: string; status: string }[],
  ): Promise<void> {
    if (outcomes.length === 0) return;
    await this.checkFence(false);
    const values = outcomes.map(
      (o) => `(${lit(runId)}, ${lit(o.node)}, ${lit(o.version)}, ${lit(o.status)}, ${UTC_NOW})`,
    );
    await this.session.execute(`insert into node_outcomes values ${values.join(", ")}`);
  }

  /** The last recorded outcome of each node: its version, status and when (as sortable text). */
  async lastOutcomes(): Promise<Map<string, NodeOutcome>> {
    const { rows } = await this.session.query(
      "select node, version, status, strftime(recorded_at, '%Y-%m-%d %H:%M:%S.%f') from node_outcomes " +
        "qualify row_number() over (partition by node order by recorded_at desc, rowid desc) = 1",
    );
    return new Map(
      rows.map((r) => [String(r[0]), { version: String(r[1]), status: String(r[2]), at: String(r[3]) }]),
    );
  }

  /** Models with loads on record. */
  async models(): Promise<string[]> {
    const { rows } = await this.session.query("select distinct model from partition_loads order by 1");
    return rows.map((r) => String(r[0]));
  }

  /** Folds old facts: keeps the latest load per partition and the latest watermark per model and source. */
  async compact(): Promise<{ removed: number }> {
    return this.session.transaction(async () => {
      await this.checkFence(true);
      const a = await this.session.execute(
        `delete from partition_loads where rowid not in (select arg_max(rowid, ` +
          `loaded_at) from partition_loads group by model, partition_key)`,
      );
      const b = await this.session.execute(
        `delete from watermarks where rowid not in (select arg_max(rowid, ` +
          `committed_at) from watermarks group by model, source)`,
      );
      const c = await this.session.execute(
        `delete from node_outcomes where rowid not in (select ` +
          `arg_max(rowid, recorded_at) from node_outcomes group by node)`,
      );
      return { removed: (a.rowsAffected ?? 0) + (b.rowsAffected ?? 0) + (c.rowsAffected ?? 0) };
    });
  }
}

/**
 * The ledger's clock: now as UTC wall-clock time. DuckDB's now() is an instant that becomes local
 * wall-clock time in a TIMESTAMP column, so facts stamped in Tokyo and in UTC (or either side of a
 * DST fall-back) would order wrongly and "latest" would pick an older fact.
 */
const UTC_NOW = "timezone('UTC', now())";

function lit(value: string): string {
  return dialectFor("duckdb").literal(value);
}
