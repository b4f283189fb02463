// Reads what the lake holds (relation kind, columns, partition columns, partitions) through SHOW
// and DESCRIBE statements, whose output Hive and Spark spell slightly differently.
import type {
  Column,
  Introspector,
  PartitionValue,
  RelationKind,
  RelationName,
  Session,
} from "../contract.js";
import { hiveDialect } from "./hive-dialect.js";

export class HiveIntrospector implements Introspector {
  constructor(private readonly session: Session) {}

  async relationKind(rel: RelationName): Promise<RelationKind | null> {
    const d = hiveDialect;
    // SHOW TABLES patterns treat only `*` and `|` as wildcards, so a literal name matches itself.
    const databases = await this.session.query(`SHOW DATABASES LIKE ${d.string(rel.schema.toLowerCase())}`);
    if (!databases.rows.some((row) => String(row[0]).toLowerCase() === rel.schema.toLowerCase())) return null;
    const tables = await this.session.query(
      `SHOW TABLES IN ${d.quoteIdentifier(rel.schema)} LIKE ${d.string(rel.name.toLowerCase())}`,
    );
    const wanted = rel.name.toLowerCase();
    const found = tables.rows.some((row) => {
      // Spark: (database, tableName, isTemporary); Hive: (tab_name).
      const name = row.length >= 2 ? row[1] : row[0];
      const temporary = row.length >= 3 && row[2] === true;
      return typeof name === "string" && name.toLowerCase() === wanted && !temporary;
    });
    if (!found) return null;
    const detail = await this.session.query(`DESCRIBE FORMATTED ${d.relation(rel)}`);
    for (const row of detail.rows) {
      const key = String(row[0] ?? "")
        .trim()
        .replace(/:$/, "");
      const value = String(row[1] ?? "")
        .trim()
        .toUpperCase();
      if (key === "Type" || key === "Table Type") return value.includes("VIEW") ? "view" : "table";
    }
    return "table";
  }

  /** Every column in table order, partition columns last (as Hive stores them). */
  async columns(rel: RelationName): Promise<Column[]> {
    return (await this.describe(rel)).columns;
  }

  /** The partition columns in their declared order; empty for unpartitioned tables and views. */
  async partitionColumns(rel: RelationName): Promise<string[]> {
    return (await this.describe(rel)).partitionBy;
  }

  async partitions(rel: RelationName): Promise<PartitionValue[]> {
    const partitionBy = await this.partitionColumns(rel);
    if (partitionBy.length === 0) return [];
    const result = await this.session.query(`SHOW PARTITIONS ${hiveDialect.relation(rel)}`);
    return result.rows.map((row) => parsePartitionPath(String(row[0] ?? ""), partitionBy));
  }

  private async describe(rel: RelationName): Promise<{ columns: Column[]; partitionBy: string[] }> {
    const result = await this.session.query(`DESCRIBE ${hiveDialect.relation(rel)}`);
    const columns: Column[] = [];
    const partitionBy: string[] = [];
    let section: "columns" | "partitions" | "other" = "columns";
    for (const row of result.rows) {
      const name = String(row[0] ?? "").trim();
      const nativeType = String(row[1] ?? "").trim();
      if (name.startsWith("#")) {
        section = /partition information/i.test(name)
          ? "partitions"
          : section === "partitions"
            ? "partitions"
            : "other";
        continue;
      }
      if (name === "") {
        // Hive puts a blank row between the partition header and its columns; one after them ends it.
        if (section === "partitions" && partitionBy.length > 0) section = "other";
        continue;
      }
      if (section === "columns") {
        columns.push({
          name,
          nativeType: nativeType.toUpperCase(),
          type: hiveDialect.logicalType(nativeType),
        });
      } else if (section === "partitions") {
        partitionBy.push(name);
      }
    }
    return { columns, partitionBy };
  }
}

/** `year_month=202101/region=north%2Fwest` → ['202101', 'north/west'], in `partitionBy` order. */
export function parsePartitionPath(path: string, partitionBy: string[]): PartitionValue {
  const values = new Map<string, string | null>();
  for (const part of path.split("/")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    // The default partition is where Hive and Spark keep NULL (compared before unescaping).
    const raw = part.slice(eq + 1);
    values.set(
      unescapePathName(part.slice(0, eq)).toLowerCase(),
      raw === "__HIVE_DEFAULT_PARTITION__" ? null : unescapePathName(raw),
    );
  }
  return partitionBy.map((p) => values.get(p.toLowerCase()) ?? null);
}

/** Hive escapes special characters in partition paths as %XX. */
function unescapePathName(text: string): string {
  return text.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
