import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { afterEach, describe, expect, it } from "vitest";
import { globalScript, generateDocs } from "../../src/docs/generate.js";
import { fileFor } from "../../src/docs/serve.js";
import { buildSiteData, CONNECTION_COLOURS, type SiteData } from "../../src/docs/site-data.js";
import { MANIFEST_VERSION, type Manifest, type ModelNode, type SourceNode, type TestNode } from "../../src/manifest/types.js";
import type { RunResults } from "../../src/runner/run.js";

// A three-engine project: a source on SQL Server, a lake model on Hive computed from it, a mart
// model on SQL Server computed on the lake, and a test on the lake model.
const base = { location: { path: "models/x.sql", line: 1 }, description: "", tags: [] as string[], checksum: "c" };

function model(name: string, connection: string, compute: string, dependsOn: string[], extra: Partial<ModelNode> = {}): ModelNode {
  return {
    ...base,
    id: `model.${name}`,
    kind: "model",
    name,
    dependsOn,
    location: { path: `models/${connection}/${name}.sql`, line: 1 },
    config: { materialized: "incremental", connection, compute, schema: "dbo", alias: name, tags: [], partitionBy: [], uniqueKey: ["id"], strategy: null, fullRefresh: null },
    relation: { connection, schema: "dbo", name },
    columns: [{ name: "id", dataType: "int", tags: [] }],
    rawSql: `select * from {{ ref('${name}') }}`,
    compiledSql: `select 1 as id -- ${name}`,
    compiledIncrementalSql: `select 1 as id where 1 = 1 -- ${name}`,
    lineage: null,
    macrosUsed: [],
    ...extra,
  };
}

function manifest(): Manifest {
  const source: SourceNode = {
    ...base,
    id: "source.production.sales",
    kind: "source",
    name: "sales",
    dependsOn: [],
    sourceName: "production",
    tableName: "sales",
    relation: { connection: "source", schema: "production", name: "sales" },
    columns: [],
    changeTracking: null,
  };
  const test: TestNode = {
    ...base,
    id: "test.unique_sales_history_id",
    kind: "test",
    name: "unique_sales_history_id",
    dependsOn: ["model.sales_history"],
    testType: "unique",
    attachedTo: "model.sales_history",
    column: "id",
    args: {},
    config: { severity: "error", errorIf: "!= 0", warnIf: "!= 0", where: null },
    connection: "lake",
    compiledSql: "select id from sales_history group by id having count(*) > 1",
    reconcile: null,
  };
  const nodes = [
    source,
    model("sales_history", "lake", "lake", ["source.production.sales"], { description: "History <script>alert('x')</script> of sales" }),
    model("sales_by_month", "mart", "lake", ["model.sales_history"]),
    test,
  ];
  return {
    manifestVersion: MANIFEST_VERSION,
    sluiceVersion: "0.0.0",
    generatedAt: "2026-01-01T00:00:00.000Z",
    project: "shop",
    target: "dev",
    connections: { source: { type: "sqlserver", lake: false }, lake: { type: "hive", lake: true }, mart: { type: "sqlserver", lake: false } },
    nodes: Object.fromEntries(nodes.map((n) => [n.id, n])),
    hooks: { on_run_start: [], on_run_end: [] },
    macros: {},
  };
}

