// SQL Server engine for sluice: `createSqlServerAdapter` is the only entry point the rest of sluice needs.
import type { Adapter } from "../contract.js";
import type { SqlServerConnection } from "../../project/connection-schema.js";
import { SqlServerAdapter, type SqlServerAdapterOptions } from "./sqlserver-adapter.js";

export function createSqlServerAdapter(
  connectionName: string,
  config: SqlServerConnection,
  options?: SqlServerAdapterOptions,
): Adapter {
  return new SqlServerAdapter(connectionName, config, options);
}

export { SqlServerAdapter, type SqlServerAdapterOptions } from "./sqlserver-adapter.js";
export { SQL_SERVER_CAPABILITIES } from "./sqlserver-capabilities.js";
export { SqlServerDialect, sqlServerDialect } from "./sqlserver-dialect.js";
export { EmptyPartitionSetError } from "./sqlserver-sql.js";
