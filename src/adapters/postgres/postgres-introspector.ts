// Reads what a PostgreSQL database holds (relations and their columns) from pg_catalog.
import type {
  Column,
  Introspector,
  PartitionValue,
  RelationKind,
  RelationName,
  Session,
} from "../contract.js";
import { postgresDialect as d } from "./postgres-dialect.js";

function relationFilter(rel: RelationName): string {
  return `n.nspname = ${d.stringLiteral(rel.schema)} AND c.relname = ${d.stringLiteral(rel.name)}`;
}

export function relationKindSql(rel: RelationName): string {
  return [
    "SELECT c.relkind::text",
    "FROM pg_catalog.pg_class AS c",
    "JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace",
    `WHERE ${relationFilter(rel)};`,
  ].join("\n");
}

/** Columns with their types as format_type() spells them (`numeric(18,2)`, `character varying(20)`). */
export function columnsSql(rel: RelationName): string {
  return [
    "SELECT a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod)",
    "FROM pg_catalog.pg_attribute AS a",
    "JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid",
    "JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace",
    `WHERE ${relationFilter(rel)} AND a.attnum > 0 AND NOT a.attisdropped`,
    "ORDER BY a.attnum;",
  ].join("\n");
}

export class PostgresIntrospector implements Introspector {
  constructor(private readonly session: Session) {}

  async relationKind(rel: RelationName): Promise<RelationKind | null> {
    const { rows } = await this.session.query(relationKindSql(rel));
    const kind = rows[0]?.[0];
    if (kind === "r" || kind === "p") return "table";
    if (kind === "v" || kind === "m") return "view";
    return null;
  }

  async columns(rel: RelationName): Promise<Column[]> {
    const { rows } = await this.session.query(columnsSql(rel));
    return rows.map(([name, type]) => ({
      name: String(name),
      nativeType: String(type),
      type: d.logicalType(String(type)),
    }));
  }

  /**
   * sluice's partitions on PostgreSQL are plain columns, not declarative partitions, so there is
   * nothing to list: the planner reads partition values with a SELECT DISTINCT instead.
   */
  async partitions(_rel: RelationName): Promise<PartitionValue[]> {
    return [];
  }
}
