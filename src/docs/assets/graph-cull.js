// What sigma draws of the docs site's graph, when the view has more nodes than a frame can draw
// quickly: the view's whole graph (the "scene") is kept apart from the graph sigma renders, which
// holds only what is on screen (an edge to a node off screen as a stub pointing at it), and, zoomed
// out so far that a node is a dot of a few pixels, each open group drawn as one block with its count
// and the merged edges between blocks. At 10,000 nodes a full sigma frame in chromium's software
// renderer costs 150–400 ms, paid per drawn item and per pixel of edge; a culled frame costs what is
// in view.
(() => {
  "use strict";

  /** Zoomed out until a node's radius is under this many CSS pixels, open groups draw as blocks. */
  const BLOCKS_BELOW_PX = 3;
  /** The drawn area reaches this share of the viewport past each side, so a short pan redraws nothing new. */
  const MARGIN = 0.25;
  /** An edge to a node outside the drawn area is drawn this long (CSS pixels), pointing at it. */
  const STUB_PX = 40;
  /** Zoomed in until the drawn area is this many times the viewport's, the next camera move culls again. */
  const RECULL_AREA = 4;

  /**
   * `L` the bundled libraries (Graph, Flatbush); `renderer` the sigma instance; `ctx`:
   * { groups() -> the grouping's groups, nodeSize, blockStyle(group, shown, bad) -> node attributes }.
   * Returns { setScene(scene, culls, lineage), draw(force), blocks(), expandAt(key) }.
   */
  window.SluiceDocsCull = (L, renderer, ctx) => {
    let scene = null;
    let culls = false;
    let lineage = false;
    let nodeKeys = [];
    let nodeIndex = null;
    let edgeList = [];
    let edgeIndex = null;
    let blockGraph = null;
    /** What was drawn last: blocks, or the culled area in graph units ({ x0, y0, x1, y1 }). */
    let drawn = null;

    /** A new view: indexes its nodes and edges in graph units and draws it. */
    function setScene(graph, cull, isLineage) {
      scene = graph;
      culls = cull;
      lineage = isLineage;
      blockGraph = null;
      drawn = null;
      if (!culls) {
        nodeIndex = edgeIndex = null;
        if (renderer.getGraph() !== scene) renderer.setGraph(scene);
        else renderer.refresh();
        return;
      }
      nodeKeys = scene.nodes();
      nodeIndex = new L.Flatbush(Math.max(1, nodeKeys.length));
      for (const k of nodeKeys) {
        const a = scene.getNodeAttributes(k);
        nodeIndex.add(a.x - a.size, a.y - a.size, a.x + a.size, a.y + a.size);
      }
      if (!nodeKeys.length) nodeIndex.add(0, 0, 0, 0);
      nodeIndex.finish();
      edgeList = scene.mapEdges((_e, a, from, to, fa, ta) => [from, to, a, fa, ta]);
      edgeIndex = new L.Flatbush(Math.max(1, edgeList.length));
      for (const [, , , fa, ta] of edgeList)
        edgeIndex.add(Math.min(fa.x, ta.x), Math.min(fa.y, ta.y), Math.max(fa.x, ta.x), Math.max(fa.y, ta.y));
      if (!edgeList.length) edgeIndex.add(0, 0, 0, 0);
      edgeIndex.finish();
      draw(true);
    }

    /** Graph units per CSS pixel at the camera's zoom now. */
    function unitsPerPixel() {
      const p = renderer.viewportToGraph({ x: 0, y: 0 });
      const q = renderer.viewportToGraph({ x: 1, y: 0 });
      return Math.hypot(q.x - p.x, q.y - p.y) || 1;
    }

    /** True when the camera is zoomed out so far that open groups draw as blocks. */
    function blocksNow() {
      return culls && !lineage && ctx.nodeSize / unitsPerPixel() < BLOCKS_BELOW_PX;
    }

    function viewport() {
      const { width, height } = renderer.getDimensions();
      const a = renderer.viewportToGraph({ x: 0, y: 0 });
      const b = renderer.viewportToGraph({ x: width, y: height });
      return {
        x0: Math.min(a.x, b.x),
        y0: Math.min(a.y, b.y),
        x1: Math.max(a.x, b.x),
        y1: Math.max(a.y, b.y),
      };
    }

    /**
     * Draws what the camera shows now, unless what is drawn already covers it. `force` draws anew
     * (the scene changed). The redraw lands in the camera's own frame: sigma renders at once here.
     */
    function draw(force) {
      if (!culls || !scene) return;
      const blocks = blocksNow();
      const vp = viewport();
      if (!force && drawn) {
        if (blocks && drawn.blocks) return;
        if (!blocks && !drawn.blocks) {
          const r = drawn.rect;
          const inside = vp.x0 >= r.x0 && vp.y0 >= r.y0 && vp.x1 <= r.x1 && vp.y1 <= r.y1;
          const area = (q) => (q.x1 - q.x0) * (q.y1 - q.y0);
          if (inside && area(vp) * RECULL_AREA > area(r)) return;
        }
      }
      if (blocks) {
        blockGraph ??= buildBlocks();
        drawn = { blocks: true };
        renderer.setGraph(blockGraph);
        return;
      }
      const w = vp.x1 - vp.x0;
      const h = vp.y1 - vp.y0;
      const rect = {
        x0: vp.x0 - w * MARGIN,
        y0: vp.y0 - h * MARGIN,
        x1: vp.x1 + w * MARGIN,
        y1: vp.y1 + h * MARGIN,
      };
      const g = new L.Graph({ type: "directed", multi: false });
      for (const i of nodeIndex.search(rect.x0, rect.y0, rect.x1, rect.y1))
        g.addNode(nodeKeys[i], scene.getNodeAttributes(nodeKeys[i]));
      // An edge between two drawn nodes is drawn whole; one to a node outside the area is a stub
      // pointing at it, and one with both ends outside is not drawn. Edges crossing the screen are
      // what a software renderer pays for (per pixel), and hundreds of them read as a solid band;
      // a selected node's edges are drawn whole on the overlay.
      const stub = STUB_PX * unitsPerPixel();
      for (const i of edgeIndex.search(rect.x0, rect.y0, rect.x1, rect.y1)) {
        const [from, to, a, fa, ta] = edgeList[i];
        const hasFrom = g.hasNode(from);
        const hasTo = g.hasNode(to);
        if (hasFrom && hasTo) g.addDirectedEdge(from, to, a);
        else if (hasFrom || hasTo) {
          const [near, far] = hasFrom ? [fa, ta] : [ta, fa];
          const length = Math.hypot(far.x - near.x, far.y - near.y) || 1;
          const end = `stub:${i}`;
          g.addNode(end, {
            x: near.x + ((far.x - near.x) * stub) / length,
            y: near.y + ((far.y - near.y) * stub) / length,
            size: 0,
            color: "#00000000",
            label: "",
            stub: true,
            ...(near.type ? { type: near.type } : {}),
          });
          if (hasFrom) g.addDirectedEdge(from, end, a);
          else g.addDirectedEdge(end, to, a);
        }
      }
      drawn = { blocks: false, rect };
      renderer.setGraph(g);
    }

    /** Every open group as one block at its centre; collapsed groups as they are; edges merged. */
    function buildBlocks() {
      const g = new L.Graph({ type: "directed", multi: false });
      const groups = new Map(ctx.groups().map((x) => [x.key, x]));
      const blockOf = new Map();
      const counts = new Map();
      scene.forEachNode((key, a) => {
        if (a.group !== undefined || a.groupKey === undefined) {
          if (!g.hasNode(key)) g.addNode(key, a);
          return;
        }
        const block = `block:${a.groupKey}`;
        blockOf.set(key, block);
        const c = counts.get(block) || { shown: 0, bad: 0, key: a.groupKey };
        c.shown++;
        if (a.failed) c.bad++;
        counts.set(block, c);
      });
      for (const [block, c] of counts) g.addNode(block, ctx.blockStyle(groups.get(c.key), c.shown, c.bad));
      const merged = new Map();
      for (const [from, to, a] of edgeList) {
        const f = blockOf.get(from) || from;
        const t = blockOf.get(to) || to;
        if (f === t) continue;
        const k = `${f}\u0000${t}`;
        const e = merged.get(k);
        if (e) e.count += a.count;
        else merged.set(k, { f, t, count: a.count, colour: a.color.slice(0, 7) });
      }
      for (const e of merged.values())
        g.addDirectedEdge(e.f, e.t, {
          size: 2 + Math.log2(e.count) * 2,
          color: `${e.colour}aa`,
          label: `${e.count} edge${e.count === 1 ? "" : "s"}`,
          count: e.count,
        });
      return g;
    }

    /**
     * Where a click on block `key` takes the camera: centred on its group, zoomed in until its nodes draw
     * (or until the whole group fills the pane, if that is closer). `ratioBy` multiplies the
     * camera's ratio. Null for a key that is no block.
     */
    function expandAt(key) {
      if (!key.startsWith("block:")) return null;
      const group = ctx.groups().find((x) => x.key === key.slice("block:".length));
      if (!group) return null;
      const { width, height } = renderer.getDimensions();
      const upp = unitsPerPixel();
      // Graph units per pixel where the group's nodes are drawn, and where the group fits the pane.
      const toDraw = ctx.nodeSize / (BLOCKS_BELOW_PX * 1.5);
      const toFit = Math.max(group.width / width, group.height / height);
      return { x: group.x, y: -group.y, ratioBy: Math.min(toDraw, toFit) / upp };
    }

    return { setScene, draw, blocks: () => drawn?.blocks === true, expandAt };
  };
})();
