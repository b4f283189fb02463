// `sluice ledger`: what the lineage ledger says was loaded, and compaction of old facts.
import type { Command } from "commander";
import type { Ledger } from "../ledger/ledger.js";
import { describePartitions } from "../planner/lineage.js";
import type { Cancellation } from "../runner/cancellation.js";
import { newRunId } from "../runner/run-id.js";
import type { Workspace } from "../runner/workspace.js";
import { runCancellable } from "./cancellable.js";
import { addCommonOptions, loadFromOptions, nonNegative, type CommonOptions } from "./options.js";

export function registerLedgerCommands(program: Command, setExit: (code: number) => void): void {
  const ledger = program.command("ledger").description("read or compact the lineage ledger");

  addCommonOptions(
    ledger.command("show").description("each partitioned model's partitions: rows, load time and watermark"),
  )
    .option("--model <name>", "only this model")
    .option("--json", "print as JSON")
    .option("--lock-timeout <seconds>", "wait this long for a running build", (v) =>
      nonNegative(v, "--lock-timeout"),
    )
    .action(async (o: CommonOptions & { model?: string; json?: boolean; lockTimeout?: number }) => {
      const project = await loadFromOptions(o);
      // A reader like plan: no lock taken and no run recorded; the ledger is read from a copy, and
      // the text is printed only once it is known that no build wrote the ledger meanwhile.
      const code = await runCancellable(
        () => "ledger show stopped; nothing was printed or written",
        async (cancellation) => {
          const { openLedgerCopy, readWhileNoBuild } = await import("../runner/plan-workspace.js");
          const lockWaitMs = (o.lockTimeout ?? 0) * 1000;
          const text = await readWhileNoBuild(
            project,
            "ledger show",
            { lockWaitMs, cancellation },
            async () => {
              const copy = await openLedgerCopy(project);
              const stop = cancellation.onCancel(() => void copy.ledger.cancel());
              try {
                return await describeLedger(copy.ledger, o);
              } finally {
                stop();
                await copy.close();
              }
            },
          );
          cancellation.signal.throwIfAborted();
          process.stdout.write(text);
        },
      );
      if (code !== null) setExit(code);
    });

  addCommonOptions(
    ledger
      .command("compact")
      .description("fold old facts: keep the latest load per partition and watermark per source"),
  ).action(async (o: CommonOptions) => {
    const code = await inLedgerWorkspace(
      o,
      "ledger compact",
      "the compaction was rolled back unless it said it was done",
      async (workspace) => {
        const { removed } = await workspace.ledger.compact();
        process.stdout.write(
          `Compacted the ledger: ${removed} superseded fact${removed === 1 ? "" : "s"} folded away\n`,
        );
      },
    );
    if (code !== null) setExit(code);
  });
}

/** What `ledger show` prints: per model its partitions, as text or as JSON. */
async function describeLedger(ledger: Ledger, o: { model?: string; json?: boolean }): Promise<string> {
  const models = o.model ? [`model.${o.model}`] : await ledger.models();
  const out: Record<string, unknown> = {};
  let text = "";
  for (const model of models) {
    const partitions = await ledger.partitions(model);
    if (o.json) out[model] = partitions;
    else {
      const loaded = partitions.length
        ? describePartitions(partitions.map((p) => p.partition))
        : "no partitions loaded";
      text += `${model}: ${loaded}\n`;
      for (const p of partitions)
        text +=
          `  ${p.partition.join("/").padEnd(12)} ${String(p.rows).padStart(10)} rows  loaded ` +
          `${p.loadedAt}  run ${p.runId}${p.watermark ? `  watermark ${p.watermark}` : ""}\n`;
    }
  }
  return o.json ? `${JSON.stringify(out, null, 2)}\n` : text;
}

/**
 * Runs `work` holding the lock with the ledger open; Ctrl-C or SIGTERM interrupts the ledger's
 * statement, and the workspace closes as cancelled (engines closed, lock released). Returns the
 * signal's exit code, or null when none came.
 */
async function inLedgerWorkspace(
  o: CommonOptions,
  command: string,
  whenCancelled: string,
  work: (workspace: Workspace, cancellation: Cancellation) => Promise<void>,
): Promise<number | null> {
  const project = await loadFromOptions(o);
  return runCancellable(
    () => `${command} stopped; ${whenCancelled}, and the lock was released`,
    async (cancellation) => {
      const { openWorkspace } = await import("../runner/workspace.js");
      const workspace = await openWorkspace(project, { runId: newRunId(), command, lockWaitMs: 0 });
      const stop = cancellation.onCancel(() => {
        void workspace.ledger.cancel();
        void workspace.connections.cancel();
      });
      let status: "success" | "failed" | "cancelled" = "failed";
      try {
        await work(workspace, cancellation);
        status = cancellation.cancelled ? "cancelled" : "success";
      } catch (e) {
        if (cancellation.cancelled) status = "cancelled";
        throw e;
      } finally {
        stop();
        await workspace.close(status);
      }
    },
  );
}
