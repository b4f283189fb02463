// Selection on the command line: malformed selectors and bad --restate / --resource-type are
// usage errors (exit 2); a selector that matches nothing warns the same way for every kind.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sluice } from "../helpers/cli.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";

let project: TempProject;
beforeAll(() => {
  project = tempProject({
    "models/sources.yml":
      "sources:\n  - name: production\n    connection: warehouse\n    tables:\n      - name: orders\n      - name: clients\n",
    "models/a.sql": "{{ config(materialized='table') }}select 1 as id",
    "models/f.sql":
      "{{ config(materialized='incremental', partition_by=['m']) }}select 1 as m from {{ source('production', 'orders') }}",
  });
});
afterAll(() => project.remove());
const run = (...args: string[]) => sluice([...args, "--project-dir", project.dir]);

describe("selection on the command line", () => {
  it("lists a source's tables for ls -s production and -s source:production", () => {
    for (const selector of ["production", "source:production"]) {
      const ls = run("ls", "-s", selector);
      expect(ls.code, selector).toBe(0);
      expect(ls.stdout.trim().split("\n").sort(), selector).toEqual([
        "source:production.clients",
        "source:production.orders",
      ]);
    }
    expect(run("ls", "-s", "source:production+", "--resource-type", "model").stdout.trim()).toBe("f");
  });

  it("says what is malformed in +++a, exit 2", () => {
    const ls = run("ls", "-s", "+++a");
    expect(ls.code).toBe(2);
    expect(ls.stderr).toContain(
      "error: --select '+++a' is malformed: graph operators are +name, N+name, name+, name+N and @name",
    );
  });

  it("warns and exits 0 alike when a name, a tag or a path selects nothing", () => {
    for (const [selector, warning] of [
      ["aa", "warning: --select 'aa' matches no node; did you mean 'a'?"],
      ["tag:nothing", "warning: --select 'tag:nothing' matches no node"],
      ["path:models/none", "warning: --select 'path:models/none' matches no node"],
    ]) {
      const ls = run("ls", "-s", selector!);
      expect([ls.code, ls.stdout, ls.stderr.trim()], selector).toEqual([0, "", warning]);
      const build = run("build", "-s", selector!);
      expect(build.code, selector).toBe(0);
      expect(build.stdout, selector).toContain(warning);
      expect(build.stdout, selector).toContain("TOTAL 0");
    }
  });

  it("refuses --restate of an unknown model or a table, and an unknown --resource-type, exit 2", () => {
    const unknown = run("build", "--restate", "ff", "--partitions", "1..2");
    expect([unknown.code, unknown.stderr.trim()]).toEqual([
      2,
      "error: --restate ff: no model is named 'ff'; did you mean 'f'?",
    ]);
    const table = run("plan", "--restate", "a", "--partitions", "1..2");
    expect(table.code).toBe(2);
    expect(table.stderr).toContain(
      "error: --restate a: a is a table; only incremental models with partition_by replay partitions",
    );
    const kind = run("ls", "--resource-type", "modle");
    expect([kind.code, kind.stderr.trim()]).toEqual([
      2,
      "error: --resource-type 'modle' is not a resource type; did you mean 'model'?; use model, seed, test, source",
    ]);
  });
});
