// Reads what a DuckDB database holds: relation kinds, columns and partition values.
import type {
  Column,
  Introspector,
  PartitionValue,
  RelationKind,
  RelationName,
  Session,
} from "../contract.js";
import { duckdbDialect as d, logicalType } from "./duckdb-dialect.js";

export class DuckDbIntrospector implements Introspector {
  constructor(
    private readonly session: Session,
    private readonly database: string,
  ) {}

  async relationKind(rel: RelationName): Promise<RelationKind | null> {
    // DuckDB's own catalog functions rather than information_schema, which reads every catalog's
    // columns first: this runs for every step of a build.
    const where = (name: string) =>
      `database_name = ${d.literal(rel.database ?? this.database)} AND ` +
      `schema_name = ${d.literal(rel.schema)} AND ${name} = ${d.literal(rel.name)}`;
    const { rows } = await this.session.query(
      `SELECT 'table' FROM duckdb_tables() WHERE ${where("table_name")} UNION ` +
        `ALL SELECT 'view' FROM duckdb_views() WHERE ${where("view_name")}`,
    );
    const kind = rows[0]?.[0];
    return kind === "table" || kind === "view" ? kind : null;
  }

  async columns(rel: RelationName): Promise<Column[]> {
    const { rows } = await this.session.query(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_catalog = ` +
        `${d.literal(rel.database ?? this.database)} AND table_schema = ${d.literal(rel.schema)}` +
        ` AND table_name = ${d.literal(rel.name)} ORDER BY ordinal_position`,
    );
    return rows.map(([name, type]) => ({
      name: String(name),
      nativeType: String(type),
      type: logicalType(String(type)),
    }));
  }

  async partitions(rel: RelationName, partitionBy: string[] = []): Promise<PartitionValue[]> {
    if (partitionBy.length === 0) return [];
    const cols = partitionBy.map((c) => `CAST(${d.quoteIdentifier(c)} AS VARCHAR)`).join(", ");
    const { rows } = await this.session.query(`SELECT DISTINCT ${cols} FROM ${d.relation(rel)} ORDER BY ALL`);
    return rows.map((r) => r.map((v) => (v === null ? "" : String(v))));
  }
}
