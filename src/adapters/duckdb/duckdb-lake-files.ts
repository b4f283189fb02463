// The lake's folders on disk: where a table lives, moving freshly written files into a new version
// folder inside each partition directory, and sweeping folders no metadata row references.
import { existsSync } from "node:fs";
import { mkdir, readdir, rename, rm, rmdir } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import type { RelationName } from "../contract.js";
import type { LakeColumn, LakeFolder } from "./duckdb-lake-sql.js";

/**
 * Version folders start with `_v` and staging folders with `_staging_`;
 * neither holds `=`, so hive partition parsing skips them.
 */
const VERSION_PREFIX = "_v";
const STAGING_PREFIX = "_staging_";

/** A table's folder relative to the lake root: `<schema>/<table>`, each name made safe for a path. */
export function tableDir(rel: RelationName): string {
  return `${safeSegment(rel.schema)}/${safeSegment(rel.name)}`;
}

function safeSegment(name: string): string {
  return encodeURIComponent(name)
    .replace(/\*/g, "%2A")
    .replace(/^\.+$/, (dots) => dots.replace(/\./g, "%2E"));
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

/** Where a COPY left its files and how their partition folders are named. */
export interface StagingLayout {
  stagingDir: string;
  partitionBy: string[];
  /** Values are in the files, so folders are named by `partitionPath`, not by DuckDB. */
  valuesInFiles: boolean;
}

/** Hive's name of the folder of the NULL partition (Spark and Hive read it back as NULL). */
export const HIVE_DEFAULT_PARTITION = "__HIVE_DEFAULT_PARTITION__";

/**
 * A partition's folder, `<col>=<value>/…`, in Hive's convention: NULL is the default partition and
 * other values are percent-escaped, so every value gets a folder of its own and Hive's unescaping
 * reads it back. A leading `_` or `.` is escaped too: Hadoop readers skip such folders, this lake's
 * sweep would take `_v…` for a version folder, and the text '__HIVE_DEFAULT_PARTITION__' must not
 * land in NULL's folder.
 */
export function partitionPath(partitionBy: string[], key: (string | null)[]): string {
  const hex = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`;
  const escapeName = (text: string) =>
    encodeURIComponent(text)
      .replace(/[!'()*~]/g, hex)
      .replace(/^[_.]/, hex);
  const value = (v: string | null | undefined) =>
    v === null || v === undefined ? HIVE_DEFAULT_PARTITION : escapeName(v);
  return partitionBy.map((p, i) => `${escapeName(p)}=${value(key[i])}`).join("/");
}

/** The folder (relative to the table folder) a staged file lands in. */
function stagedPath(layout: StagingLayout, file: StagedFile): string {
  if (layout.valuesInFiles && layout.partitionBy.length > 0)
    return partitionPath(layout.partitionBy, fileKey(layout, file));
  return relative(layout.stagingDir, dirname(file.filename)).split(sep).filter(Boolean).join("/");
}

const fileKey = (layout: StagingLayout, file: StagedFile) =>
  layout.partitionBy.map((p) => file.partitionKeys[p] ?? null);

/**
 * Moves every staged file into `<partition dir>/<version>/` under the table folder and returns the
 * new folders. `version` must be unused in every partition directory it lands in.
 */
export async function placeStagedFiles(
  args: StagingLayout & {
    lakeRoot: string;
    table: string;
    files: StagedFile[];
    version: string;
    /** The columns the files were written with. */
    columns: LakeColumn[];
  },
): Promise<LakeFolder[]> {
  const folders = new Map<string, LakeFolder>();
  for (const file of args.files) {
    const filesDir = [args.table, stagedPath(args, file), args.version].filter(Boolean).join("/");
    let folder = folders.get(filesDir);
    if (!folder) {
      folder = { key: fileKey(args, file), filesDir, rowCount: 0, columns: args.columns };
      folders.set(filesDir, folder);
      await mkdir(join(args.lakeRoot, filesDir), { recursive: true });
    }
    if (JSON.stringify(folder.key) !== JSON.stringify(fileKey(args, file))) {
      // Only folder names parsed by DuckDB (tables written before values lived in files) can collide.
      const [a, b] = [JSON.stringify(fileKey(args, file)), JSON.stringify(folder.key)];
      throw new Error(
        `partition values ${a} and ${b} share the folder ${filesDir}; rebuild the table with --full-refresh`,
      );
    }
    folder.rowCount += file.rowCount;
    const name = file.filename.slice(dirname(file.filename).length + 1);
    await rename(file.filename, join(args.lakeRoot, filesDir, name));
  }
  return [...folders.values()];
}

/** Partition directories (relative to the table folder) that staged files will land in. */
export function stagedPartitionPaths(layout: StagingLayout, files: StagedFile[]): string[] {
  return [...new Set(files.map((f) => stagedPath(layout, f)))];
}

/** The first `_v<run>_<n>` name, from `start` on, that no target partition directory holds yet. */
export function unusedVersion(
  tableAbs: string,
  partitionPaths: string[],
  runId: string,
  start: number,
): { name: string; next: number } {
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
      else if (
        entry.name.startsWith(STAGING_PREFIX) ||
        (entry.name.startsWith(VERSION_PREFIX) && !keep.has(path))
      )
        await rm(join(lakeRoot, path), { recursive: true, force: true });
      else if (entry.name.startsWith(VERSION_PREFIX)) kept++;
      else if (entry.name.includes("=") && !(await visit(path)))
        await rmdir(join(lakeRoot, path)).catch(() => undefined);
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
