// `sluice ledger`: what the lineage ledger says was loaded, and compaction of old facts.
import type { Command } from "commander";
import { describePartitions } from "../planner/lineage.js";
import { newRunId } from "../runner/run-id.js";
import { addCommonOptions, loadFromOptions, type CommonOptions } from "./options.js";

export function registerLedgerCommands(program: Command): void {
  const ledger = program.command("ledger").description("read or compact the lineage ledger");

  addCommonOptions(
    ledger.command("show").description("each partitioned model's partitions: rows, load time and watermark"),
  )
    .option("--model <name>", "only this model")
    .option("--json", "print as JSON")
    .action(async (o: CommonOptions & { model?: string; json?: boolean }) => {
      const project = loadFromOptions(o);
      const { openWorkspace } = await import("../runner/workspace.js");
      const workspace = await openWorkspace(project, {
        runId: newRunId(),
        command: "ledger show",
        lockWaitMs: 0,
      });
      try {
        const models = o.model ? [`model.${o.model}`] : await workspace.ledger.models();
        const out: Record<string, unknown> = {};
        for (const model of models) {
          const partitions = await workspace.ledger.partitions(model);
          if (o.json) out[model] = partitions;
          else {
            process.stdout.write(
              `${model}: ${partitions.length ? describePartitions(partitions.map((p) => p.partition)) : "no partitions loaded"}\n`,
            );
            for (const p of partitions)
              process.stdout.write(
                `  ${p.partition.join("/").padEnd(12)} ${String(p.rows).padStart(10)} rows  loaded ${p.loadedAt}  run ${p.runId}${p.watermark ? `  watermark ${p.watermark}` : ""}\n`,
              );
          }
        }
        if (o.json) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      } finally {
        await workspace.close("success");
      }
    });

  addCommonOptions(
    ledger
      .command("compact")
      .description("fold old facts: keep the latest load per partition and watermark per source"),
  ).action(async (o: CommonOptions) => {
    const project = loadFromOptions(o);
    const { openWorkspace } = await import("../runner/workspace.js");
    const workspace = await openWorkspace(project, {
      runId: newRunId(),
      command: "ledger compact",
      lockWaitMs: 0,
    });
    try {
      const { removed } = await workspace.ledger.compact();
      process.stdout.write(
        `Compacted the ledger: ${removed} superseded fact${removed === 1 ? "" : "s"} folded away\n`,
      );
    } finally {
      await workspace.close("success");
    }
  });
}
