// Reads what the lake holds from its metadata tables alone (no file scan): a lake table's kind,
// columns and partitions. Relations without metadata (plain views) are read as in a database file.
import type {
  Column,
  Introspector,
  PartitionValue,
  RelationKind,
  RelationName,
  Session,
} from "../contract.js";
import { logicalType } from "./duckdb-dialect.js";
import { DuckDbIntrospector } from "./duckdb-introspector.js";
import type { LakeMetadata } from "./duckdb-lake-metadata.js";

export class DuckDbLakeIntrospector implements Introspector {
  private readonly catalogIntrospector: DuckDbIntrospector;

  constructor(
    private readonly session: Session,
    private readonly catalog: string,
    private readonly metadata: LakeMetadata,
    private readonly ready: () => Promise<void>,
  ) {
    this.catalogIntrospector = new DuckDbIntrospector(session, catalog);
  }

  async relationKind(rel: RelationName): Promise<RelationKind | null> {
    await this.ready();
    if (await this.metadata.definition(this.session, rel)) return "table";
    return this.catalogIntrospector.relationKind(rel);
  }

  async columns(rel: RelationName): Promise<Column[]> {
    await this.ready();
    const definition = await this.metadata.definition(this.session, rel);
    if (!definition) return this.catalogIntrospector.columns(rel);
    return definition.columns.map((c) => ({
      name: c.name,
      nativeType: c.nativeType,
      type: logicalType(c.nativeType),
    }));
  }

  async partitions(rel: RelationName, partitionBy: string[] = []): Promise<PartitionValue[]> {
    if (partitionBy.length === 0) return [];
    await this.ready();
    const definition = await this.metadata.definition(this.session, rel);
    const positions = partitionBy.map((p) => definition?.partitionBy.indexOf(p) ?? -1);
    // Asked for columns the lake does not partition by: only a scan can answer.
    if (!definition || positions.some((i) => i < 0))
      return this.catalogIntrospector.partitions(
        { ...rel, database: rel.database ?? this.catalog },
        partitionBy,
      );
    const seen = new Map<string, PartitionValue>();
    for (const folder of await this.metadata.folders(this.session, rel)) {
      if (folder.rowCount === 0) continue;
      const value = positions.map((i) => folder.key[i] ?? null);
      seen.set(JSON.stringify(value), value);
    }
    return [...seen.values()].sort(compareValues);
  }
}

/** NULL first, then values in natural order (202109 before 202110, "a2" before "a10"). */
function compareValues(a: PartitionValue, b: PartitionValue): number {
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [a[i] ?? null, b[i] ?? null];
    if (x === null || y === null) {
      if (x !== y) return x === null ? -1 : 1;
      continue;
    }
    const c = x.localeCompare(y, "en", { numeric: true });
    if (c !== 0) return c;
  }
  return 0;
}
