// Where a connection points, for messages about it (`sluice debug`, an incomplete plan, a build
// that cannot reach a server): host, port, database and user, or a DuckDB file; never a secret.
import type { ConnectionConfig } from "./connection-schema.js";

/** The parts of a connection that say where it points; credentials are left out. */
export function describeEndpoint(config: ConnectionConfig): string {
  const parts: [string, unknown][] =
    config.type === "duckdb"
      ? [
          ["path", config.path],
          ["lake_root", config.lake_root],
        ]
      : [
          ["host", config.host],
          ["port", config.port],
          ["database", config.database],
          ["user", config.user],
        ];
  if (config.type === "hive") parts.push(["transport", config.transport], ["auth", config.auth]);
  return parts
    .filter(([, v]) => v !== undefined && v !== "")
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(", ");
}
