// What the lake's metadata tables say (src/adapters/duckdb/duckdb-lake-sql.ts has their layout),
// read once per adapter. While a run holds the lock its adapter is the only writer of those tables,
// so after one read every lookup of a table's definition and live folders is answered here, and
// each commit records what it wrote. A build asks several times per step; each ask was a query.
import type { RelationName, Session } from "../contract.js";
import type { LakeColumn, LakeFolder, LakeTableDefinition } from "./duckdb-lake-sql.js";
import * as lakeSql from "./duckdb-lake-sql.js";

/** One lake table as the metadata holds it, with the SQL of its view as the catalog has it now. */
export interface LakeTable {
  rel: RelationName;
  definition: LakeTableDefinition;
  folders: LakeFolder[];
  viewSql: string | null;
}

export class LakeMetadata {
  private tables: Promise<Map<string, LakeTable>> | undefined;

  constructor(private readonly catalog: string) {}

  /** Every lake table, read from the metadata tables on first use. */
  all(session: Session): Promise<Map<string, LakeTable>> {
    this.tables ??= readAll(session, this.catalog).catch((e: unknown) => {
      this.tables = undefined;
      throw e;
    });
    return this.tables;
  }

  /** The definition of a lake table, or undefined when `rel` is not one. */
  async definition(session: Session, rel: RelationName): Promise<LakeTableDefinition | undefined> {
    return (await this.all(session)).get(tableKey(rel))?.definition;
  }

  /** The live version folders of a lake table, in a stable order. */
  async folders(session: Session, rel: RelationName): Promise<LakeFolder[]> {
    return (await this.all(session)).get(tableKey(rel))?.folders ?? [];
  }

  /** Records a commit of `rel`: its definition and exactly these live folders. */
  async committed(
    session: Session,
    rel: RelationName,
    definition: LakeTableDefinition,
    live: LakeFolder[],
  ): Promise<void> {
    // In the order the metadata query reads them back: by partition key text, then folder.
    const folders = live
      .map((f) => ({ f, key: JSON.stringify(f.key) }))
      .sort((a, b) => compareText(a.key, b.key) || compareText(a.f.filesDir, b.f.filesDir))
      .map(({ f }) => f);
    (await this.all(session)).set(tableKey(rel), { rel, definition, folders, viewSql: null });
  }

  /** Records that `rel` is no longer a lake table. */
  async forgotten(session: Session, rel: RelationName): Promise<void> {
    (await this.all(session)).delete(tableKey(rel));
  }

  /** Forgets what was read, so the next lookup reads the tables again (after a commit that failed). */
  reset(): void {
    this.tables = undefined;
  }
}

/** Metadata rows name tables by schema and name; the catalog is the lake's own. */
const tableKey = (rel: RelationName) => JSON.stringify([rel.schema, rel.name]);

/** Byte order, as DuckDB's ORDER BY of VARCHAR sorts the folders it reads back. */
const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

async function readAll(session: Session, catalog: string): Promise<Map<string, LakeTable>> {
  const { rows } = await session.query(lakeSql.selectAllTables(catalog));
  const tables = new Map<string, LakeTable>();
  for (const [schema, name, columns, partitionBy, values, folders, viewSql] of rows) {
    const rel = { database: catalog, schema: String(schema), name: String(name) };
    tables.set(tableKey(rel), {
      rel,
      definition: {
        columns: JSON.parse(String(columns)) as LakeColumn[],
        partitionBy: JSON.parse(String(partitionBy)) as string[],
        valuesInFiles: values === "files",
      },
      folders: (
        JSON.parse(folders === null ? "[]" : String(folders)) as {
          key: string;
          dir: string;
          rows: number;
          cols: string | null;
        }[]
      ).map((f) => ({
        key: JSON.parse(f.key) as (string | null)[],
        filesDir: f.dir,
        rowCount: Number(f.rows),
        columns: f.cols === null ? null : (JSON.parse(f.cols) as LakeColumn[]),
      })),
      viewSql: viewSql === null ? null : String(viewSql),
    });
  }
  return tables;
}
