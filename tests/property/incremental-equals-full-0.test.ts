// Incremental equals full, on DuckDB (sequence-run.ts): the seeds equal to 0 modulo 4, one of four
// files so that vitest spreads the sequences over every core.
import { sequencesSuite } from "./sequence-run.js";

sequencesSuite("tests/property/incremental-equals-full-0.test.ts", 0, 4);
