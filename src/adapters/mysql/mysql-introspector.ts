// Reads what a MySQL/MariaDB server holds (relations and their columns) from information_schema.
import type {
  Column,
  Introspector,
  PartitionValue,
  RelationKind,
  RelationName,
  Session,
} from "../contract.js";
import { mysqlDialect as d } from "./mysql-dialect.js";
import { columnsSql, relationKindSql } from "./mysql-sql.js";

export class MySqlIntrospector implements Introspector {
  constructor(private readonly session: Session) {}

  async relationKind(rel: RelationName): Promise<RelationKind | null> {
    const { rows } = await this.session.query(relationKindSql(rel));
    const type = rows[0]?.[0];
    if (type === "BASE TABLE") return "table";
    if (type === "VIEW" || type === "SYSTEM VIEW") return "view";
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

  /** Plain columns, not MySQL partitioning: the planner reads partition values with SELECT DISTINCT. */
  async partitions(_rel: RelationName): Promise<PartitionValue[]> {
    return [];
  }
}
