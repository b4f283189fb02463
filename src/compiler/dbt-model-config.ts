// A dbt project's model config, merged the way dbt merges it: dbt_project.yml's tree, then the
// property YAML's `config:`, then `config()` in the file, tags and meta adding up. A materialization
// sluice does not build is an error that says so, naming the {% materialization %} block if any.
import { didYouMean, type Diagnostics } from "../project/diagnostics.js";
import { mergeDbtConfig, normalizeModelConfig } from "../project/dbt-config.js";
import { resolveSnapshotConfig, splitSnapshotConfig } from "../project/dbt-snapshots.js";
import type { ModelFile } from "../project/load.js";
import { Materialization, ModelConfig } from "../project/schema.js";
import type { CompiledTemplate, TemplateEnvironment } from "./environment.js";
import type { ModelProps, PropertyEntry } from "./properties.js";

export function mergeDbtModelConfig(
  file: ModelFile,
  entry: PropertyEntry<ModelProps> | undefined,
  template: CompiledTemplate,
  env: TemplateEnvironment,
  diagnostics: Diagnostics,
): ModelConfig | undefined {
  const { snapshot: snapshotInFile, rest: inFileRaw } = file.snapshot
    ? splitSnapshotConfig(template.scan.config)
    : { snapshot: {}, rest: template.scan.config };
  const inFile = normalizeModelConfig(inFileRaw);
  const line = lineOf(file.text, "config(");
  for (const { key, why } of inFile.ignored)
    diagnostics.warn(file.path, line, 1, `config '${key}' is ignored: ${why}`);
  if (inFile.unsupportedMaterialization) inFile.config["materialized"] = inFile.unsupportedMaterialization;
  let merged: Record<string, unknown> = {};
  for (const layer of [file.defaults ?? {}, entry?.value.config ?? {}, inFile.config])
    merged = mergeDbtConfig(merged, layer);
  if (file.snapshot) {
    // A snapshot is a table sluice keeps the history of (see runner/snapshot.ts).
    const resolved = resolveSnapshotConfig(
      { ...file.snapshot.tree, ...snapshotInFile },
      file.path,
      line,
      diagnostics,
    );
    if (!resolved) return undefined;
    file.snapshot.resolved = resolved;
    merged["materialized"] = "table";
  }
  const materialized = merged["materialized"];
  if (typeof materialized === "string" && !(Materialization.options as string[]).includes(materialized)) {
    const custom = env.materializations.get(materialized);
    const where =
      inFile.config["materialized"] !== undefined
        ? `${file.path}:${line}`
        : entry?.value.config?.materialized !== undefined
          ? entry.path
          : "dbt_project.yml";
    if (custom) {
      diagnostics.error(
        file.path,
        line,
        1,
        `materialized '${materialized}' (set in ${where}) is a custom materialization ({% ` +
          `materialization %} in ${custom}); sluice does not run custom materializations`,
        "use view, table, incremental or ephemeral",
      );
    } else {
      diagnostics.error(
        file.path,
        line,
        1,
        `materialized '${materialized}' (set in ${where}) is not a materialization sluice builds`,
        didYouMean(materialized, Materialization.options) ?? "use view, table, incremental or ephemeral",
      );
    }
    return undefined;
  }
  const parsed = ModelConfig.safeParse(merged);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      diagnostics.error(file.path, line, 1, `config: ${issue.path.join(".")}: ${issue.message}`);
    return undefined;
  }
  return parsed.data;
}

function lineOf(text: string, needle: string): number {
  const index = text.indexOf(needle);
  return index < 0 ? 1 : text.slice(0, index).split("\n").length;
}
