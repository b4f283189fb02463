// Incremental equals full, on DuckDB (sequence-run.ts): the seeds equal to 2 modulo 8, one of eight
// files so that vitest spreads the sequences over every core and no file runs long alone at the end.
import { sequencesSuite } from "./sequence-suite.js";

sequencesSuite("tests/property/incremental-equals-full-2.test.ts", 2, 8);
