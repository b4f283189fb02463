// HiveQL spelling: backtick quoting, type mapping both ways, literals of every type and partition
// predicates. Pure and deterministic; the text it produces is valid on both Hive (2.3+) and Spark SQL.
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
  timestampText as canonicalTimestamp,
} from "../literal-text.js";

/** Hive's widest DECIMAL; wider logical decimals are clamped to it. */
const MAX_DECIMAL_PRECISION = 38;

export class HiveDialect implements Dialect {
  readonly engine = "hive" as const;

  quoteIdentifier(name: string): string {
    return `\`${name.replaceAll("`", "``")}\``;
  }

  /** `schema`.`name`: a Hive database is sluice's schema; Hive has no catalog level to name. */
  relation(rel: RelationName): string {
    return `${this.quoteIdentifier(rel.schema)}.${this.quoteIdentifier(rel.name)}`;
  }

  literal(value: CellValue): string {
    if (value === null) return "NULL";
    if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
    if (typeof value === "bigint") return bigintLiteral(value);
    if (typeof value === "number") {
      if (Number.isSafeInteger(value)) return String(value);
      return `CAST(${this.string(numberText(value))} AS DOUBLE)`;
    }
    if (typeof value === "string") return this.string(value);
    if (value instanceof Date) return `TIMESTAMP ${this.string(timestampText(value))}`;
    return `unhex('${Buffer.from(value).toString("hex").toUpperCase()}')`;
  }

  /**
   * A literal of exactly `type`, for multi-row VALUES where Spark infers each column's type from
   * the literals (a decimal's string must not land as a STRING, a NULL must keep its type).
   */
  typedLiteral(value: CellValue, type: LogicalType): string {
    if (value === null) return `CAST(NULL AS ${this.nativeType(type)})`;
    switch (type.kind) {
      case "boolean":
        return booleanValue(value) ? "TRUE" : "FALSE";
      case "integer": {
        const text = integerText(typeof value === "number" ? numberText(value) : value);
        if (type.bits === 64) return bigintLiteral(BigInt(text));
        return type.bits === 32 ? text : `CAST(${text} AS ${this.nativeType(type)})`;
      }
      case "decimal":
        return (
          `CAST(${this.string(decimalText(typeof value === "number" ? numberText(value) : value))}` +
          ` AS ${this.nativeType(type)})`
        );
      case "float":
        return (
          `CAST(${this.string(floatText(typeof value === "number" ? numberText(value) : value))}` +
          ` AS ${this.nativeType(type)})`
        );
      case "string":
        return this.string(stringText(value));
      case "date":
        return `DATE ${this.string(dateText(value))}`;
      case "timestamp":
        // Sessions run in UTC and TIMESTAMP has no zone, so an instant is written as its UTC text;
        // Spark keeps microseconds, so digits past them are refused rather than dropped.
        return `TIMESTAMP ${this.string(canonicalTimestamp(value, 6))}`;
      case "binary":
        return value instanceof Uint8Array ? this.literal(value) : `CAST(${this.literal(value)} AS BINARY)`;
    }
  }

  castText(expression: string): string {
    return `CAST(${expression} AS STRING)`;
  }

  /**
   * The column's text compared with the value's, since Hive's coercion of a string and a number
   * differs between versions; NULL as IS NULL (Hive's default partition).
   */
  partitionPredicate(partitionBy: string[], partitions: PartitionValue[], qualifier = ""): string {
    return anyPartition(partitionBy, partitions, (p, v) => {
      const column = `${qualifier}${this.quoteIdentifier(p)}`;
      return v === null
        ? `${column} IS NULL`
        : `${this.castText(column)} ${equalsOrNull(v, (text) => this.string(text))}`;
    });
  }

  /** Sessions run in UTC, so a timestamp's text is its UTC wall clock already. */
  watermarkText(expression: string): string {
    return this.castText(expression);
  }

  subtractInterval(
    expression: string,
    amount: number,
    unit: "second" | "minute" | "hour" | "day",
    type: LogicalType,
  ): string {
    if (type.kind === "date") return `date_sub(${expression}, ${amount})`;
    return `(${expression} - INTERVAL ${amount} ${unit.toUpperCase()}S)`;
  }

  /** Hive's 32-bit `hash(*)` of each row, summed exactly (Hive has no 64-bit row hash). */
  fingerprintSql(relation: string): string {
    return (
      `select concat(cast(count(*) as string), ':', cast(coalesce(sum(cast(hash(*) ` +
      `as decimal(38,0))), 0) as string)) from ${relation}`
    );
  }

