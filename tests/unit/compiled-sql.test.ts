// Pins the SQL the example project compiles to, per model and variant (full, incremental, and the
// change window of a lineage model), against golden files in tests/golden/compiled/.
import { describe, it } from "vitest";
import { compileProject } from "../../src/compiler/compile.js";
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
        if (node.kind === "model" && node.compiledIncrementalSql) expectGolden(`${node.name}.incremental`, node.compiledIncrementalSql);
        if (node.kind === "model" && node.lineage) expectGolden(`${node.name}.changes`, node.lineage.changesSql);
        if (node.kind === "test" && node.reconcile) expectGolden(`${node.name}.computed`, node.reconcile.sql);
      });
    }
  }
});
