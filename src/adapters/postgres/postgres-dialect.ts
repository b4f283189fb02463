// PostgreSQL SQL text: quoting, literals of every type, partition predicates, watermark text,
// fingerprints and the mapping between logical and PostgreSQL types. Pure; the one place
// PostgreSQL SQL is quoted.
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
import { POSTGRES_MAX_NUMERIC_PRECISION } from "./postgres-capabilities.js";

export class PostgresDialect implements Dialect {
  readonly engine = "postgres" as const;

  quoteIdentifier(name: string): string {
    if (name.length === 0) throw new Error("PostgreSQL identifiers cannot be empty");
    return `"${name.replace(/"/g, '""')}"`;
  }

  /** `schema.name`: a PostgreSQL session reads one database, so a relation never names another. */
  relation(rel: RelationName): string {
    return [rel.schema, rel.name].map((p) => this.quoteIdentifier(p)).join(".");
  }

  /** Standard quoting: standard_conforming_strings is on (the default since 9.1), so `\` is literal. */
  stringLiteral(text: string): string {
    if (text.includes("\0")) throw new Error("PostgreSQL text cannot hold a NUL character");
    return `'${text.replace(/'/g, "''")}'`;
  }

  literal(value: CellValue): string {
    if (value === null) return "NULL";
    if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
    if (typeof value === "bigint") return value.toString();
    if (typeof value === "number") {
      if (Number.isNaN(value)) return "'NaN'::double precision";
      if (!Number.isFinite(value)) return `'${value > 0 ? "Infinity" : "-Infinity"}'::double precision`;
      return String(value);
    }
    if (typeof value === "string") return this.stringLiteral(value);
    if (value instanceof Date) {
      if (Number.isNaN(value.getTime()))
        throw new Error("Invalid Date cannot be written as a PostgreSQL literal");
      return `TIMESTAMP '${value.toISOString().slice(0, 23).replace("T", " ")}'`;
    }
    return `'\\x${Buffer.from(value).toString("hex")}'::bytea`;
  }

  typedLiteral(value: CellValue, type: LogicalType): string {
    if (value === null) return `CAST(NULL AS ${this.literalType(type)})`;
    switch (type.kind) {
      case "boolean":
        return booleanValue(value) ? "TRUE" : "FALSE";
      case "integer":
        return `CAST(${integerText(value)} AS ${this.nativeType(type)})`;
      case "decimal":
        return `CAST('${decimalText(value)}' AS ${this.nativeType(type)})`;
      case "float":
        return `CAST('${floatText(value)}' AS ${this.nativeType(type)})`;
      case "string":
        return this.stringLiteral(stringText(value));
      case "date":
        return `DATE '${dateText(value)}'`;
      case "timestamp":
        // Microseconds are all PostgreSQL keeps: more digits are refused, not rounded.
        return type.withTimeZone
          ? `TIMESTAMPTZ '${timestampText(value, 6)}+00'`
          : `TIMESTAMP '${timestampText(value, 6)}'`;
      case "binary":
        return value instanceof Uint8Array
          ? this.literal(value)
          : `CAST(${this.stringLiteral(stringText(value))} AS BYTEA)`;
    }
  }

  private literalType(type: LogicalType): string {
    if (type.kind !== "timestamp") return this.nativeType(type);
    return type.withTimeZone ? "TIMESTAMPTZ" : "TIMESTAMP(6)";
  }

  castText(expression: string): string {
    return `CAST(${expression} AS VARCHAR)`;
  }

  /**
   * Each column compared with an untyped literal, which PostgreSQL reads as the column's type, so
   * indexes and partition pruning apply; NULL as IS NULL.
   */
  partitionPredicate(partitionBy: string[], partitions: PartitionValue[], qualifier = ""): string {
    return anyPartition(
      partitionBy,
      partitions,
      (c, v) =>
        `${qualifier}${this.quoteIdentifier(c)} ${equalsOrNull(v, (text) => this.stringLiteral(text))}`,
    );
  }

