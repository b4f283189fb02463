// dbt's YAML selectors (selectors.yml) evaluated through the --select atoms: method/value mappings
// with graph operators, union, intersection and exclude, selector references, and the default.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileProject } from "../../src/compiler/compile.js";
import { manifestDag, SelectorError, selectNodes } from "../../src/graph/selector.js";
import { readYamlSelectors } from "../../src/graph/selectors-file.js";
import type { Manifest } from "../../src/manifest/types.js";
import { loadProject } from "../../src/project/load.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";
import { sluice } from "../helpers/cli.js";

const SELECTORS = `selectors:
  - name: nightly_and_up
    definition:
      method: tag
      value: nightly
      parents: true
  - name: core_but_d
    default: true
    definition:
      union:
        - method: path
          value: models/core
        - exclude:
            - d
  - name: both
    definition:
      intersection:
        - "a+"
        - method: selector
          value: nightly_and_up
  - name: loop
    definition: {method: selector, value: loop}
`;

// a → b → d, and e (tagged nightly, in models/other) reading a.
let project: TempProject;
let manifest: Manifest;
beforeAll(() => {
  project = tempProject({
    "models/core/a.sql": "select 1 as id",
    "models/core/b.sql": "select * from {{ ref('a') }}",
    "models/core/d.sql": "select * from {{ ref('b') }}",
    "models/other/e.sql": "{{ config(tags=['nightly']) }}select * from {{ ref('a') }}",
    "selectors.yml": SELECTORS,
  });
  manifest = compileProject(loadProject({ projectDir: project.dir })).manifest;
});
afterAll(() => project.remove());

const select = (selector?: string, s?: string[]) =>
  [
    ...selectNodes(
      { manifest, dag: manifestDag(manifest), selectors: readYamlSelectors(project.dir) },
      s,
      undefined,
      selector ? { selector } : {},
    ),
  ]
    .map((id) => id.replace(/^model\./, ""))
    .sort();

describe("YAML selectors", () => {
  it.each([
    ["nightly_and_up", ["a", "e"]],
    ["core_but_d", ["a", "b"]],
    ["both", ["a", "e"]],
  ])("%s selects %j", (name, expected) => {
    expect(select(name)).toEqual(expected);
  });

  it("applies the default selector when neither --select nor --selector is given", () => {
    expect(select()).toEqual(["a", "b"]);
    expect(select(undefined, ["e"])).toEqual(["e"]);
  });

  it("refuses an unknown name, a selector that refers to itself, and --select beside --selector", () => {
    expect(() => select("nightly")).toThrow(
      /--selector nightly: no selector is named 'nightly' in selectors.yml/,
    );
    expect(() => select("loop")).toThrow(/selectors\.yml:\d+: selector 'loop' refers to itself/);
    expect(() => select("both", ["a"])).toThrow(SelectorError);
  });

  it("takes --selector on the command line, for ls, plan and a run", () => {
    const ls = sluice(["ls", "--selector", "nightly_and_up", "--project-dir", project.dir]);
    expect(ls.code, ls.stderr).toBe(0);
    expect(ls.stdout.trim().split("\n").sort()).toEqual(["a", "e"]);
    const plan = sluice(["plan", "--selector", "core_but_d", "--project-dir", project.dir]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout.match(/model\.\w+/g)?.sort()).toEqual(["model.a", "model.b"]);
    const run = sluice(["run", "--selector", "nightly_and_up", "--project-dir", project.dir]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/TOTAL 2\b/);
    expect(run.stdout).toMatch(/model\.e\b/);
  });
});
