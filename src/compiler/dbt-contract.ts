// A model's enforced contract (dbt's `contract: {enforced: true}`) as the runner checks it: the YAML
// columns with their data_type, line and constraints (not_null, unique, primary_key, check). What
// dbt refuses while parsing is refused here, with the YAML line: an enforced contract without
// columns, a column without data_type, a check without expression, an incremental model whose
// on_schema_change could let the table drift from the contract.
import type { ModelContract } from "../manifest/types.js";
import type { Diagnostics } from "../project/diagnostics.js";
import type { ModelConfig } from "../project/schema.js";
import type { ModelProps, PropertyEntry } from "./properties.js";

/** The contract of a model whose config enforces one, or undefined (with errors) when it cannot be. */
export function modelContract(
  name: string,
  modelPath: string,
  config: ModelConfig,
  materialized: string,
  entry: PropertyEntry<ModelProps> | undefined,
  diagnostics: Diagnostics,
): ModelContract | undefined {
  if (config.contract?.enforced !== true) return undefined;
  const columns = entry?.value.columns ?? [];
  if (!entry || columns.length === 0) {
    diagnostics.error(
      entry?.path ?? modelPath,
      entry?.line ?? 1,
      1,
      `model '${name}' enforces a contract but its property YAML declares no columns`,
      "list every column the model selects under columns:, each with its data_type",
    );
    return undefined;
  }
  const at = (column: string) => columnLine(entry.text, entry.line, column);
  const untyped = columns.filter((c) => !c.data_type);
  for (const c of untyped)
    diagnostics.error(
      entry.path,
      at(c.name),
      1,
      `column '${c.name}' of model '${name}' has no data_type, which its enforced contract needs`,
      "give every column of a contracted model a data_type",
    );
  if (materialized === "ephemeral")
    diagnostics.error(
      entry.path,
      entry.line,
      1,
      `model '${name}' is ephemeral and enforces a contract; dbt refuses contracts on ephemeral models`,
      "materialize it as a table, view or incremental, or drop the contract",
    );
  const onSchemaChange = config.on_schema_change ?? "ignore";
  if (materialized === "incremental" && onSchemaChange !== "append_new_columns" && onSchemaChange !== "fail")
    diagnostics.error(
      modelPath,
      1,
      1,
      `incremental model '${name}' enforces a contract with on_schema_change ` +
        `'${onSchemaChange}', which lets its table drift from the contract`,
      "set on_schema_change to 'append_new_columns' or 'fail', as dbt requires",
    );
  // A check is SQL the table's CHECK clause holds; without it there is nothing to enforce.
  const checks: { expression: string; name?: string }[] = [];
  const readCheck = (k: { type: string; name?: string | undefined }, line: number) => {
    const expression = (k as { expression?: unknown }).expression;
    if (typeof expression !== "string" || expression.trim() === "") {
      diagnostics.error(
        entry.path,
        line,
        1,
        `a check constraint of model '${name}' has no expression`,
        'give it the condition every row must meet, e.g. expression: "amount >= 0"',
      );
      return;
    }
    checks.push({ expression, ...(k.name ? { name: k.name } : {}) });
  };
  for (const c of columns)
    for (const k of c.constraints ?? []) if (k.type === "check") readCheck(k, at(c.name));
  for (const k of entry.value.constraints ?? []) if (k.type === "check") readCheck(k, entry.line);
  if (untyped.length > 0) return undefined;
  const has = (c: (typeof columns)[number], type: string) =>
    (c.constraints ?? []).some((k) => k.type === type);
  const modelKeys = (type: string) =>
    (entry.value.constraints ?? []).filter((k) => k.type === type).flatMap((k) => k.columns ?? []);
  const primaryKey = [
    ...columns.filter((c) => has(c, "primary_key")).map((c) => c.name),
    ...modelKeys("primary_key"),
  ];
  return {
    location: { path: entry.path, line: entry.line },
    columns: columns.map((c) => ({
      name: c.name,
      dataType: c.data_type!,
      line: at(c.name),
      notNull: has(c, "not_null"),
      unique: has(c, "unique"),
    })),
    primaryKey,
    unique: (entry.value.constraints ?? [])
      .filter((k) => k.type === "unique" && (k.columns?.length ?? 0) > 0)
      .map((k) => k.columns!),
    ...(checks.length > 0 ? { checks } : {}),
  };
}

/** The line of a column's `name:` after the model's own entry, for pointing at it. */
function columnLine(text: string, from: number, column: string): number {
  const lines = text.split("\n");
  const re = new RegExp(
    `^\\s*-?\\s*name:\\s*['"]?${column.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}['"]?\\s*$`,
  );
  for (let i = from; i < lines.length; i++) if (re.test(lines[i]!)) return i + 1;
  return from;
}
