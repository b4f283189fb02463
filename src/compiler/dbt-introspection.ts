// What a template asks the database while it renders (dbt's `execute`, run_query, statement,
// adapter.get_columns_in_relation, adapter.get_relation), and the values dbt hands back: agate-like
// tables and Column objects. The answers come from elsewhere: none while compiling (dbt's parse:
// `execute` is false and every question gets dbt's parse-time answer), and at build time the ones
// the run-time render fetched (see dbt-run-render.ts). Nothing here opens a connection.
import { PyDateTime, Relation, relationFromSql } from "./jinja-context.js";

/** A relation's parts as a template names them; a missing database is the connection's own. */
export interface RelationParts {
  database?: string;
  schema: string;
  name: string;
}

/** A column as the engine describes it: its name and the type as the engine spells it. */
export interface ColumnFacts {
  name: string;
  nativeType: string;
}

/** The rows a statement returned, cells as the adapters read them. */
export interface QueryFacts {
  columns: ColumnFacts[];
  rows: unknown[][];
}

/**
 * The answers a render can get. Each returns undefined for a question it cannot answer yet: while
 * compiling, or on a run-time pass before the question has been put to the database.
 */
export interface IntrospectionAnswers {
  /** dbt's `execute`: false while compiling, true while rendering at build time. */
  readonly execute: boolean;
  /** dbt's `flags.WHICH`: the command running (`compile` while compiling). */
  readonly command: string;
  /**
   * dbt's `flags.FULL_REFRESH`: true while a build under `--full-refresh` renders (never while compiling).
   */
  readonly fullRefresh: boolean;
  query(sql: string): QueryFacts | undefined;
  columns(relation: RelationParts): ColumnFacts[] | undefined;
  relationKind(relation: RelationParts): "table" | "view" | null | undefined;
}

/** One render's use of introspection: what it asked, and the results its statements stored. */
export class RenderIntrospection {
  /** Names of the introspection the template used (`execute`, `run_query`, …), for the manifest. */
  readonly uses = new Set<string>();
  /** Results stored by `{% call statement(name) %}`, read back by load_result(name). */
  readonly statements = new Map<string, unknown>();

  constructor(
    readonly answers: IntrospectionAnswers,
    /** Quotes an identifier for the engine the model computes on (Column.quoted). */
    readonly quote: (identifier: string) => string,
  ) {}
}

/**
 * The parts of a relation a template passed (a Relation,
 * or its SQL text); undefined for a CTE or a bare name.
 */
export function relationPartsOf(value: unknown): RelationParts | undefined {
  const relation = value instanceof Relation ? value : relationFromSql(String(value));
  if (relation.is_cte || !relation.identifier) return undefined;
  if (!relation.schema) return undefined;
  return {
    ...(relation.database ? { database: relation.database } : {}),
    schema: relation.schema,
    name: relation.identifier,
  };
}

/** Answers for compiling: `execute` false, no question answered, as in dbt's parse. */
export function compileAnswers(): IntrospectionAnswers {
  return {
    execute: false,
    command: "compile",
    fullRefresh: false,
    query: () => undefined,
    columns: () => undefined,
    relationKind: () => undefined,
  };
}

const STRING_TYPES = /^(text|character varying|character|varchar|string|nvarchar|nchar|char|bpchar)\b/i;
const NUMBER_TYPES =
  /^(int|integer|bigint|smallint|tinyint|hugeint|ubigint|uinteger|usmallint|utinyint|float|double|real|decimal|numeric|number)\b/i;
const INTEGER_TYPES = /^(int|integer|bigint|smallint|tinyint|hugeint|ubigint|uinteger|usmallint|utinyint)\b/i;
const FLOAT_TYPES = /^(float|double|real)\b/i;

/** dbt's Column: name, data_type and the type predicates macros such as union_relations call. */
export class DbtColumn {
  readonly column: string;
  readonly dtype: string;
  readonly char_size: number | null;
  readonly numeric_precision: number | null;
  readonly numeric_scale: number | null;

  constructor(
    readonly name: string,
    readonly data_type: string,
    private readonly quoteName: (identifier: string) => string,
  ) {
    this.column = name;
    const size = /\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)/.exec(data_type);
    this.dtype = data_type.replace(/\(.*$/, "").trim();
    const isString = STRING_TYPES.test(data_type);
    this.char_size = isString && size ? Number(size[1]) : null;
    this.numeric_precision = !isString && size ? Number(size[1]) : null;
    this.numeric_scale = !isString && size?.[2] !== undefined ? Number(size[2]) : null;
  }

