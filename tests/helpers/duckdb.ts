// Reads and changes DuckDB files directly, without sluice, so tests set up and check data independently.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";

/** Runs `sql` on an in-memory DuckDB with `attach` files attached under their names. */
export async function queryDuckDb(
  attach: Record<string, string>,
  sql: string,
): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    for (const [name, path] of Object.entries(attach))
      await connection.run(`ATTACH '${path}' AS "${name}" (READ_ONLY)`);
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Runs `sql` (one or more statements) on the DuckDB file `path`, attached as `name` and in use; creates the file's folder. */
export async function executeOnDuckDb(path: string, name: string, sql: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    await connection.run(`ATTACH '${path}' AS "${name}"; USE "${name}"; ${sql}`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
