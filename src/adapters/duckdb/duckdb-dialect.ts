// DuckDB SQL text: quoting, literals and type names. Pure.
import type { CellValue, Dialect, LogicalType, RelationName } from "../contract.js";

export const duckdbDialect: Dialect = {
  quoteIdentifier: (name) => `"${name.replace(/"/g, '""')}"`,
  relation(rel: RelationName) {
    return [rel.database, rel.schema, rel.name].filter((p): p is string => p !== undefined).map(this.quoteIdentifier).join(".");
  },
  literal: (value: CellValue) => literal(value),
  nativeType,
  logicalType,
};

function literal(value: CellValue): string {
  if (value === null) return "NULL";
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (value instanceof Date) return `TIMESTAMP '${value.toISOString().replace("T", " ").replace("Z", "")}'`;
  if (value instanceof Uint8Array) return `'\\x${Buffer.from(value).toString("hex").match(/../g)?.join("\\x") ?? ""}'::BLOB`;
  return `'${value.replace(/'/g, "''")}'`;
}

export function nativeType(type: LogicalType): string {
  switch (type.kind) {
    case "boolean":
      return "BOOLEAN";
    case "integer":
      return { 8: "TINYINT", 16: "SMALLINT", 32: "INTEGER", 64: "BIGINT" }[type.bits];
    case "decimal":
      return `DECIMAL(${type.precision},${type.scale})`;
    case "float":
      return type.bits === 32 ? "FLOAT" : "DOUBLE";
    case "string":
      return "VARCHAR";
    case "date":
      return "DATE";
    case "timestamp":
      return "TIMESTAMP";
    case "binary":
      return "BLOB";
  }
}

export function logicalType(native: string): LogicalType {
  const t = native.trim().toUpperCase();
  const decimal = /^(?:DECIMAL|NUMERIC)\s*\((\d+)\s*,\s*(\d+)\)/.exec(t);
  if (decimal) return { kind: "decimal", precision: Number(decimal[1]), scale: Number(decimal[2]) };
  if (t === "DECIMAL" || t === "NUMERIC") return { kind: "decimal", precision: 18, scale: 3 };
  if (t === "BOOLEAN" || t === "BOOL") return { kind: "boolean" };
  // Unsigned integers take the next wider signed type, and integers wider than 64 bits an exact
  // decimal, so no value changes on its way to an engine without them.
  if (t === "TINYINT") return { kind: "integer", bits: 8 };
  if (t === "SMALLINT" || t === "UTINYINT") return { kind: "integer", bits: 16 };
  if (t === "INTEGER" || t === "INT" || t === "USMALLINT") return { kind: "integer", bits: 32 };
  if (t === "BIGINT" || t === "UINTEGER") return { kind: "integer", bits: 64 };
  if (t === "UBIGINT") return { kind: "decimal", precision: 20, scale: 0 };
  if (t === "HUGEINT" || t === "UHUGEINT") return { kind: "decimal", precision: 38, scale: 0 };
  if (t === "FLOAT" || t === "REAL") return { kind: "float", bits: 32 };
  if (t === "DOUBLE") return { kind: "float", bits: 64 };
  if (t === "DATE") return { kind: "date" };
  if (t.startsWith("TIMESTAMP") || t === "DATETIME") return { kind: "timestamp" };
  if (t === "BLOB" || t === "BYTEA") return { kind: "binary" };
  return { kind: "string" };
}
