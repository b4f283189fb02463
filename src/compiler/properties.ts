// The property YAML of a project indexed by node name, each entry with the file and line it came
// from so errors about it can point there.
import type { ColumnDoc } from "../manifest/types.js";
import type { Project } from "../project/load.js";
import type { PropertiesFile } from "../project/schema.js";

export interface PropertyEntry<T> {
  value: T;
  path: string;
  text: string;
  line: number;
}

export type ModelProps = NonNullable<PropertiesFile["models"]>[number];
export type SeedProps = NonNullable<PropertiesFile["seeds"]>[number];
export type SourceProps = NonNullable<PropertiesFile["sources"]>[number];

export interface IndexedProperties {
  models: Map<string, PropertyEntry<ModelProps>>;
  seeds: Map<string, PropertyEntry<SeedProps>>;
  sources: PropertyEntry<SourceProps>[];
}

export function indexProperties(project: Project): IndexedProperties {
  const models = new Map<string, PropertyEntry<ModelProps>>();
  const seeds = new Map<string, PropertyEntry<SeedProps>>();
  const sources: PropertyEntry<SourceProps>[] = [];
  for (const file of project.properties) {
    const at = <T extends { name: string }>(value: T): PropertyEntry<T> => ({
      value,
      path: file.path,
      text: file.text,
      line: lineOf(file.text, value.name, 1),
    });
    for (const m of file.content.models ?? []) models.set(m.name, at(m));
    for (const s of file.content.seeds ?? []) seeds.set(s.name, at(s));
    for (const s of file.content.sources ?? []) sources.push(at(s));
  }
  return { models, seeds, sources };
}

/** The line of `name: value` in a YAML text, for pointing errors at a property entry. */
export function lineOf(text: string, value: string, fallback: number): number {
  const re = new RegExp(`name:\\s*['"]?${value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}['"]?\\s*$`, "m");
  const m = re.exec(text);
  return m ? text.slice(0, m.index).split("\n").length : fallback;
}

export function columnDocs(
  columns: { name: string; description?: string; data_type?: string; tags?: string[] }[] | undefined,
): ColumnDoc[] {
  return (columns ?? []).map((c) => ({
    name: c.name,
    description: c.description,
    dataType: c.data_type,
    tags: c.tags ?? [],
  }));
}
