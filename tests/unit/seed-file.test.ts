import { describe, expect, it } from "vitest";
import { parseSeed, SeedError, typeCandidates } from "../../src/runner/seed-file.js";

const error = (text: string): SeedError => {
  try {
    parseSeed("seeds/x.csv", text, ",");
  } catch (e) {
    if (e instanceof SeedError) return e;
    throw e;
  }
  throw new Error("parsed without an error");
};

describe("seed files", () => {
  it("names the line of a row with a field too many, and the fix", () => {
    const e = error("id,name\n1,a\n2,b\n3,c,x\n");
    expect(e.message).toBe(
      "seeds/x.csv:4: this row has 3 fields, the header has 2; remove the extra fields, or quote a value that contains the delimiter",
    );
  });

  it("names the line of a short row", () => {
    expect(error("id,name\n1,a\n2\n3,c\n").message).toMatch(
      /^seeds\/x\.csv:3: this row has 1 field, the header has 2; add the missing fields/,
    );
  });

  it("refuses an empty file and a header with no rows", () => {
    expect(error("").message).toMatch(/^seeds\/x\.csv:1: the file is empty; /);
    expect(error("id,name\n").message).toMatch(/^seeds\/x\.csv:2: the file has a header but no rows; /);
  });

  it("refuses unnamed and duplicate columns and an unclosed quote", () => {
    expect(error("id,,name\n1,2,3\n").message).toMatch(
      /^seeds\/x\.csv:1: column 2 of the header has no name/,
    );
    expect(error("id,ID\n1,2\n").message).toMatch(/^seeds\/x\.csv:1: two columns are named 'ID'/);
    expect(error('id,name\n1,"a\n2,b\n').message).toMatch(
      /^seeds\/x\.csv:\d+: a quoted value is never closed/,
    );
  });

  it("counts lines from where a row starts, across quoted line breaks and blank lines", () => {
    const table = parseSeed("seeds/x.csv", 'id,name\n1,"two\nlines"\n\n3,\n', ",");
    expect(table.columns).toEqual(["id", "name"]);
    expect(table.rows).toEqual([
      { line: 2, values: ["1", "two\nlines"] },
      { line: 5, values: ["3", null] },
    ]);
  });

  it("offers the types a column's spelling allows, most specific first", () => {
    expect(typeCandidates(["1", "-2", null])).toEqual(["BIGINT", "DOUBLE", "VARCHAR"]);
    expect(typeCandidates(["1.5", "2"])).toEqual(["DOUBLE", "VARCHAR"]);
    expect(typeCandidates(["2024-01-01"])).toEqual(["DATE", "VARCHAR"]);
    expect(typeCandidates(["true", "FALSE"])).toEqual(["BOOLEAN", "VARCHAR"]);
    expect(typeCandidates(["007", "x"])).toEqual(["VARCHAR"]);
    expect(typeCandidates([null])).toEqual(["VARCHAR"]);
  });
});
