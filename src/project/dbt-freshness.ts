// dbt's source freshness settings, read from a dbt project's property files: `freshness`
// (warn_after / error_after as {count, period}, filter) and `loaded_at_field`, set on a source and
// overridden per table (`freshness: null` turns it off), also under `config:` as dbt 1.9 writes it.
import { parse } from "yaml";
import type { Diagnostics } from "./diagnostics.js";

export interface FreshnessThreshold {
  count: number;
  period: "minute" | "hour" | "day";
}

/** One source table whose freshness `sluice source freshness` checks. */
export interface SourceFreshness {
  source: string;
  table: string;
  loadedAtField: string;
  warnAfter: FreshnessThreshold | null;
  errorAfter: FreshnessThreshold | null;
  /** A SQL condition limiting the rows looked at. */
  filter: string | null;
  path: string;
}

type Json = Record<string, unknown>;
const isJson = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Seconds in one of dbt's freshness periods. */
export const PERIOD_SECONDS = { minute: 60, hour: 3600, day: 86_400 } as const;

/** The freshness checks of every source table in `files` (dbt property YAML) that has one. */
export function readSourceFreshness(
  files: { path: string; text: string }[],
  diagnostics: Diagnostics,
): SourceFreshness[] {
  const out: SourceFreshness[] = [];
  for (const file of files) {
    let doc: unknown;
    try {
      doc = parse(file.text);
    } catch {
      continue; // reported when the project loaded
    }
    if (!isJson(doc) || !Array.isArray(doc["sources"])) continue;
    for (const source of doc["sources"].filter(isJson)) {
      const sourceLevel = settingsOf(source);
      for (const table of (Array.isArray(source["tables"]) ? source["tables"] : []).filter(isJson)) {
        const tableLevel = settingsOf(table);
        const freshness = "freshness" in tableLevel ? tableLevel.freshness : sourceLevel.freshness;
        const loadedAtField = tableLevel.loadedAtField ?? sourceLevel.loadedAtField;
        if (!isJson(freshness)) continue;
        const where = `source '${source["name"]}' table '${table["name"]}'`;
        const line = lineOf(file.text, `name: ${String(table["name"])}`);
        const at = (key: string) => [`${where}: ${key}`, file.path, line] as const;
        const warnAfter = threshold(freshness["warn_after"], ...at("warn_after"), diagnostics);
        const errorAfter = threshold(freshness["error_after"], ...at("error_after"), diagnostics);
        if (!warnAfter && !errorAfter) continue;
        if (typeof loadedAtField !== "string") {
          diagnostics.warn(
            file.path,
            line,
            1,
            `${where} has freshness but no loaded_at_field; sluice ` +
              `does not read warehouse metadata, so it is not checked`,
            "set loaded_at_field to the column holding when each row was loaded",
          );
          continue;
        }
        out.push({
          source: String(source["name"]),
          table: String(table["name"]),
          loadedAtField,
          warnAfter,
          errorAfter,
          filter: typeof freshness["filter"] === "string" ? freshness["filter"] : null,
          path: file.path,
        });
      }
    }
  }
  return out;
}

/** A node's freshness and loaded_at_field, from its keys or its `config:`. */
function settingsOf(node: Json): { freshness?: unknown; loadedAtField?: unknown } {
  const config = isJson(node["config"]) ? node["config"] : {};
  const out: { freshness?: unknown; loadedAtField?: unknown } = {};
  if ("freshness" in config) out.freshness = config["freshness"];
  else if ("freshness" in node) out.freshness = node["freshness"];
  const field = config["loaded_at_field"] ?? node["loaded_at_field"];
  if (field !== undefined) out.loadedAtField = field;
  return out;
}

function threshold(
  value: unknown,
  what: string,
  path: string,
  line: number,
  diagnostics: Diagnostics,
): FreshnessThreshold | null {
  if (!isJson(value) || value["count"] === null || value["count"] === undefined) return null;
  const count = Number(value["count"]);
  const period = value["period"];
  if (
    !Number.isFinite(count) ||
    count < 0 ||
    (period !== "minute" && period !== "hour" && period !== "day")
  ) {
    diagnostics.error(
      path,
      line,
      1,
      `${what} must be {count: <number>, period: minute | hour | day}`,
      "write e.g. warn_after: {count: 12, period: hour}",
    );
    return null;
  }
  return { count, period };
}

/** The line of the first occurrence of `needle`, for pointing at a table's entry. */
function lineOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  return at < 0 ? 1 : text.slice(0, at).split("\n").length;
}
