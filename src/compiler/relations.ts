// How a relation is named in SQL on each engine, and which connections can read each other's
// relations directly. Pure: the compiler needs this without opening any connection. The spelling
// itself is the engine's dialect's, the one place each engine quotes.
import { dialectFor } from "../adapters/dialects.js";
import type { ConnectionConfig } from "../project/connection-schema.js";
import type { RelationRef } from "../manifest/types.js";

type EngineType = ConnectionConfig["type"];

export function quoteIdentifier(type: EngineType, name: string): string {
  return dialectFor(type).quoteIdentifier(name);
}

/** The relation as SQL running on an engine of `type` spells it. */
export function renderRelation(type: EngineType, rel: RelationRef): string {
  return dialectFor(type).relation(rel);
}

/** Where a connection puts relations that name no schema, and the catalog it names them in. */
export function defaultPlacement(
  connectionName: string,
  config: ConnectionConfig,
): { database?: string; schema: string } {
  switch (config.type) {
    // Every DuckDB connection of a target is attached to one embedded instance under its
    // connection name, so its relations carry that name as their catalog.
    case "duckdb":
      return { database: connectionName, schema: config.schema };
    case "sqlserver":
      return { schema: config.schema };
    case "hive":
      return { schema: config.database };
    case "postgres":
      return { schema: config.schema };
    // MySQL's schemas are its databases.
    case "mysql":
      return { schema: config.database };
  }
}

/**
 * Whether SQL running on `compute` can read relations living on `other`. DuckDB connections share
 * one embedded instance, so they read each other; any other pair needs the runner to move rows.
 */
export function canRead(
  computeName: string,
  otherName: string,
  connections: Record<string, ConnectionConfig>,
): boolean {
  if (computeName === otherName) return true;
  return connections[computeName]?.type === "duckdb" && connections[otherName]?.type === "duckdb";
}