const byId = (data: SiteData, id: string) => data.nodes.find((n) => n.id === id)!;
const ids = (data: SiteData, indices: number[]) => indices.map((i) => data.nodes[i]!.id);

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe("docs site data", () => {
  it("turns dependsOn into upstream lineage across engines", () => {
    const data = buildSiteData(manifest());
    expect(ids(data, byId(data, "model.sales_history").upstream)).toEqual(["source.production.sales"]);
    expect(ids(data, byId(data, "model.sales_by_month").upstream)).toEqual(["model.sales_history"]);
    expect(ids(data, byId(data, "test.unique_sales_history_id").upstream)).toEqual(["model.sales_history"]);
    expect(byId(data, "source.production.sales").upstream).toEqual([]);
    expect(data.nodes[byId(data, "test.unique_sales_history_id").attachedTo]!.id).toBe("model.sales_history");
  });

  it("gives each connection its own colour, in the target's order", () => {
    const data = buildSiteData(manifest());
    expect(data.connections.map((c) => [c.name, c.type, c.colour])).toEqual([
      ["source", "sqlserver", CONNECTION_COLOURS[0]],
      ["lake", "hive", CONNECTION_COLOURS[1]],
      ["mart", "sqlserver", CONNECTION_COLOURS[2]],
    ]);
  });

  it("records where a model lands and where it is computed, with its compiled and incremental SQL", () => {
    const mart = byId(buildSiteData(manifest()), "model.sales_by_month");
    expect([mart.connection, mart.compute, mart.relation]).toEqual(["mart", "lake", "dbo.sales_by_month"]);
    expect(mart.compiledIncrementalSql).toContain("where 1 = 1");
    expect(byId(buildSiteData(manifest()), "model.sales_history").columns[0]).toMatchObject({ name: "id", dataType: "int", tests: ["unique"] });
  });

  it("lays nodes out left to right in lineage order, with and without tests", () => {
    const data = buildSiteData(manifest());
    const [source, history, month, test] = ["source.production.sales", "model.sales_history", "model.sales_by_month", "test.unique_sales_history_id"].map((id) => byId(data, id));
    for (const n of data.nodes) for (const v of [n.x, n.y, n.xt, n.yt]) expect(Number.isFinite(v)).toBe(true);
    expect(source!.x).toBeLessThan(history!.x);
    expect(history!.x).toBeLessThan(month!.x);
    // The test sits right after what it checks, not at the far right with the marts' sinks.
    expect(test!.xt).toBeGreaterThan(history!.xt);
    expect(data.layout.withoutTests.width).toBeGreaterThan(0);
    expect(data.layout.withTests.height).toBeGreaterThan(0);
  });

  it("keeps the last run's status, rows and time per node", () => {
    const run: RunResults = {
      runId: "r1",
      command: "build",
      target: "dev",
      startedAt: "2026-01-01T00:00:00.000Z",
      elapsedMs: 10,
      success: true,
      results: [{ node: "model.sales_history", action: "build_incremental", reason: "new rows upstream", startedAt: "2026-01-01T00:00:00.000Z", elapsedMs: 42, status: "success", rowsAffected: 7 }],
    };
    const data = buildSiteData(manifest(), { runResults: run });
    expect(byId(data, "model.sales_history").result).toMatchObject({ status: "success", rowsAffected: 7, elapsedMs: 42, runId: "r1", reason: "new rows upstream" });
    expect(byId(data, "model.sales_by_month").result).toBeNull();
    expect(data.partitions).toBeNull();
  });

  it("writes no description as markup: <script> stays text in every generated file", () => {
    dir = mkdtempSync(join(tmpdir(), "sluice-docs-"));
    const site = generateDocs(manifest(), dir, { runResults: null });
    const files = ["index.html", "data.js", "details.js", ...readdirSync(join(site.dir, "assets")).map((f) => `assets/${f}`)];
    for (const f of files) expect(readFileSync(join(site.dir, f), "utf8")).not.toMatch(/<script>alert/);
    const window: { SLUICE_DOCS?: SiteData; SLUICE_DOCS_DETAILS?: { description: string }[] } = {};
    runInNewContext(readFileSync(join(site.dir, "data.js"), "utf8"), { window });
    runInNewContext(readFileSync(join(site.dir, "details.js"), "utf8"), { window });
    const index = window.SLUICE_DOCS!.nodes.findIndex((n) => n.id === "model.sales_history");
    expect(window.SLUICE_DOCS_DETAILS![index]!.description).toBe("History <script>alert('x')</script> of sales");
    expect(window.SLUICE_DOCS!.nodes[index]).not.toHaveProperty("compiledSql");
  });

  it("loads nothing from the network", () => {
    dir = mkdtempSync(join(tmpdir(), "sluice-docs-"));
    const site = generateDocs(manifest(), dir, { runResults: null });
    const html = readFileSync(join(site.dir, "index.html"), "utf8");
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    for (const file of ["assets/app.js", "assets/detail.js"]) expect(readFileSync(join(site.dir, file), "utf8")).not.toMatch(/fetch\(|XMLHttpRequest|innerHTML|import\(/);
  });

  it("escapes line and paragraph separators in the data script", () => {
    const script = globalScript("X", { text: "a\u2028b</script>" });
    expect(script).not.toMatch(/\u2028|<\/script>/);
    const window: { X?: { text: string } } = {};
    runInNewContext(script, { window });
    expect(window.X!.text).toBe("a\u2028b</script>");
  });
});

describe("docs server paths", () => {
  it("maps / to index.html and refuses paths that leave the site folder", () => {
    expect(fileFor("/site", "/")).toBe(join("/site", "index.html"));
    expect(fileFor("/site", "/assets/app.js")).toBe(join("/site", "assets/app.js"));
    expect(fileFor("/site", "/../etc/passwd")).not.toBe("/etc/passwd");
    expect(fileFor("/site", "/..%2fetc%2fpasswd")).toBeNull();
  });
});
