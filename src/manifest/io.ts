// Writes and reads the artifacts under target/: manifest.json, compiled SQL and run_results.json.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { MANIFEST_VERSION, type Manifest } from "./types.js";

export function writeManifest(targetDir: string, manifest: Manifest): void {
  mkdirSync(targetDir, { recursive: true });
  writeFileSync(join(targetDir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  const compiledDir = join(targetDir, "compiled");
  rmSync(compiledDir, { recursive: true, force: true });
  for (const node of Object.values(manifest.nodes)) {
    if (node.kind !== "model" && node.kind !== "test") continue;
    if (node.kind === "model" && node.config.materialized === "ephemeral") continue;
    const file = join(compiledDir, node.location.path.replace(/\.(sql|ya?ml)$/, "") + (node.kind === "test" && node.testType !== "singular" ? `/${node.name}.sql` : ".sql"));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${node.compiledSql}\n`);
    if (node.kind === "model" && node.compiledIncrementalSql !== null) writeFileSync(file.replace(/\.sql$/, ".incremental.sql"), `${node.compiledIncrementalSql}\n`);
  }
}

/** Reads a manifest written by this or an earlier sluice; refuses another manifest version. */
export function readManifest(path: string): Manifest {
  const manifest = JSON.parse(readFileSync(path, "utf8")) as Manifest;
  if (manifest.manifestVersion !== MANIFEST_VERSION) {
    throw new Error(`${path} has manifest version ${String(manifest.manifestVersion)}, this sluice reads ${MANIFEST_VERSION}; recompile it with this version`);
  }
  return manifest;
}

export function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`);
}
