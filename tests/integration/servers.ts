// Connection configs for the PostgreSQL and MariaDB servers the integration suites run against,
// from SLUICE_TEST_POSTGRES / SLUICE_TEST_MYSQL (URLs, as scripts/postgres|mariadb/start.sh print).
import { MySqlConnection, PostgresConnection } from "../../src/project/connection-schema.js";

function parts(url: string): {
  host: string;
  port: number | undefined;
  user?: string;
  password?: string;
  database: string;
} {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : undefined,
    user: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    database: decodeURIComponent(u.pathname.replace(/^\//, "")),
  };
}

/**
 * Stands in for a server URL while a skipped suite is collected: vitest still runs the body of a
 * `describe.skip`, so a suite that reads its config there needs one without a server.
 */
export const NO_POSTGRES = "postgres://skipped@127.0.0.1:1/skipped";
export const NO_MYSQL = "mysql://skipped@127.0.0.1:1/skipped";

export function postgresConfig(url: string, extra: Record<string, unknown> = {}): PostgresConnection {
  return PostgresConnection.parse({ type: "postgres", ...parts(url), ...extra });
}

export function mysqlConfig(url: string, extra: Record<string, unknown> = {}): MySqlConnection {
  return MySqlConnection.parse({ type: "mysql", ...parts(url), ...extra });
}

/** A name no other run of the suites uses at the same time. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}`;
}
