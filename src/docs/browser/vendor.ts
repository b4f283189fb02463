// The code the docs site runs in the browser besides its own scripts, bundled by esbuild into
// assets/vendor.js at generate time so the site works from file:// with nothing from the network:
// graphology (the graph model) and sigma (its WebGL renderer), and the CLI's own selector, so a
// `--select` expression means the same in the site as on the command line.
import Graph from "graphology";
import Sigma from "sigma";
import { manifestDag, selectNodes, SelectorError } from "../../graph/selector.js";

(globalThis as unknown as { SluiceDocsLib: unknown }).SluiceDocsLib = {
  Graph,
  Sigma,
  manifestDag,
  selectNodes,
  SelectorError,
};
