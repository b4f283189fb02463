import { afterEach, describe, expect, it } from "vitest";
import { compileProject } from "../../src/compiler/compile.js";
import { formatDiagnostic, ProjectError } from "../../src/project/diagnostics.js";
import { loadProject } from "../../src/project/load.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";

// A lookback that cannot apply to its source's update column is refused when compiling (so by
// `sluice check` too, with no connection), naming the sources file and the table's line, instead
// of failing the first build's plan: text columns have no arithmetic, DATE columns move by days.
const projects: TempProject[] = [];
afterEach(() => {
  for (const p of projects.splice(0)) p.remove();
});

function compile(lookback: string, dataType: string | null): string[] {
  const columns = dataType
    ? `\n        columns:\n          - { name: sale_id, data_type: int }\n          - { name: updated_at, data_type: ${dataType} }`
    : "";
  const project = tempProject({
    "profiles.yml":
      "targets:\n  dev:\n    connections:\n      src: { type: duckdb, path: .sluice/src.duckdb }\n",
    "models/sources.yml": `sources:
  - name: app
    connection: src
    schema: app
    tables:
      - name: sales${columns}
        change_tracking:
          updated_at: updated_at
          lookback: "${lookback}"
`,
    "models/m.sql":
      "{{ config(materialized='incremental', partition_by='ym', unique_key='sale_id') }}\nselect s.sale_id, s.ym from {{ source('app', 'sales') }} s",
  });
  projects.push(project);
  try {
    compileProject(loadProject({ projectDir: project.dir }));
    return [];
  } catch (e) {
    if (e instanceof ProjectError) return e.diagnostics.map(formatDiagnostic);
    throw e;
  }
}

describe("lookback checked at compile time", () => {
  const cases: [string, string, string | null, RegExp | null][] = [
    ["refuses a lookback on a VARCHAR update column", "10 minutes", "varchar", /holds text/],
    ["refuses a lookback on a TEXT update column", "1 day", "text", /holds text/],
    ["refuses hours on a DATE update column", "2 hours", "date", /must be whole days/],
    ["refuses a bare number on a TIMESTAMP column", "10", "timestamp", /bare number/],
    ["refuses an interval on a BIGINT column", "10 minutes", "bigint", /is a number/],
    ["refuses a lookback it cannot read, whatever the type", "ten minutes", null, /cannot read lookback/],
    ["accepts whole days on a DATE column", "2 days", "date", null],
    ["accepts an interval on a TIMESTAMP column", "10 minutes", "timestamp", null],
    ["accepts a number on a BIGINT column", "100", "bigint", null],
    ["leaves an undeclared column to the plan", "10 minutes", null, null],
  ];
  for (const [name, lookback, type, error] of cases) {
    it(name, () => {
      const errors = compile(lookback, type);
      if (!error) return expect(errors).toEqual([]);
      expect(errors).toHaveLength(1);
      // The table's line in the sources file, and the fix.
      expect(errors[0]).toMatch(/^models\/sources\.yml:6:1 error: /);
      expect(errors[0]).toMatch(error);
      expect(errors[0]).toMatch(/; (cast the column|write)/);
    });
  }
});
