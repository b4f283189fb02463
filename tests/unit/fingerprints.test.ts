// Untracked sources of a lineage model and the fingerprint SQL read from them each plan.
import { describe, expect, it } from "vitest";
import { DuckDbEngine } from "../../src/adapters/duckdb/index.js";
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
    changeTracking: tracked
      ? {
          updatedAt: "updated_at",
          lookback: null,
          deletes: tracked.deletes
            ? { relation: relation(tracked.deletes), key: "id", deletedAt: "at", partitionColumns: [] }
            : null,
        }
      : null,
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

describe("fingerprints on DuckDB", () => {
  it.each([
    ["a change to both of two equal rows", "(1, 'tee'), (1, 'tee')", "(1, 'cap'), (1, 'cap')"],
    ["a row swapped for a second copy of another", "(1, 'tee'), (2, 'cap')", "(1, 'tee'), (1, 'tee')"],
    ["two rows swapping one value", "(1, 'tee'), (2, 'cap')", "(1, 'cap'), (2, 'tee')"],
  ])("see %s", async (_, before, after) => {
    const engine = new DuckDbEngine();
    const session = await engine.open();
    try {
      const printOf = async (rows: string) => {
        await session.execute(
          `create or replace table products as select * from (values ${rows}) t(product_id, name)`,
        );
        return String((await session.query(fingerprintSql("duckdb", "products"))).rows[0]?.[0]);
      };
      const [a, b] = [await printOf(before), await printOf(after)];
      expect(a).toMatch(/^2:\d+$/);
      expect(b).not.toBe(a);
      expect(await printOf(before)).toBe(a);
    } finally {
      await session.close();
      await engine.close();
    }
  });
});
