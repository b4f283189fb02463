// JSON Schemas of the project's YAML files, generated from the zod schemas that validate them, so
// an editor (through a `# yaml-language-server: $schema=` line) completes and checks the same keys
// the loader accepts. The package ships them in schemas/ (written by `sluice schema --write`).
import { z } from "zod";
import { ProfilesFile, ProjectFile, PropertiesFile } from "./schema.js";

/** Each YAML file kind, its schema and the file name it ships as. */
export const YAML_SCHEMAS = {
  project: { schema: ProjectFile, file: "project.schema.json", title: "sluice project.yml" },
  profiles: { schema: ProfilesFile, file: "profiles.schema.json", title: "sluice profiles.yml" },
  properties: { schema: PropertiesFile, file: "properties.schema.json", title: "sluice property YAML" },
} as const;

export type YamlSchemaName = keyof typeof YAML_SCHEMAS;

/**
 * The JSON Schema of one file kind. It describes what a user writes (zod's input side: defaults
 * are optional, a string-or-list stays either), and the loader's strict objects forbid other keys.
 */
export function jsonSchema(name: YamlSchemaName): Record<string, unknown> {
  const { schema, title } = YAML_SCHEMAS[name];
  const generated = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  return { title, ...(name === "profiles" ? allowTemplates(generated) : generated) };
}

const TEMPLATE = {
  type: "string",
  pattern: "\\{\\{",
  description: "a template such as {{ env_var('PORT') }}, rendered before validation",
};

/**
 * Profiles are rendered before they are validated, so `port: "{{ env_var('PORT') }}"` is valid
 * where a number is: every number or boolean also accepts a string holding a template.
 */
function allowTemplates(node: unknown): Record<string, unknown> {
  if (Array.isArray(node)) return node.map(allowTemplates) as unknown as Record<string, unknown>;
  if (!node || typeof node !== "object") return node as Record<string, unknown>;
  const out = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, allowTemplates(v)]));
  const types = ([] as unknown[]).concat(out["type"] ?? []);
  const scalar = types.some((t) => t === "number" || t === "integer" || t === "boolean");
  if (scalar && !types.includes("string")) {
    const { description, default: fallback, ...rest } = out;
    const docs = {
      ...(description ? { description } : {}),
      ...(fallback !== undefined ? { default: fallback } : {}),
    };
    return { ...docs, anyOf: [rest, TEMPLATE] };
  }
  return out;
}

/** The text of a shipped schema file: stable key order and a final newline, so a diff shows drift. */
export function jsonSchemaText(name: YamlSchemaName): string {
  return `${JSON.stringify(jsonSchema(name), null, 2)}\n`;
}
