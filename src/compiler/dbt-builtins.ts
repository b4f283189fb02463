// dbt's cross-database macros (dbt.concat, dbt.hash, dbt.dateadd, dbt.type_string, …), written
// for sluice's engines: the SQL means on DuckDB what dbt-duckdb's means, and on SQL Server and
// Spark/Hive what those dbt adapters' macros mean. Each takes dbt's argument names, positional or
// keyword. They are callable as dbt.name() and, as in dbt, by their bare name.

type Engine = "duckdb" | "sqlserver" | "hive" | "postgres" | "mysql";
type Builtin = (engine: Engine, args: Record<string, unknown>) => string;

/** Argument names in dbt's order, so positional calls bind as dbt binds them. */
const SIGNATURES: Record<string, string[]> = {
  current_timestamp: [],
  type_string: [],
  type_timestamp: [],
  type_float: [],
  type_numeric: [],
  type_int: [],
  type_bigint: [],
  type_boolean: [],
  concat: ["fields"],
  hash: ["field"],
  safe_cast: ["field", "type"],
  cast: ["field", "type"],
  dateadd: ["datepart", "interval", "from_date_or_timestamp"],
  datediff: ["first_date", "second_date", "datepart"],
  date_trunc: ["datepart", "date"],
  last_day: ["date", "datepart"],
  date: ["year", "month", "day"],
  escape_single_quotes: ["expression"],
  string_literal: ["value"],
  split_part: ["string_text", "delimiter_text", "part_number"],
  listagg: ["measure", "delimiter_text", "order_by_clause", "limit_num"],
  length: ["expression"],
  position: ["substring_text", "string_text"],
  replace: ["field", "old_chars", "new_chars"],
  right: ["string_text", "length_expression"],
  any_value: ["expression"],
  bool_or: ["expression"],
  cast_bool_to_text: ["field"],
  except: [],
  intersect: [],
};

const s = (v: unknown): string => (v === undefined || v === null ? "" : String(v));

