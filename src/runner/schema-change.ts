// dbt's on_schema_change for an incremental run that appends, merges or deletes and inserts into an
// existing table: the SQL's columns are compared with the table's, and the setting decides what is
// written. As dbt-core defines the values (its on_schema_change.sql and incremental materialization):
// - ignore (default): the table's columns are written; a column new in the SQL is left out, and a
//   table column the SQL no longer selects fails the build (dbt's insert fails there too);
// - fail: any new, missing or retyped column fails the build, naming them;
// - append_new_columns: new columns are added to the table; a column the SQL dropped stays, NULL in
//   inserted rows (a merge's matched rows keep their value, as dbt's `update set` of the SQL's columns
//   does); a changed type is left as it is and values are cast to it;
// - sync_all_columns: new columns added, dropped ones dropped, changed types changed, a changed
//   column moving to the end of the table as with dbt's (add a column, copy, drop, rename). DuckDB
//   refuses to commit an UPDATE after an ALTER of the same table in one transaction, so a change of
//   type rebuilds the table in its new shape beside it and swaps it in, as a table build does.
// The decision is a pure function of the two column lists; DuckDB tables only, for now.
import type { Column, Dialect, RelationName } from "../adapters/contract.js";
import type { ModelNode } from "../manifest/types.js";
import type { OnSchemaChange } from "../project/schema.js";
import { BuildRefusal } from "./refusal.js";

/** The build refused by on_schema_change: its message names the model, the setting and the columns. */
export class SchemaChangeError extends BuildRefusal {}

/** A column as both the SQL's result and the table describe it. */
export interface ColumnShape {
  name: string;
  nativeType: string;
}

export interface SchemaDiff {
  /** In the SQL, not the table (in the SQL's order). */
  added: ColumnShape[];
  /** In the table, not the SQL (in the table's order). */
  removed: ColumnShape[];
  /** In both, with another type in the SQL. */
  retyped: { name: string; from: string; to: string }[];
}

const key = (name: string) => name.toLowerCase();
const sameType = (a: string, b: string) =>
  a.replace(/\s+/g, "").toUpperCase() === b.replace(/\s+/g, "").toUpperCase();

/** How the SQL's columns differ from the table's; names compare as DuckDB's do, without case. */
export function diffColumns(query: ColumnShape[], table: ColumnShape[]): SchemaDiff {
  const inTable = new Map(table.map((c) => [key(c.name), c]));
  const inQuery = new Map(query.map((c) => [key(c.name), c]));
  const retyped: SchemaDiff["retyped"] = [];
  for (const c of query) {
    const old = inTable.get(key(c.name));
    if (old && !sameType(old.nativeType, c.nativeType))
      retyped.push({ name: old.name, from: old.nativeType, to: c.nativeType });
  }
  return {
    added: query.filter((c) => !inTable.has(key(c.name))),
    removed: table.filter((c) => !inQuery.has(key(c.name))),
    retyped,
  };
}

export type SchemaChangeDecision =
  | { kind: "fail"; message: string }
  | {
      kind: "write";
      /** DDL that brings the table to the new columns, run before the rows are written. */
      alter: string[];
      /** Instead of `alter`: the SELECT over the table that gives it its new shape, to build and swap in. */
      rebuild?: string;
      /** The SQL's columns written. */
      columns: string[];
      /** Table columns the SQL lacks whose values a merge's matched rows keep. */
      keep: string[];
    };

function describe(diff: SchemaDiff): string {
  const list = (cs: ColumnShape[]) => cs.map((c) => `${c.name} (${c.nativeType})`).join(", ");
  return [
    diff.added.length ? `new in the SQL: ${list(diff.added)}` : "",
    diff.removed.length ? `in the table, not in the SQL: ${list(diff.removed)}` : "",
    diff.retyped.length
      ? `type changed: ${diff.retyped.map((r) => `${r.name} ${r.from} -> ${r.to}`).join(", ")}`
      : "",
  ]
    .filter(Boolean)
    .join("; ");
}

