// MySQL/MariaDB SQL text: quoting, literals and the mapping between logical and MySQL types. Pure.
// Sessions run with backslash escapes on (sluice removes NO_BACKSLASH_ESCAPES from their sql_mode),
// so string literals escape `\` as well as `'`.
import type { CellValue, Dialect, LogicalType, RelationName } from "../contract.js";
import {
  MYSQL_MAX_DECIMAL_PRECISION,
  MYSQL_MAX_DECIMAL_SCALE,
  MYSQL_MAX_VARCHAR_LENGTH,
} from "./mysql-capabilities.js";

export class MySqlDialect implements Dialect {
  quoteIdentifier(name: string): string {
    if (name.length === 0) throw new Error("MySQL identifiers cannot be empty");
    return `\`${name.replace(/`/g, "``")}\``;
  }

  /** `database`.`name`: MySQL's schemas are its databases. */
  relation(rel: RelationName): string {
    return [rel.schema, rel.name].map((p) => this.quoteIdentifier(p)).join(".");
  }

  stringLiteral(text: string): string {
    return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "''").replace(/\0/g, "\\0")}'`;
  }

  literal(value: CellValue): string {
    if (value === null) return "NULL";
    if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
    if (typeof value === "bigint") return value.toString();
    if (typeof value === "number") {
      if (!Number.isFinite(value))
        throw new Error(`MySQL has no value for ${value}; filter it out or map it to NULL first`);
      return String(value);
    }
    if (typeof value === "string") return this.stringLiteral(value);
    if (value instanceof Date) {
      if (Number.isNaN(value.getTime())) throw new Error("Invalid Date cannot be written as a MySQL literal");
      return `TIMESTAMP '${value.toISOString().slice(0, 23).replace("T", " ")}'`;
    }
    return `X'${Buffer.from(value).toString("hex")}'`;
  }

  nativeType(type: LogicalType): string {
    switch (type.kind) {
      case "boolean":
        return "BOOLEAN";
      case "integer":
        return { 8: "TINYINT", 16: "SMALLINT", 32: "INT", 64: "BIGINT" }[type.bits];
      case "decimal":
        if (
          type.precision < 1 ||
          type.precision > MYSQL_MAX_DECIMAL_PRECISION ||
          type.scale > MYSQL_MAX_DECIMAL_SCALE
        ) {
          throw new Error(
            `DECIMAL(${type.precision},${type.scale}) does not fit MySQL: precision must be 1..65 and scale 0..30`,
          );
        }
        return `DECIMAL(${type.precision},${type.scale})`;
      case "float":
        return type.bits === 32 ? "FLOAT" : "DOUBLE";
      case "string":
        return type.length !== undefined && type.length <= MYSQL_MAX_VARCHAR_LENGTH
          ? `VARCHAR(${Math.max(1, type.length)})`
          : "LONGTEXT";
      case "date":
        return "DATE";
      case "timestamp":
        // DATETIME, not TIMESTAMP: no conversion through the session's time zone and no 2038 limit.
        return "DATETIME(6)";
      case "binary":
        return "LONGBLOB";
    }
  }

  /** The logical type of a type as information_schema.COLUMNS.COLUMN_TYPE spells it. */
  logicalType(nativeType: string): LogicalType {
    const t = nativeType.trim().toLowerCase();
    const unsigned = /\bunsigned\b/.test(t);
    const base = /^[a-z]+/.exec(t)?.[0] ?? "";
    const args = /^[a-z]+\s*\(([^)]*)\)/
      .exec(t)?.[1]
      ?.split(",")
      .map((a) => Number(a.trim()));
    switch (base) {
      case "tinyint":
        // BOOLEAN is TINYINT(1): sluice reads every TINYINT(1) as a boolean.
        if (args?.[0] === 1 && !unsigned) return { kind: "boolean" };
        return { kind: "integer", bits: unsigned ? 16 : 8 };
      case "bool":
      case "boolean":
        return { kind: "boolean" };
      case "smallint":
      case "year":
        return { kind: "integer", bits: unsigned ? 32 : 16 };
      case "mediumint":
        return { kind: "integer", bits: 32 };
      case "int":
      case "integer":
        return { kind: "integer", bits: unsigned ? 64 : 32 };
      case "bigint":
        // An unsigned BIGINT can pass 2^63: it travels as an exact decimal.
        return unsigned ? { kind: "decimal", precision: 20, scale: 0 } : { kind: "integer", bits: 64 };
      case "decimal":
      case "numeric":
        return { kind: "decimal", precision: args?.[0] ?? 10, scale: args?.[1] ?? 0 };
      case "float":
        return { kind: "float", bits: 32 };
      case "double":
      case "real":
        return { kind: "float", bits: 64 };
      case "date":
        return { kind: "date" };
      case "datetime":
      case "timestamp":
        return { kind: "timestamp" };
      case "binary":
      case "varbinary":
      case "tinyblob":
      case "blob":
      case "mediumblob":
      case "longblob":
      case "bit":
        return { kind: "binary" };
      case "char":
      case "varchar":
        return args?.[0] !== undefined ? { kind: "string", length: args[0] } : { kind: "string" };
      default:
        return { kind: "string" };
    }
  }
}

export const mysqlDialect = new MySqlDialect();
