// Pins the SQL the example project compiles to, per model and variant (full, incremental, and the
// change window of a lineage model, and tests narrowed to replaced partitions), against golden files
// in tests/golden/compiled/.
import { describe, it } from "vitest";
import { compileProject } from "../../src/compiler/compile.js";
import { scopedTestSql } from "../../src/compiler/test-nodes.js";
import { loadProject } from "../../src/project/load.js";
import { goldenFiles } from "../helpers/golden.js";
import { REPO_ROOT } from "../helpers/temp-project.js";

describe("the example project's compiled SQL", () => {
  for (const target of ["dev", "spark"]) {
    const expectGolden = goldenFiles(`compiled/${target}`);
    const { manifest } = compileProject(loadProject({ projectDir: REPO_ROOT, target, env: {} }));
    for (const node of Object.values(manifest.nodes)) {
      if (node.kind !== "model" && node.kind !== "test") continue;
      it(`${target}: ${node.id}`, () => {
        expectGolden(node.name, node.compiledSql);
        if (node.kind === "model" && node.compiledIncrementalSql)
          expectGolden(`${node.name}.incremental`, node.compiledIncrementalSql);
        if (node.kind === "model" && node.lineage)
          expectGolden(`${node.name}.changes`, node.lineage.changesSql);
        if (node.kind === "test" && node.reconcile) expectGolden(`${node.name}.computed`, node.reconcile.sql);
        // A test narrowed to two replaced partitions of its model, as a build runs it.
        const model = node.kind === "test" && node.attachedTo ? manifest.nodes[node.attachedTo] : undefined;
        if (node.kind === "test" && model?.kind === "model" && model.config.partitionBy.length > 0) {
          const scoped = scopedTestSql(manifest, node, [
            model.config.partitionBy.map(() => "202309"),
            model.config.partitionBy.map(() => "202310"),
          ]);
          if ("sql" in scoped) expectGolden(`${node.name}.scoped`, scoped.sql);
        }
      });
    }
  }
});
