// Column lineage kept between `docs generate` runs, by content (column-lineage.ts makes the key):
// parsing every model's SQL is most of the time it takes to generate the site at 10k models, and a
// model whose SQL and inputs did not change has the lineage it had. A file that cannot be read, or
// was written by other code, is ignored: the lineage is then worked out again.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { ColumnLineage } from "./column-lineage.js";

const STORE_VERSION = 1;

export class LineageStore {
  private readonly used = new Map<string, ColumnLineage>();
  private readonly sqlNow = new Set<string>();
  /** Lookups answered from the file, and lineages worked out afresh. */
  hits = 0;
  misses = 0;

  private constructor(
    private readonly earlier: Map<string, ColumnLineage>,
    private readonly sqlBefore: Set<string> = new Set(),
  ) {}

  /** An empty store, or the one written to `file` by an earlier run. */
  static read(file: string): LineageStore {
    if (!existsSync(file)) return new LineageStore(new Map());
    try {
      const value = JSON.parse(readFileSync(file, "utf8")) as {
        version?: number;
        entries?: unknown;
        sql?: unknown;
      };
      if (
        value.version !== STORE_VERSION ||
        typeof value.entries !== "object" ||
        value.entries === null ||
        !Array.isArray(value.sql)
      )
        return new LineageStore(new Map());
      return new LineageStore(
        new Map(Object.entries(value.entries as Record<string, ColumnLineage>)),
        new Set(value.sql as string[]),
      );
    } catch {
      return new LineageStore(new Map());
    }
  }

  get(key: string): ColumnLineage | undefined {
    const hit = this.earlier.get(key);
    if (hit) this.hits += 1;
    else this.misses += 1;
    return hit;
  }

  set(key: string, value: ColumnLineage): void {
    this.used.set(key, value);
  }

  /**
   * Whether the last run saw this SQL (by sql-parse.ts's `parseKey`), so its model's lineage is
   * most likely here and parsing it ahead of time would be wasted; records it for the next run.
   */
  sawSql(parseKey: string): boolean {
    this.sqlNow.add(parseKey);
    return this.sqlBefore.has(parseKey);
  }

  /** Writes the entries this run used (so the file never outgrows the project), atomically. */
  write(file: string): void {
    mkdirSync(dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(
      temporary,
      JSON.stringify({
        version: STORE_VERSION,
        entries: Object.fromEntries(this.used),
        sql: [...this.sqlNow],
      }),
    );
    renameSync(temporary, file);
  }
}
