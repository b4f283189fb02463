// What a plan reads from the engines, each read once per plan: every lineage model over a source
// asks for the same clock, stamp counts and fingerprint, and a model's own table is looked up more
// than once. A plan writes nothing, so a read holds for the whole plan; one answer per source also
// means every model of the plan is decided from the same clock. The next plan reads afresh.
import type { RelationKind } from "../adapters/contract.js";
import type { Connections } from "../adapters/index.js";
import type { RelationRef } from "../manifest/types.js";

export class PlanReads {
  private readonly known = new Map<string, Promise<unknown>>();

  constructor(private readonly connections: Connections) {}

  /** What stands at `relation`: a table, a view or nothing. */
  kind(relation: RelationRef): Promise<RelationKind | null> {
    const key = JSON.stringify([
      "kind",
      relation.connection,
      relation.database ?? null,
      relation.schema,
      relation.name,
    ]);
    return this.once(key, () =>
      this.connections.withSession(relation.connection, (session, adapter) =>
        adapter.introspector(session).relationKind(relation),
      ),
    );
  }

  /** The answer of `read`, run only the first time `key` is asked in this plan. */
  once<T>(key: string, read: () => Promise<T>): Promise<T> {
    let answer = this.known.get(key) as Promise<T> | undefined;
    if (!answer) {
      answer = read();
      // A failed read is tried again when asked again, rather than remembered.
      answer.catch(() => this.known.delete(key));
      this.known.set(key, answer);
    }
    return answer;
  }
}
