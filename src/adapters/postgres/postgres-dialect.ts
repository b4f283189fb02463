// PostgreSQL SQL text: quoting, literals and the mapping between logical and PostgreSQL types. Pure.
import type { CellValue, Dialect, LogicalType, RelationName } from "../contract.js";
import { POSTGRES_MAX_NUMERIC_PRECISION } from "./postgres-capabilities.js";

export class PostgresDialect implements Dialect {
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
      if (Number.isNaN(value.getTime())) throw new Error("Invalid Date cannot be written as a PostgreSQL literal");
      return `TIMESTAMP '${value.toISOString().slice(0, 23).replace("T", " ")}'`;
    }
    return `'\\x${Buffer.from(value).toString("hex")}'::bytea`;
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
    if (t.startsWith("timestamp")) return { kind: "timestamp" };
    if (t === "bytea") return { kind: "binary" };
    const varchar = /^(?:character varying|varchar)\s*\((\d+)\)/.exec(t);
    if (varchar) return { kind: "string", length: Number(varchar[1]) };
    return { kind: "string" };
  }
}

export const postgresDialect = new PostgresDialect();
