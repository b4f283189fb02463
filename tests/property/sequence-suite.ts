// The property as vitest suites (the DuckDB files in this folder and the Spark one under
// tests/integration/spark): which seeds a file runs, and one test over them that names each
// failing seed with its replay line. The sequences themselves are in sequence-run.ts, which
// imports no vitest, so bench/property can run them outside a test.
import { describe, expect, it } from "vitest";
import { runSequence } from "./sequence-run.js";
import type { LakeTarget } from "./sequence-shape.js";

/**
 * How many sequences in all unless SLUICE_PROPERTY_SEQUENCES says otherwise: what a developer's
 * `npm test` runs in a couple of minutes on two cores (a sequence costs ~0.6 CPU-seconds, mostly
 * the builds; bench/property). `.ci/run` sets SLUICE_PROPERTY_SEQUENCES=2000, the number.
 */
export const DEFAULT_SEQUENCES = 200;

/** The seeds of one test file: those equal to `part` modulo `parts`, of 1..SLUICE_PROPERTY_SEQUENCES. */
export function seedsOf(part: number, parts: number): number[] {
  const only = process.env["SLUICE_PROPERTY_SEED"];
  if (only) return Number(only) % parts === part ? [Number(only)] : [];
  const total = Number(process.env["SLUICE_PROPERTY_SEQUENCES"] ?? DEFAULT_SEQUENCES);
  return Array.from({ length: total }, (_, i) => i + 1).filter((s) => s % parts === part);
}

/**
 * The property over one test file's share of the seeds (split across files so vitest runs them
 * on every core). Runs them all, then fails naming each failing seed with a one-line replay.
 */
export function sequencesSuite(file: string, part: number, parts: number): void {
  propertySuite(file, seedsOf(part, parts), `seeds ${part} mod ${parts}`);
}

/**
 * The property over `seeds`, each with the lake `lakeOf` gives it (the Parquet lake by default),
 * `parallel` sequences at a time (each has its own project, databases and ledger; a Spark lake
 * spends most of a sequence waiting on the server's jobs); fails naming each failing seed with a
 * one-line replay (`replayEnv` is what else it needs).
 */
export function propertySuite(
  file: string,
  seeds: number[],
  label: string,
  options: { lakeOf?: (seed: number) => LakeTarget; replayEnv?: string; parallel?: number } = {},
): void {
  const { lakeOf = () => ({ kind: "duckdb" }) as const, replayEnv = "", parallel = 1 } = options;
  describe("incremental equals full", () => {
    it(`holds over ${seeds.length} random sequences (${label})`, async () => {
      const failures: string[] = [];
      const actions: string[] = [];
      const started = Date.now();
      const queue = [...seeds];
      const worker = async () => {
        for (let seed = queue.shift(); seed !== undefined && failures.length < 3; seed = queue.shift()) {
          try {
            actions.push(...(await runSequence(seed, lakeOf(seed))));
          } catch (e) {
            failures.push(
              `failing seed ${seed}, replay: ${replayEnv}SLUICE_PROPERTY_SEED=${seed} npx vitest run ${file}\n${e instanceof Error ? e.message : String(e)}`,
            );
          }
        }
      };
      await Promise.all(Array.from({ length: parallel }, worker));
      if (process.env["SLUICE_PROPERTY_TIMING"])
        console.log(`${label}: ${seeds.length} sequences in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      expect(failures, failures.join("\n\n")).toEqual([]);
      // A property passing only because every build was full would prove nothing about partitions.
      if (actions.length >= 40)
        expect(actions.filter((a) => a === "replace_partitions").length).toBeGreaterThan(actions.length / 4);
    }, 3_600_000);
  });
}
