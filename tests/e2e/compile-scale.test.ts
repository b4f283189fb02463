// Compiling many templates: generated on two threads when there are many, cached by content hash,
// and the same manifest either way.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sluice } from "../helpers/cli.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";

let project: TempProject | undefined;
afterEach(() => project?.remove());

function manyModels(n: number): Record<string, string> {
  const files: Record<string, string> = { "macros/m.sql": "{% macro twice(x) %}({{ x }} * 2){% endmacro %}" };
  for (let i = 0; i < n; i++) {
    files[`models/m${i}.sql`] =
      i === 0
        ? "select 1 as id"
        : `select {{ twice('id') }} as id from {{ ref('m${Math.floor(i / 2)}') }}\n{% if var('flag', false) %}where id > 0{% endif %}`;
  }
  return files;
}

const nodesOf = (dir: string) => {
  const manifest = JSON.parse(readFileSync(join(dir, "target/manifest.json"), "utf8")) as {
    nodes: Record<string, { compiledSql?: string; checksum: string }>;
  };
  return Object.fromEntries(
    Object.entries(manifest.nodes).map(([id, n]) => [id, [n.compiledSql, n.checksum]]),
  );
};

describe("compiling a large project", () => {
  it("gives the same manifest cold (two threads) and warm (template cache)", () => {
    project = tempProject(manyModels(900));
    const cold = sluice(["compile", "--project-dir", project.dir]);
    expect(cold.code, cold.stderr).toBe(0);
    expect(existsSync(join(project.dir, "target/cache/templates.json"))).toBe(true);
    const first = nodesOf(project.dir);
    expect(first["model.m899"]?.[0]).toBe('select (id * 2) as id from "warehouse"."main"."m449"');
    const warm = sluice(["compile", "--project-dir", project.dir]);
    expect(warm.code).toBe(0);
    expect(nodesOf(project.dir)).toEqual(first);
  });

  it("reports a syntax error found on the worker thread at its file and line", () => {
    project = tempProject({ ...manyModels(900), "models/m700.sql": "select 1 as id\nfrom x {% if %}" });
    const run = sluice(["compile", "--project-dir", project.dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^models\/m700\.sql:2:\d+ error: template syntax: /m);
  });

  it("rewrites only the compiled files that changed", () => {
    project = tempProject(manyModels(50));
    expect(sluice(["compile", "--project-dir", project.dir]).code).toBe(0);
    const { statSync } = require("node:fs") as typeof import("node:fs");
    const untouched = join(project.dir, "target/compiled/models/m10.sql");
    const before = statSync(untouched).mtimeMs;
    project.write("models/m11.sql", "select 11 as id");
    expect(sluice(["compile", "--project-dir", project.dir]).code).toBe(0);
    expect(statSync(untouched).mtimeMs).toBe(before);
    expect(readFileSync(join(project.dir, "target/compiled/models/m11.sql"), "utf8")).toBe(
      "select 11 as id\n",
    );
  });
});
