// Untracked sources of a lineage model and the fingerprint SQL read from them each plan.
import { describe, expect, it } from "vitest";
import type { Manifest, ModelNode, SourceNode } from "../../src/manifest/types.js";
import { fingerprintSql, untrackedSources } from "../../src/planner/fingerprints.js";
import { goldenFiles } from "../helpers/golden.js";

const relation = (name: string) => ({ connection: "src", schema: "app", name });
const source = (name: string, tracked: { deletes?: string } | null = null): SourceNode =>
  ({
    id: `source.app.${name}`,
    kind: "source",
    name: `app.${name}`,
    relation: relation(name),
    dependsOn: [],
    changeTracking: tracked ? { updatedAt: "updated_at", lookback: null, deletes: tracked.deletes ? { relation: relation(tracked.deletes), key: "id", deletedAt: "at", partitionColumns: [] } : null } : null,
  }) as unknown as SourceNode;
const model = (name: string, materialized: string, dependsOn: string[]): ModelNode =>
  ({ id: `model.${name}`, kind: "model", name, dependsOn, config: { materialized } }) as unknown as ModelNode;

describe("untracked sources of a lineage model", () => {
  const nodes = [
    source("sales", { deletes: "removed" }),
    source("removed"),
    source("products"),
    source("clients"),
    source("regions"),
    model("clients_v", "view", ["source.app.clients"]),
    model("regions_t", "table", ["source.app.regions"]),
    model("dims", "ephemeral", ["model.clients_v", "source.app.products"]),
    model("hist", "incremental", ["source.app.sales", "source.app.removed", "model.dims", "model.regions_t"]),
  ];
  const manifest = { nodes: Object.fromEntries(nodes.map((n) => [n.id, n])) } as unknown as Manifest;

  it("are the sources it reads without change tracking, through views and ephemeral models, not through tables, without deletes tables", () => {
    const found = untrackedSources(manifest.nodes["model.hist"] as ModelNode, manifest).map((s) => s.id);
    expect(found.sort()).toEqual(["source.app.clients", "source.app.products"]);
  });
});

describe("fingerprint SQL", () => {
  it.each([
    ["duckdb", '"src"."app"."products"'],
    ["sqlserver", "[app].[products]"],
    ["hive", "`app`.`products`"],
  ] as const)("on %s", (engine, rel) => goldenFiles(engine)("fingerprint", fingerprintSql(engine, rel)));
});
