// Reads what a SQL Server database holds (relations and their columns) from INFORMATION_SCHEMA and sys.*.
import type { Column, Introspector, PartitionValue, RelationKind, RelationName } from "../contract.js";
import type { SqlServerSession } from "./sqlserver-connection.js";
import { sqlServerDialect as d } from "./sqlserver-dialect.js";

function catalog(rel: RelationName, view: string): string {
  return rel.database ? `${d.quoteIdentifier(rel.database)}.${view}` : view;
}

export function relationKindSql(rel: RelationName): string {
  return [
    "SELECT [TABLE_TYPE]",
    `FROM ${catalog(rel, "INFORMATION_SCHEMA.TABLES")}`,
    `WHERE [TABLE_SCHEMA] = ${d.stringLiteral(rel.schema)} AND [TABLE_NAME] = ${d.stringLiteral(rel.name)};`,
  ].join("\n");
}

/** Columns with their base system type (alias types such as sysname resolve to nvarchar). */
export function columnsSql(rel: RelationName): string {
  return [
    "SELECT c.[name], t.[name] AS [type_name], c.[max_length], c.[precision], c.[scale]",
    `FROM ${catalog(rel, "sys.columns")} AS c`,
    `JOIN ${catalog(rel, "sys.types")} AS t ON t.[user_type_id] = c.[system_type_id]`,
    `WHERE c.[object_id] = OBJECT_ID(${d.relationLiteral(rel)})`,
    "ORDER BY c.[column_id];",
  ].join("\n");
}

/** Spells a column type the way it is declared, from sys.columns' length, precision and scale. */
export function declaredType(typeName: string, maxLength: number, precision: number, scale: number): string {
  const name = typeName.toUpperCase();
  switch (name) {
    case "NVARCHAR":
    case "NCHAR":
      return maxLength === -1 ? `${name}(MAX)` : `${name}(${maxLength / 2})`;
    case "VARCHAR":
    case "CHAR":
    case "VARBINARY":
    case "BINARY":
      return maxLength === -1 ? `${name}(MAX)` : `${name}(${maxLength})`;
    case "DECIMAL":
    case "NUMERIC":
      return `${name}(${precision},${scale})`;
    case "DATETIME2":
    case "DATETIMEOFFSET":
    case "TIME":
      return `${name}(${scale})`;
    default:
      return name;
  }
}

export class SqlServerIntrospector implements Introspector {
  constructor(private readonly session: SqlServerSession) {}

  async relationKind(rel: RelationName): Promise<RelationKind | null> {
    const rows = await this.session.queryPlain(relationKindSql(rel));
    const type = rows[0]?.[0];
    if (type === "BASE TABLE") return "table";
    if (type === "VIEW") return "view";
    return null;
  }

  async columns(rel: RelationName): Promise<Column[]> {
    const rows = await this.session.queryPlain(columnsSql(rel));
    return rows.map(([name, typeName, maxLength, precision, scale]) => {
      const nativeType = declaredType(String(typeName), Number(maxLength), Number(precision), Number(scale));
      return { name: String(name), nativeType, type: d.logicalType(nativeType) };
    });
  }

  /**
   * SQL Server tables carry no partition metadata that sluice uses (its partitions are plain columns,
   * not partition schemes), so there is nothing to list: the planner reads partition values with a
   * SELECT DISTINCT over the model's partition_by columns instead.
   */
  async partitions(_rel: RelationName): Promise<PartitionValue[]> {
    return [];
  }
}
