// The lake's folders on disk: where a table lives, moving freshly written files into a new version
// folder inside each partition directory, and sweeping folders no metadata row references.
import { existsSync } from "node:fs";
import { mkdir, readdir, rename, rm, rmdir } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import type { RelationName } from "../contract.js";
import type { LakeFolder } from "./duckdb-lake-sql.js";

/** Version folders start with `_v` and staging folders with `_staging_`; neither holds `=`, so hive partition parsing skips them. */
const VERSION_PREFIX = "_v";
const STAGING_PREFIX = "_staging_";

/** A table's folder relative to the lake root: `<schema>/<table>`, each name made safe for a path. */
export function tableDir(rel: RelationName): string {
  return `${safeSegment(rel.schema)}/${safeSegment(rel.name)}`;
}

function safeSegment(name: string): string {
  return encodeURIComponent(name).replace(/\*/g, "%2A").replace(/^\.+$/, (dots) => dots.replace(/\./g, "%2E"));
}

/** Keeps folder names to characters that are safe in a path and in a glob. */
export function safeRunId(runId: string): string {
  return runId.replace(/[^A-Za-z0-9_-]/g, "_");
}

export const stagingName = (runId: string, n: number) => `${STAGING_PREFIX}${safeRunId(runId)}_${n}`;

/** One Parquet file a COPY wrote, as RETURN_STATS reports it. */
export interface StagedFile {
  filename: string;
  rowCount: number;
  /** Partition values by column name, as DuckDB writes them (null for NULL). */
  partitionKeys: Record<string, string | null>;
}

/**
 * Moves every staged file into `<partition dir>/<version>/` under the table folder and returns the
 * new folders. `version` must be unused in every partition directory it lands in.
 */
export async function placeStagedFiles(args: {
  lakeRoot: string;
  table: string;
  stagingDir: string;
  files: StagedFile[];
  partitionBy: string[];
  version: string;
}): Promise<LakeFolder[]> {
  const folders = new Map<string, LakeFolder>();
  for (const file of args.files) {
    const partitionPath = relative(args.stagingDir, dirname(file.filename)).split(sep).filter(Boolean).join("/");
    const filesDir = [args.table, partitionPath, args.version].filter(Boolean).join("/");
    let folder = folders.get(filesDir);
    if (!folder) {
      folder = { key: args.partitionBy.map((p) => file.partitionKeys[p] ?? null), filesDir, rowCount: 0 };
      folders.set(filesDir, folder);
      await mkdir(join(args.lakeRoot, filesDir), { recursive: true });
    }
    folder.rowCount += file.rowCount;
    const name = file.filename.slice(dirname(file.filename).length + 1);
    await rename(file.filename, join(args.lakeRoot, filesDir, name));
  }
  return [...folders.values()];
}

/** Partition directories (relative to the table folder) that staged files will land in. */
export function stagedPartitionPaths(stagingDir: string, files: StagedFile[]): string[] {
  return [...new Set(files.map((f) => relative(stagingDir, dirname(f.filename)).split(sep).filter(Boolean).join("/")))];
}

/** The first `_v<run>_<n>` name, from `start` on, that no target partition directory holds yet. */
export function unusedVersion(tableAbs: string, partitionPaths: string[], runId: string, start: number): { name: string; next: number } {
  for (let n = start; ; n++) {
    const name = `${VERSION_PREFIX}${safeRunId(runId)}_${n}`;
    if (!partitionPaths.some((p) => existsSync(join(tableAbs, p, name)))) return { name, next: n + 1 };
  }
}

/**
 * Deletes what no metadata row references under a table folder: orphaned and superseded version
 * folders (except those in `keep`), leftover staging folders, and partition directories left empty.
 * Folders in `keep` are never opened, so untouched partitions stay byte for byte.
 */
export async function sweepTable(lakeRoot: string, table: string, keep: Set<string>): Promise<void> {
  const visit = async (dir: string): Promise<boolean> => {
    const entries = await readdir(join(lakeRoot, dir), { withFileTypes: true }).catch(() => []);
    let kept = 0;
    for (const entry of entries) {
      const path = `${dir}/${entry.name}`;
      if (!entry.isDirectory()) kept++;
      else if (entry.name.startsWith(STAGING_PREFIX) || (entry.name.startsWith(VERSION_PREFIX) && !keep.has(path))) await rm(join(lakeRoot, path), { recursive: true, force: true });
      else if (entry.name.startsWith(VERSION_PREFIX)) kept++;
      else if (entry.name.includes("=") && !(await visit(path))) await rmdir(join(lakeRoot, path)).catch(() => undefined);
      else kept++;
    }
    return kept > 0;
  };
  await visit(table);
}

/**
 * Deletes version folders (relative to the lake root), then the partition and table directories
 * they leave empty; the schema folder stays.
 */
export async function removeFolders(lakeRoot: string, folders: Iterable<string>): Promise<void> {
  for (const folder of folders) {
    await rm(join(lakeRoot, folder), { recursive: true, force: true });
    const parts = folder.split("/");
    // parts: schema, table, partition dirs…, version folder.
    for (let end = parts.length - 1; end >= 2; end--) {
      const emptied = await rmdir(join(lakeRoot, ...parts.slice(0, end))).then(
        () => true,
        () => false,
      );
      if (!emptied) break;
    }
  }
}
