// Copies of the projects under examples/, and the commands and reads their tests share: the e2e
// suite builds them on the embedded `dev` target, the server suites on PostgreSQL and MariaDB.
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { sluice } from "./cli.js";
import { queryDuckDb } from "./duckdb.js";
import { REPO_ROOT } from "./temp-project.js";

export interface ExampleCopy {
  /** The copy's folder, root/examples/NAME. */
  dir: string;
  /** The folder commands run in, as a clone's root: `--project-dir examples/NAME` names the copy. */
  root: string;
  projectDir: string;
  /** The DuckDB file of an embedded connection of `target` (`dev` unless named). */
  file(connection: "source" | "lake" | "mart", target?: string): string;
  remove(): void;
}

/** A copy of examples/NAME under a fresh temporary folder, without any state or artifacts. */
export function copyExample(name: string): ExampleCopy {
  const root = mkdtempSync(join(tmpdir(), `sluice-${name}-`));
  const projectDir = `examples/${name}`;
  const dir = join(root, projectDir);
  const from = join(REPO_ROOT, projectDir);
  cpSync(from, dir, {
    recursive: true,
    filter: (path) => !/[\\/](\.sluice|target)$/.test(path.slice(from.length)),
  });
  return {
    dir,
    root,
    projectDir,
    file: (connection, target = "dev") => join(dir, ".sluice", target, `${connection}.duckdb`),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** `sluice build --project-dir examples/NAME ARGS`, run from the copy's root as the README says. */
export function buildExample(copy: ExampleCopy, args: string[] = [], env: Record<string, string> = {}): void {
  const run = sluice(["build", "--project-dir", copy.projectDir, ...args], { cwd: copy.root, env });
  expect(run.stderr, run.stdout).toBe("");
  expect(run.code, run.stdout).toBe(0);
}

export function runExampleOperation(
  copy: ExampleCopy,
  macro: string,
  args: string,
  connection = "source",
): void {
  const run = sluice(
    ["run-operation", macro, "--connection", connection, "--args", args, "--project-dir", copy.projectDir],
    { cwd: copy.root },
  );
  expect(run.code, run.stderr).toBe(0);
}

/** The `action` of each model in the last run's run_results.json, by model name. */
export function lastActions(copy: ExampleCopy): Record<string, string> {
  const results = JSON.parse(readFileSync(join(copy.dir, "target/run_results.json"), "utf8")) as {
    results: { node: string; action?: string }[];
  };
  const actions: Record<string, string> = {};
  for (const r of results.results)
    if (r.node.startsWith("model.") && r.action) actions[r.node.slice(6)] = r.action;
  return actions;
}

/**
 * Every table and view in `main` of an embedded connection's DuckDB file, each as its sorted rows.
 * The file is attached under its connection's name, which the embedded lake's views name.
 */
export async function snapshotExample(
  copy: ExampleCopy,
  connection: "lake" | "mart",
  target = "dev",
): Promise<Record<string, Record<string, unknown>[]>> {
  const attach = { [connection]: copy.file(connection, target) };
  const names = await queryDuckDb(
    attach,
    `select table_name from information_schema.tables
     where table_catalog = '${connection}' and table_schema = 'main' order by 1`,
  );
  expect(names.length).toBeGreaterThan(0);
  const tables: Record<string, Record<string, unknown>[]> = {};
  for (const { table_name } of names) {
    const name = String(table_name);
    tables[name] = await queryDuckDb(attach, `select * from ${connection}.main."${name}" order by all`);
  }
  return tables;
}
