import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RunLock } from "../../src/ledger/run-lock.js";
import { sluice } from "../helpers/cli.js";
import { queryDuckDb } from "../helpers/duckdb.js";
import { exampleProject, type TempProject } from "../helpers/temp-project.js";

// `sluice docs generate` on the example project (embedded source, Parquet lake and mart, all real
// DuckDB): before a build the catalog says nothing is built and creates no database; after it,
// each relation's columns and types are the engine's, checked against DuckDB read here directly.
let project: TempProject;
const PROBE_SQL = "select 1 as kept, 'x' as extra\n";
const PROBE_YAML = `models:
  - name: catalog_probe
    description: Declares one column it has and one it does not.
    columns:
      - name: kept
        data_type: varchar
      - name: dropped
        description: Removed from the SQL, still in the YAML.
`;

type Catalog = {
  metadata: { readAt: string | null };
  nodes: Record<
    string,
    {
      connection: string;
      relation: string;
      from: string;
      why: string | null;
      columns: { name: string; type: string | null; from: string }[];
      rows: number | null;
    }
  >;
  read: string[];
  unread: { connection: string; why: string }[];
};
const catalog = () => JSON.parse(readFileSync(join(project.dir, "target/catalog.json"), "utf8")) as Catalog;
const files = () => ({
  source: join(project.dir, ".sluice/dev/source.duckdb"),
  lake: join(project.dir, ".sluice/dev/lake.duckdb"),
  mart: join(project.dir, ".sluice/dev/mart.duckdb"),
});

/** The Columns rows of node `id` as the site's details.js carries them. */
function siteColumns(id: string): { name: string; dataType: string | null; state: string }[] {
  return siteDetails(id).columns;
}

/** Node `id` as the site carries it: its details and where its columns came from. */
function siteDetails(id: string): {
  columns: { name: string; dataType: string | null; state: string }[];
  catalog: { rows: number | null } | null;
} {
  const docs = join(project.dir, "target/docs");
  const window: Record<string, unknown> = {};
  runInNewContext(readFileSync(join(docs, "data.js"), "utf8"), { window });
  runInNewContext(readFileSync(join(docs, "details.js"), "utf8"), { window });
  const nodes = (window.SLUICE_DOCS as { nodes: { id: string }[] }).nodes;
  const at = nodes.findIndex((n) => n.id === id);
  const details = window.SLUICE_DOCS_DETAILS as unknown[];
  return details[at] as ReturnType<typeof siteDetails>;
}

beforeAll(() => {
  project = exampleProject();
  project.write("models/marts/catalog_probe.sql", PROBE_SQL);
  project.write("models/marts/catalog_probe.yml", PROBE_YAML);
  // A view: counting it would run its query, so the catalog counts none.
  project.write(
    "models/marts/catalog_view.sql",
    "{{ config(materialized='view', compute='mart') }}select * from {{ ref('sales_by_country_month') }}\n",
  );
});
afterAll(() => project.remove());

