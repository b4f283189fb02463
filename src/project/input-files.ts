// Every file and folder a project load reads or looks for, recorded as it reads them, so that a later
// compile can tell that none of them changed without reading them again (compiler/unchanged-compile.ts).
import { existsSync, readdirSync, readFileSync } from "node:fs";

export class InputFiles {
  /** Absolute paths of files read, or looked for (a file that appears later changes the project too). */
  readonly files = new Set<string>();
  /** Absolute paths of folders listed, with everything under them. */
  readonly folders = new Set<string>();

  exists(path: string): boolean {
    this.files.add(path);
    return existsSync(path);
  }

  read(path: string): string {
    this.files.add(path);
    return readFileSync(path, "utf8");
  }

  /** The folder's entries, sorted; with `recursive`, every path under it. */
  list(path: string, recursive: boolean): string[] {
    this.folders.add(path);
    return (readdirSync(path, { recursive, withFileTypes: false }) as string[]).sort();
  }
}
