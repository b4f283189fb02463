// The JSON Schemas the package ships for project.yml, profiles.yml and property YAML: generated
// from the loader's zod schemas, accepting the files the loader accepts and refusing what it refuses.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { INIT_FILES } from "../../src/cli/init-files.js";
import {
  YAML_SCHEMAS,
  jsonSchema,
  jsonSchemaText,
  type YamlSchemaName,
} from "../../src/project/json-schemas.js";
import { REPO_ROOT } from "../helpers/temp-project.js";

const names = Object.keys(YAML_SCHEMAS) as YamlSchemaName[];
const validator = (name: YamlSchemaName) =>
  new Ajv2020({ strict: false, allErrors: true }).compile(jsonSchema(name));
const kindOf = (path: string): YamlSchemaName =>
  path.endsWith("project.yml") ? "project" : path.endsWith("profiles.yml") ? "profiles" : "properties";

describe("JSON Schemas of the YAML files", () => {
  it.each(names)("ships schemas/%s.schema.json exactly as zod generates it", (name) => {
    expect(readFileSync(join(REPO_ROOT, "schemas", YAML_SCHEMAS[name].file), "utf8")).toBe(
      jsonSchemaText(name),
    );
  });

  it("accepts the example project's YAML files and init's", () => {
    const models = (readdirSync(join(REPO_ROOT, "models"), { recursive: true }) as string[])
      .filter((f) => f.endsWith(".yml"))
      .map((f) => `models/${f}`);
    const files: [string, string][] = [
      ...["project.yml", "profiles.yml", ...models].map((p): [string, string] => [
        p,
        readFileSync(join(REPO_ROOT, p), "utf8"),
      ]),
      ...Object.entries(INIT_FILES)
        .filter(([p]) => p.endsWith(".yml"))
        .map(([p, t]): [string, string] => [`init:${p}`, t.replace(/\{\{PROJECT_NAME\}\}/g, "p")]),
    ];
    expect(files.length).toBeGreaterThan(5);
    for (const [path, text] of files) {
      const validate = validator(kindOf(path));
      expect(validate(parse(text)), `${path}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it.each([
    ["project", "name: p\nmodelz: {}\n", "additionalProperties"],
    ["project", "name: 1abc\n", "pattern"],
    ["profiles", "targets:\n  dev:\n    threads: many\n    connections: {}\n", "type"],
    ["profiles", "targets:\n  dev:\n    connections:\n      w: { type: oracle }\n", "oneOf"],
    ["properties", "models:\n  - name: a\n    colums: []\n", "additionalProperties"],
  ] as const)("refuses in %s: %j", (name, text, keyword) => {
    const validate = validator(name);
    expect(validate(parse(text))).toBe(false);
    expect(validate.errors?.map((e) => e.keyword)).toContain(keyword);
  });

  it("has init name the shipped schemas where npm installs sluice", () => {
    for (const [path, text] of Object.entries(INIT_FILES).filter(([p]) => p.endsWith(".yml"))) {
      const ref = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text)?.[1];
      expect(ref, path).toBeDefined();
      const installed = resolve("/project", dirname(path), ref!);
      expect(installed.startsWith("/project/node_modules/sluice/schemas/"), path).toBe(true);
      expect(
        readFileSync(join(REPO_ROOT, installed.slice("/project/node_modules/sluice/".length)), "utf8"),
        path,
      ).toBe(jsonSchemaText(kindOf(path)));
    }
  });

  it("puts schemas/ in the package", () => {
    const pack = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
    });
    const files = (JSON.parse(pack.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    for (const name of names) expect(files).toContain(`schemas/${YAML_SCHEMAS[name].file}`);
  });
});
