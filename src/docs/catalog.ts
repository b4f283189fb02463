// The catalog (dbt's catalog.json): each documented relation's columns and types as its engine has
// them after a build, or, where the engine could not be read, the columns declared in YAML and
// found in the compiled SQL, saying which and why. Also merges either with the declared columns
// for the Columns table, marking declared columns the engine lacks and engine columns nobody declared.
import type { Manifest, ManifestNode } from "../manifest/types.js";

export const CATALOG_VERSION = 1;

/**
 * What the engines answered (the shape `readEngineCatalog` in runner/catalog.ts returns; restated
 * here because the docs read the manifest and never the runner).
 */
export interface EngineColumns {
  readAt: string;
  relations: Record<string, { name: string; type: string }[]>;
  rows: Record<string, number>;
  read: string[];
  unread: { connection: string; why: string }[];
  errors: { node: string; message: string }[];
}

export interface CatalogColumn {
  name: string;
  /** The engine's type, or the declared one offline; null when nobody says. */
  type: string | null;
  /** Where the column is known from: the engine, a YAML declaration, or the compiled SQL only. */
  from: "engine" | "declared" | "sql";
}

export interface CatalogNode {
  connection: string;
  /** `database.schema.name` on the connection. */
  relation: string;
  /** `engine`: read from the connection. `declared`: from YAML and the SQL, because of `why`. */
  from: "engine" | "declared";
  why: string | null;
  columns: CatalogColumn[];
  /** Rows by count(*) when the engine was read; null for a view (not counted) or when not read. */
  rows: number | null;
}

export interface Catalog {
  metadata: {
    catalogVersion: number;
    project: string;
    target: string;
    sluiceVersion: string;
    generatedAt: string;
    /** When the engines were read; null when none was. */
    readAt: string | null;
  };
  /** Models (not ephemeral), seeds and sources, by node id. */
  nodes: Record<string, CatalogNode>;
  read: string[];
  unread: { connection: string; why: string }[];
  errors: { node: string; message: string }[];
}

/** A node with a relation on an engine: every model but ephemeral ones, seeds and sources. */
export function hasRelation(n: ManifestNode): n is Exclude<ManifestNode, { kind: "test" }> {
  return (
    n.kind === "source" || n.kind === "seed" || (n.kind === "model" && n.config.materialized !== "ephemeral")
  );
}

/** The relations the catalog describes, in node id order. */
export function relationsToDescribe(manifest: Manifest): {
  node: string;
  connection: string;
  relation: { database?: string; schema: string; name: string };
  countRows: boolean;
}[] {
  return Object.values(manifest.nodes)
    .filter(hasRelation)
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((n) => {
      const { connection, ...relation } = n.relation;
      return {
        node: n.id,
        connection,
        relation,
        countRows: !(n.kind === "model" && n.config.materialized === "view"),
      };
    });
}

/**
 * The catalog of `manifest`: from `engine` where it read the node's connection, else from the
 * declared columns and `sqlColumns` (node id → the columns its compiled SQL yields), with why:
 * `offline` when no engine was asked at all.
 */
export function buildCatalog(
  manifest: Manifest,
  engine: EngineColumns | null,
  sqlColumns: (id: string) => string[],
  generatedAt: string,
  offline = "generated offline (--offline): no connection was opened",
): Catalog {
  const unread = new Map((engine?.unread ?? []).map((u) => [u.connection, u.why]));
  const read = new Set(engine?.read ?? []);
  const nodes: Record<string, CatalogNode> = {};
  for (const n of Object.values(manifest.nodes).sort((a, b) => (a.id < b.id ? -1 : 1))) {
    if (!hasRelation(n)) continue;
    const { connection } = n.relation;
    const relation = [n.relation.database, n.relation.schema, n.relation.name].filter(Boolean).join(".");
    const found = engine?.relations[n.id];
    if (found) {
      nodes[n.id] = {
        connection,
        relation,
        from: "engine",
        why: null,
        columns: found.map((c) => ({ name: c.name, type: c.type, from: "engine" })),
        rows: engine?.rows?.[n.id] ?? null,
      };
      continue;
    }
    const error = engine?.errors.find((e) => e.node === n.id);
    const why = !engine
      ? offline
      : error
        ? `${connection} could not describe it: ${error.message}`
        : read.has(connection)
          ? `not on ${connection}: not built yet`
          : (unread.get(connection) ?? `${connection} was not read`);
    const types: Record<string, string> = n.kind === "seed" ? n.columnTypes : {};
    const declared: CatalogColumn[] = n.columns.map((c) => ({
      name: c.name,
      type: c.dataType ?? types[c.name] ?? null,
      from: "declared",
    }));
    const known = new Set(declared.map((c) => c.name.toLowerCase()));
    const fromSql: CatalogColumn[] = sqlColumns(n.id)
      .filter((c) => !known.has(c.toLowerCase()))
      .map((name) => ({ name, type: null, from: "sql" }));
    nodes[n.id] = {
      connection,
      relation,
      from: "declared",
      why,
      columns: [...declared, ...fromSql],
      rows: null,
    };
  }
  return {
    metadata: {
      catalogVersion: CATALOG_VERSION,
      project: manifest.project,
      target: manifest.target,
      sluiceVersion: manifest.sluiceVersion,
      generatedAt,
      readAt: engine && engine.read.length > 0 ? engine.readAt : null,
    },
    nodes,
    read: engine?.read ?? [],
    unread: engine?.unread ?? [],
    errors: engine?.errors ?? [],
  };
}

/** A row of the Columns table: a catalog column merged with its declaration. */
export interface MergedColumn {
  name: string;
  /** The type shown: the engine's, or the declared one offline. */
  dataType: string | null;
  /** The type declared in YAML, when it is not the one shown. */
  declaredType: string | null;
  /**
   * `present`: declared and on the engine. `missing`: declared, but the engine's relation lacks it.
   * `undeclared`: on the engine, declared nowhere. Offline: `declared`, or `sql` (in the compiled
   * SQL's output but not declared).
   */
  state: "present" | "missing" | "undeclared" | "declared" | "sql";
  description: string;
  tags: string[];
  tests: string[];
}

/** The Columns table of one node: the engine's columns in order, then declared ones it lacks. */
export function mergeColumns(
  entry: CatalogNode,
  declared: { name: string; dataType: string | null; description: string; tags: string[]; tests: string[] }[],
): MergedColumn[] {
  const byName = new Map(declared.map((d) => [d.name.toLowerCase(), d]));
  const seen = new Set<string>();
  const out: MergedColumn[] = entry.columns.map((c) => {
    const key = c.name.toLowerCase();
    seen.add(key);
    const d = byName.get(key);
    const state =
      entry.from === "engine" ? (d ? "present" : "undeclared") : c.from === "sql" ? "sql" : "declared";
    return {
      name: d && entry.from !== "engine" ? d.name : c.name,
      dataType: c.type,
      declaredType: d?.dataType && d.dataType.toLowerCase() !== c.type?.toLowerCase() ? d.dataType : null,
      state,
      description: d?.description ?? "",
      tags: d?.tags ?? [],
      tests: d?.tests ?? [],
    };
  });
  for (const d of declared) {
    if (seen.has(d.name.toLowerCase())) continue;
    out.push({ ...d, declaredType: null, state: entry.from === "engine" ? "missing" : "declared" });
  }
  return out;
}
