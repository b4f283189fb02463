// The partitions `--restate MODEL --partitions SPEC` names: the spec's lists and ranges expanded
// (checked before anything runs), then each value read by the type of its partition column and
// written in the engine's own text, so `2024-1-1` and `2024-01-01`, or `0202401` and `202401`,
// name the one partition the table holds and a replay supersedes it instead of adding a copy.
import type { LogicalType, PartitionValue } from "../adapters/contract.js";
import type { Connections } from "../adapters/index.js";
import {
  dateText,
  decimalText,
  integerText,
  LiteralTypeError,
  timestampText,
} from "../adapters/literal-text.js";
import type { ModelNode } from "../manifest/types.js";

/** Ranges longer than this are refused: a typo (`2021..202106`) would plan a million rebuilds. */
const MAX_RANGE = 100_000;

/**
 * Expands `a,b,c` and ranges `from..to`, inclusive: months when both ends are `YYYYMM`, days when
 * both are dates (`2024-01-30..2024-02-02`), else integers. Ends are validated (month 13 and
 * 2024-02-30 are refused) and a range must not run backwards.
 */
export function expandPartitions(spec: string): PartitionValue[] {
  return spec.split(",").flatMap((part): PartitionValue[] => {
    const range = /^\s*(\S+?)\s*\.\.\s*(\S+)\s*$/.exec(part);
    if (!range) {
      if (part.trim() === "") throw new Error("an empty partition value; separate values with single commas");
      return [[part.trim()]];
    }
    const [from, to] = [range[1]!, range[2]!];
    if (/^\d{6}$/.test(from) && /^\d{6}$/.test(to)) return monthRange(from, to, part);
    if (/^\d{4}-\d{1,2}-\d{1,2}$/.test(from) && /^\d{4}-\d{1,2}-\d{1,2}$/.test(to))
      return dateRange(from, to, part);
    if (/^[+-]?\d+$/.test(from) && /^[+-]?\d+$/.test(to)) return integerRange(BigInt(from), BigInt(to), part);
    throw new Error(
      `cannot read the range '${part.trim()}': write months ` +
        `(202101..202106), dates (2024-01-01..2024-01-31) or integers (1..9)`,
    );
  });
}

function monthRange(from: string, to: string, part: string): PartitionValue[] {
  const month = (text: string) => {
    const m = Number(text.slice(4));
    if (m < 1 || m > 12)
      throw new Error(`'${text}' in ${part.trim()} is not a month: YYYYMM needs a month from 01 to 12`);
    return Number(text.slice(0, 4)) * 12 + m - 1;
  };
  const [a, b] = [month(from), month(to)];
  if (b < a) throw new Error(`partition range ${part.trim()} runs backwards`);
  if (b - a >= MAX_RANGE) throw new Error(`partition range ${part.trim()} is too large`);
  const out: PartitionValue[] = [];
  for (let m = a; m <= b; m++) out.push([`${Math.floor(m / 12)}${String((m % 12) + 1).padStart(2, "0")}`]);
  return out;
}

function dateRange(from: string, to: string, part: string): PartitionValue[] {
  const day = (text: string) => {
    try {
      return Date.parse(`${dateText(text)}T00:00:00Z`) / 86_400_000;
    } catch (e) {
      throw new Error(`${e instanceof Error ? e.message : String(e)} (in ${part.trim()})`);
    }
  };
  const [a, b] = [day(from), day(to)];
  if (b < a) throw new Error(`partition range ${part.trim()} runs backwards`);
  if (b - a >= MAX_RANGE) throw new Error(`partition range ${part.trim()} is too large`);
  const out: PartitionValue[] = [];
  for (let d = a; d <= b; d++) out.push([new Date(d * 86_400_000).toISOString().slice(0, 10)]);
  return out;
}

function integerRange(from: bigint, to: bigint, part: string): PartitionValue[] {
  if (to < from) throw new Error(`partition range ${part.trim()} runs backwards`);
  if (to - from >= BigInt(MAX_RANGE)) throw new Error(`partition range ${part.trim()} is too large`);
  const out: PartitionValue[] = [];
  for (let v = from; v <= to; v++) out.push([v.toString()]);
  return out;
}

/** A restated value that is not of its partition column's type. */
export class RestateValueError extends Error {
  override readonly name = "RestateValueError";
}

/**
 * Each value read by its column's type and written as the engine prints a value of that type
 * (`CAST(col AS VARCHAR)`): integers without leading zeros, dates as YYYY-MM-DD, timestamps as
 * `YYYY-MM-DD HH:MM:SS[.fraction]`. `types[i]` is the type of `partitionBy[i]`, or undefined when
 * the table does not exist yet (then values stay as given: the build is a full one anyway).
 */
export function canonicalRestate(
  model: string,
  partitionBy: string[],
  types: (LogicalType | undefined)[],
  partitions: PartitionValue[],
): PartitionValue[] {
  const seen = new Map<string, PartitionValue>();
  for (const partition of partitions) {
    if (partition.length !== partitionBy.length) {
      throw new RestateValueError(
        `--restate ${model}: partition (${partition.join(", ")}) has ${partition.length} values; ` +
          `${model} is partitioned by ${partitionBy.join(", ")}`,
      );
    }
    const canonical = partition.map((value, i) => {
      const type = types[i];
      if (value === null || !type) return value;
      try {
        return canonicalText(value, type);
      } catch (e) {
        if (!(e instanceof LiteralTypeError)) throw e;
        throw new RestateValueError(
          `--restate ${model} --partitions: ${e.message}, the type of partition column ${partitionBy[i]}`,
        );
      }
    });
    seen.set(JSON.stringify(canonical), canonical);
  }
  return [...seen.values()];
}

/** The restated partitions of `model`, read by the types its stored table's partition columns have. */
export async function restatedPartitions(
  model: ModelNode,
  partitions: PartitionValue[],
  connections: Connections,
): Promise<PartitionValue[]> {
  const columns = await connections.withSession(model.relation.connection, (session, adapter) =>
    adapter.introspector(session).columns(model.relation),
  );
  const types = model.config.partitionBy.map(
    (p) => columns.find((c) => c.name.toLowerCase() === p.toLowerCase())?.type,
  );
  return canonicalRestate(model.name, model.config.partitionBy, types, partitions);
}

function canonicalText(value: string, type: LogicalType): string {
  switch (type.kind) {
    case "integer":
      return integerText(value);
    case "decimal": {
      // As the engine prints the column: exactly `scale` digits after the point.
      const [whole = "0", fraction = ""] = decimalText(value).split(".");
      if (fraction.replace(/0+$/, "").length > type.scale)
        throw new LiteralTypeError(`'${value}' has more than ${type.scale} decimal places`);
      return type.scale === 0 ? whole : `${whole}.${fraction.padEnd(type.scale, "0").slice(0, type.scale)}`;
    }
    case "date":
      return dateText(value);
    case "timestamp":
      return timestampText(value);
    default:
      return value;
  }
}
