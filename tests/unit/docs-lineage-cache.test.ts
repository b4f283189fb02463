import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { syntheticManifest } from "../../bench/docs/run.js";
import { generateDocs, LINEAGE_STORE_FILE } from "../../src/docs/generate.js";
import { buildSiteData } from "../../src/docs/site-data.js";
import { parseInWorkers, WORKERS_FROM } from "../../src/docs/sql-parse.js";
import type { Manifest, ModelNode } from "../../src/manifest/types.js";

// Column lineage at scale: SQL parsed in worker threads gives the lineage parsing here gives, and
// a second generate reuses the first one's lineage for what did not change, and only that.
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "sluice-docs-lineage-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const lineages = (m: Manifest, data = buildSiteData(m)) =>
  Object.fromEntries(data.nodes.filter((n) => n.kind === "model").map((n) => [n.id, n.columnLineage]));

/**
 * The synthetic bench project, with one model `upper` whose columns nobody declares (its lineage
 * says them) and one `lower` that selects `*` from it, so `lower`'s lineage follows `upper`'s SQL.
 */
function project(
  models: number,
  upperSql: (input: string) => string,
): { m: Manifest; upper: string; lower: string } {
  const m = syntheticManifest(models, 0);
  const all = Object.values(m.nodes).filter((n): n is ModelNode => n.kind === "model");
  const lower = all.find((n) => n.dependsOn.some((d) => d.startsWith("model.")))!;
  const upper = m.nodes[lower.dependsOn.find((d) => d.startsWith("model."))!] as ModelNode;
  const input = m.nodes[upper.dependsOn[0]!]!;
  if (input.kind === "test") throw new Error("unexpected test input");
  upper.columns = [];
  upper.dependsOn = [input.id];
  upper.compiledSql = upperSql(`${input.relation.schema}.${input.relation.name}`);
  lower.dependsOn = [upper.id];
  lower.compiledSql = `select * from dbo.${upper.name}`;
  return { m, upper: upper.id, lower: lower.id };
}

describe("column lineage at scale", () => {
  it("gives the same lineage from SQL parsed in worker threads as from SQL parsed here", async () => {
    const { m } = project(WORKERS_FROM + 200, (t) => `select x.id, x.amount from ${t} x`);
    const models = Object.values(m.nodes).filter((n): n is ModelNode => n.kind === "model");
    const parsed = await parseInWorkers(
      models.map((n) => ({ engine: "hive", sql: n.compiledSql })),
      2,
    );
    // Every distinct statement came back from a worker, parsed or with the parser's error.
    expect(parsed.size).toBe(new Set(models.map((n) => n.compiledSql)).size);
    const here = lineages(m);
    expect(Object.values(here).filter((l) => l?.known).length).toBeGreaterThan(0);
    expect(lineages(m, buildSiteData(m, { parsedSql: parsed }))).toEqual(here);
  });

  it("reuses the last generate's lineage for unchanged models and works out again what changed", async () => {
    const dir = tempDir();
    const first = project(300, (t) => `select x.id, x.amount from ${t} x`);
    const models = Object.values(first.m.nodes).filter((n) => n.kind === "model").length;
    const cold = await generateDocs(first.m, dir, { runResults: null });
    expect(cold.lineage).toEqual({ reused: 0, parsed: models });
    expect(cold.data.nodes.find((n) => n.id === first.lower)!.columnLineage).toMatchObject({
      known: true,
      columns: [{ name: "id" }, { name: "amount" }],
    });

    const warm = await generateDocs(first.m, dir, { runResults: null });
    expect(warm.lineage).toEqual({ reused: models, parsed: 0 });
    expect(lineages(first.m, warm.data)).toEqual(lineages(first.m, cold.data));

    // `upper` loses a column: its SQL changed, `lower`'s star now expands to less, and every
    // other model reading `upper` has an input whose columns changed. Nothing else is redone.
    const second = project(300, (t) => `select x.id from ${t} x`);
    const readers = Object.values(second.m.nodes).filter((n) => n.dependsOn.includes(second.upper)).length;
    expect(readers).toBeGreaterThan(1);
    const changed = await generateDocs(second.m, dir, { runResults: null });
    expect(changed.lineage).toEqual({ reused: models - 1 - readers, parsed: 1 + readers });
    expect(changed.data.nodes.find((n) => n.id === second.lower)!.columnLineage).toMatchObject({
      known: true,
      columns: [{ name: "id" }],
    });
    expect(lineages(second.m, changed.data)).toEqual(lineages(second.m));
  });

  it("ignores a store it cannot read, and works everything out again", async () => {
    const dir = tempDir();
    const { m } = project(50, (t) => `select x.id from ${t} x`);
    await generateDocs(m, dir, { runResults: null });
    writeFileSync(join(dir, LINEAGE_STORE_FILE), "{ not json");
    const site = await generateDocs(m, dir, { runResults: null });
    expect(site.lineage.reused).toBe(0);
    expect(lineages(m, site.data)).toEqual(lineages(m));
  });
});
