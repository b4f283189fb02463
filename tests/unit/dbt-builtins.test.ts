// dbt's cross-database macros per engine: the SQL each engine is given, positional or keyword.
import { describe, expect, it } from "vitest";
import { dbtBuiltins } from "../../src/compiler/dbt-builtins.js";

const on = (engine: "duckdb" | "sqlserver" | "hive") => dbtBuiltins(() => engine);
const kw = (o: Record<string, unknown>) => ({ ...o, __keywords: true });

describe("dbt built-in macros", () => {
  it.each([
    ["duckdb", "concat", [["a", "b"]], "a || b"],
    ["sqlserver", "concat", [["a", "b"]], "concat(a, b)"],
    ["duckdb", "hash", ["x"], "md5(cast(x as TEXT))"],
    ["hive", "hash", ["x"], "md5(cast(x as string))"],
    [
      "duckdb",
      "dateadd",
      [kw({ datepart: "month", interval: 3, from_date_or_timestamp: "d" })],
      "(d + cast(3 as bigint) * interval 1 month)",
    ],
    ["duckdb", "dateadd", ["quarter", 1, "d"], "(d + cast(1 as bigint) * 3 * interval 1 month)"],
    ["sqlserver", "dateadd", ["day", 1, "d"], "dateadd(day, 1, cast(d as datetime2))"],
    ["duckdb", "datediff", ["a", "b", "day"], "date_diff('day', cast(a as timestamp), cast(b as timestamp))"],
    ["sqlserver", "datediff", ["a", "b", "day"], "datediff(day, a, b)"],
    ["duckdb", "safe_cast", ["x", "int"], "try_cast(x as int)"],
    ["duckdb", "split_part", ["s", "','", 2], "string_split(s, ',')[2]"],
    ["hive", "split_part", ["s", "','", 2], "split(s, ',')[2 - 1]"],
    ["duckdb", "listagg", ["m", "', '", "order by m"], "string_agg(m, ', ' order by m)"],
    ["sqlserver", "type_string", [], "varchar(8000)"],
    ["duckdb", "current_timestamp", [], "now()"],
    ["duckdb", "escape_single_quotes", ["it's"], "it''s"],
  ] as const)("%s %s", (engine, name, args, expected) => {
    expect(on(engine)[name]!(...(args as unknown as unknown[]))).toBe(expected);
  });

  it("refuses what an engine has no equivalent for instead of guessing", () => {
    expect(() => on("sqlserver")["split_part"]!("s", "','", 1)).toThrow(/not available on SQL Server/);
  });
});
