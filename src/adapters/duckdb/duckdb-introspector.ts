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
    const { rows } = await this.session.query(
      `SELECT table_type FROM information_schema.tables WHERE table_catalog = ${d.literal(rel.database ?? this.database)} AND table_schema = ${d.literal(rel.schema)} AND table_name = ${d.literal(rel.name)}`,
    );
    const type = rows[0]?.[0];
    return type === undefined ? null : type === "VIEW" ? "view" : "table";
  }

  async columns(rel: RelationName): Promise<Column[]> {
    const { rows } = await this.session.query(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_catalog = ${d.literal(rel.database ?? this.database)} AND table_schema = ${d.literal(rel.schema)} AND table_name = ${d.literal(rel.name)} ORDER BY ordinal_position`,
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
