// The DuckDB adapter: database files, and the embedded Parquet lake when `lake_root` is set.
import { isAbsolute, join } from "node:path";
import type { DuckDbConnection } from "../../project/connection-schema.js";
import type { Adapter } from "../contract.js";
import { DuckDbAdapter } from "./duckdb-adapter.js";
import { DuckDbEngine } from "./duckdb-connection.js";
import { DuckDbLakeAdapter } from "./duckdb-lake-adapter.js";

export { DuckDbEngine };

export function createDuckDbAdapter(connectionName: string, config: DuckDbConnection, engine: DuckDbEngine, projectDir: string, runId: string): Adapter {
  const path = config.path === ":memory:" || isAbsolute(config.path) ? config.path : join(projectDir, config.path);
  engine.register(connectionName, path);
  if (config.lake_root !== undefined) {
    const lakeRoot = isAbsolute(config.lake_root) ? config.lake_root : join(projectDir, config.lake_root);
    return new DuckDbLakeAdapter(connectionName, engine, path, lakeRoot, config.schema, runId);
  }
  return new DuckDbAdapter(connectionName, engine, path, config.schema, runId);
}