describe("docs catalog", () => {
  it("before any build, documents the declared columns, says nothing is built, and creates no database", () => {
    const run = sluice(["docs", "generate", "--project-dir", project.dir]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /Catalog: mart not read \(not built yet: \.sluice\/dev\/mart\.duckdb does not exist\)/,
    );
    for (const f of Object.values(files())) expect(existsSync(f)).toBe(false);
    const c = catalog();
    expect(c.read).toEqual([]);
    expect(c.metadata.readAt).toBeNull();
    const probe = c.nodes["model.catalog_probe"]!;
    expect(probe.from).toBe("declared");
    expect(probe.why).toMatch(/not built yet/);
    // Declared columns first (with the declared type), then what the compiled SQL yields besides.
    expect(probe.columns).toEqual([
      { name: "kept", type: "varchar", from: "declared" },
      { name: "dropped", type: null, from: "declared" },
      { name: "extra", type: null, from: "sql" },
    ]);
  });

  it("after a build, shows every relation's columns and types as DuckDB has them", async () => {
    const build = sluice(["build", "--project-dir", project.dir, "--vars", "{coolwear_sales: 300}"]);
    expect(build.code).toBe(0);
    const run = sluice(["docs", "generate", "--project-dir", project.dir]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const c = catalog();
    expect(c.read.sort()).toEqual(["lake", "mart", "source"]);
    expect(c.unread).toEqual([]);
    const entries = Object.entries(c.nodes);
    expect(entries.length).toBeGreaterThan(5);
    for (const [id, entry] of entries) {
      expect(entry.from, id).toBe("engine");
      const [database, schema, name] = entry.relation.split(".");
      const expected = await queryDuckDb(
        { [database!]: files()[entry.connection as keyof ReturnType<typeof files>] },
        `select column_name as name, data_type as type from information_schema.columns
         where table_catalog = '${database}' and table_schema = '${schema}' and table_name = '${name}'
         order by ordinal_position`,
      );
      expect(expected.length, id).toBeGreaterThan(0);
      expect(
        entry.columns.map((col) => ({ name: col.name, type: col.type })),
        id,
      ).toEqual(expected);
    }
  });

  it("counts the rows of every relation that holds data as DuckDB counts them, and of no view", async () => {
    const manifest = JSON.parse(readFileSync(join(project.dir, "target/manifest.json"), "utf8")) as {
      nodes: Record<string, { kind: string; config?: { materialized: string } }>;
    };
    let counted = 0;
    let views = 0;
    for (const [id, entry] of Object.entries(catalog().nodes)) {
      const node = manifest.nodes[id]!;
      if (node.kind === "model" && node.config!.materialized === "view") {
        views++;
        expect(entry.rows, id).toBeNull();
        continue;
      }
      const [database, schema, name] = entry.relation.split(".");
      const [expected] = await queryDuckDb(
        { [database!]: files()[entry.connection as keyof ReturnType<typeof files>] },
        `select count(*)::integer as n from "${database}"."${schema}"."${name}"`,
      );
      expect(entry.rows, id).toBe((expected as { n: number }).n);
      // What the site shows is the catalog's count.
      expect(siteDetails(id).catalog?.rows, id).toBe(entry.rows);
      counted++;
    }
    expect(counted).toBeGreaterThan(5);
    expect(views).toBeGreaterThan(0);
    // The example's 300 generated sales reach the lake's sales history.
    expect(catalog().nodes["model.sales_history"]?.rows).toBeGreaterThan(0);
  });

  it("marks declared columns the engine lacks and engine columns nobody declared", () => {
    const columns = siteColumns("model.catalog_probe");
    expect(columns.map((col) => [col.name, col.dataType, col.state])).toEqual([
      ["kept", "INTEGER", "present"],
      ["extra", "VARCHAR", "undeclared"],
      ["dropped", null, "missing"],
    ]);
    expect((columns[0] as { declaredType?: string }).declaredType).toBe("varchar");
  });

  it("opens no connection while a build holds the run lock, and says so", async () => {
    const lock = await RunLock.acquire(join(project.dir, ".sluice/dev/run.lock"), {
      runId: "held-by-test",
      command: "build",
      waitMs: 0,
    });
    try {
      const run = sluice(["docs", "generate", "--project-dir", project.dir]);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(
        /Catalog: mart not read \(a build holds the run lock \(build run held-by-test/,
      );
      const probe = catalog().nodes["model.catalog_probe"]!;
      expect(probe.from).toBe("declared");
      expect(probe.why).toMatch(/a build holds the run lock/);
    } finally {
      lock.release();
    }
  });

  it("with --offline, reads no engine and says the columns are the declared ones", () => {
    const run = sluice(["docs", "generate", "--offline", "--project-dir", project.dir]);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(/Catalog:/);
    const c = catalog();
    expect(c.read).toEqual([]);
    for (const entry of Object.values(c.nodes)) {
      expect(entry.from).toBe("declared");
      expect(entry.why).toMatch(/offline/);
    }
  });
});
