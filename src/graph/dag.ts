// The graph of nodes: edges point from a node to the nodes that read it. A thin layer over
// graphlib that adds what sluice needs: a cycle error naming its path, and walks up and down
// with an optional depth.
import * as graphlib from "@dagrejs/graphlib";

export class CycleError extends Error {
  constructor(readonly path: string[]) {
    super(`cycle: ${path.join(" → ")}`);
    this.name = "CycleError";
  }
}

export class Dag {
  private readonly graph = new graphlib.Graph({ directed: true });

  addNode(id: string): void {
    this.graph.setNode(id);
  }

  /** `upstream` is read by `downstream`. */
  addEdge(upstream: string, downstream: string): void {
    this.graph.setEdge(upstream, downstream);
  }

  has(id: string): boolean {
    return this.graph.hasNode(id);
  }

  nodes(): string[] {
    return this.graph.nodes();
  }

  parents(id: string): string[] {
    return this.graph.predecessors(id) ?? [];
  }

  children(id: string): string[] {
    return this.graph.successors(id) ?? [];
  }

  /** Every node before the nodes that read it; throws a CycleError naming a cycle's path. */
  topologicalOrder(): string[] {
    try {
      return graphlib.alg.topsort(this.graph);
    } catch {
      throw new CycleError(this.findCycle() ?? []);
    }
  }

  /** Nodes upstream of `id` within `depth` steps (all when undefined), not including `id`. */
  ancestors(id: string, depth?: number): Set<string> {
    return this.walk(id, depth, (n) => this.parents(n));
  }

  /** Nodes downstream of `id` within `depth` steps (all when undefined), not including `id`. */
  descendants(id: string, depth?: number): Set<string> {
    return this.walk(id, depth, (n) => this.children(n));
  }

  private walk(start: string, depth: number | undefined, next: (id: string) => string[]): Set<string> {
    const seen = new Set<string>();
    let frontier = [start];
    for (let level = 0; frontier.length > 0 && (depth === undefined || level < depth); level++) {
      const following: string[] = [];
      for (const id of frontier) {
        for (const n of next(id)) {
          if (!seen.has(n) && n !== start) {
            seen.add(n);
            following.push(n);
          }
        }
      }
      frontier = following;
    }
    return seen;
  }

  /** One cycle as a path that starts and ends on the same node, found by depth-first search. */
  private findCycle(): string[] | undefined {
    const state = new Map<string, "open" | "done">();
    const stack: string[] = [];
    const visit = (id: string): string[] | undefined => {
      state.set(id, "open");
      stack.push(id);
      for (const child of [...this.children(id)].sort()) {
        if (state.get(child) === "open") return [...stack.slice(stack.indexOf(child)), child];
        if (!state.has(child)) {
          const found = visit(child);
          if (found) return found;
        }
      }
      stack.pop();
      state.set(id, "done");
      return undefined;
    };
    for (const id of [...this.nodes()].sort()) {
      if (!state.has(id)) {
        const found = visit(id);
        if (found) return found;
      }
    }
    return undefined;
  }
}
