// Reads DuckDB files directly, without sluice, so tests check results independently.
import { DuckDBInstance } from "@duckdb/node-api";

/** Runs `sql` on an in-memory DuckDB with `attach` files attached under their names. */
export async function queryDuckDb(attach: Record<string, string>, sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    for (const [name, path] of Object.entries(attach)) await connection.run(`ATTACH '${path}' AS "${name}" (READ_ONLY)`);
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
