// Sources a lineage model reads without change tracking (the dimensions it joins: clients,
// products) can change in any row without a stamp to find it by. Each plan reads a fingerprint of
// every such source — its row count and an order-independent hash of its rows — and a model whose
// fingerprints moved since its last load is rebuilt whole, so no partition keeps a stale join.
import type { Session } from "../adapters/contract.js";
import { mysqlFingerprint } from "../adapters/mysql/mysql-fingerprint.js";
import { postgresFingerprintSql } from "../adapters/postgres/postgres-fingerprint.js";
import { renderRelation } from "../compiler/relations.js";
import type { Manifest, ModelNode, RelationRef, SourceNode } from "../manifest/types.js";

type EngineType = "duckdb" | "sqlserver" | "hive" | "postgres" | "mysql";

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
    } else if (node?.kind === "model" && (node.config.materialized === "view" || node.config.materialized === "ephemeral")) {
      node.dependsOn.forEach(visit);
    }
  };
  model.dependsOn.forEach(visit);
  return [...found.values()].filter((s) => !deletes.some((d) => sameRelation(d, s.relation)));
}

/** One text that changes whenever a row of `source` is inserted, updated or deleted (barring hash collisions). */
export async function fingerprint(session: Session, engine: EngineType, source: SourceNode): Promise<string> {
  // MySQL has no row-to-text, so its fingerprint lists the columns first (one query more).
  if (engine === "mysql") return mysqlFingerprint(session, source.relation);
  const { rows } = await session.query(fingerprintSql(engine, renderRelation(engine, source.relation)));
  return String(rows[0]?.[0] ?? "");
}

/** `<rows>:<hash>`, the hash combining every row's hash so row order does not matter. */
export function fingerprintSql(engine: EngineType, relation: string): string {
  switch (engine) {
    case "duckdb":
      return `select cast(count(*) as varchar) || ':' || coalesce(cast(bit_xor(hash(sluice_row)) as varchar), '0') from ${relation} sluice_row`;
    case "sqlserver":
      // BINARY_CHECKSUM skips text, ntext, image and xml columns: a change only there goes unseen.
      return `select cast(count_big(*) as varchar(20)) + ':' + cast(coalesce(checksum_agg(binary_checksum(*)), 0) as varchar(20)) from ${relation}`;
    case "hive":
      return `select concat(cast(count(*) as string), ':', cast(coalesce(sum(cast(hash(*) as decimal(38,0))), 0) as string)) from ${relation}`;
    case "postgres":
      return postgresFingerprintSql(relation);
    case "mysql":
      throw new Error("a MySQL fingerprint needs the source's columns: use fingerprint()");
  }
}

function sameRelation(a: RelationRef, b: RelationRef): boolean {
  return a.connection === b.connection && (a.database ?? "") === (b.database ?? "") && a.schema === b.schema && a.name === b.name;
}
