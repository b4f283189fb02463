// T-SQL quoting, literals of every type, partition predicates and type mapping between sluice's
// logical types and SQL Server types. Pure; the one place T-SQL is quoted.
import type { CellValue, Dialect, LogicalType, PartitionValue, RelationName } from "../contract.js";
import {
  anyPartition,
  booleanValue,
  dateText,
  decimalText,
  equalsOrNull,
  floatText,
  integerText,
  stringText,
  timestampText,
} from "../literal-text.js";
import {
  SQL_SERVER_MAX_DECIMAL_PRECISION,
  SQL_SERVER_MAX_NVARCHAR_LENGTH,
} from "./sqlserver-capabilities.js";

export class SqlServerDialect implements Dialect {
  readonly engine = "sqlserver" as const;

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
      if (!Number.isFinite(value))
        throw new Error(`SQL Server has no literal for ${value}; filter it out or map it to NULL first`);
      return String(value);
    }
    if (typeof value === "string") return this.stringLiteral(value);
    if (value instanceof Date) {
      if (Number.isNaN(value.getTime()))
        throw new Error("Invalid Date cannot be written as a SQL Server literal");
      return `CAST('${value.toISOString().slice(0, 23)}' AS DATETIME2(6))`;
    }
    return `0x${Buffer.from(value).toString("hex").toUpperCase()}`;
  }

  typedLiteral(value: CellValue, type: LogicalType): string {
    if (value === null) return `CAST(NULL AS ${this.literalType(type)})`;
    switch (type.kind) {
      case "boolean":
        return booleanValue(value) ? "CAST(1 AS BIT)" : "CAST(0 AS BIT)";
      case "integer":
        return `CAST(${integerText(value)} AS ${this.nativeType(type)})`;
      case "decimal":
        return `CAST('${decimalText(value)}' AS ${this.nativeType(type)})`;
      case "float":
        return `CAST('${floatText(value)}' AS ${this.nativeType(type)})`;
      case "string":
        return this.stringLiteral(stringText(value));
      case "date":
        return `CAST('${dateText(value)}' AS DATE)`;
      case "timestamp": {
        // DATETIME2(7) and DATETIMEOFFSET(7) keep 100 ns: more digits are refused, not rounded.
        const text = timestampText(value, 7).replace(" ", "T");
        return type.withTimeZone
          ? `CAST('${text}+00:00' AS DATETIMEOFFSET(7))`
          : `CAST('${text}' AS DATETIME2(7))`;
      }
      case "binary":
        return value instanceof Uint8Array
          ? this.literal(value)
          : `CAST(${this.stringLiteral(stringText(value))} AS VARBINARY(MAX))`;
    }
  }

  private literalType(type: LogicalType): string {
    if (type.kind !== "timestamp") return this.nativeType(type);
    return type.withTimeZone ? "DATETIMEOFFSET(7)" : "DATETIME2(7)";
  }

  castText(expression: string): string {
    return `CONVERT(NVARCHAR(4000), ${expression})`;
  }

  /**
   * The column compared with a Unicode literal, which SQL
   * Server converts to the column's type (indexes apply).
   */
  partitionPredicate(partitionBy: string[], partitions: PartitionValue[], qualifier = ""): string {
    if (partitions.length === 0) throw new Error("refusing to filter on an empty partition set");
    if (partitionBy.length === 1) {
      // One column: an IN list (one seek per value), and IS NULL for the NULL partition.
      const col = `${qualifier}${this.quoteIdentifier(partitionBy[0]!)}`;
      const values = partitions.map((p) => p[0]).filter((v): v is string => typeof v === "string");
      const terms: string[] = [];
      if (values.length) terms.push(`${col} IN (${values.map((v) => this.stringLiteral(v)).join(", ")})`);
      if (partitions.some((p) => p[0] === null)) terms.push(`${col} IS NULL`);
      return terms.length === 1 ? terms[0]! : `(${terms.join(" OR ")})`;
    }
    return anyPartition(
      partitionBy,
      partitions,
      (c, v) =>
        `${qualifier}${this.quoteIdentifier(c)} ${equalsOrNull(v, (text) => this.stringLiteral(text))}`,
    );
  }

  /** Style 121 keeps every fractional digit; the default style would drop them. */
  watermarkText(expression: string, type: LogicalType): string {
    if (type.kind === "timestamp" && type.withTimeZone)
      return `CONVERT(NVARCHAR(40), SWITCHOFFSET(${expression}, '+00:00'), 121)`;
    if (type.kind === "timestamp" || type.kind === "date") return `CONVERT(NVARCHAR(40), ${expression}, 121)`;
    return this.castText(expression);
  }

  subtractInterval(
    expression: string,
    amount: number,
    unit: "second" | "minute" | "hour" | "day",
    type: LogicalType,
  ): string {
    const [n, u] =
      unit === "day" && type.kind === "timestamp" && type.withTimeZone
        ? [amount * 24, "hour"]
        : [amount, unit];
    return `DATEADD(${u}, -${n}, ${expression})`;
  }

  /**
   * Each row as JSON (every column, text and xml included, NULLs spelled out), hashed with SHA-256;
   * its first 8 bytes as a signed BIGINT, summed exactly as DECIMAL(38,0) and reduced modulo 2^64.
   * The hash is computed in a CROSS APPLY because T-SQL cannot aggregate over a subquery.
   */
  fingerprintSql(relation: string): string {
    const json = "(select sluice_row.* for json path, without_array_wrapper, include_null_values)";
    const m = "18446744073709551616";
    const sum = `coalesce(sum(cast(h.row_hash as decimal(38,0))), 0)`;
    return (
      `select cast(count_big(*) as varchar(20)) + ':' + ` +
      `cast(((${sum} % ${m}) + ${m}) % ${m} as varchar(20))\n` +
      `from ${relation} as sluice_row\n` +
      `cross apply (select cast(substring(hashbytes('SHA2_256', ${json}), 1, 8) as bigint) as row_hash) as h`
    );
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
          throw new Error(
            `DECIMAL(${type.precision},${type.scale}) does not fit SQL Server: precision ` +
              `must be 1..38; cast the column to a narrower decimal or to a string`,
          );
        }
        return `DECIMAL(${type.precision},${type.scale})`;
      case "float":
        return type.bits === 32 ? "REAL" : "FLOAT";
      case "string":
        return type.length !== undefined && type.length <= SQL_SERVER_MAX_NVARCHAR_LENGTH
          ? `NVARCHAR(${Math.max(1, type.length)})`
          : "NVARCHAR(MAX)";
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
        return { kind: "timestamp" };
      case "DATETIMEOFFSET":
        return { kind: "timestamp", withTimeZone: true };
      case "VARBINARY":
      case "BINARY":
      case "IMAGE":
      case "ROWVERSION":
      case "TIMESTAMP":
        return { kind: "binary" };
      default:
        throw new Error(
          `SQL Server type '${nativeType}' has no sluice logical ` +
            `type; cast it to a supported type in the model`,
        );
    }
  }
}

export const sqlServerDialect = new SqlServerDialect();
