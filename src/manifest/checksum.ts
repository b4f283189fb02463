// Short content hashes: node versions, cache keys and state comparison all use this one function,
// and a model's version is a hash of what runs, not of the template it came from.
import { createHash } from "node:crypto";
import type { ManifestNode, ModelNode } from "./types.js";

export function hash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

/**
 * A model's version: its rendered SQL in every variant (so var() and env_var() values count as
 * they were rendered), its resolved config, the macros it reaches, and where and how each input is
 * read — a source's resolved relation and change tracking, a model's or seed's relation. A change
 * to any of them gives the model a new version, so it is rebuilt in full rather than mixing old
 * and new logic across partitions. Descriptions and tags of the inputs do not count.
 */
export function modelVersion(
  model: ModelNode,
  inputs: (ManifestNode | undefined)[],
  macros: (string | null)[],
  declaredConfig: unknown,
): string {
  const read = inputs.map((n) => {
    if (!n || n.kind === "test") return null;
    if (n.kind === "source") return { id: n.id, relation: n.relation, changeTracking: n.changeTracking };
    return { id: n.id, relation: n.relation };
  });
  const sql = [model.compiledSql, model.compiledIncrementalSql, model.lineage?.changesSql ?? null];
  // An enforced contract is what the table is created with (types, constraints), so it counts too.
  const contract = model.contract ? { contract: model.contract } : {};
  return hash(JSON.stringify({ sql, config: model.config, macros, declaredConfig, read, ...contract }));
}