  /** Sessions run with TimeZone=UTC; an instant is still moved to UTC so no session setting can shift it. */
  watermarkText(expression: string, type: LogicalType): string {
    if (type.kind === "timestamp" && type.withTimeZone)
      return this.castText(`(${expression} AT TIME ZONE 'UTC')`);
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
    const moved = `(${expression} - INTERVAL '${n} ${u}')`;
    // DATE - INTERVAL is a TIMESTAMP; the bound stays a DATE so comparisons stay DATE.
    return type.kind === "date" ? `CAST(${moved} AS DATE)` : moved;
  }

  /**
   * The row count and the SUM of a 60-bit hash of each row's text (a whole-row reference prints
   * every column, NULLs included). A sum, unlike an XOR, changes when a duplicate row comes or goes.
   */
  fingerprintSql(relation: string): string {
    return [
      "SELECT count(*)::text || ':' ||",
      "  coalesce(sum(('x' || left(md5(sluice_row::text), 15))::bit(60)::bigint), 0)::text",
      `FROM ${relation} AS sluice_row`,
    ].join("\n");
  }

  nativeType(type: LogicalType): string {
    switch (type.kind) {
      case "boolean":
        return "BOOLEAN";
      case "integer":
        // No 8-bit integer: SMALLINT holds every TINYINT value.
        return type.bits === 64 ? "BIGINT" : type.bits === 32 ? "INTEGER" : "SMALLINT";
      case "decimal":
        if (type.precision < 1 || type.precision > POSTGRES_MAX_NUMERIC_PRECISION) {
          throw new Error(
            `DECIMAL(${type.precision},${type.scale}) does not fit PostgreSQL: precision must be 1..1000`,
          );
        }
        return `NUMERIC(${type.precision},${type.scale})`;
      case "float":
        return type.bits === 32 ? "REAL" : "DOUBLE PRECISION";
      case "string":
        return type.length !== undefined ? `VARCHAR(${Math.max(1, type.length)})` : "TEXT";
      case "date":
        return "DATE";
      case "timestamp":
        // Without time zone: values travel as UTC, and sessions run with TimeZone=UTC.
        return "TIMESTAMP(6)";
      case "binary":
        return "BYTEA";
    }
  }

  /** The logical type of a type as format_type() spells it (`numeric(18,2)`, `character varying(20)`). */
  logicalType(nativeType: string): LogicalType {
    const t = nativeType.trim().toLowerCase();
    const numeric = /^(?:numeric|decimal)\s*\((\d+)\s*(?:,\s*(-?\d+))?\)/.exec(t);
    if (numeric) return { kind: "decimal", precision: Number(numeric[1]), scale: Number(numeric[2] ?? 0) };
    // Unconstrained NUMERIC holds any number of digits: it travels as text so none is lost.
    if (t === "numeric" || t === "decimal") return { kind: "string" };
    if (t === "boolean" || t === "bool") return { kind: "boolean" };
    if (t === "smallint" || t === "int2") return { kind: "integer", bits: 16 };
    if (t === "integer" || t === "int" || t === "int4") return { kind: "integer", bits: 32 };
    if (t === "bigint" || t === "int8") return { kind: "integer", bits: 64 };
    if (t === "real" || t === "float4") return { kind: "float", bits: 32 };
    if (t === "double precision" || t === "float8") return { kind: "float", bits: 64 };
    if (t === "date") return { kind: "date" };
    if (t === "timestamptz" || /^timestamp\s*(\(\d+\))?\s*with time zone$/.test(t)) {
      return { kind: "timestamp", withTimeZone: true };
    }
    if (t.startsWith("timestamp")) return { kind: "timestamp" };
    if (t === "bytea") return { kind: "binary" };
    const varchar = /^(?:character varying|varchar)\s*\((\d+)\)/.exec(t);
    if (varchar) return { kind: "string", length: Number(varchar[1]) };
    return { kind: "string" };
  }
}

export const postgresDialect = new PostgresDialect();
