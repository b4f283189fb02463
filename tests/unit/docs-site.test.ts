import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { afterEach, describe, expect, it } from "vitest";
import { globalScript, generateDocs } from "../../src/docs/generate.js";
import { CONTENT_SECURITY_POLICY, fileFor, serveDocs } from "../../src/docs/serve.js";
import { buildSiteData, CONNECTION_COLOURS, type SiteData } from "../../src/docs/site-data.js";
import {
  MANIFEST_VERSION,
  type Manifest,
  type ModelNode,
  type SourceNode,
  type TestNode,
} from "../../src/manifest/types.js";
import type { RunResults } from "../../src/runner/run.js";

// A three-engine project: a source on SQL Server, a lake model on Hive computed from it, a mart
// model on SQL Server computed on the lake, and a test on the lake model.
const base = {
  location: { path: "models/x.sql", line: 1 },
  description: "",
  tags: [] as string[],
  checksum: "c",
};

function model(
  name: string,
  connection: string,
  compute: string,
  dependsOn: string[],
  extra: Partial<ModelNode> = {},
): ModelNode {
  return {
    ...base,
    id: `model.${name}`,
    kind: "model",
    name,
    dependsOn,
    location: { path: `models/${connection}/${name}.sql`, line: 1 },
    config: {
      materialized: "incremental",
      connection,
      compute,
      schema: "dbo",
      alias: name,
      tags: [],
      partitionBy: [],
      uniqueKey: ["id"],
      strategy: null,
      fullRefresh: null,
    },
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
    model("sales_history", "lake", "lake", ["source.production.sales"], {
      description: "History <script>alert('x')</script> of sales",
    }),
    model("sales_by_month", "mart", "lake", ["model.sales_history"]),
    test,
  ];
  return {
    manifestVersion: MANIFEST_VERSION,
    sluiceVersion: "0.0.0",
    generatedAt: "2026-01-01T00:00:00.000Z",
    project: "shop",
    target: "dev",
    connections: {
      source: { type: "sqlserver", lake: false },
      lake: { type: "hive", lake: true },
      mart: { type: "sqlserver", lake: false },
    },
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
    expect(byId(buildSiteData(manifest()), "model.sales_history").columns[0]).toMatchObject({
      name: "id",
      dataType: "int",
      tests: ["unique"],
    });
  });

  it("lays nodes out left to right in lineage order inside groups, by folder and by connection", () => {
    const data = buildSiteData(manifest());
    const [source, history, month, test] = [
      "source.production.sales",
      "model.sales_history",
      "model.sales_by_month",
      "test.unique_sales_history_id",
    ].map((id) => byId(data, id));
    for (const n of data.nodes) for (const v of [n.x, n.y, n.cx, n.cy]) expect(Number.isFinite(v)).toBe(true);
    expect(source!.x).toBeLessThan(history!.x);
    expect(history!.x).toBeLessThan(month!.x);
    expect(source!.cx).toBeLessThan(history!.cx);
    expect(history!.cx).toBeLessThan(month!.cx);
    expect([source!.rank, history!.rank, month!.rank]).toEqual([0, 1, 2]);
    // A test is drawn by the model it checks.
    expect([test!.x, test!.y, test!.fg]).toEqual([history!.x, history!.y, history!.fg]);
    expect(data.groups.folder.map((g) => [g.key, g.count])).toEqual([
      ["models", 1],
      ["models/lake", 1],
      ["models/mart", 1],
    ]);
    expect(data.groups.connection.map((g) => [g.key, g.count])).toEqual([
      ["lake", 1],
      ["mart", 1],
      ["source", 1],
    ]);
    // Every node sits inside its group's box, and groups do not overlap.
    for (const grouping of ["folder", "connection"] as const) {
      const groups = data.groups[grouping];
      for (const n of data.nodes) {
        const g = groups[grouping === "folder" ? n.fg : n.cg]!;
        const [x, y] = grouping === "folder" ? [n.x, n.y] : [n.cx, n.cy];
        expect(Math.abs(x - g.x) + 100).toBeLessThanOrEqual(g.width / 2 + 1);
        expect(Math.abs(y - g.y) + 15).toBeLessThanOrEqual(g.height / 2 + 1);
      }
      for (const a of groups)
        for (const b of groups)
          if (a !== b)
            expect(
              Math.abs(a.x - b.x) >= (a.width + b.width) / 2 ||
                Math.abs(a.y - b.y) >= (a.height + b.height) / 2,
            ).toBe(true);
    }
  });

  it("wraps a tall column of unconnected models into a block", () => {
    const m = manifest();
    for (let k = 0; k < 100; k++) {
      const extra = model(`wide_${k}`, "lake", "lake", []);
      extra.location = { path: "models/wide/x.sql", line: 1 };
      m.nodes[extra.id] = extra;
    }
    const data = buildSiteData(m);
    const wide = data.groups.folder.find((g) => g.key === "models/wide")!;
    expect(wide.count).toBe(100);
    const columns = new Set(data.nodes.filter((n) => n.id.startsWith("model.wide_")).map((n) => n.x));
    expect(columns.size).toBeGreaterThan(3);
    expect(wide.height).toBeLessThan(wide.width * 2);
  });

  it("keeps the last run's status, rows and time per node", () => {
    const run: RunResults = {
      runId: "r1",
      command: "build",
      target: "dev",
      startedAt: "2026-01-01T00:00:00.000Z",
      elapsedMs: 10,
      success: true,
      results: [
        {
          node: "model.sales_history",
          action: "build_incremental",
          reason: "new rows upstream",
          startedAt: "2026-01-01T00:00:00.000Z",
          elapsedMs: 42,
          status: "success",
          rowsAffected: 7,
        },
      ],
    };
    const data = buildSiteData(manifest(), { runResults: run });
    expect(byId(data, "model.sales_history").result).toMatchObject({
      status: "success",
      rowsAffected: 7,
      elapsedMs: 42,
      runId: "r1",
      reason: "new rows upstream",
    });
    expect(byId(data, "model.sales_by_month").result).toBeNull();
    expect(data.partitions).toBeNull();
  });

  it("gives a model the health of its worst test, while its own status stays what it was", () => {
    const result = (node: string, status: string, failures?: number) => ({
      node,
      action: "run",
      reason: "",
      startedAt: null,
      elapsedMs: 1,
      status,
      ...(failures === undefined ? {} : { failures }),
    });
    const run = (testStatus: string): RunResults => ({
      runId: "r1",
      command: "build",
      target: "dev",
      startedAt: "2026-01-01T00:00:00.000Z",
      elapsedMs: 10,
      success: false,
      results: [
        result("model.sales_history", "success"),
        result("test.unique_sales_history_id", testStatus, 3),
      ] as RunResults["results"],
    });
    for (const [testStatus, health] of [
      ["pass", "success"],
      ["warn", "warn"],
      ["fail", "fail"],
      ["error", "error"],
    ] as const) {
      const data = buildSiteData(manifest(), { runResults: run(testStatus) });
      expect(byId(data, "model.sales_history").result!.status).toBe("success");
      expect(byId(data, "model.sales_history").health, testStatus).toBe(health);
      expect(byId(data, "test.unique_sales_history_id").result!.failures).toBe(3);
      // The model downstream is not checked by that test and did not run.
      expect(byId(data, "model.sales_by_month").health).toBeNull();
    }
  });

  it("drops the incremental SQL when it is the full SQL, and keeps it when it differs", () => {
    const m = manifest();
    const history = m.nodes["model.sales_history"] as ModelNode;
    history.compiledIncrementalSql = history.compiledSql;
    const data = buildSiteData(m);
    expect(byId(data, "model.sales_history").compiledIncrementalSql).toBeNull();
    expect(byId(data, "model.sales_by_month").compiledIncrementalSql).toContain("where 1 = 1");
  });

  it("marks only lineage models as having partition freshness", () => {
    const m = manifest();
    (m.nodes["model.sales_history"] as ModelNode).lineage = {
      trackedSources: ["source.production.sales"],
      changesSql: "select 1",
    };
    const data = buildSiteData(m);
    expect(data.nodes.filter((n) => n.lineage).map((n) => n.id)).toEqual(["model.sales_history"]);
  });

  it("draws the edges the graph lacked: a lineage model's deletes table, a reconcile test's source", () => {
    const m = manifest();
    const source = m.nodes["source.production.sales"] as SourceNode;
    source.changeTracking = {
      updatedAt: "updated_at",
      lookback: null,
      deletes: {
        relation: { connection: "source", schema: "production", name: "sales_deletes" },
        key: "sale_id",
        deletedAt: "deleted_at",
        partitionColumns: [],
      },
    };
    (m.nodes["model.sales_history"] as ModelNode).lineage = {
      trackedSources: ["source.production.sales"],
      changesSql: "select 1",
    };
    const test = m.nodes["test.unique_sales_history_id"] as TestNode;
    test.testType = "reconcile";
    const data = buildSiteData(m);
    expect(byId(data, "model.sales_history").alsoReads).toEqual([
      {
        relation: "production.sales_deletes",
        why: "deleted keys of source.production.sales (sale_id, deleted_at)",
      },
    ]);
    expect(ids(data, byId(data, "test.unique_sales_history_id").upstream)).toEqual([
      "model.sales_history",
      "source.production.sales",
    ]);
    // Without a reconcile test, no edge is made up.
    expect(ids(data, byId(buildSiteData(manifest()), "test.unique_sales_history_id").upstream)).toEqual([
      "model.sales_history",
    ]);
  });

  it("stamps the site with the time it was generated, apart from the manifest's compile time", () => {
    const data = buildSiteData(manifest(), { now: () => new Date("2026-03-04T05:06:07.000Z") });
    expect(data.generatedAt).toBe("2026-03-04T05:06:07.000Z");
    expect(data.compiledAt).toBe("2026-01-01T00:00:00.000Z");
  });

  it("writes no description as markup: <script> stays text in every generated file", async () => {
    dir = mkdtempSync(join(tmpdir(), "sluice-docs-"));
    const site = await generateDocs(manifest(), dir, { runResults: null });
    const files = [
      "index.html",
      "data.js",
      "details.js",
      ...readdirSync(join(site.dir, "assets")).map((f) => `assets/${f}`),
    ];
    for (const f of files) expect(readFileSync(join(site.dir, f), "utf8")).not.toMatch(/<script>alert/);
    const window: { SLUICE_DOCS?: SiteData; SLUICE_DOCS_DETAILS?: { description: string }[] } = {};
    runInNewContext(readFileSync(join(site.dir, "data.js"), "utf8"), { window });
    runInNewContext(readFileSync(join(site.dir, "details.js"), "utf8"), { window });
    const index = window.SLUICE_DOCS!.nodes.findIndex((n) => n.id === "model.sales_history");
    expect(window.SLUICE_DOCS_DETAILS![index]!.description).toBe(
      "History <script>alert('x')</script> of sales",
    );
    expect(window.SLUICE_DOCS!.nodes[index]).not.toHaveProperty("compiledSql");
  });

  it("loads nothing from the network", async () => {
    dir = mkdtempSync(join(tmpdir(), "sluice-docs-"));
    const site = await generateDocs(manifest(), dir, { runResults: null });
    const html = readFileSync(join(site.dir, "index.html"), "utf8");
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    for (const file of [
      "assets/app.js",
      "assets/detail.js",
      "assets/graph-camera.js",
      "assets/graph-cull.js",
      "assets/graph-hit.js",
      "assets/graph-view.js",
      "assets/search.js",
    ])
      expect(readFileSync(join(site.dir, file), "utf8")).not.toMatch(
        /fetch\(|XMLHttpRequest|innerHTML|import\(/,
      );
  });

  it("escapes line and paragraph separators in the data script", () => {
    const script = globalScript("X", { text: "a\u2028b</script>" });
    expect(script).not.toMatch(/\u2028|<\/script>/);
    const window: { X?: { text: string } } = {};
    runInNewContext(script, { window });
    expect(window.X!.text).toBe("a\u2028b</script>");
  });
});

describe("docs server", () => {
  it("sends a Content-Security-Policy that allows only the site's own scripts and styles", async () => {
    dir = mkdtempSync(join(tmpdir(), "sluice-docs-"));
    const site = await generateDocs(manifest(), dir, { runResults: null });
    const { server, url } = await serveDocs({ dir: site.dir, host: "127.0.0.1", port: 0 });
    try {
      for (const path of ["", "assets/app.js", "data.js"]) {
        const res = await fetch(url + path);
        expect(res.status).toBe(200);
        expect(res.headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
        expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      }
      expect(CONTENT_SECURITY_POLICY).toMatch(/default-src 'none'.*script-src 'self'/);
      expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    } finally {
      server.close();
    }
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
