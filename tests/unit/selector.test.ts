import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileProject } from "../../src/compiler/compile.js";
import {
  SelectorError,
  checkResourceType,
  checkRestate,
  manifestDag,
  selectNodes,
} from "../../src/graph/selector.js";
import type { Manifest } from "../../src/manifest/types.js";
import { loadProject } from "../../src/project/load.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";

// a → b → c → d, and e (tagged nightly, in models/other) reading a; source production.orders
// (with a test) read by f, an incremental partitioned model.
let project: TempProject;
let manifest: Manifest;
beforeAll(() => {
  project = tempProject({
    "models/core/a.sql": "select 1 as id",
    "models/core/b.sql": "select * from {{ ref('a') }}",
    "models/core/c.sql": "{{ config(materialized='table') }}select * from {{ ref('b') }}",
    "models/core/d.sql": "select * from {{ ref('c') }}",
    "models/other/e.sql": "{{ config(tags=['nightly']) }}select * from {{ ref('a') }}",
    "models/core/schema.yml":
      "models:\n  - name: c\n    columns:\n      - name: id\n        tests: [not_null]\n",
    "models/sources.yml":
      "sources:\n  - name: production\n    tables:\n      - name: orders\n        columns:\n          - name: id\n            tests: [unique]\n",
    "models/f.sql":
      "{{ config(materialized='incremental', partition_by=['m']) }}select 1 as m from {{ source('production', 'orders') }}",
  });
  manifest = compileProject(loadProject({ projectDir: project.dir })).manifest;
});
afterAll(() => project.remove());

const select = (s?: string[], x?: string[], options?: Parameters<typeof selectNodes>[3]) =>
  [...selectNodes({ manifest, dag: manifestDag(manifest) }, s, x, options)]
    .map((id) => id.replace(/^model\./, ""))
    .sort();

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
    [
      ["a", "e"],
      ["a", "e"],
    ],
    [["a+,tag:nightly"], ["e"]],
    [["b d"], ["b", "d"]],
    // dbt's fully qualified names: project, folders under models/, name; a bare word is one too.
    [["fqn:test_project.other.e"], ["e"]],
    [["fqn:core.*"], ["a", "b", "c", "d", "test.not_null_c_id"]],
    [["fqn:test_project.core.[ab]"], ["a", "b"]],
    [["other"], ["e"]],
    [["core,tag:nightly"], []],
    [["models/other"], ["e"]],
    [["models/other/e.sql"], ["e"]],
    [["test_name:not_null"], ["test.not_null_c_id"]],
    [["test_type:generic"], ["test.not_null_c_id", "test.unique_production_orders_id"]],
    [["test_type:singular"], []],
  ])("%j selects %j", (selector, expected) => {
    expect(select(selector)).toEqual(expected);
  });

  it("takes excluded nodes and their tests out", () => {
    expect(select(["+d"], ["c"])).toEqual(["a", "b", "d"]);
  });

  it("selects everything runnable when nothing is given", () => {
    expect(select()).toEqual(
      ["a", "b", "c", "d", "e", "f", "test.unique_production_orders_id", "test.not_null_c_id"].sort(),
    );
  });

  it.each([
    [["cc"], "--select 'cc' matches no node; did you mean 'c'?"],
    [["tag:nightlly"], "--select 'tag:nightlly' matches no node; did you mean 'tag:nightly'?"],
    [["path:models/nowhere"], "--select 'path:models/nowhere' matches no node"],
    [["config.materialized:snapshot+"], "--select 'config.materialized:snapshot+' matches no node"],
  ])("warns, the same way for every kind, when %j matches nothing", (selector, warning) => {
    const warnings: string[] = [];
    expect(select(selector, undefined, { warn: (m) => warnings.push(m) })).toEqual([]);
    expect(warnings).toEqual([warning]);
  });

  it("warns for an --exclude that matches nothing and keeps the rest", () => {
    const warnings: string[] = [];
    expect(select(["c"], ["tag:none"], { warn: (m) => warnings.push(m) })).toEqual([
      "c",
      "test.not_null_c_id",
    ]);
    expect(warnings).toEqual(["--exclude 'tag:none' matches no node"]);
  });

  it.each(["+++c", "c+++", "@+c", "+", "@"])("refuses the malformed selector %j", (selector) => {
    expect(() => select([selector])).toThrow(
      new SelectorError(
        `--select '${selector}' is malformed: graph operators are +name, N+name, name+, name+N and @name (once each side)`,
      ),
    );
  });

  it("selects a source's tables by its name or source:, with their tests, and what reads them with +", () => {
    const tables = ["source.production.orders", "test.unique_production_orders_id"];
    expect(select(["production"], undefined, { includeSources: true })).toEqual(tables);
    expect(select(["source:production"], undefined, { includeSources: true })).toEqual(tables);
    expect(select(["source:production"])).toEqual(["test.unique_production_orders_id"]);
    expect(select(["source:production+"])).toEqual(["f", "test.unique_production_orders_id"]);
  });

  it("refuses --restate of an unknown model or one that has no partitions to replay", () => {
    expect(() => checkRestate(manifest, "ff")).toThrow(
      new SelectorError("--restate ff: no model is named 'ff'; did you mean 'f'?"),
    );
    expect(() => checkRestate(manifest, "c")).toThrow(
      /^--restate c: c is a table; only incremental models with partition_by replay partitions/,
    );
    expect(() => checkRestate(manifest, "f")).not.toThrow();
  });

  it("refuses an unknown resource type", () => {
    expect(() => checkResourceType("modle", "--resource-type")).toThrow(
      new SelectorError(
        "--resource-type 'modle' is not a resource type; did you mean 'model'?; use model, seed, test, source",
      ),
    );
    expect(() => select(["resource_type:sources"])).toThrow(
      /resource_type: 'sources' is not a resource type/,
    );
  });

  it("refuses an unknown selector method, naming the known ones", () => {
    expect(() => select(["tags:nightly"])).toThrow(
      /^unknown selector method 'tags'; use name, fqn, tag, path, source/,
    );
  });

  it("asks for --state when state: is used without it", () => {
    expect(() => select(["state:modified"])).toThrow(/needs a previous manifest: pass --state DIR/);
  });
});
