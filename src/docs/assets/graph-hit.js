// What is under the pointer in the docs site's graph, from a flatbush index of the drawn nodes'
// discs, instead of sigma's picking pass: that pass drew every node a second time into an offscreen
// texture each frame and read a pixel back on every mouse move, which stalls a software renderer.
(() => {
  "use strict";

  /** A node this close to the pointer (in CSS pixels) counts as hit, so a dot of one pixel can be clicked. */
  const MIN_HIT_PX = 4;

  /**
   * `Flatbush` the library's class; `renderer` the sigma instance. Returns { rebuild(graph), at(point) }:
   * `at` takes a point in CSS pixels of the graph pane and returns the key of the node drawn there
   * (the nearest centre among the discs that contain the point), or null.
   */
  window.SluiceDocsHitIndex = (Flatbush, renderer) => {
    let keys = [];
    let xs = new Float64Array(0);
    let ys = new Float64Array(0);
    let sizes = new Float64Array(0);
    let index = null;
    let indexed = null;

    /** Indexes every node of `graph` by its disc in layout units (sizes are in layout units too). */
    function rebuild(graph) {
      indexed = graph;
      // The ends of edge stubs (graph-cull.js) are no nodes: nothing to hit.
      keys = graph.filterNodes((_key, a) => !a.stub);
      const n = keys.length;
      xs = new Float64Array(n);
      ys = new Float64Array(n);
      sizes = new Float64Array(n);
      index = n ? new Flatbush(n) : null;
      for (let i = 0; i < n; i++) {
        const a = graph.getNodeAttributes(keys[i]);
        xs[i] = a.x;
        ys[i] = a.y;
        sizes[i] = a.size;
        index?.add(a.x - a.size, a.y - a.size, a.x + a.size, a.y + a.size);
      }
      index?.finish();
    }

    /** Layout units per CSS pixel at the camera's zoom now. */
    function unitsPerPixel() {
      const p = renderer.viewportToGraph({ x: 0, y: 0 });
      const q = renderer.viewportToGraph({ x: 1, y: 0 });
      return Math.hypot(q.x - p.x, q.y - p.y) || 1;
    }

    function at(point) {
      if (!index) return null;
      const g = renderer.viewportToGraph(point);
      const pad = MIN_HIT_PX * unitsPerPixel();
      let best = -1;
      let bestDistance = Infinity;
      for (const i of index.search(g.x - pad, g.y - pad, g.x + pad, g.y + pad)) {
        const d = Math.hypot(xs[i] - g.x, ys[i] - g.y);
        if (d <= Math.max(sizes[i], pad) && d < bestDistance) {
          best = i;
          bestDistance = d;
        }
      }
      return best < 0 ? null : keys[best];
    }

    /** Keys of the nodes whose discs meet the rectangle between two points in CSS pixels. */
    function within(a, b) {
      if (!index) return [];
      const p = renderer.viewportToGraph(a);
      const q = renderer.viewportToGraph(b);
      return index
        .search(Math.min(p.x, q.x), Math.min(p.y, q.y), Math.max(p.x, q.x), Math.max(p.y, q.y))
        .map((i) => keys[i]);
    }

    return { rebuild, at, within, graph: () => indexed };
  };
})();
