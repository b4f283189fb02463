// MySQL/MariaDB SQL text: quoting, literals of every type, partition predicates, watermark text,
// fingerprints and the mapping between logical and MySQL types. Pure; the one place MySQL SQL is quoted.
// Sessions run with backslash escapes on (sluice removes NO_BACKSLASH_ESCAPES from their sql_mode),
// so string literals escape `\` as well as `'`.
import type { CellValue, Dialect, LogicalType, PartitionValue, RelationName } from "../contract.js";
import {
  anyPartition,
  booleanValue,
  dateText,
  decimalText,
  equalsOrNull,
  floatText,
  integerText,
  LiteralTypeError,
  stringText,
  timestampText,
} from "../literal-text.js";
import {
  MYSQL_MAX_DECIMAL_PRECISION,
  MYSQL_MAX_DECIMAL_SCALE,
  MYSQL_MAX_VARCHAR_LENGTH,
} from "./mysql-capabilities.js";

export class MySqlDialect implements Dialect {
  readonly engine = "mysql" as const;

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

  /**
   * Written in the forms MySQL types by themselves (a bare integer, an exponent for a DOUBLE), since
   * CAST knows only a few type names (SIGNED, DECIMAL, CHAR, DATE, DATETIME, BINARY).
   */
  typedLiteral(value: CellValue, type: LogicalType): string {
    if (value === null) return `CAST(NULL AS ${this.castType(type)})`;
    switch (type.kind) {
      case "boolean":
        return booleanValue(value) ? "TRUE" : "FALSE";
      case "integer":
        return integerText(value);
      case "decimal":
        return `CAST('${decimalText(value)}' AS ${this.nativeType(type)})`;
      case "float": {
        const text = floatText(value);
        if (!/^[+-]?[\d.]/.test(text)) {
          throw new LiteralTypeError(`MySQL has no value for ${text}; filter it out or map it to NULL first`);
        }
        return /e/i.test(text) ? text : `${text}E0`;
      }
      case "string":
        return this.stringLiteral(stringText(value));
      case "date":
        return `DATE '${dateText(value)}'`;
      case "timestamp":
        // DATETIME(6) keeps microseconds: more digits are refused, not rounded. Sessions run in UTC.
        return `CAST('${timestampText(value, 6)}' AS DATETIME(6))`;
      case "binary":
        return value instanceof Uint8Array
          ? this.literal(value)
          : `CAST(${this.stringLiteral(stringText(value))} AS BINARY)`;
    }
  }

  private castType(type: LogicalType): string {
    switch (type.kind) {
      case "boolean":
      case "integer":
        return "SIGNED";
      case "decimal":
        return this.nativeType(type);
      case "float":
        return "DOUBLE";
      case "string":
        return "CHAR";
      case "date":
        return "DATE";
      case "timestamp":
        return "DATETIME(6)";
      case "binary":
        return "BINARY";
    }
  }

  castText(expression: string): string {
    return `CAST(${expression} AS CHAR)`;
  }

  /**
   * Each column compared with a string literal, which MySQL converts to the column's type (indexes apply).
   */
  partitionPredicate(partitionBy: string[], partitions: PartitionValue[], qualifier = ""): string {
    return anyPartition(
      partitionBy,
      partitions,
      (c, v) =>
        `${qualifier}${this.quoteIdentifier(c)} ${equalsOrNull(v, (text) => this.stringLiteral(text))}`,
    );
  }

  /**
   * A DATETIME(n) prints all n digits as CHAR; sessions run with time_zone '+00:00', so TIMESTAMP prints UTC.
   */
  watermarkText(expression: string): string {
    return this.castText(expression);
  }

  subtractInterval(expression: string, amount: number, unit: "second" | "minute" | "hour" | "day"): string {
    // DATE - INTERVAL n DAY stays a DATE in MySQL; DATETIME arithmetic has no zone, so a day is 24 hours.
    return `(${expression} - INTERVAL ${amount} ${unit.toUpperCase()})`;
  }

  fingerprintColumnsSql(rel: RelationName): string {
    return [
      "SELECT COLUMN_NAME",
      "FROM information_schema.COLUMNS",
      `WHERE TABLE_SCHEMA = ${this.stringLiteral(rel.schema)}` +
        ` AND TABLE_NAME = ${this.stringLiteral(rel.name)}`,
      "ORDER BY ORDINAL_POSITION",
    ].join("\n");
  }

  /**
   * The row count and the SUM of a 60-bit hash of each row. MySQL has no row-to-text, so each row's
   * text is the QUOTE() of every column in `columns` (QUOTE(NULL) is the bare word NULL, distinct
   * from the string 'NULL'). A sum, unlike an XOR, changes when a duplicate row comes or goes.
   */
  fingerprintSql(relation: string, columns: string[] = []): string {
    if (columns.length === 0) throw new Error(`${relation} has no columns to fingerprint (does it exist?)`);
    const row = `CONCAT_WS(',', ${columns.map((c) => `QUOTE(${this.quoteIdentifier(c)})`).join(", ")})`;
    return [
      "SELECT CONCAT(COUNT(*), ':',",
      `  COALESCE(SUM(CAST(CONV(LEFT(MD5(${row}), 15), 16, 10) AS UNSIGNED)), 0))`,
      `FROM ${relation}`,
    ].join("\n");
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
            `DECIMAL(${type.precision},${type.scale}) does not ` +
              `fit MySQL: precision must be 1..65 and scale 0..30`,
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
