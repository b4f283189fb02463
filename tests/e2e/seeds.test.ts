import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sluice } from "../helpers/cli.js";
import { queryDuckDb } from "../helpers/duckdb.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";

// A seed that cannot be read must fail with its file and line and leave the table it would have
// replaced as it was, on the embedded lake (Parquet) as on a DuckDB file.
let project: TempProject | undefined;
afterEach(() => project?.remove());

const PROFILE = `targets:
  dev:
    default_connection: warehouse
    connections:
      warehouse: { type: duckdb, path: .sluice/warehouse.duckdb }
      lake: { type: duckdb, path: .sluice/lake.duckdb, lake_root: .sluice/lake }
`;
const GOOD = "country_code,country_name\nPT,Portugal\nES,Spain\nFR,France\n";

function countriesProject(): TempProject {
  return tempProject({
    "profiles.yml": PROFILE,
    "seeds/countries.csv": GOOD,
    "seeds/rates.csv": "code,rate\nEUR,1\nUSD,2\n",
    "seeds/seeds.yml":
      "seeds:\n  - name: countries\n    config: { connection: lake }\n" +
      "  - name: rates\n    config: { column_types: { rate: integer } }\n",
  });
}
const dir = () => project!.dir;
const countries = () =>
  queryDuckDb({ lake: join(dir(), ".sluice/lake.duckdb") }, "select * from lake.main.countries order by 1");
const rates = () =>
  queryDuckDb(
    { w: join(dir(), ".sluice/warehouse.duckdb") },
    "select code, rate::varchar as rate from w.main.rates order by 1",
  );
const seed = () => sluice(["seed", "--project-dir", dir()]);

describe("seeds", () => {
  it("keeps the lake's table when the last row has a field too many, and names the line", async () => {
    project = countriesProject();
    expect(seed().code).toBe(0);
    const before = await countries();
    expect(before).toHaveLength(3);
    project.write("seeds/countries.csv", `${GOOD}DE,Germany,Central\n`);
    const run = seed();
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toContain(
      "seeds/countries.csv:5: this row has 3 fields, the header has 2; remove the extra fields",
    );
    expect(run.stdout).not.toMatch(/SUCCESS\s+\S+ seed\.countries/);
    expect(await countries()).toEqual(before);
  });

  it("keeps the table when a row is short or the file is empty", async () => {
    project = countriesProject();
    expect(seed().code).toBe(0);
    const before = await countries();
    for (const [text, line] of [
      ["country_code,country_name\nPT,Portugal\nES\n", 3],
      ["", 1],
      ["country_code,country_name\n", 2],
    ] as const) {
      project.write("seeds/countries.csv", text);
      const run = seed();
      expect(run.code, text).toBe(1);
      expect(run.stdout + run.stderr, text).toContain(`seeds/countries.csv:${line}: `);
      expect(
        (run.stdout + run.stderr).split("\n").length,
        "a short message, not a sniffer dump",
      ).toBeLessThan(20);
      expect(await countries()).toEqual(before);
    }
  });

  it("names the line of a value its declared type rejects, and replaces nothing", async () => {
    project = countriesProject();
    expect(seed().code).toBe(0);
    project.write("seeds/rates.csv", "code,rate\nEUR,1\nGBP,3\nUSD,two\n");
    const run = seed();
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toContain(
      "seeds/rates.csv:4: column 'rate' holds 'two', which is not of type integer; fix the value",
    );
    expect(await rates()).toEqual([
      { code: "EUR", rate: "1" },
      { code: "USD", rate: "2" },
    ]);
  });

  it("loads CSVs in subfolders of seeds/", async () => {
    project = countriesProject();
    project.write("seeds/reference/currencies.csv", "code,digits\nEUR,2\nJPY,0\n");
    expect(seed().code).toBe(0);
    const rows = await queryDuckDb(
      { w: join(dir(), ".sluice/warehouse.duckdb") },
      "select code, digits, typeof(digits) as t from w.main.currencies order by 1",
    );
    expect(rows).toEqual([
      { code: "EUR", digits: "2", t: "BIGINT" },
      { code: "JPY", digits: "0", t: "BIGINT" },
    ]);
  });
});
