// Contracts that something reads: every declared capability is read by code, and the ledger
// options a profile may set are the ones sluice acts on.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DUCKDB_CAPABILITIES } from "../../src/adapters/duckdb/duckdb-capabilities.js";
import { hiveCapabilities } from "../../src/adapters/hive/hive-capabilities.js";
import { SQL_SERVER_CAPABILITIES } from "../../src/adapters/sqlserver/sqlserver-capabilities.js";
import { ProjectError } from "../../src/project/diagnostics.js";
import { loadProject } from "../../src/project/load.js";
import { REPO_ROOT, tempProject } from "../helpers/temp-project.js";

const SRC = join(REPO_ROOT, "src");
const code = (readdirSync(SRC, { recursive: true }) as string[])
  .filter((f) => f.endsWith(".ts"))
  .map((f) => [f, readFileSync(join(SRC, f), "utf8")] as const);

describe("contracts", () => {
  it("declares the same capabilities for every engine, and code reads each one", () => {
    const keys = Object.keys(DUCKDB_CAPABILITIES).sort();
    expect(Object.keys(hiveCapabilities).sort()).toEqual(keys);
    expect(Object.keys(SQL_SERVER_CAPABILITIES).sort()).toEqual(keys);
    for (const key of keys)
      expect(
        code.some(([, text]) => text.includes(`capabilities.${key}`)),
        key,
      ).toBe(true);
  });

  it("refuses a ledger schema, which nothing would read", () => {
    const project = tempProject({
      "profiles.yml":
        "targets:\n  dev:\n    ledger: { schema: sluice_ledger }\n    connections:\n      w: { type: duckdb, path: w.duckdb }\n",
    });
    try {
      expect(() => loadProject({ projectDir: project.dir })).toThrow(ProjectError);
      expect(() => loadProject({ projectDir: project.dir })).toThrow(
        /profiles\.yml:3:\d+ error: unknown key 'schema'/,
      );
    } finally {
      project.remove();
    }
  });
});
