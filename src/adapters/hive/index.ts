// The Hive / Spark Thrift Server adapter: the one entry point the rest of sluice imports.
import type { Adapter } from "../contract.js";
import type { HiveConnection } from "../../project/connection-schema.js";
import { HiveAdapter } from "./hive-adapter.js";

export function createHiveAdapter(connectionName: string, config: HiveConnection): Adapter {
  return new HiveAdapter(connectionName, config);
}

export { HiveAdapter } from "./hive-adapter.js";
export { HiveDialect, hiveDialect } from "./hive-dialect.js";
export { HiveConnectionError, HiveQueryError } from "./hive-connection.js";
export { EmptyPartitionSetError } from "./hive-sql.js";
export { hiveCapabilities } from "./hive-capabilities.js";
