// The layering rules, enforced: drivers only inside src/adapters/, and imports flow one way
// (cli → runner/planner → compiler/graph/manifest → project; adapters used by runner, planner and
// ledger only). A violation names the file and the import.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/temp-project.js";

const SRC = join(REPO_ROOT, "src");
const DRIVERS = ["mssql", "tedious", "hive-driver", "@duckdb/node-api", "@duckdb/node-bindings", "pg", "pg-cursor", "pg-copy-streams", "mysql2"];

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

/** Which layers each layer may import (besides itself, root files and node/npm modules). */
const ALLOWED: Record<string, string[]> = {
  project: [],
  manifest: ["project"],
  graph: ["manifest", "project"],
  compiler: ["manifest", "graph", "project"],
  adapters: ["project"],
  ledger: ["adapters", "planner", "manifest", "project"],
  planner: ["adapters", "compiler", "graph", "ledger", "manifest", "project"],
  runner: ["adapters", "compiler", "graph", "ledger", "manifest", "planner", "project"],
  docs: ["compiler", "graph", "manifest", "project", "runner"],
  cli: ["adapters", "compiler", "docs", "graph", "ledger", "manifest", "planner", "project", "runner"],
  root: [],
};

describe("layering", () => {
  it("reads the imports it checks", () => {
    const files = sources();
    expect(files.find((f) => f.path === "adapters/duckdb/duckdb-connection.ts")?.imports).toContain("@duckdb/node-api");
    expect(files.find((f) => f.path === "runner/run.ts")?.imports).toContain("../compiler/compile.js");
  });

  it("imports drivers only inside src/adapters/", () => {
    const offending = sources()
      .filter((f) => !f.path.startsWith("adapters/"))
      .flatMap((f) => f.imports.filter((i) => DRIVERS.includes(i)).map((i) => `${f.path} imports ${i}`));
    expect(offending).toEqual([]);
  });

  it("imports layers only in the allowed direction", () => {
    const offending: string[] = [];
    for (const f of sources()) {
      const from = layerOf(f.path);
      for (const i of f.imports.filter((i) => i.startsWith("."))) {
        const target = relative(SRC, join(SRC, f.path, "..", i)).split("\\").join("/");
        const to = layerOf(target);
        if (to !== from && to !== "root" && !(ALLOWED[from] ?? []).includes(to)) offending.push(`${f.path} (${from}) imports ${i} (${to})`);
      }
    }
    expect(offending).toEqual([]);
  });
});
