// The parsed-property-YAML cache (src/project/properties-cache.ts) and its use by the loader: a
// file read before is not parsed again, and any change to it, or to what its reading depends on,
// is parsed anew; warnings come back with a cached value, and files with errors are never kept.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Diagnostics } from "../../src/project/diagnostics.js";
import { loadProject } from "../../src/project/load.js";
import { PropertiesCache } from "../../src/project/properties-cache.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function cacheFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "sluice-props-cache-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, "cache", "properties.bin");
}

/** Reads `inputs` through a fresh PropertiesCache on `file`, counting calls of the parser. */
function readOnce(file: string, inputs: { path: string; text: string; context: unknown }, value: unknown) {
  const diagnostics = new Diagnostics();
  let parsed = 0;
  const cache = PropertiesCache.open(file);
  const content = cache.read(
    inputs,
    () => {
      parsed++;
      diagnostics.warn(inputs.path, 3, 1, "key 'x' is ignored", "remove it");
      return value;
    },
    diagnostics,
  );
  cache.save();
  return { content, parsed, diagnostics };
}

describe("properties cache", () => {
  it("parses a file once, then gives the same value and its warnings without parsing", () => {
    const file = cacheFile();
    const inputs = { path: "models/schema.yml", text: "models: []\n", context: null };
    const value = { models: [{ name: "a", limit: Number.POSITIVE_INFINITY, gone: undefined }] };
    const first = readOnce(file, inputs, value);
    expect(first.parsed).toBe(1);
    const second = readOnce(file, inputs, { other: true });
    expect(second.parsed).toBe(0);
    expect(second.content).toEqual(value);
    expect(second.diagnostics.items).toEqual(first.diagnostics.items);
  });

  it("parses again when the text, the path or the reading's context changes", () => {
    const file = cacheFile();
    const inputs = { path: "models/schema.yml", text: "models: []\n", context: { severity: "warn" } };
    readOnce(file, inputs, { v: 1 });
    expect(readOnce(file, { ...inputs, text: "models: [] # edited\n" }, { v: 2 }).content).toEqual({ v: 2 });
    expect(readOnce(file, { ...inputs, path: "models/other.yml" }, { v: 3 }).content).toEqual({ v: 3 });
    expect(readOnce(file, { ...inputs, context: { severity: "error" } }, { v: 4 }).content).toEqual({ v: 4 });
  });

  it("keeps the value as parsed, whatever the caller changes in it later", () => {
    const file = cacheFile();
    const inputs = { path: "models/schema.yml", text: "x\n", context: null };
    const first = readOnce(file, inputs, { list: [1] });
    (first.content as { list: number[] }).list.push(2);
    const cache = PropertiesCache.open(file);
    const again = cache.read(inputs, () => ({ list: [9] }), new Diagnostics());
    (again as { list: number[] }).list.push(3);
    cache.save();
    expect(readOnce(file, inputs, { list: [9] }).content).toEqual({ list: [1] });
  });

  it("never keeps a file whose reading reported an error", () => {
    const file = cacheFile();
    const inputs = { path: "models/schema.yml", text: "bad\n", context: null };
    for (let round = 0; round < 2; round++) {
      const diagnostics = new Diagnostics();
      let parsed = 0;
      const cache = PropertiesCache.open(file);
      cache.read(
        inputs,
        () => {
          parsed++;
          diagnostics.error(inputs.path, 1, 1, "invalid YAML", "fix it");
          return { partial: true };
        },
        diagnostics,
      );
      cache.save();
      expect(parsed).toBe(1);
    }
  });

  it("lets the loader see an edited property file, and its errors, on the next load", () => {
    const project: TempProject = tempProject({
      "models/a.sql": "select 1 as id\n",
      "models/schema.yml": "models:\n  - name: a\n    description: first\n",
    });
    cleanups.push(() => project.remove());
    const describe = () =>
      loadProject({ projectDir: project.dir }).properties[0]!.content.models?.[0]?.description;
    expect(describe()).toBe("first");
    expect(describe()).toBe("first");
    project.write("models/schema.yml", "models:\n  - name: a\n    description: second\n");
    expect(describe()).toBe("second");
    project.write("models/schema.yml", "models:\n  - name: a\n    descriptoin: third\n");
    expect(() => loadProject({ projectDir: project.dir })).toThrow(/models\/schema\.yml:3:5.*descriptoin/s);
  });
});
