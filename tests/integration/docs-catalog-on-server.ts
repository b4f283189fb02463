// `sluice docs generate` on a project whose one connection is a real server (PostgreSQL or
// MariaDB): the catalog reads each relation's columns and types from the server and counts the
// rows of the seed and the table, and of no view; the counts are checked on the server directly.
// Written once; tests/integration/<engine>/docs-catalog.test.ts run it per engine.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import type { Adapter } from "../../src/adapters/contract.js";
import { sluice } from "../helpers/cli.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";
import { uniqueName } from "./servers.js";

export interface CatalogServer {
  /** The profile's connection (a YAML flow map) placing relations in `schema`. */
  connectionYaml(schema: string): string;
  env: Record<string, string>;
  /** An adapter on the server, for the test's own counts and the clean-up. */
  adapter(): Adapter;
  /** Creates `schema` (a MySQL database): a MySQL connection cannot open one that is not there. */
  createSchemaSql(schema: string): string;
  dropSchemaSql(schema: string): string;
}

type Catalog = {
  read: string[];
  errors: unknown[];
  nodes: Record<string, { from: string; columns: { name: string; type: string }[]; rows: number | null }>;
};

export function docsCatalogSuite(server: CatalogServer): void {
  const schema = uniqueName("sluice_docs");
  let project: TempProject | undefined;
  const onServer = async (sql: string) => {
    const adapter = server.adapter();
    const session = await adapter.open();
    try {
      await session.execute(sql);
    } finally {
      await session.close();
      await adapter.close();
    }
  };
  afterAll(async () => {
    project?.remove();
    await onServer(server.dropSchemaSql(schema));
  });

  it("reads columns and types from the server and counts the rows of the seed and the table, not the view", async () => {
    await onServer(server.createSchemaSql(schema));
    project = tempProject({
      "profiles.yml": `targets:\n  dev:\n    connections:\n      warehouse: ${server.connectionYaml(schema)}\n`,
      "seeds/people.csv": "id,name,age\n1,ana,34\n2,rui,12\n3,eva,51\n",
      "models/adults.sql":
        "{{ config(materialized='table') }}select id, name from {{ ref('people') }} where age >= 18\n",
      "models/adult_names.sql": "{{ config(materialized='view') }}select name from {{ ref('adults') }}\n",
    });
    const build = sluice(["build", "--project-dir", project.dir], { env: server.env });
    expect(build.code, build.stdout + build.stderr).toBe(0);
    const generate = sluice(["docs", "generate", "--project-dir", project.dir], { env: server.env });
    expect(generate.code, generate.stdout + generate.stderr).toBe(0);
    const catalog = JSON.parse(readFileSync(join(project.dir, "target/catalog.json"), "utf8")) as Catalog;
    expect(catalog.read).toEqual(["warehouse"]);
    expect(catalog.errors).toEqual([]);
    const adults = catalog.nodes["model.adults"]!;
    expect(adults.from).toBe("engine");
    expect(adults.columns.map((c) => c.name.toLowerCase())).toEqual(["id", "name"]);
    for (const c of adults.columns) expect(c.type.length, c.name).toBeGreaterThan(0);
    expect(catalog.nodes["model.adult_names"]!.columns.map((c) => c.name.toLowerCase())).toEqual(["name"]);
    expect(catalog.nodes["model.adult_names"]!.rows).toBeNull();

    // The counts as the server gives them, asked here directly.
    const adapter = server.adapter();
    const session = await adapter.open();
    const count = async (name: string) =>
      Number(
        (await session.query(`SELECT COUNT(*) FROM ${adapter.dialect.relation({ schema, name })}`))
          .rows[0]![0],
      );
    try {
      expect(await count("people")).toBe(3);
      expect(catalog.nodes["seed.people"]!.rows).toBe(3);
      expect(await count("adults")).toBe(2);
      expect(adults.rows).toBe(2);
    } finally {
      await session.close();
      await adapter.close();
    }
  }, 120_000);
}
