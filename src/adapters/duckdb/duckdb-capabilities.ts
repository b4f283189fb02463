// What embedded DuckDB can do, as declared constants.
import type { Capabilities } from "../contract.js";

export const DUCKDB_CAPABILITIES: Capabilities = {
  maxIdentifierLength: 255,
};
