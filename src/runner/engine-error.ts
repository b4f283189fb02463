// Turns an engine's failure of a model or test into a message a person can act on: the model file
// and line (or the YAML line that named a missing column), the engine's own words, and the
// compiled SQL file to open.
import type { ManifestNode, ModelNode, TestNode } from "../manifest/types.js";
import { renderRelation } from "../compiler/relations.js";
import { didYouMean } from "../project/diagnostics.js";

/** What the explanation needs from the run: where the compiled files are, and a column probe. */
export interface FailureContext {
  /** The project's target folder, relative to the project (`target`). */
  targetPath: string;
  /** Text of the project's YAML files by path, to find the line that names a config key. */
  yamlFiles: { path: string; text: string }[];
  /** Engine type of each connection, to name a relation in its dialect. */
  engines: Record<string, { type: "duckdb" | "sqlserver" | "hive" | "postgres" | "mysql" }>;
  /** Output columns of a query on a connection, or undefined when the probe itself fails. */
  columnsOf(connection: string, sql: string): Promise<string[] | undefined>;
}

/** The failing statement's line as the engine reports it, and the line's text when it shows it. */
export interface EngineLine {
  line: number;
  text: string | null;
}

/** Reads DuckDB's `LINE n: text` (and Spark's `line n:col`) from an engine message. */
export function engineLine(message: string): EngineLine | undefined {
  const duck = /^LINE (\d+): ?(.*)$/m.exec(message);
  if (duck) return { line: Number(duck[1]), text: duck[2]!.replace(/^\.\.\./, "").replace(/\.\.\.$/, "") };
  const spark = /\bline (\d+):\d+\b/.exec(message);
  if (spark) return { line: Number(spark[1]), text: null };
  return undefined;
}

/**
 * The line of `sql` the engine meant. The engine counts lines of the statement it received, which
 * wraps the compiled SQL (DuckDB's `create view … as` adds one line before it), so the line is
 * found by its text, nearest to the reported number; without text, the reported number is trusted
 * only if it falls inside the SQL.
 */
export function compiledLineOf(sql: string, at: EngineLine): number | undefined {
  const lines = sql.split("\n");
  if (at.text === null || at.text.trim() === "") return at.line <= lines.length ? at.line : undefined;
  const wanted = at.text.trim();
  let best: number | undefined;
  lines.forEach((l, i) => {
    if (!l.includes(wanted)) return;
    if (best === undefined || Math.abs(i + 1 - at.line) < Math.abs(best - at.line)) best = i + 1;
  });
  return best;
}

/**
 * The template line that rendered compiled line `line`: a template line of the same text with no
 * template tag in it (a static line), nearest to the compiled line number.
 */
