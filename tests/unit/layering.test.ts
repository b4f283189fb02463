// The layering rules, enforced: drivers only inside src/adapters/, and imports flow one way
// (cli → runner/planner → compiler/graph/manifest → project; adapters used by runner, planner and
// ledger only). A violation names the file and the import.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/temp-project.js";

const SRC = join(REPO_ROOT, "src");
const DRIVERS = [
  "mssql",
  "tedious",
  "hive-driver",
  "@duckdb/node-api",
  "@duckdb/node-bindings",
  "pg",
  "pg-cursor",
  "pg-copy-streams",
  "mysql2",
];

function sources(): { path: string; imports: string[] }[] {
  return (readdirSync(SRC, { recursive: true }) as string[])
    .filter((f) => f.endsWith(".ts"))
    .map((f) => {
      const text = readFileSync(join(SRC, f), "utf8");
      const imports = [...text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)].map((m) => m[1]!);
      return { path: relative(SRC, join(SRC, f)).split("\\").join("/"), imports };
    });
}

/** The layer a file belongs to: its first folder under src/. */
const layerOf = (path: string) => (path.includes("/") ? path.split("/")[0]! : "root");

/**
 * The documented rule as ranks: a layer imports only layers of lower rank (and itself, root files
 * and packages). The tiers are cli → runner/planner → compiler/graph/manifest → project; inside a
 * tier the one direction that makes sense is fixed (the runner executes plans, the planner reads
 * the ledger; the compiler builds a graph of manifest nodes), and docs, which the cli runs beside
 * the runner, reads the manifest, not the runner. Adapters stand apart: they import only project,
 * and only runner, planner and ledger import them.
 */
const RANK: Record<string, number> = {
  project: 0,
  manifest: 1,
  graph: 2,
  compiler: 3,
  ledger: 4,
  planner: 5,
  runner: 6,
  docs: 6,
  cli: 7,
};
const ADAPTER_USERS = ["runner", "planner", "ledger"];

function allowed(from: string, to: string): boolean {
  if (to === from || to === "root") return true;
  if (from === "root") return false;
  if (to === "adapters") return ADAPTER_USERS.includes(from);
  if (from === "adapters") return to === "project";
  return (RANK[to] ?? Infinity) < (RANK[from] ?? -Infinity);
}

/** Adapter files any layer may import: the dialects, pure SQL spelling that opens no connection. */
const PURE_ADAPTER_FILES = ["adapters/dialects.js", "adapters/contract.js"];

describe("layering", () => {
  it("reads the imports it checks", () => {
    const files = sources();
    expect(files.find((f) => f.path === "adapters/duckdb/duckdb-connection.ts")?.imports).toContain(
      "@duckdb/node-api",
    );
    expect(files.find((f) => f.path === "runner/run.ts")?.imports).toContain("../compiler/compile.js");
  });

  it("imports drivers only inside src/adapters/", () => {
    const offending = sources()
      .filter((f) => !f.path.startsWith("adapters/"))
      .flatMap((f) => f.imports.filter((i) => DRIVERS.includes(i)).map((i) => `${f.path} imports ${i}`));
    expect(offending).toEqual([]);
  });

  it("imports layers only in the documented direction", () => {
    const offending: string[] = [];
    for (const f of sources()) {
      const from = layerOf(f.path);
      for (const i of f.imports.filter((i) => i.startsWith("."))) {
        const target = relative(SRC, join(SRC, f.path, "..", i))
          .split("\\")
          .join("/");
        const to = layerOf(target);
        if (PURE_ADAPTER_FILES.includes(target)) continue;
        if (!allowed(from, to)) offending.push(`${f.path} (${from}) imports ${i} (${to})`);
      }
    }
    expect(offending).toEqual([]);
  });

  it("reaches engines through the adapter registry, not an engine's folder", () => {
    const offending = sources()
      .filter((f) => !f.path.startsWith("adapters/"))
      .flatMap((f) =>
        f.imports.filter((i) => /\/adapters\/[^/]+\//.test(i)).map((i) => `${f.path} imports ${i}`),
      );
    expect(offending).toEqual([]);
  });
});
