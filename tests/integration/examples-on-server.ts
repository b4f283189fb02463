// Builds a project of examples/ with its source (and mart) on a real server: the example's own
// generator fills the embedded `dev` source, the test copies those tables to the server with
// sluice's cross-engine load, and a target added to the copy's profiles.yml reads them from there.
// The same data then has to give the same lake (and mart) as the embedded build, built from empty
// and again after a day of changes, and the incremental build has to equal a full refresh.
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import type { Adapter } from "../../src/adapters/contract.js";
import { DuckDbEngine } from "../../src/adapters/duckdb/index.js";
import type { ExampleCopy } from "../helpers/examples.js";

/** How a server suite reaches its server. */
export interface ExampleServer {
  /** A profile connection (a YAML flow map) on `database`; secrets come from `env`. */
  connectionYaml(database: string): string;
  env: Record<string, string>;
  /** An adapter on `database`, for the test's own copies and reads. */
  adapter(database: string): Adapter;
}

/** Adds target `server` to the copy's profiles.yml: `connections` on the server, the rest embedded. */
export function addServerTarget(
  copy: ExampleCopy,
  defaultConnection: string,
  connections: Record<string, string>,
): void {
  const embedded: Record<string, string> = {
    source: "{ type: duckdb, path: .sluice/server/source.duckdb }",
    lake: "{ type: duckdb, path: .sluice/server/lake.duckdb, lake_root: .sluice/server/lake }",
    mart: "{ type: duckdb, path: .sluice/server/mart.duckdb }",
  };
  const lines = Object.entries({ ...embedded, ...connections })
    .filter(([name]) => name in connections || name === "lake" || defaultConnection === name)
    .map(([name, yaml]) => `      ${name}: ${yaml}`);
  appendFileSync(
    join(copy.dir, "profiles.yml"),
    `  server:\n    default_connection: ${defaultConnection}\n    connections:\n${lines.join("\n")}\n`,
  );
}

/**
 * Copies every table of `schema` in the embedded dev source to `target` (same schema and names),
 * replacing what is there, through the adapter's staged load as a cross-engine build moves rows.
 */
export async function copySourceTables(
  copy: ExampleCopy,
  schema: string,
  target: Adapter,
  placement: { database?: string; schema: string },
): Promise<string[]> {
  const engine = new DuckDbEngine({ threads: 1 });
  const server = await target.open();
  try {
    const duck = await engine.open();
    await duck.execute(`ATTACH '${copy.file("source")}' AS src (READ_ONLY)`);
    const { rows } = await duck.query(
      `select table_name from information_schema.tables
       where table_catalog = 'src' and table_schema = '${schema}' order by 1`,
    );
    const names = rows.map((r) => String(r[0]));
    await target.ensureSchema(server, placement.schema, placement.database);
    for (const name of names) {
      const batches = duck.stream(`select * from src."${schema}"."${name}"`, 10_000);
      await target.load(server, { ...placement, name }, batches, { kind: "replace" });
    }
    return names;
  } finally {
    await server.close();
    await target.close();
    await engine.close();
  }
}

/** Every row of `table` on the server as text, sorted, for comparison with the embedded build's. */
export async function serverRows(adapter: Adapter, table: string, columns: string[]): Promise<string[][]> {
  const session = await adapter.open();
  try {
    const select = columns
      .map((c) => adapter.dialect.castText(adapter.dialect.quoteIdentifier(c)))
      .join(", ");
    const { rows } = await session.query(`SELECT ${select} FROM ${table}`);
    return rows.map((r) => r.map((v) => (v === null ? "NULL" : String(v)))).sort(compareRows);
  } finally {
    await session.close();
    await adapter.close();
  }
}

export function compareRows(a: string[], b: string[]): number {
  for (let i = 0; i < a.length; i++) {
    const c = (a[i] ?? "").localeCompare(b[i] ?? "");
    if (c !== 0) return c;
  }
  return 0;
}

/** Every row of `table` in `main` of an embedded DuckDB file as text, sorted, like `serverRows`. */
export async function embeddedRows(
  file: string,
  table: string,
): Promise<{ columns: string[]; rows: string[][] }> {
  const engine = new DuckDbEngine({ threads: 1 });
  try {
    const session = await engine.open();
    await session.execute(`ATTACH '${file}' AS db (READ_ONLY)`);
    const described = await session.query(`select * from db.main."${table}" limit 0`);
    const columns = described.columns.map((c) => c.name);
    const select = columns.map((c) => `cast("${c}" as varchar)`).join(", ");
    const { rows } = await session.query(`select ${select} from db.main."${table}"`);
    return {
      columns,
      rows: rows.map((r) => r.map((v) => (v === null ? "NULL" : String(v)))).sort(compareRows),
    };
  } finally {
    await engine.close();
  }
}
