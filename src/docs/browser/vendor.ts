// The code the docs site runs in the browser besides its own scripts, bundled by esbuild into
// assets/vendor.js at generate time so the site works from file:// with nothing from the network:
// graphology (the graph model), sigma (its WebGL renderer) and two of sigma's node and edge
// programs, flatbush (the spatial index that finds what is under the pointer and what is on screen),
// and the CLI's own selector, so a `--select` expression means the same in the site as on the
// command line.
import Flatbush from "flatbush";
import Graph from "graphology";
import Sigma from "sigma";
import { EdgeLineProgram, NodeCircleProgram, NodePointProgram } from "sigma/rendering";
import { manifestDag, selectNodes, SelectorError } from "../../graph/selector.js";

(globalThis as unknown as { SluiceDocsLib: unknown }).SluiceDocsLib = {
  Graph,
  Sigma,
  NodeCircleProgram,
  NodePointProgram,
  EdgeLineProgram,
  Flatbush,
  manifestDag,
  selectNodes,
  SelectorError,
};
