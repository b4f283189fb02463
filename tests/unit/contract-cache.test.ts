// The incremental contract's cached readings (src/compiler/contract-cache.ts): a compile with
// nothing changed takes each lineage model's verdict from the cache, and a change to the model's
// SQL, its config or its source reads the SQL again. Each test overwrites the cached verdicts with
// a marker after the first compile: a verdict that comes out as the marker was served from the cache.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { compileProjectCached } from "../../src/compiler/compile.js";
import type { ModelNode } from "../../src/manifest/types.js";
import { loadProject } from "../../src/project/load.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";

const MARKER = "served from the contract cache";

const SOURCES = (deletesKey: string) => `sources:
  - name: app
    connection: src
    schema: app
    tables:
      - name: sales
        change_tracking:
          updated_at: updated_at
          deletes: { table: removed, key: ${deletesKey}, deleted_at: removed_at, partition_columns: [ym] }
      - name: removed
`;
const MODEL = (select: string) =>
  `{{ config(materialized='incremental', partition_by='ym') }}\nselect ${select}, year(sale_date) * 100 + month(sale_date) as ym from {{ source('app', 'sales') }}\n`;

let project: TempProject;
afterEach(() => project?.remove());

async function lineage(): Promise<NonNullable<ModelNode["lineage"]>> {
  const { manifest } = await compileProjectCached(loadProject({ projectDir: project.dir }));
  return (manifest.nodes["model.m"] as ModelNode).lineage!;
}

function markCache(): void {
  const file = join(project.dir, "target", "cache", "contracts.json");
  const data = JSON.parse(readFileSync(file, "utf8")) as {
    entries: Record<string, { fullRebuild: unknown }>;
  };
  for (const verdict of Object.values(data.entries)) verdict.fullRebuild = MARKER;
  writeFileSync(file, JSON.stringify(data));
}

function newProject(): TempProject {
  return tempProject({
    "profiles.yml":
      "targets:\n  dev:\n    connections:\n      src: { type: duckdb, path: .sluice/src.duckdb }\n",
    "models/sources.yml": SOURCES("sale_id"),
    "models/m.sql": MODEL("sale_id, amount"),
  });
}

describe("contract cache", () => {
  it("takes the verdict from the cache when nothing changed", async () => {
    project = newProject();
    const first = await lineage();
    expect(first.keys).toEqual([
      { source: "source.app.sales", sourceColumn: "sale_id", modelColumn: "sale_id" },
    ]);
    expect(first.fullRebuild).toBeNull();
    markCache();
    expect((await lineage()).fullRebuild).toBe(MARKER);
  });

  it("reads the SQL again once the model's SQL changes", async () => {
    project = newProject();
    await lineage();
    markCache();
    project.write("models/m.sql", MODEL("sale_id, sum(amount) over (partition by client) as total"));
    expect((await lineage()).fullRebuild).toMatch(/window function sum\(\) … over/);
  });

  it("reads the SQL again once the model's config changes in YAML, its template untouched", async () => {
    project = newProject();
    await lineage();
    markCache();
    project.write("models/schema.yml", "models:\n  - name: m\n    config:\n      unique_key: amount\n");
    const after = await lineage();
    expect(after.fullRebuild).toBeNull();
  });

  it("reads the SQL again once the source it reads changes, and refuses what no longer holds", async () => {
    project = newProject();
    await lineage();
    markCache();
    project.write("models/sources.yml", SOURCES("amount_id"));
    await expect(lineage()).rejects.toThrow(/has no column holding the deletes key 'amount_id'/);
  });
});
