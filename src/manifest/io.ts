// Writes and reads the artifacts under target/: manifest.json, compiled SQL and run_results.json.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { hash } from "./checksum.js";
import { MANIFEST_VERSION, type Manifest } from "./types.js";

/** Files written at once; enough to keep the file system busy without a flood of handles. */
const PARALLEL_WRITES = 32;
const INDEX = ".sluice-index.json";

/**
 * Writes manifest.json and target/compiled/**.sql (one file per model, and per incremental variant).
 * Compiled files that did not change since the last compile are left alone (an index of content
 * hashes says which), and files of nodes that are gone are removed, so a recompile of a large
 * unchanged project writes almost nothing.
 */
export async function writeManifest(targetDir: string, manifest: Manifest): Promise<void> {
  mkdirSync(targetDir, { recursive: true });
  // Compact, as dbt writes its manifest: at 10k models indenting made a 22 MB file of a 16 MB one
  // and took twice as long to write (`jq .` shows it indented).
  writeFileSync(join(targetDir, "manifest.json"), `${JSON.stringify(manifest)}\n`);

  const compiledDir = join(targetDir, "compiled");
  const files = compiledFiles(manifest);
  const indexPath = join(compiledDir, INDEX);
  let previous: Record<string, string> = {};
  if (existsSync(indexPath)) {
    try {
      previous = JSON.parse(readFileSync(indexPath, "utf8")) as Record<string, string>;
    } catch {
      rmSync(compiledDir, { recursive: true, force: true });
    }
  } else rmSync(compiledDir, { recursive: true, force: true });

  const index: Record<string, string> = {};
  const changed: [string, string][] = [];
  for (const [path, text] of files) {
    index[path] = hash(text);
    if (previous[path] !== index[path] || !existsSync(join(compiledDir, path))) changed.push([path, text]);
  }
  for (const path of Object.keys(previous))
    if (!(path in index)) rmSync(join(compiledDir, path), { force: true });
  for (const dir of new Set(changed.map(([path]) => dirname(join(compiledDir, path)))))
    mkdirSync(dir, { recursive: true });
  let next = 0;
  await Promise.all(
    Array.from({ length: PARALLEL_WRITES }, async () => {
      while (next < changed.length) {
        const [path, text] = changed[next++]!;
        await writeFile(join(compiledDir, path), text);
      }
    }),
  );
  mkdirSync(compiledDir, { recursive: true });
  writeFileSync(indexPath, JSON.stringify(index));
}

/**
 * Compiled SQL files by path under target/compiled/: models and their incremental variant. Data
 * tests are not written as files (nothing reads them and there are often more tests than models, so
 * they were a third of the files a cold compile wrote); their SQL is in manifest.json.
 */
function compiledFiles(manifest: Manifest): Map<string, string> {
  const files = new Map<string, string>();
  for (const node of Object.values(manifest.nodes)) {
    if (node.kind !== "model" || node.config.materialized === "ephemeral") continue;
    const path = `${node.location.path.replace(/\.sql$/, "")}.sql`;
    files.set(path, `${node.compiledSql}\n`);
    if (node.compiledIncrementalSql !== null)
      files.set(path.replace(/\.sql$/, ".incremental.sql"), `${node.compiledIncrementalSql}\n`);
  }
  return files;
}

/** Reads a manifest written by this or an earlier sluice; refuses another manifest version. */
export function readManifest(path: string): Manifest {
  const manifest = JSON.parse(readFileSync(path, "utf8")) as Manifest;
  if (manifest.manifestVersion !== MANIFEST_VERSION) {
    throw new Error(
      `${path} has manifest version ${String(manifest.manifestVersion)}, ` +
        `this sluice reads ${MANIFEST_VERSION}; recompile it with this version`,
    );
  }
  return manifest;
}

export function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(
    path,
    `${JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`,
  );
}
