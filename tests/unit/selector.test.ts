import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileProject } from "../../src/compiler/compile.js";
import { SelectorError, manifestDag, selectNodes } from "../../src/graph/selector.js";
import type { Manifest } from "../../src/manifest/types.js";
import { loadProject } from "../../src/project/load.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";

// a → b → c → d, and e (tagged nightly, in models/other) reading a.
let project: TempProject;
let manifest: Manifest;
beforeAll(() => {
  project = tempProject({
    "models/core/a.sql": "select 1 as id",
    "models/core/b.sql": "select * from {{ ref('a') }}",
    "models/core/c.sql": "{{ config(materialized='table') }}select * from {{ ref('b') }}",
    "models/core/d.sql": "select * from {{ ref('c') }}",
    "models/other/e.sql": "{{ config(tags=['nightly']) }}select * from {{ ref('a') }}",
    "models/core/schema.yml": "models:\n  - name: c\n    columns:\n      - name: id\n        tests: [not_null]\n",
  });
  manifest = compileProject(loadProject({ projectDir: project.dir })).manifest;
});
afterAll(() => project.remove());

const select = (s?: string[], x?: string[]) =>
  [...selectNodes({ manifest, dag: manifestDag(manifest) }, s, x)].map((id) => id.replace(/^model\./, "")).sort();

describe("selectors", () => {
  it.each([
    [["c"], ["c", "test.not_null_c_id"]],
    [["+c"], ["a", "b", "c", "test.not_null_c_id"]],
    [["c+"], ["c", "d", "test.not_null_c_id"]],
    [["1+c"], ["b", "c", "test.not_null_c_id"]],
    [["a+1"], ["a", "b", "e"]],
    [["@b"], ["a", "b", "c", "d", "test.not_null_c_id"]],
    [["tag:nightly"], ["e"]],
    [["path:models/other"], ["e"]],
    [["config.materialized:table"], ["c", "test.not_null_c_id"]],
    [["a", "e"], ["a", "e"]],
    [["a+,tag:nightly"], ["e"]],
    [["b d"], ["b", "d"]],
  ])("%j selects %j", (selector, expected) => {
    expect(select(selector)).toEqual(expected);
  });

  it("takes excluded nodes and their tests out", () => {
    expect(select(["+d"], ["c"])).toEqual(["a", "b", "d"]);
  });

  it("selects everything runnable when nothing is given", () => {
    expect(select()).toEqual(["a", "b", "c", "d", "e", "test.not_null_c_id"]);
  });

  it("names the nearest node for an unknown name", () => {
    expect(() => select(["cc"])).toThrow(new SelectorError("no node is named 'cc'; did you mean 'c'?"));
  });

  it("asks for --state when state: is used without it", () => {
    expect(() => select(["state:modified"])).toThrow(/needs a previous manifest: pass --state DIR/);
  });
});
