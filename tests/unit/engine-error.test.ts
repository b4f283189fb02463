// Mapping an engine's line pointer back to the compiled SQL and to the template line the user wrote.
import { describe, expect, it } from "vitest";
import { compiledLineOf, engineLine, engineWords, templateLineOf } from "../../src/runner/engine-error.js";

const raw =
  "-- sales by day\n{{ config(materialized='table') }}\nselect day,\n  cast(amount as int) as amount\nfrom {{ ref('sales') }}\n";
const compiled = '-- sales by day\n\nselect day,\n  cast(amount as int) as amount\nfrom "main"."sales"\n';

describe("engine error mapping", () => {
  it("reads DuckDB's LINE pointer and the text it shows", () => {
    const message =
      "Conversion Error: Could not convert string 'x' to INT32\n\nLINE 5:   cast(amount as int) as amount\n          ^";
    expect(engineLine(message)).toEqual({ line: 5, text: "  cast(amount as int) as amount" });
    expect(engineWords(message)).toBe("Conversion Error: Could not convert string 'x' to INT32");
  });

  it("finds the compiled line by its text when the statement wraps the SQL in one more line", () => {
    expect(compiledLineOf(compiled, { line: 5, text: "  cast(amount as int) as amount" })).toBe(4);
  });

  it("maps a static compiled line to its template line, and a rendered one to nothing", () => {
    expect(templateLineOf(raw, compiled, 4)).toBe(4);
    expect(templateLineOf(raw, compiled, 3)).toBe(3);
    expect(templateLineOf(raw, compiled, 5)).toBeUndefined();
  });

  it("does not trust a line number without text that falls outside the SQL", () => {
    expect(compiledLineOf("select 1", { line: 3, text: null })).toBeUndefined();
    expect(
      engineLine("org.apache.spark.sql.catalyst.parser.ParseException: line 2:7 mismatched input"),
    ).toEqual({ line: 2, text: null });
  });
});
