// A salvaging parse reports every problem of a YAML file and keeps what stays valid without the
// offending keys and entries, so load can read on and the compile report every error in one run.
import { describe, expect, it } from "vitest";
import { Diagnostics } from "../../src/project/diagnostics.js";
import { ProfilesFile, ProjectFile, PropertiesFile } from "../../src/project/schema.js";
import { parseYaml, type Salvage } from "../../src/project/yaml-file.js";

function salvaged<T>(schema: Parameters<typeof parseYaml>[2], text: string) {
  const diagnostics = new Diagnostics();
  const salvage: Salvage = { dropped: [] };
  const value = parseYaml("f.yml", text, schema, diagnostics, undefined, salvage) as T | undefined;
  return { value, salvage, errors: diagnostics.items.map((d) => `${d.line}:${d.column} ${d.message}`) };
}

describe("parseYaml with salvage", () => {
  it("leaves out an unknown key and keeps the rest of its entry and file", () => {
    const { value, errors, salvage } = salvaged<PropertiesFile>(
      PropertiesFile,
      "models:\n  - name: a\n    descripton: x\n    description: kept\n  - name: b\n",
    );
    expect(errors).toEqual(["3:5 unknown key 'descripton' at models[0]"]);
    expect(value?.models?.map((m) => [m.name, m.description])).toEqual([
      ["a", "kept"],
      ["b", undefined],
    ]);
    expect(salvage.dropped.map((d) => d.path)).toEqual([["models", 0, "descripton"]]);
  });

  it("leaves out the entry a required key is missing from, and says whose entry it was", () => {
    const { value, errors, salvage } = salvaged<PropertiesFile>(
      PropertiesFile,
      "sources:\n  - name: raw\n    tables:\n      - identifier: t\n  - name: other\n    tables:\n      - name: u\n",
    );
    expect(errors).toHaveLength(1);
    expect(value?.sources?.map((s) => [s.name, s.tables.map((t) => t.name)])).toEqual([
      ["raw", []],
      ["other", ["u"]],
    ]);
    const entry = salvage.dropped[0]!;
    expect(entry.path).toEqual(["sources", 0, "tables", 0]);
    expect((entry.along[2] as { name: string }).name).toBe("raw");
  });

  it("drops two wrong entries of one list in one round without moving the other", () => {
    const { value, errors } = salvaged<PropertiesFile>(
      PropertiesFile,
      "models:\n  - name: a\n  - nme: b\n  - name: c\n  - nme: d\n",
    );
    expect(errors).toHaveLength(4);
    expect(value?.models?.map((m) => m.name)).toEqual(["a", "c"]);
  });

  it("gives a project.yml key its default when the key is wrong", () => {
    const { value, errors } = salvaged<ProjectFile>(ProjectFile, "name: p\nmodel_paths: 5\nbogus: 1\n");
    expect(errors.map((e) => e.split(" ")[1])).toEqual(["model_paths:", "unknown"]);
    expect(value?.model_paths).toEqual(["models"]);
    expect(value?.name).toBe("p");
  });

  it("salvages nothing when the document itself is what is wrong", () => {
    expect(salvaged(ProjectFile, "version: 1\n").value).toBeUndefined();
    const broken = salvaged(PropertiesFile, "sources:\n  - name: raw\n   - bad\n");
    expect(broken.value).toBeUndefined();
    expect(broken.errors[0]).toMatch(/invalid YAML/);
  });

  it("leaves out a wrong connection of a target and keeps the others", () => {
    const { value } = salvaged<ProfilesFile>(
      ProfilesFile,
      "targets:\n  dev:\n    connections:\n      a:\n        type: duckdb\n        path: a.duckdb\n" +
        "      b:\n        type: duckdb\n        pth: b.duckdb\n",
    );
    expect(Object.keys(value?.targets["dev"]?.connections ?? {})).toEqual(["a"]);
  });
});
