// MySQL and MariaDB engine for sluice: `createMySqlAdapter` is the only entry point the rest of sluice needs.
import type { Adapter } from "../contract.js";
import type { MySqlConnection } from "../../project/connection-schema.js";
import { MySqlAdapter, type MySqlAdapterOptions } from "./mysql-adapter.js";

export function createMySqlAdapter(
  connectionName: string,
  config: MySqlConnection,
  options?: MySqlAdapterOptions,
): Adapter {
  return new MySqlAdapter(connectionName, config, options);
}

export { MySqlAdapter, type MySqlAdapterOptions } from "./mysql-adapter.js";
export { MYSQL_CAPABILITIES } from "./mysql-capabilities.js";
export { MySqlDialect, mysqlDialect } from "./mysql-dialect.js";
export { mysqlFingerprint, mysqlFingerprintSql } from "./mysql-fingerprint.js";
export { EmptyPartitionSetError } from "./mysql-sql.js";