/** What an incremental run of `model` writes, given its SQL's and its table's columns. */
export function decideSchemaChange(
  model: Pick<ModelNode, "name" | "location"> & { config: Pick<ModelNode["config"], "strategy"> },
  setting: OnSchemaChange,
  query: ColumnShape[],
  table: ColumnShape[],
  relation: RelationName,
  dialect: Pick<Dialect, "quoteIdentifier" | "relation">,
): SchemaChangeDecision {
  const diff = diffColumns(query, table);
  const changed = diff.added.length + diff.removed.length + diff.retyped.length > 0;
  const where = `${model.location.path}: incremental model '${model.name}'`;
  const fixes =
    "set on_schema_change to append_new_columns or sync_all_columns, or rebuild it with --full-refresh";
  if (setting === "fail" && changed)
    return {
      kind: "fail",
      message:
        `${where} has on_schema_change 'fail' and its columns differ from its table ` +
        `${dialect.relation(relation)}: ${describe(diff)}. Nothing was written; ${fixes}`,
    };
  if (setting === "ignore" || setting === "fail") {
    if (diff.removed.length > 0)
      return {
        kind: "fail",
        message:
          `${where} no longer selects column(s) of its table ${dialect.relation(relation)}` +
          `: ${describe({ ...diff, added: [], retyped: [] })}; on_schema_change 'ignore' ` +
          `writes the table's columns, so it cannot build. Nothing was written; ${fixes}`,
      };
    const wanted = new Set(query.map((c) => key(c.name)));
    return {
      kind: "write",
      alter: [],
      columns: table.map((c) => c.name).filter((n) => wanted.has(key(n))),
      keep: [],
    };
  }
  const q = (name: string) => dialect.quoteIdentifier(name);
  const rel = dialect.relation(relation);
  const alter = diff.added.map((c) => `ALTER TABLE ${rel} ADD COLUMN ${q(c.name)} ${c.nativeType}`);
  const keep = diff.removed.map((c) => c.name);
  const written = { kind: "write" as const, columns: query.map((c) => c.name) };
  if (setting === "sync_all_columns") {
    if (diff.retyped.length === 0) {
      alter.push(...diff.removed.map((c) => `ALTER TABLE ${rel} DROP COLUMN ${q(c.name)}`));
      return { ...written, alter, keep: [] };
    }
    // dbt's final order: the columns kept as they were, the new ones, then each retyped one.
    const gone = new Set([...diff.removed.map((c) => key(c.name)), ...diff.retyped.map((r) => key(r.name))]);
    const select = [
      ...table.filter((c) => !gone.has(key(c.name))).map((c) => q(c.name)),
      ...diff.added.map((c) => `CAST(NULL AS ${c.nativeType}) AS ${q(c.name)}`),
      ...diff.retyped.map((r) => `CAST(${q(r.name)} AS ${r.to}) AS ${q(r.name)}`),
    ];
    return { ...written, alter: [], rebuild: `SELECT ${select.join(", ")} FROM ${rel}`, keep: [] };
  }
  return { ...written, alter, keep: model.config.strategy === "merge" ? keep : [] };
}

/**
 * The SELECT the adapter writes (by name) after the decision: the chosen columns of the SQL and,
 * for a merge that keeps columns the SQL lacks, their values from the matched rows of the table.
 */
export function schemaChangeSelect(
  sql: string,
  decision: Extract<SchemaChangeDecision, { kind: "write" }>,
  relation: RelationName,
  uniqueKey: string[],
  dialect: Pick<Dialect, "quoteIdentifier" | "relation">,
): string {
  const q = (name: string) => dialect.quoteIdentifier(name);
  const picked = decision.columns.map((c) => `sluice_new.${q(c)}`);
  if (decision.keep.length === 0) return `select ${picked.join(", ")}\nfrom (\n${sql}\n) sluice_new`;
  // One table row per key, so a table that already holds a key twice cannot multiply the new rows.
  const keys = uniqueKey.map(q).join(", ");
  const old =
    `select distinct on (${keys}) ${[...uniqueKey, ...decision.keep].map(q).join(", ")}` +
    ` from ${dialect.relation(relation)}`;
  const on = uniqueKey.map((k) => `sluice_new.${q(k)} = sluice_old.${q(k)}`).join(" and ");
  return (
    `select ${[...picked, ...decision.keep.map((c) => `sluice_old.${q(c)}`)].join(", ")}` +
    `\nfrom (\n${sql}\n) sluice_new\nleft join (${old}) sluice_old on ${on}`
  );
}

/** The columns of the table and of the SQL's result, as the engine describes them. */
export function shapes(columns: Column[]): ColumnShape[] {
  return columns.map((c) => ({ name: c.name, nativeType: c.nativeType }));
}
