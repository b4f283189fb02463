// Which groups of a `table` model a build must recompute, when it need not rebuild the table. A
// table that aggregates one input by that input's partition column holds, for every value of the
// column outside the input's replaced partitions, exactly the rows a full rebuild would give: each
// of its rows is computed from input rows of one partition (and from inputs that did not change).
// Then deleting the rows of the replaced values and inserting the model's rows for them (its SQL
// filtered on its output column, an exact subset of a full build's rows) equals a full rebuild.
// The SQL's shape is read with node-sql-parser, never with a regular expression; anything the
// check does not recognise is rebuilt in full, with the reason.
import { createRequire } from "node:module";
import type { PartitionValue } from "../adapters/contract.js";
import type { NodeOutcome } from "../ledger/ledger.js";
import type { Manifest, ModelNode } from "../manifest/types.js";

type EngineType = Manifest["connections"][string]["type"];

/** The groups to recompute: rows whose `column` holds one of `partitions` (replaced in `from`). */
export interface AffectedGroups {
  column: string;
  partitions: PartitionValue[];
  /** The input whose partitions this build replaces. */
  from: string;
}

export interface GroupFacts {
  manifest: Manifest;
  /** Inputs planned so far and what they replace: named partitions, or all of them. */
  partitionsOf: Map<string, { partitionBy: string[]; partitions: PartitionValue[] | "all" }>;
  /** Nodes this build writes before this one. */
  changing: Set<string>;
  /** The last recorded outcome of each node (none: rebuild in full). */
  outcomes: Map<string, NodeOutcome> | undefined;
}

const DIALECT: Record<EngineType, string> = {
  duckdb: "postgresql",
  sqlserver: "transactsql",
  hive: "hive",
  postgres: "postgresql",
  mysql: "mariadb",
};

/** Names that make a result depend on when or how often it runs, not on its inputs alone. */
const VOLATILE = new Set([
  "now",
  "current_date",
  "current_time",
  "current_timestamp",
  "localtime",
  "localtimestamp",
  "getdate",
  "getutcdate",
  "sysdate",
  "sysdatetime",
  "random",
  "rand",
  "uuid",
  "gen_random_uuid",
  "newid",
]);

/**
 * The groups of `model` (a table) this build must recompute, or why it is rebuilt in full. Pure:
 * the caller checks that the table exists.
 */
export function affectedGroups(model: ModelNode, facts: GroupFacts): AffectedGroups | { whole: string } {
  const { manifest, partitionsOf, changing, outcomes } = facts;
  const last = outcomes?.get(model.id);
  if (last?.status !== "success" || last.version !== model.checksum)
    return { whole: "its last build at this version did not succeed" };
  let replaced: { id: string; column: string; partitions: PartitionValue[] } | undefined;
  for (const dep of model.dependsOn) {
    const input = manifest.nodes[dep];
    if (!input || input.kind === "test") return { whole: `it reads ${dep}, which is not in the manifest` };
    if (input.kind === "source")
      return { whole: `it reads source ${input.name}, which changes outside sluice` };
    if (input.kind === "model" && ["view", "ephemeral"].includes(input.config.materialized))
      return { whole: `it reads ${input.name} through a ${input.config.materialized}` };
    const written = outcomes?.get(dep);
    if (!written || written.at > last.at)
      return { whole: `${input.name} was written since ${model.name} was last built` };
    if (!changing.has(dep)) continue;
    const up = partitionsOf.get(dep);
    if (!up || up.partitions === "all" || up.partitionBy.length !== 1 || replaced)
      return { whole: `${input.name} is written in this build, not only in named partitions` };
    replaced = { id: dep, column: up.partitionBy[0]!, partitions: up.partitions };
  }
  if (!replaced) return { whole: "no input replaces named partitions in this build" };
  const upstream = manifest.nodes[replaced.id] as ModelNode;
  const storedOn = (id: string) =>
    manifest.connections[(manifest.nodes[id] as ModelNode).relation.connection];
  if (storedOn(replaced.id)?.type !== storedOn(model.id)?.type)
    return { whole: "its partition values are read on another engine than it is stored on" };
  const stored = manifest.connections[model.relation.connection];
  // A lake replaces whole partitions of a table partitioned by them; it deletes no rows by value.
  if (!stored || stored.lake || stored.type === "hive")
    return { whole: "it is stored in a lake, which replaces only the partitions a table is partitioned by" };
  const engine = manifest.connections[model.config.compute]?.type;
  if (!engine) return { whole: `connection '${model.config.compute}' is not in the manifest` };
  const others = model.dependsOn
    .filter((d) => d !== replaced.id)
    .map((d) => (manifest.nodes[d] as ModelNode).relation.name);
  const column = groupColumn(model.compiledSql, engine, upstream.relation.name, replaced.column, others);
  if (typeof column !== "string") return column;
  return { column, partitions: replaced.partitions, from: upstream.name };
}

/**
 * The output column of `sql` that passes `table`.`partitionColumn` through as a GROUP BY key, when
 * every output row then comes from rows of one value of it: one SELECT over `table` first (each
 * other relation joined to it by an inner or left join, so its rows are never the NULL side), no
 * subquery, set operation, DISTINCT, LIMIT, window or clock; else why not.
 */
