// The DuckDB adapter: database files, and the embedded Parquet lake when `lake_root` is set.
import { isAbsolute, join, resolve } from "node:path";
import { folderProblem } from "../../project/paths.js";
import type { DuckDbConnection } from "../../project/connection-schema.js";
import type { Adapter } from "../contract.js";
import { DuckDbAdapter } from "./duckdb-adapter.js";
import { DuckDbEngine } from "./duckdb-connection.js";
import { DuckDbLakeAdapter } from "./duckdb-lake-adapter.js";

export { DuckDbEngine };

export function createDuckDbAdapter(
  connectionName: string,
  config: DuckDbConnection,
  engine: DuckDbEngine,
  projectDir: string,
  runId: string,
): Adapter {
  const path =
    config.path === ":memory:" || isAbsolute(config.path) ? config.path : join(projectDir, config.path);
  const problem =
    (path === ":memory:" ? null : folderProblem(projectDir, path, `connection '${connectionName}': path`)) ??
    (config.lake_root === undefined
      ? null
      : folderProblem(
          projectDir,
          resolve(projectDir, config.lake_root),
          `connection '${connectionName}': lake_root`,
          true,
        ));
  if (problem) throw new Error(`${problem} in profiles.yml`);
  engine.register(connectionName, path);
  if (config.lake_root !== undefined) {
    const lakeRoot = isAbsolute(config.lake_root) ? config.lake_root : join(projectDir, config.lake_root);
    return new DuckDbLakeAdapter(connectionName, engine, path, lakeRoot, config.schema, runId);
  }
  return new DuckDbAdapter(connectionName, engine, path, config.schema, runId);
}
