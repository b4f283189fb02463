import { describe, expect, it } from "vitest";
import { buildCatalog, type CatalogNode, type EngineColumns, mergeColumns } from "../../src/docs/catalog.js";
import { MANIFEST_VERSION, type Manifest, type ModelNode } from "../../src/manifest/types.js";

// The catalog's decisions, as tables: which columns a node shows, from where, and why.
const declared = (name: string, dataType: string | null = null) => ({
  name,
  dataType,
  description: `about ${name}`,
  tags: [],
  tests: [],
});
const engineEntry = (columns: [string, string][]): CatalogNode => ({
  connection: "mart",
  relation: "mart.main.m",
  from: "engine",
  why: null,
  columns: columns.map(([name, type]) => ({ name, type, from: "engine" })),
  rows: null,
});

describe("Columns table from the catalog", () => {
  it.each([
    {
      case: "engine and YAML agree (names compared without case)",
      engine: [["ID", "BIGINT"]] as [string, string][],
      yaml: [declared("id", "bigint")],
      rows: [["ID", "BIGINT", null, "present"]],
    },
    {
      case: "a declared type the engine contradicts is kept beside the engine's",
      engine: [["id", "INTEGER"]] as [string, string][],
      yaml: [declared("id", "varchar")],
      rows: [["id", "INTEGER", "varchar", "present"]],
    },
    {
      case: "engine columns in engine order, then declared columns the engine lacks",
      engine: [
        ["b", "VARCHAR"],
        ["a", "DATE"],
      ] as [string, string][],
      yaml: [declared("gone"), declared("a")],
      rows: [
        ["b", "VARCHAR", null, "undeclared"],
        ["a", "DATE", null, "present"],
        ["gone", null, null, "missing"],
      ],
    },
  ])("$case", ({ engine, yaml, rows }) => {
    const merged = mergeColumns(engineEntry(engine), yaml);
    expect(merged.map((c) => [c.name, c.dataType, c.declaredType, c.state])).toEqual(rows);
  });

  it("offline, lists declared columns with their types, then the SQL's, and marks neither missing", () => {
    const entry: CatalogNode = {
      connection: "mart",
      relation: "mart.main.m",
      from: "declared",
      why: "generated offline",
      columns: [
        { name: "a", type: "date", from: "declared" },
        { name: "x", type: null, from: "sql" },
      ],
      rows: null,
    };
    const merged = mergeColumns(entry, [declared("a", "date")]);
    expect(merged.map((c) => [c.name, c.dataType, c.state, c.description])).toEqual([
      ["a", "date", "declared", "about a"],
      ["x", null, "sql", ""],
    ]);
  });
});

function manifest(models: { name: string; connection: string; ephemeral?: boolean }[]): Manifest {
  const nodes: Record<string, ModelNode> = {};
  for (const m of models)
    nodes[`model.${m.name}`] = {
      id: `model.${m.name}`,
      kind: "model",
      name: m.name,
      location: { path: `models/${m.name}.sql`, line: 1 },
      description: "",
      tags: [],
      dependsOn: [],
      checksum: "0",
      relation: { connection: m.connection, schema: "main", name: m.name },
      columns: [{ name: "declared_col", dataType: "int", tags: [] }],
      config: { materialized: m.ephemeral ? "ephemeral" : "table", connection: m.connection },
    } as unknown as ModelNode;
  return {
    manifestVersion: MANIFEST_VERSION,
    project: "p",
    target: "dev",
    sluiceVersion: "0",
    generatedAt: "2026-01-01T00:00:00.000Z",
    connections: {},
    nodes,
  } as unknown as Manifest;
}

describe("catalog sources", () => {
  const m = manifest([
    { name: "built", connection: "mart" },
    { name: "unbuilt", connection: "mart" },
    { name: "refused", connection: "mart" },
    { name: "elsewhere", connection: "lake" },
    { name: "inline", connection: "mart", ephemeral: true },
  ]);
  const engine: EngineColumns = {
    readAt: "2026-01-02T00:00:00.000Z",
    relations: { "model.built": [{ name: "id", type: "BIGINT" }] },
    rows: { "model.built": 42 },
    read: ["mart"],
    unread: [{ connection: "lake", why: "could not connect: refused" }],
    errors: [{ node: "model.refused", message: "permission denied" }],
  };

  it("says for each relation where its columns come from, and why not the engine", () => {
    const c = buildCatalog(m, engine, (id) => (id === "model.unbuilt" ? ["from_sql"] : []), "2026-01-03");
    expect(Object.keys(c.nodes)).toEqual([
      "model.built",
      "model.elsewhere",
      "model.refused",
      "model.unbuilt",
    ]);
    expect(Object.fromEntries(Object.entries(c.nodes).map(([id, n]) => [id, [n.from, n.why]]))).toEqual({
      "model.built": ["engine", null],
      "model.elsewhere": ["declared", "could not connect: refused"],
      "model.refused": ["declared", "mart could not describe it: permission denied"],
      "model.unbuilt": ["declared", "not on mart: not built yet"],
    });
    // The engine's count where it gave one; none where the columns are the declared ones.
    expect(Object.fromEntries(Object.entries(c.nodes).map(([id, n]) => [id, n.rows]))).toEqual({
      "model.built": 42,
      "model.elsewhere": null,
      "model.refused": null,
      "model.unbuilt": null,
    });
    expect(c.nodes["model.unbuilt"]!.columns).toEqual([
      { name: "declared_col", type: "int", from: "declared" },
      { name: "from_sql", type: null, from: "sql" },
    ]);
    expect(c.metadata.readAt).toBe("2026-01-02T00:00:00.000Z");
  });

  it("offline, reads nothing and says so for every relation", () => {
    const c = buildCatalog(m, null, () => [], "2026-01-03");
    expect(c.metadata.readAt).toBeNull();
    expect(new Set(Object.values(c.nodes).map((n) => n.why))).toEqual(
      new Set(["generated offline (--offline): no connection was opened"]),
    );
  });
});
