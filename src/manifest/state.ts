// Compares a manifest with a previous one (`--state DIR`): which nodes are new, and which are
// modified — their SQL or config, a macro they use, or the declared columns of something they read.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { readManifest } from "./io.js";
import type { Manifest, ManifestNode } from "./types.js";

/** A --state folder that holds no manifest. */
export class StateError extends Error {}

/** The previous manifest in `stateDir` compared with `manifest`; undefined without --state. */
export function stateFor(manifest: Manifest, stateDir: string | undefined): StateComparison | undefined {
  if (!stateDir) return undefined;
  const path = join(resolve(stateDir), "manifest.json");
  if (!existsSync(path))
    throw new StateError(
      `--state ${stateDir}: no manifest.json there; point ` +
        `it at the target/ folder of the build to compare with`,
    );
  return compareState(manifest, readManifest(path));
}

export interface StateComparison {
  new: Set<string>;
  modified: Set<string>;
}

export function compareState(current: Manifest, previous: Manifest): StateComparison {
  const added = new Set<string>();
  const modified = new Set<string>();
  const contractChanged = (id: string) => {
    const now = current.nodes[id];
    const before = previous.nodes[id];
    return !!now && !!before && JSON.stringify(contract(now)) !== JSON.stringify(contract(before));
  };
  for (const node of Object.values(current.nodes)) {
    const before = previous.nodes[node.id];
    if (!before) {
      added.add(node.id);
      continue;
    }
    const macroChanged =
      node.kind === "model" &&
      node.macrosUsed.some((m) => current.macros[m]?.checksum !== previous.macros[m]?.checksum);
    if (node.checksum !== before.checksum || macroChanged || node.dependsOn.some(contractChanged))
      modified.add(node.id);
  }
  return { new: added, modified };
}

/** What readers of a node rely on: its declared columns and their types, and where it lives. */
function contract(node: ManifestNode): unknown {
  if (node.kind === "test") return null;
  return { columns: node.columns.map((c) => [c.name, c.dataType ?? null]), relation: node.relation };
}
