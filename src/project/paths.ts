// Where sluice may create folders for a file it writes: anywhere under the project (state, target,
// relative DuckDB paths), but outside it only into a folder that already exists, so a typo in an
// absolute path fails with a message instead of creating folders somewhere on the disk.
import { existsSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";

/** True when `path` lies inside `dir` (or is it). */
export function isInside(dir: string, path: string): boolean {
  const rel = relative(resolve(dir), resolve(path));
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/**
 * Null when sluice may create the folders `file` needs; otherwise why not, naming `what` (e.g.
 * "connection 'mart' path") and the fix. `folder` true: `file` is itself the folder to create.
 */
export function folderProblem(projectDir: string, file: string, what: string, folder = false): string | null {
  const target = folder ? resolve(file) : dirname(resolve(file));
  if (isInside(projectDir, target) || existsSync(target)) return null;
  const parent = folder ? dirname(target) : target;
  if (folder && existsSync(parent)) return null;
  return (
    `${what} ${file}: the folder ${parent} does not exist; sluice creates ` +
    `folders only inside the project, so create it, or fix the path`
  );
}