const BUILTINS: Record<string, Builtin> = {
  current_timestamp: (e) =>
    e === "sqlserver" ? "sysdatetime()" : e === "hive" ? "current_timestamp()" : "now()",
  type_string: (e) => (e === "sqlserver" ? "varchar(8000)" : e === "hive" ? "string" : "TEXT"),
  type_timestamp: (e) => (e === "sqlserver" ? "datetime2(6)" : "TIMESTAMP"),
  type_float: (e) => (e === "hive" ? "double" : "FLOAT"),
  type_numeric: (e) => (e === "hive" ? "decimal(28,6)" : "numeric(28,6)"),
  type_int: (e) => (e === "hive" ? "int" : "INT"),
  type_bigint: () => "bigint",
  type_boolean: (e) => (e === "sqlserver" ? "bit" : "BOOLEAN"),
  concat: (e, a) => {
    const fields = (Array.isArray(a["fields"]) ? a["fields"] : [a["fields"]]).map(s);
    return e === "duckdb" ? fields.join(" || ") : `concat(${fields.join(", ")})`;
  },
  hash: (e, a) =>
    e === "sqlserver"
      ? `lower(convert(varchar(50), hashbytes('md5', ` +
        `coalesce(convert(varchar(8000), ${s(a["field"])}), '')), 2))`
      : `md5(cast(${s(a["field"])} as ${BUILTINS["type_string"]!(e, {})}))`,
  safe_cast: (e, a) =>
    e === "hive"
      ? `cast(${s(a["field"])} as ${s(a["type"])})`
      : `try_cast(${s(a["field"])} as ${s(a["type"])})`,
  cast: (_e, a) => `cast(${s(a["field"])} as ${s(a["type"])})`,
  dateadd: (e, a) => {
    const part = s(a["datepart"]).toLowerCase();
    const value = s(a["interval"]);
    const from = s(a["from_date_or_timestamp"]);
    if (e === "sqlserver") return `dateadd(${part}, ${value}, cast(${from} as datetime2))`;
    if (e === "hive") {
      if (part === "day") return `date_add(${from}, ${value})`;
      if (part === "month") return `add_months(${from}, ${value})`;
      return `(${from} + make_interval(0, 0, 0, 0, 0, 0, 0) + cast(${value} as int) * interval 1 ${part})`;
    }
    const [unit, times] = part === "quarter" ? ["month", 3] : part === "week" ? ["day", 7] : [part, 1];
    return `(${from} + cast(${value} as bigint)${times > 1 ? ` * ${times}` : ""} * interval 1 ${unit})`;
  },
  datediff: (e, a) => {
    const [first, second, part] = [s(a["first_date"]), s(a["second_date"]), s(a["datepart"]).toLowerCase()];
    if (e === "sqlserver") return `datediff(${part}, ${first}, ${second})`;
    if (e === "hive" && part === "day") return `datediff(${second}, ${first})`;
    return `date_diff('${part}', cast(${first} as timestamp), cast(${second} as timestamp))`;
  },
  date_trunc: (e, a) =>
    e === "sqlserver"
      ? `datetrunc(${s(a["datepart"])}, ${s(a["date"])})`
      : `date_trunc('${s(a["datepart"])}', ${s(a["date"])})`,
  last_day: (e, a) => {
    const part = s(a["datepart"]).toLowerCase();
    const truncated = BUILTINS["date_trunc"]!(e, { datepart: part, date: a["date"] });
    const next = BUILTINS["dateadd"]!(e, { datepart: part, interval: 1, from_date_or_timestamp: truncated });
    return (
      `cast(${BUILTINS["dateadd"]!(e, { datepart: "day", interval: -1, from_date_or_timestamp: next })}` +
      ` as date)`
    );
  },
  date: (e, a) =>
    e === "sqlserver"
      ? `datefromparts(${s(a["year"])}, ${s(a["month"])}, ${s(a["day"])})`
      : `make_date(${s(a["year"])}, ${s(a["month"])}, ${s(a["day"])})`,
  escape_single_quotes: (_e, a) => s(a["expression"]).replace(/'/g, "''"),
  string_literal: (_e, a) => `'${s(a["value"])}'`,
  split_part: (e, a) => {
    const [text, delimiter, part] = [s(a["string_text"]), s(a["delimiter_text"]), s(a["part_number"])];
    if (e === "duckdb") return `string_split(${text}, ${delimiter})[${part}]`;
    if (e === "hive") return `split(${text}, ${delimiter})[${part} - 1]`;
    throw new Error("dbt.split_part is not available on SQL Server in sluice");
  },
  listagg: (e, a) => {
    const measure = s(a["measure"]);
    const delimiter =
      a["delimiter_text"] === undefined || a["delimiter_text"] === null ? "','" : s(a["delimiter_text"]);
    const order = a["order_by_clause"] ? ` ${s(a["order_by_clause"])}` : "";
    if (a["limit_num"]) {
      if (e !== "duckdb") throw new Error("dbt.listagg with limit_num is only available on DuckDB in sluice");
      return `array_to_string((array_agg(${measure}${order}))[1:${s(a["limit_num"])}], ${delimiter})`;
    }
    if (e === "sqlserver")
      return `string_agg(${measure}, ${delimiter})${order ? ` within group (${order.trim()})` : ""}`;
    if (e === "hive") return `concat_ws(${delimiter}, collect_list(${measure}))`;
    return `string_agg(${measure}, ${delimiter}${order})`;
  },
  length: (e, a) => (e === "sqlserver" ? `len(${s(a["expression"])})` : `length(${s(a["expression"])})`),
  position: (e, a) =>
    e === "sqlserver"
      ? `charindex(${s(a["substring_text"])}, ${s(a["string_text"])})`
      : `position(${s(a["substring_text"])} in ${s(a["string_text"])})`,
  replace: (_e, a) => `replace(${s(a["field"])}, ${s(a["old_chars"])}, ${s(a["new_chars"])})`,
  right: (_e, a) => `right(${s(a["string_text"])}, ${s(a["length_expression"])})`,
  any_value: (e, a) =>
    e === "sqlserver"
      ? `min(${s(a["expression"])})`
      : e === "hive"
        ? `first(${s(a["expression"])})`
        : `arbitrary(${s(a["expression"])})`,
  bool_or: (e, a) =>
    e === "sqlserver"
      ? `max(case when ${s(a["expression"])} then 1 else 0 end)`
      : e === "hive"
        ? `bool_or(${s(a["expression"])})`
        : `bool_or(${s(a["expression"])})`,
  cast_bool_to_text: (e, a) => `cast(${s(a["field"])} as ${BUILTINS["type_string"]!(e, {})})`,
  except: (e) => (e === "hive" ? "except" : "except"),
  intersect: () => "intersect",
};

/** The names of dbt's built-in macros that sluice provides. */
export const DBT_BUILTIN_NAMES = Object.keys(BUILTINS);

/**
 * Each built-in as a function templates call: binds positional and keyword arguments by dbt's
 * names and renders for the engine `engine()` names when it is called.
 */
export function dbtBuiltins(engine: () => Engine): Record<string, (...args: unknown[]) => string> {
  const out: Record<string, (...args: unknown[]) => string> = {};
  for (const [name, build] of Object.entries(BUILTINS)) {
    const names = SIGNATURES[name] ?? [];
    out[name] = (...args: unknown[]) => {
      const last = args[args.length - 1] as Record<string, unknown> | undefined;
      const keywords =
        last && typeof last === "object" && "__keywords" in last
          ? (args.pop() as Record<string, unknown>)
          : {};
      const bound: Record<string, unknown> = {};
      names.forEach((n, i) => {
        if (i < args.length) bound[n] = args[i];
      });
      for (const [k, v] of Object.entries(keywords)) if (k !== "__keywords") bound[k] = v;
      return build(engine(), bound);
    };
  }
  return out;
}
