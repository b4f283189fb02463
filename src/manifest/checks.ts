// Offline checks of a compiled manifest, beyond what compiling already refuses: columns that tests,
// configs (unique_key, partition_by) and change tracking name must exist where a node declares
// its schema (every column listed with a data_type; a partial list only documents or tests some
// columns and proves nothing).
import type { Diagnostic } from "../project/diagnostics.js";
import { didYouMean } from "../project/diagnostics.js";
import type { Manifest, ManifestNode, TestNode } from "./types.js";

export function checkManifest(manifest: Manifest): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const declared = (node: ManifestNode | undefined) =>
    node && node.kind !== "test" && node.columns.length > 0 && node.columns.every((c) => c.dataType)
      ? node.columns.map((c) => c.name.toLowerCase())
      : undefined;
  const report = (test: TestNode | ManifestNode, column: string, where: string, owner: ManifestNode) => {
    const names = declared(owner)!;
    problems.push({
      severity: "error",
      file: test.location.path,
      line: test.location.line,
      column: 1,
      message: `${where} names column '${column}', which ${owner.name} does not declare`,
      hint: didYouMean(column, names) ?? `declared: ${names.join(", ")}`,
    });
  };
  for (const node of Object.values(manifest.nodes)) {
    if (node.kind === "model") {
      const names = declared(node);
      if (!names) continue;
      for (const [key, columns] of [
        ["partition_by", node.config.partitionBy],
        ["unique_key", node.config.uniqueKey],
      ] as const) {
        for (const c of columns) if (!names.includes(c.toLowerCase())) report(node, c, `config ${key}`, node);
      }
    }
    if (node.kind === "source" && node.changeTracking) {
      const tracking = node.changeTracking;
      if (declared(node) && !declared(node)!.includes(tracking.updatedAt.toLowerCase()))
        report(node, tracking.updatedAt, "change_tracking.updated_at", node);
      // The deletes table is checked when it is itself declared as a source table with a schema.
      const deletes = tracking.deletes;
      const rel = (r: { connection: string; schema: string; name: string }) =>
        `${r.connection}.${r.schema}.${r.name}`.toLowerCase();
      const deletesNode =
        deletes &&
        Object.values(manifest.nodes).find(
          (n) => n.kind === "source" && rel(n.relation) === rel(deletes.relation),
        );
      if (deletes && deletesNode && declared(deletesNode)) {
        for (const [key, columns] of [
          ["key", [deletes.key]],
          ["deleted_at", [deletes.deletedAt]],
          ["partition_columns", deletes.partitionColumns],
        ] as const) {
          for (const c of columns)
            if (!declared(deletesNode)!.includes(c.toLowerCase()))
              report(node, c, `change_tracking.deletes.${key}`, deletesNode);
        }
      }
    }
    if (node.kind !== "test" || !node.attachedTo) continue;
    const owner = manifest.nodes[node.attachedTo];
    const names = declared(owner);
    if (!owner || !names) continue;
    const named = [
      node.column,
      ...list(node.args["columns"]),
      ...list(node.args["sums"]),
      ...list(node.args["group_by"]),
    ].filter((c): c is string => typeof c === "string");
    for (const c of named) if (!names.includes(c.toLowerCase())) report(node, c, `test ${node.name}`, owner);
    if (node.testType === "relationships") {
      const parent = node.dependsOn.map((id) => manifest.nodes[id]).find((n) => n && n.id !== owner.id);
      const field = node.args["field"];
      const parentNames = declared(parent);
      if (parent && parentNames && typeof field === "string" && !parentNames.includes(field.toLowerCase()))
        report(node, field, `test ${node.name}`, parent);
    }
  }
  return problems;
}

function list(value: unknown): unknown[] {
  return typeof value === "string" ? [value] : Array.isArray(value) ? value : [];
}