export function templateLineOf(rawSql: string, compiledSql: string, line: number): number | undefined {
  const text = compiledSql.split("\n")[line - 1]?.trimEnd();
  if (!text || text.trim() === "") return undefined;
  let best: number | undefined;
  rawSql.split("\n").forEach((l, i) => {
    if (l.trimEnd() !== text || /\{[{%#]/.test(l)) return;
    if (best === undefined || Math.abs(i + 1 - line) < Math.abs(best - line)) best = i + 1;
  });
  return best;
}

/**
 * The engine's message without its own line pointer, which counts lines of a statement the user never sees.
 */
export function engineWords(message: string): string {
  return message
    .replace(/\n+LINE \d+:[^\n]*(\n[ \t]*\^[ \t]*)?/g, "")
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .join(" ");
}

/**
 * Path of a model's compiled SQL under the target folder, as `sluice compile` writes it; for a model
 * rendered again at build time (ModelNode.introspects), the SQL that build ran, under target/run.
 */
export function compiledPath(targetPath: string, model: ModelNode, incremental: boolean): string {
  const folder = model.introspects?.length ? "run" : "compiled";
  const base = `${targetPath}/${folder}/${model.location.path.replace(/\.sql$/, "")}`;
  return incremental ? `${base}.incremental.sql` : `${base}.sql`;
}

/** Explains a failed model step: a missing configured column first, else the mapped engine error. */
export async function explainModelFailure(
  model: ModelNode,
  incremental: boolean,
  message: string,
  ctx: FailureContext,
): Promise<string> {
  const sql = incremental ? (model.compiledIncrementalSql ?? model.compiledSql) : model.compiledSql;
  const named = [
    ...model.config.uniqueKey.map((c) => ({ key: "unique_key", column: c })),
    ...model.config.partitionBy.map((c) => ({ key: "partition_by", column: c })),
  ];
  if (named.length > 0) {
    const columns = await ctx.columnsOf(model.config.compute, sql);
    const missing = columns && named.find((n) => !has(columns, n.column));
    if (columns && missing) {
      const where = configLine(model, missing.key, ctx.yamlFiles);
      const named = `${missing.key} of model ${model.name} names column '${missing.column}'`;
      return `${where}: ${named}, which its SQL does not return; ${hint(missing.column, columns)}`;
    }
  }
  const file = compiledPath(ctx.targetPath, model, incremental);
  const at = engineLine(message);
  const compiled = at ? compiledLineOf(sql, at) : undefined;
  const template = compiled ? templateLineOf(model.rawSql, sql, compiled) : undefined;
  const compiledAt = compiled ? `${file}:${compiled}` : model.location.path;
  const where = template ? `${model.location.path}:${template}` : compiledAt;
  const open = compiled ? `${file}:${compiled}` : file;
  return `${where}: ${engineWords(message)} (compiled SQL: ${open})`;
}

/**
 * Explains a failed test: a tested column its model does not
 * have, else the engine's words at the test's YAML line.
 */
export async function explainTestFailure(
  test: TestNode,
  owner: ManifestNode | undefined,
  message: string,
  ctx: FailureContext,
): Promise<string> {
  const where = `${test.location.path}:${test.location.line}`;
  const named = [test.column, ...list(test.args["columns"])].filter(
    (c): c is string => typeof c === "string",
  );
  if (owner && owner.kind !== "test" && named.length > 0) {
    const engine = ctx.engines[test.connection]?.type ?? "duckdb";
    const columns = await ctx.columnsOf(
      test.connection,
      `select * from ${renderRelation(engine, owner.relation)}`,
    );
    const missing = columns && named.find((c) => !has(columns, c));
    if (columns && missing) {
      const owned = `${owner.kind} ${owner.name}`;
      const named = `test ${test.name} names column '${missing}'`;
      return `${where}: ${named}, which ${owned} does not have; ${hint(missing, columns)}`;
    }
  }
  return `${where}: test ${test.name} failed in the engine: ${engineWords(message)}`;
}

function has(columns: string[], column: string): boolean {
  return columns.some((c) => c.toLowerCase() === column.toLowerCase());
}

function hint(column: string, columns: string[]): string {
  return didYouMean(column, columns) ?? `its columns: ${columns.join(", ")}`;
}

function list(value: unknown): unknown[] {
  return typeof value === "string" ? [value] : Array.isArray(value) ? value : [];
}

/**
 * Where a model's config key is set: its `config()` call, else a property file's entry for the
 * model, else project.yml's folder defaults; the model file when none says it.
 */
export function configLine(
  model: ModelNode,
  key: string,
  yamlFiles: { path: string; text: string }[],
): string {
  const inSql = lineOf(model.rawSql, key);
  if (inSql) return `${model.location.path}:${inSql}`;
  for (const f of yamlFiles) {
    const entry = f.text.search(new RegExp(`name:\\s*["']?${model.name}["']?\\s*$`, "m"));
    if (entry < 0) continue;
    const line = lineOf(f.text.slice(entry), key);
    if (line) return `${f.path}:${f.text.slice(0, entry).split("\n").length + line - 1}`;
  }
  const project = yamlFiles.find((f) => f.path === "project.yml");
  const line = project ? lineOf(project.text, key) : undefined;
  return line ? `project.yml:${line}` : model.location.path;
}

function lineOf(text: string, key: string): number | undefined {
  const index = text.search(new RegExp(`\\b${key}\\b`));
  return index < 0 ? undefined : text.slice(0, index).split("\n").length;
}
