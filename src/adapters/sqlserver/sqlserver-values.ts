// Turns what tedious hands back (column metadata and JS values) into sluice's Column and CellValue.
// tedious gives BIGINT as a string, DECIMAL as a JS number, DATE as a Date at UTC midnight.
import sql from "mssql";
import type { CellValue, Column } from "../contract.js";
import { EXACT_NUMBER_DECIMAL_PRECISION } from "./sqlserver-capabilities.js";
import type { SqlServerDialect } from "./sqlserver-dialect.js";
import type { DescribedColumn } from "./sqlserver-sql.js";

/** A result column as `mssql` describes it in stream mode. */
export interface DriverColumn {
  name: string;
  length?: number;
  type: unknown;
  precision?: number;
  scale?: number;
}

const TYPE_NAMES = new Map<unknown, string>(
  Object.entries(sql.TYPES).map(([name, factory]) => [factory, name]),
);

/** The `mssql` type name of a column (`BigInt`, `Decimal`, `NVarChar`, ...). */
export function driverTypeName(column: DriverColumn | undefined): string {
  return column ? (TYPE_NAMES.get(column.type) ?? "Unknown") : "Unknown";
}

const NVARCHAR_MAX_BYTES = 0xffff;

/** The column's type as SQL Server spells it, from driver metadata. */
export function nativeTypeOf(column: DriverColumn): string {
  const name = driverTypeName(column);
  const length = column.length ?? 0;
  switch (name) {
    case "Decimal":
    case "Numeric":
      return `${name.toUpperCase()}(${column.precision ?? 18},${column.scale ?? 0})`;
    case "NVarChar":
    case "NChar":
      // tedious reports character columns' length in bytes: two per UCS-2 code unit.
      return length >= NVARCHAR_MAX_BYTES
        ? `${name.toUpperCase()}(MAX)`
        : `${name.toUpperCase()}(${Math.max(1, length / 2)})`;
    case "VarChar":
    case "Char":
    case "VarBinary":
    case "Binary":
      return length >= NVARCHAR_MAX_BYTES
        ? `${name.toUpperCase()}(MAX)`
        : `${name.toUpperCase()}(${Math.max(1, length)})`;
    case "DateTime2":
    case "DateTimeOffset":
    case "Time":
      return `${name.toUpperCase()}(${column.scale ?? 7})`;
    default:
      return name.toUpperCase();
  }
}

/**
 * The sluice Column for a driver column. A column the query was wrapped to read as text (wide
 * decimals) keeps the type the server described for it, not VARCHAR.
 */
export function describeColumn(
  column: DriverColumn,
  readAsText: DescribedColumn | undefined,
  dialect: SqlServerDialect,
): Column {
  const nativeType = readAsText ? readAsText.systemTypeName.toUpperCase() : nativeTypeOf(column);
  return { name: column.name, nativeType, type: dialect.logicalType(nativeType) };
}

/** Converts one value tedious returned into a CellValue as the contract defines it. */
export function decodeValue(
  value: unknown,
  column: DriverColumn | undefined,
  readAsText: boolean,
): CellValue {
  if (value === null || value === undefined) return null;
  if (readAsText) return String(value);
  switch (driverTypeName(column)) {
    case "BigInt":
      return BigInt(value as string);
    case "Decimal":
    case "Numeric":
    case "SmallMoney":
    case "Money": {
      const precision = column?.precision ?? (driverTypeName(column) === "SmallMoney" ? 10 : 19);
      const scale = column?.scale ?? 4;
      if (precision > EXACT_NUMBER_DECIMAL_PRECISION) {
        throw new Error(
          `Column '${column?.name ?? "?"}' is a decimal of precision ${precision}` +
            `, which the driver returns as a JS number and would lose digits; ` +
            "sluice reads such columns as text when the server can " +
            "describe the query. CAST the column to VARCHAR in the query.",
        );
      }
      // Every decimal of at most 15 significant digits round-trips through a double, so toFixed is exact.
      return (value as number).toFixed(scale);
    }
    case "Date":
      return (value as Date).toISOString().slice(0, 10);
    case "Time":
      return (value as Date).toISOString().slice(11, 23);
    case "Bit":
      return Boolean(value);
    default:
      return value as CellValue;
  }
}
