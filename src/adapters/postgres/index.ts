// PostgreSQL engine for sluice: `createPostgresAdapter` is the only entry point the rest of sluice needs.
import type { Adapter } from "../contract.js";
import type { PostgresConnection } from "../../project/connection-schema.js";
import { PostgresAdapter, type PostgresAdapterOptions } from "./postgres-adapter.js";

export function createPostgresAdapter(
  connectionName: string,
  config: PostgresConnection,
  options?: PostgresAdapterOptions,
): Adapter {
  return new PostgresAdapter(connectionName, config, options);
}

export { PostgresAdapter, type PostgresAdapterOptions } from "./postgres-adapter.js";
export { POSTGRES_CAPABILITIES } from "./postgres-capabilities.js";
export { PostgresDialect, postgresDialect } from "./postgres-dialect.js";
export { postgresFingerprintSql } from "./postgres-fingerprint.js";
export { EmptyPartitionSetError } from "./postgres-sql.js";
