// Incremental equals full, on DuckDB: after random sequences of source inserts, updates (some
// moving a sale to another month, some arriving late within the lookback) and deletes, every
// incremental build must leave each table equal to a full rebuild. Seeded and reproducible: a
// failure prints its seed; SLUICE_PROPERTY_SEED=N replays one. The seeds are split over two files
// so both cores run them. SLUICE_PROPERTY_SEQUENCES sets how many in all (default 1000).
import { afterAll, beforeAll, describe, it } from "vitest";
import type { TempProject } from "../helpers/temp-project.js";
import { runSequence, setUpProject } from "./incremental-sequences.js";

const TOTAL = Number(process.env["SLUICE_PROPERTY_SEQUENCES"] ?? 1000);
const HALF: number = 1;

let project: TempProject;
beforeAll(() => {
  project = setUpProject();
});
afterAll(() => project.remove());

describe("incremental equals full", () => {
  const only = process.env["SLUICE_PROPERTY_SEED"];
  const seeds = only ? (Number(only) % 2 === HALF ? [Number(only)] : []) : Array.from({ length: TOTAL }, (_, i) => i + 1).filter((s) => s % 2 === HALF);
  it(`holds over ${seeds.length} random sequences (${HALF === 0 ? "even" : "odd"} seeds)`, async () => {
    for (const seed of seeds) {
      try {
        await runSequence(seed);
      } catch (e) {
        throw new Error(`failing seed ${seed} (replay with SLUICE_PROPERTY_SEED=${seed}): ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }, 1_800_000);
});
