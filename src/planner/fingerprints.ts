// Sources a lineage model reads without change tracking (the dimensions it joins: clients,
// products) can change in any row without a stamp to find it by. Each plan reads a fingerprint of
// every such source — its row count and the sum of its rows' hashes — and a model whose
// fingerprints moved since its last load is rebuilt whole, so no partition keeps a stale join.
import type { Session } from "../adapters/contract.js";
import { dialectFor, type EngineType } from "../adapters/dialects.js";
import type { Manifest, ModelNode, RelationRef, SourceNode } from "../manifest/types.js";

/**
 * The sources without change tracking that `model` reads, directly or through the views and
 * ephemeral models it refs (their data is the source's data). The deletes tables of the tracked
 * sources it reads are left out: their rows are changes already accounted for.
 */
export function untrackedSources(model: ModelNode, manifest: Manifest): SourceNode[] {
  const found = new Map<string, SourceNode>();
  const deletes: RelationRef[] = [];
  const seen = new Set<string>();
  const visit = (id: string): void => {
    if (seen.has(id)) return;
    seen.add(id);
    const node = manifest.nodes[id];
    if (node?.kind === "source") {
      if (node.changeTracking) {
        if (node.changeTracking.deletes) deletes.push(node.changeTracking.deletes.relation);
      } else found.set(id, node);
    } else if (
      node?.kind === "model" &&
      (node.config.materialized === "view" || node.config.materialized === "ephemeral")
    ) {
      node.dependsOn.forEach(visit);
    }
  };
  model.dependsOn.forEach(visit);
  return [...found.values()].filter((s) => !deletes.some((d) => sameRelation(d, s.relation)));
}

/**
 * One text that changes whenever a row of `source` is inserted, updated or deleted (barring hash collisions).
 */
export async function fingerprint(session: Session, engine: EngineType, source: SourceNode): Promise<string> {
  const d = dialectFor(engine);
  // MySQL has no row-to-text: its dialect hashes a list of the columns, read first (one query more).
  const columns = d.fingerprintColumnsSql
    ? (await session.query(d.fingerprintColumnsSql(source.relation))).rows.map((r) => String(r[0]))
    : undefined;
  const { rows } = await session.query(d.fingerprintSql(d.relation(source.relation), columns));
  return String(rows[0]?.[0] ?? "");
}

/** `<rows>:<sum of row hashes>`, in the engine's dialect: order-independent and multiset-safe. */
export function fingerprintSql(engine: EngineType, relation: string): string {
  return dialectFor(engine).fingerprintSql(relation);
}

function sameRelation(a: RelationRef, b: RelationRef): boolean {
  return (
    a.connection === b.connection &&
    (a.database ?? "") === (b.database ?? "") &&
    a.schema === b.schema &&
    a.name === b.name
  );
}
