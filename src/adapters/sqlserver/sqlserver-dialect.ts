// T-SQL quoting, literals and type mapping between sluice's logical types and SQL Server types.
import type { CellValue, Dialect, LogicalType, RelationName } from "../contract.js";
import { SQL_SERVER_MAX_DECIMAL_PRECISION, SQL_SERVER_MAX_NVARCHAR_LENGTH } from "./sqlserver-capabilities.js";

export class SqlServerDialect implements Dialect {
  /** `[name]`, with `]` doubled, the only character that needs escaping inside brackets. */
  quoteIdentifier(name: string): string {
    if (name.length === 0) throw new Error("SQL Server identifiers cannot be empty");
    return `[${name.replace(/]/g, "]]")}]`;
  }

  relation(rel: RelationName): string {
    const parts = [rel.schema, rel.name].map((p) => this.quoteIdentifier(p));
    return rel.database ? `${this.quoteIdentifier(rel.database)}.${parts.join(".")}` : parts.join(".");
  }

  /** A relation's name as a Unicode string literal, for OBJECT_ID() and sp_rename. */
  relationLiteral(rel: RelationName): string {
    return this.stringLiteral(this.relation(rel));
  }

  stringLiteral(text: string): string {
    return `N'${text.replace(/'/g, "''")}'`;
  }

  literal(value: CellValue): string {
    if (value === null) return "NULL";
    if (typeof value === "boolean") return value ? "CAST(1 AS BIT)" : "CAST(0 AS BIT)";
    if (typeof value === "bigint") return value.toString();
    if (typeof value === "number") {
      if (!Number.isFinite(value)) throw new Error(`SQL Server has no literal for ${value}; filter it out or map it to NULL first`);
      return String(value);
    }
    if (typeof value === "string") return this.stringLiteral(value);
    if (value instanceof Date) {
      if (Number.isNaN(value.getTime())) throw new Error("Invalid Date cannot be written as a SQL Server literal");
      return `CAST('${value.toISOString().slice(0, 23)}' AS DATETIME2(6))`;
    }
    return `0x${Buffer.from(value).toString("hex").toUpperCase()}`;
  }

  nativeType(type: LogicalType): string {
    switch (type.kind) {
      case "boolean":
        return "BIT";
      case "integer":
        // TINYINT is unsigned (0..255), so a signed 8-bit integer needs SMALLINT to keep its negatives.
        return type.bits === 64 ? "BIGINT" : type.bits === 32 ? "INT" : "SMALLINT";
      case "decimal":
        if (type.precision < 1 || type.precision > SQL_SERVER_MAX_DECIMAL_PRECISION) {
          throw new Error(`DECIMAL(${type.precision},${type.scale}) does not fit SQL Server: precision must be 1..38; cast the column to a narrower decimal or to a string`);
        }
        return `DECIMAL(${type.precision},${type.scale})`;
      case "float":
        return type.bits === 32 ? "REAL" : "FLOAT";
      case "string":
        return type.length !== undefined && type.length <= SQL_SERVER_MAX_NVARCHAR_LENGTH ? `NVARCHAR(${Math.max(1, type.length)})` : "NVARCHAR(MAX)";
      case "date":
        return "DATE";
      case "timestamp":
        // Microseconds, like DuckDB and Spark timestamps, so values keep their precision across engines.
        return "DATETIME2(6)";
      case "binary":
        return "VARBINARY(MAX)";
    }
  }

  logicalType(nativeType: string): LogicalType {
    const match = /^\s*([a-z0-9_]+)\s*(?:\(\s*([a-z0-9]+)\s*(?:,\s*(\d+)\s*)?\))?\s*$/i.exec(nativeType);
    if (!match) throw new Error(`Cannot read SQL Server type '${nativeType}'`);
    const name = (match[1] ?? "").toUpperCase();
    const arg1 = match[2]?.toUpperCase();
    const arg2 = match[3];
    const length = arg1 === undefined || arg1 === "MAX" ? undefined : Number(arg1);
    switch (name) {
      case "BIT":
        return { kind: "boolean" };
      case "TINYINT":
      case "SMALLINT":
        return { kind: "integer", bits: 16 };
      case "INT":
        return { kind: "integer", bits: 32 };
      case "BIGINT":
        return { kind: "integer", bits: 64 };
      case "DECIMAL":
      case "NUMERIC":
        return { kind: "decimal", precision: length ?? 18, scale: arg2 === undefined ? 0 : Number(arg2) };
      case "MONEY":
        return { kind: "decimal", precision: 19, scale: 4 };
      case "SMALLMONEY":
        return { kind: "decimal", precision: 10, scale: 4 };
      case "REAL":
        return { kind: "float", bits: 32 };
      case "FLOAT":
        return { kind: "float", bits: length !== undefined && length <= 24 ? 32 : 64 };
      case "NVARCHAR":
      case "VARCHAR":
      case "NCHAR":
      case "CHAR":
        return length === undefined ? { kind: "string" } : { kind: "string", length };
      case "TEXT":
      case "NTEXT":
      case "XML":
      case "SYSNAME":
        return { kind: "string" };
      case "UNIQUEIDENTIFIER":
        return { kind: "string", length: 36 };
      case "TIME":
        return { kind: "string", length: 16 };
      case "DATE":
        return { kind: "date" };
      case "DATETIME2":
      case "DATETIME":
      case "SMALLDATETIME":
      case "DATETIMEOFFSET":
        return { kind: "timestamp" };
      case "VARBINARY":
      case "BINARY":
      case "IMAGE":
      case "ROWVERSION":
      case "TIMESTAMP":
        return { kind: "binary" };
      default:
        throw new Error(`SQL Server type '${nativeType}' has no sluice logical type; cast it to a supported type in the model`);
    }
  }
}

export const sqlServerDialect = new SqlServerDialect();