export function groupColumn(
  sql: string,
  engine: EngineType,
  table: string,
  partitionColumn: string,
  otherTables: string[],
): string | { whole: string } {
  // The answer depends on these inputs alone: a process planning again (a long-lived one, or the
  // property suite's builds) reads each SQL text once.
  const key = JSON.stringify([sql, engine, table, partitionColumn, otherTables]);
  let answer = readings.get(key);
  if (answer === undefined) {
    answer = readGroupColumn(sql, engine, table, partitionColumn, otherTables);
    if (readings.size >= MAX_READINGS) readings.delete(readings.keys().next().value!);
    readings.set(key, answer);
  }
  return typeof answer === "string" ? answer : { ...answer };
}

/** Readings of groupColumn kept, oldest dropped first: a few per model of any one project. */
const MAX_READINGS = 1000;
const readings = new Map<string, string | { whole: string }>();

function readGroupColumn(
  sql: string,
  engine: EngineType,
  table: string,
  partitionColumn: string,
  otherTables: string[],
): string | { whole: string } {
  const whole = (why: string) => ({ whole: `its SQL ${why}` });
  let ast: unknown;
  try {
    ast = parser().astify(sql, { database: DIALECT[engine] });
  } catch {
    return whole("could not be read by the SQL parser");
  }
  const statements = Array.isArray(ast) ? ast : [ast];
  if (statements.length !== 1) return whole("is not one statement");
  const select = statements[0] as Ast;
  if (select.type !== "select" || select.with || select._next || select.set_op)
    return whole("is not a single SELECT");
  if ((select.distinct as Ast | null)?.type) return whole("uses DISTINCT");
  if (((select.limit as Ast | null)?.value as unknown[] | undefined)?.length) return whole("has a LIMIT");
  if (select.window) return whole("names a window");
  const problem = nested(select, true);
  if (problem) return whole(problem);
  const from = (select.from as Ast[] | null) ?? [];
  const first = from[0];
  const lower = (s: unknown) => String(s ?? "").toLowerCase();
  if (!first || lower(first.table) !== table.toLowerCase()) return whole(`does not read ${table} first`);
  for (const [i, item] of from.entries()) {
    if (!item.table || item.expr) return whole("reads a derived table");
    if (i > 0 && lower(item.table) === table.toLowerCase()) return whole(`reads ${table} twice`);
    if (i > 0 && !otherTables.some((t) => t.toLowerCase() === lower(item.table)))
      return whole(`reads ${String(item.table)}, which is not one of its inputs`);
    if (i > 0 && !["JOIN", "INNER JOIN", "LEFT JOIN", "LEFT OUTER JOIN"].includes(String(item.join)))
      return whole(`joins ${String(item.table)} with ${String(item.join ?? "a comma")}`);
  }
  const alias = lower(first.as ?? first.table);
  const isKey = (e: Ast | undefined) =>
    e?.type === "column_ref" &&
    lower(columnName(e)) === partitionColumn.toLowerCase() &&
    (e.table ? lower(e.table) === alias : from.length === 1);
  const groups = (((select.groupby as Ast | null)?.columns as Ast[] | undefined) ?? []) as Ast[];
  if (!groups.some(isKey)) return whole(`does not group by ${table}.${partitionColumn}`);
  const out = ((select.columns as Ast[] | string) ?? []) as Ast[];
  const passed = Array.isArray(out) ? out.find((c) => isKey(c.expr as Ast)) : undefined;
  if (!passed) return whole(`does not select ${table}.${partitionColumn}`);
  return String(passed.as ?? columnName(passed.expr as Ast));
}

interface Ast {
  [key: string]: unknown;
}

/**
 * Why a part of the statement may read across groups or
 * vary by run (a subquery, a window, the clock), or null.
 */
function nested(node: unknown, root: boolean): string | null {
  if (Array.isArray(node)) {
    for (const item of node) {
      const found = nested(item, false);
      if (found) return found;
    }
    return null;
  }
  if (typeof node === "string")
    return VOLATILE.has(node.toLowerCase()) ? `calls ${node.toLowerCase()}` : null;
  if (!node || typeof node !== "object") return null;
  const n = node as Ast;
  if (!root && (n.type === "select" || "ast" in n)) return "has a subquery";
  if (n.over) return "uses a window function";
  for (const value of Object.values(n)) {
    const found = nested(value, false);
    if (found) return found;
  }
  return null;
}

function columnName(ref: Ast): string {
  const column = ref.column as Ast | string;
  if (typeof column === "string") return column;
  return String((column?.expr as Ast | undefined)?.value ?? "");
}

let sqlParser: { astify(sql: string, options: { database: string }): unknown } | undefined;
function parser(): NonNullable<typeof sqlParser> {
  if (!sqlParser) {
    const { Parser } = createRequire(import.meta.url)("node-sql-parser") as {
      Parser: new () => NonNullable<typeof sqlParser>;
    };
    sqlParser = new Parser();
  }
  return sqlParser;
}
