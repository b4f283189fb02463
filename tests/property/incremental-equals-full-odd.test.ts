// Incremental equals full, on DuckDB: after random sequences of source inserts, updates (some
// moving a sale to another month, some arriving late within the lookback) and deletes, every
// incremental build must leave each table equal to a full rebuild. Seeded and reproducible; the
// odd seeds run here, the others in the twin file, so both cores work.
import { sequencesSuite } from "./incremental-sequences.js";

sequencesSuite(1);