  /** A string literal. Hive and Spark unescape backslashes, so they are escaped along with quotes. */
  string(text: string): string {
    const escaped = text
      .replaceAll("\\", "\\\\")
      .replaceAll("'", "\\'")
      .replaceAll("\n", "\\n")
      .replaceAll("\r", "\\r")
      .replaceAll("\t", "\\t")
      .replaceAll("\0", "\\0");
    return `'${escaped}'`;
  }

  /**
   * STRING rather than VARCHAR(n): Hive and Spark store both the same in Parquet, and VARCHAR(n)
   * silently truncates on Hive, which would turn a wider source value into a wrong one.
   */
  nativeType(type: LogicalType): string {
    switch (type.kind) {
      case "boolean":
        return "BOOLEAN";
      case "integer":
        return { 8: "TINYINT", 16: "SMALLINT", 32: "INT", 64: "BIGINT" }[type.bits];
      case "decimal": {
        const precision = Math.min(Math.max(type.precision, 1), MAX_DECIMAL_PRECISION);
        return `DECIMAL(${precision},${Math.min(type.scale, precision)})`;
      }
      case "float":
        return type.bits === 32 ? "FLOAT" : "DOUBLE";
      case "string":
        return "STRING";
      case "date":
        return "DATE";
      case "timestamp":
        return "TIMESTAMP";
      case "binary":
        return "BINARY";
    }
  }

  /**
   * The logical type of a Hive or Spark type name, as DESCRIBE and result metadata spell it.
   * Complex types (ARRAY, MAP, STRUCT) travel as their JSON text, so they map to string.
   */
  logicalType(nativeType: string): LogicalType {
    const t = nativeType.trim().toUpperCase();
    const decimal = /^(?:DECIMAL|NUMERIC|DEC)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?$/.exec(t);
    if (decimal)
      return { kind: "decimal", precision: Number(decimal[1] ?? 10), scale: Number(decimal[2] ?? 0) };
    const text = /^(?:VARCHAR|CHAR)\s*\(\s*(\d+)\s*\)$/.exec(t);
    if (text) return { kind: "string", length: Number(text[1]) };
    if (/^(ARRAY|MAP|STRUCT|UNIONTYPE)\s*</.test(t)) return { kind: "string" };
    switch (t) {
      case "BOOLEAN":
        return { kind: "boolean" };
      case "TINYINT":
      case "BYTE":
        return { kind: "integer", bits: 8 };
      case "SMALLINT":
      case "SHORT":
        return { kind: "integer", bits: 16 };
      case "INT":
      case "INTEGER":
        return { kind: "integer", bits: 32 };
      case "BIGINT":
      case "LONG":
        return { kind: "integer", bits: 64 };
      case "FLOAT":
      case "REAL":
        return { kind: "float", bits: 32 };
      case "DOUBLE":
      case "DOUBLE PRECISION":
        return { kind: "float", bits: 64 };
      case "STRING":
      case "VARCHAR":
      case "CHAR":
      case "VOID":
      case "NULL":
        return { kind: "string" };
      case "DATE":
        return { kind: "date" };
      case "TIMESTAMP":
      case "TIMESTAMP_LTZ":
      case "TIMESTAMP_NTZ":
      case "TIMESTAMPLOCALTZ":
        return { kind: "timestamp" };
      case "BINARY":
        return { kind: "binary" };
      default:
        throw new TypeError(
          `unknown Hive type '${nativeType}': sluice maps BOOLEAN, integer, DECIMAL, ` +
            `FLOAT, DOUBLE, STRING, VARCHAR, CHAR, DATE, TIMESTAMP, BINARY and complex types`,
        );
    }
  }
}

/** `-9223372036854775808L` would parse as a negated overflow on some engines; CAST is exact. */
function bigintLiteral(value: bigint): string {
  return value < -(2n ** 63n) + 1n ? `CAST('${value}' AS BIGINT)` : `${value}L`;
}

/** A number without exponent notation where that is exact, else JS's shortest round-trip text. */
function numberText(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
  return String(value);
}

/** `YYYY-MM-DD HH:MM:SS.mmm` in UTC: sessions run with a UTC time zone, so text and instant agree. */
export function timestampText(value: Date): string {
  return value.toISOString().replace("T", " ").replace("Z", "");
}

export const hiveDialect = new HiveDialect();