  get quoted(): string {
    return this.quoteName(this.name);
  }
  is_string(): boolean {
    return STRING_TYPES.test(this.data_type);
  }
  is_number(): boolean {
    return NUMBER_TYPES.test(this.data_type);
  }
  is_numeric(): boolean {
    return /^(decimal|numeric|number)\b/i.test(this.data_type);
  }
  is_integer(): boolean {
    return INTEGER_TYPES.test(this.data_type);
  }
  is_float(): boolean {
    return FLOAT_TYPES.test(this.data_type);
  }
  /** As dbt's: a string column's length, 256 when the type has none (TEXT, VARCHAR). */
  string_size(): number {
    if (!this.is_string()) throw new Error(`string_size() called on non-string column '${this.name}'`);
    return this.char_size ?? 256;
  }
  toString(): string {
    return `<Column ${this.name} (${this.data_type})>`;
  }
}

/**
 * A floating-point cell as Python's float: renders `30.0` where a JavaScript number renders `30`
 * (dbt_utils.get_single_value's result is pasted into SQL, where `30.0` is a decimal literal).
 */
export class PyFloat extends Number {
  override toString(): string {
    const v = this.valueOf();
    return Number.isInteger(v) && Math.abs(v) < 1e16 ? `${v}.0` : String(v);
  }
}

const FLOAT_CELL = /^(double|float|real|float4|float8)\b/i;

/** A cell as a template should see it: small integers as numbers, timestamps as datetimes. */
function templateValue(value: unknown, nativeType = ""): unknown {
  if (typeof value === "number" && FLOAT_CELL.test(nativeType)) return new PyFloat(value);
  if (typeof value === "bigint")
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  if (value instanceof Date) {
    const ms = value.getTime();
    const whole = Math.floor(ms / 1000) * 1000;
    return new PyDateTime(whole, (ms - whole) * 1000, false);
  }
  return value;
}

/**
 * A result table as agate's: iterating it (or `.rows`) gives rows, each read by position or by
 * column name (`row[0]`, `row.table_name`); `.columns[i]` (or `.columns['name']`) has `.values()`
 * and `.name`; `.column_names`. An array underneath, so `{% for row in table %}` and `| length` work.
 */
export function agateTable(facts: QueryFacts): unknown[] {
  const names = facts.columns.map((c) => c.name);
  const rows = facts.rows.map((cells) => {
    const row = cells.map((cell, i) => templateValue(cell, facts.columns[i]?.nativeType));
    names.forEach((name, i) => {
      if (!(name in row)) Object.defineProperty(row, name, { value: row[i], enumerable: false });
    });
    Object.defineProperty(row, "keys", { value: () => [...names], enumerable: false });
    Object.defineProperty(row, "values", { value: () => [...row], enumerable: false });
    Object.defineProperty(row, "get", {
      value: (key: string, fallback: unknown = null) =>
        names.includes(key) ? row[names.indexOf(key)] : fallback,
      enumerable: false,
    });
    return row;
  });
  const columns = facts.columns.map((c, i) => ({
    name: c.name,
    data_type: c.nativeType,
    values: () => rows.map((r) => r[i]),
    values_distinct: () => [...new Set(rows.map((r) => r[i]))],
  }));
  names.forEach((name, i) => {
    if (!(name in columns)) Object.defineProperty(columns, name, { value: columns[i], enumerable: false });
  });
  const table = [...rows];
  Object.defineProperties(table, {
    rows: { value: rows, enumerable: false },
    columns: { value: columns, enumerable: false },
    column_names: { value: names, enumerable: false },
    column_types: { value: facts.columns.map((c) => c.nativeType), enumerable: false },
    print_table: { value: () => "", enumerable: false },
  });
  return table;
}

/** What load_result() returns for a statement: dbt's {response, table, data}. */
export function statementResult(facts: QueryFacts): Record<string, unknown> {
  const table = agateTable(facts);
  return {
    response: { code: "OK", rows_affected: facts.rows.length, _message: "OK" },
    table,
    data: (table as unknown[][]).map((row) => [...row]),
  };
}

/** Notes a use of `what`, or refuses it where nothing can answer (hooks, tests, operations). */
export function introspectionFor(
  introspection: RenderIntrospection | undefined,
  what: string,
): RenderIntrospection {
  if (!introspection)
    throw new Error(
      `'${what}' asks the database while rendering, which sluice ` +
        `does only for models (not in hooks, tests or operations)`,
    );
  introspection.uses.add(what);
  return introspection;
}

/** adapter.get_columns_in_relation: dbt's Column objects; [] while compiling, as dbt's parse gives. */
export function columnsIn(introspection: RenderIntrospection, relation: unknown): DbtColumn[] {
  if (!introspection.answers.execute) return [];
  const parts = relationPartsOf(relation);
  if (!parts) return [];
  return (introspection.answers.columns(parts) ?? []).map(
    (c) => new DbtColumn(c.name, c.nativeType, introspection.quote),
  );
}
