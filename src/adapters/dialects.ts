// The dialect of each engine type, for code that writes SQL without an open connection (the
// compiler, the planner, the runner, the docs). Imports only the pure dialect files, never a driver.
import type { Dialect } from "./contract.js";
import { duckdbDialect } from "./duckdb/duckdb-dialect.js";
import { hiveDialect } from "./hive/hive-dialect.js";
import { mysqlDialect } from "./mysql/mysql-dialect.js";
import { postgresDialect } from "./postgres/postgres-dialect.js";
import { sqlServerDialect } from "./sqlserver/sqlserver-dialect.js";

export type EngineType = Dialect["engine"];

const DIALECTS: Record<EngineType, Dialect> = {
  duckdb: duckdbDialect,
  sqlserver: sqlServerDialect,
  hive: hiveDialect,
  postgres: postgresDialect,
  mysql: mysqlDialect,
};

/**
 * The one dialect object of `engine`: every caller quotes, spells literals and filters partitions through it.
 */
export function dialectFor(engine: EngineType): Dialect {
  return DIALECTS[engine];
}
