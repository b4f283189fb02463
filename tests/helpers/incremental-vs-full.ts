// Two copies of one project reading one source file: `incremental` builds after every change the
// way a user's cron does, `full` rebuilds with --full-refresh, and a test compares their tables.
// The lake is the real embedded Parquet lake (lake_root), the source another DuckDB file.
import { join } from "node:path";
import { expect } from "vitest";
import { sluice, type CliResult } from "./cli.js";
import { executeOnDuckDb, queryDuckDb } from "./duckdb.js";
import { tempProject, type TempProject } from "./temp-project.js";

export interface IncrementalVsFull {
  /** Runs SQL on the shared source file (schema `app` lives there). */
  onSource(sql: string): Promise<void>;
  /** `build` on the incremental copy (plus `args`), asserting it succeeded. */
  buildIncremental(...args: string[]): CliResult;
  /** The TZ of every sluice process from now on (a cron in UTC, a person in Tokyo). */
  timeZone(tz: string): void;
  /** Any sluice command on the incremental copy, whatever its exit code. */
  run(...args: string[]): CliResult;
  /** The rows of `table` (in the lake's `main` schema) on each copy after a full refresh of the other. */
  compare(table: string, orderBy: string): Promise<{ incremental: unknown[]; full: unknown[] }>;
  incremental: TempProject;
  remove(): void;
}

/** `files` are the project's models and YAML; the profile (connections `src` and `lake`) is given. */
export function incrementalVsFull(files: Record<string, string>): IncrementalVsFull {
  const incremental = tempProject(files);
  const sourcePath = join(incremental.dir, ".sluice/src.duckdb").replace(/\\/g, "/");
  const profile = (source: string) => `targets:
  dev:
    connections:
      src: { type: duckdb, path: '${source}' }
      lake: { type: duckdb, path: .sluice/lake.duckdb, lake_root: .sluice/lake }
`;
  incremental.write("profiles.yml", profile(".sluice/src.duckdb"));
  const full = tempProject({ ...files, "profiles.yml": profile(sourcePath) });
  const env: Record<string, string> = {};
  const build = (project: TempProject, args: string[]) => {
    const run = sluice(["build", "--project-dir", project.dir, ...args], { env });
    expect(run.code, `${args.join(" ")}\n${run.stdout}${run.stderr}`).toBe(0);
    return run;
  };
  const rows = async (project: TempProject, table: string, orderBy: string) => {
    const lake = join(project.dir, ".sluice/lake.duckdb");
    // The lake's views read Parquet under lake_root; attaching its catalog read-only is enough.
    const found = await queryDuckDb({ lake }, `select * from lake.main.${table} order by ${orderBy}`);
    return found.map((r) => JSON.stringify(r));
  };
  return {
    onSource: (sql) => executeOnDuckDb(sourcePath, "src", sql),
    buildIncremental: (...args) => build(incremental, args),
    run: (...args) => sluice([...args, "--project-dir", incremental.dir], { env }),
    timeZone: (tz) => {
      env["TZ"] = tz;
    },
    async compare(table, orderBy) {
      build(full, ["--full-refresh"]);
      return { incremental: await rows(incremental, table, orderBy), full: await rows(full, table, orderBy) };
    },
    incremental,
    remove() {
      incremental.remove();
      full.remove();
    },
  };
}
