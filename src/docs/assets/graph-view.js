// The docs site's lineage graph: sigma (WebGL) draws what the view shows — top groups collapsed
// into one node with their count, or expanded into their nodes, or one node's lineage — with the
// edges between what is drawn counted and merged; a canvas on top rings the selection, search
// matches and failures and frames open groups; a minimap shows the whole and the viewport.
// Pan and zoom move the drawn picture and redraw once at their end (graph-camera.js); what is under
// the pointer comes from a spatial index (graph-hit.js), so sigma draws no picking pass.
(() => {
  "use strict";

  /** Above this many nodes, the site opens with every group collapsed. */
  const OPEN_ALL_MAX_NODES = 400;
  const NODE_SIZE = 14;
  const BOX_WIDTH = 200;
  const BAD = { fail: 1, error: 1 };
  /**
   * Above this many nodes drawn, nodes are drawn as point sprites and edges between nodes as
   * one-pixel lines: sigma's default programs draw one instance per item, which a software
   * renderer (chromium without a GPU) pays for per instance, ten times the cost of plain vertices.
   */
  const FAST_DRAW_ABOVE = 1000;

  /**
   * `ctx`: { data, downstream, colourOf, visibleNode(i) -> bool, onSelect(i), onGroupToggle(),
   * isMatch(i) }. Returns the view's controls.
   */
  window.SluiceDocsGraph = (ctx) => {
    const L = window.SluiceDocsLib;
    const D = ctx.data;
    const nodes = D.nodes;
    const N = nodes.length;
    const container = document.getElementById("graph");
    const overlay = document.getElementById("graph-overlay");
    const minimap = document.getElementById("minimap");
    const dark = window.matchMedia?.("(prefers-color-scheme: dark)").matches;
    const ink = dark ? "#e6e6e6" : "#1d1d1f";
    const dim = dark ? "#3a3d42" : "#e4e4e4";

    const view = {
      grouping: "folder",
      open: new Set(),
      /** A lineage view: the nodes shown and their packed positions, or null for the project view. */
      lineage: null,
      selected: -1,
    };
    if (N <= OPEN_ALL_MAX_NODES) for (const g of D.groups.folder) view.open.add(g.key);

    const graph = new L.Graph({ type: "directed", multi: false });
    // The pointer is hit-tested on a spatial index, so the node programs get no picking buffer.
    const unpicked = (Program) =>
      class extends Program {
        constructor(gl, _pickingBuffer, renderer) {
          super(gl, null, renderer);
        }
      };
    const detached = new L.Graph({ type: "directed", multi: false });
    const renderer = new L.Sigma(detached, container, {
      itemSizesReference: "positions",
      zoomToSizeRatioFunction: (ratio) => ratio,
      defaultEdgeType: "arrow",
      renderEdgeLabels: true,
      labelColor: { color: ink },
      edgeLabelColor: { color: dark ? "#bbb" : "#555" },
      labelRenderedSizeThreshold: 7,
      labelDensity: 1,
      labelGridCellSize: 120,
      zIndex: true,
      minCameraRatio: 0.005,
      maxCameraRatio: 4,
      stagePadding: 40,
      allowInvalidContainer: true,
      nodeProgramClasses: { circle: unpicked(L.NodeCircleProgram), point: unpicked(L.NodePointProgram) },
      edgeProgramClasses: { thin: L.EdgeLineProgram },
      // While the camera moves, edges and labels wait: at 10k nodes they are most of a frame.
      hideEdgesOnMove: true,
      hideLabelsOnMove: true,
      // No reducers: the selection and search matches are drawn on the overlay canvas, so a click
      // or a keystroke redraws a 2D canvas and never the WebGL scene, which at 10k nodes costs
      // hundreds of milliseconds a frame in a software renderer.
    });
    /** Frames sigma has drawn (tests check that selecting and searching draw none). */
    let sigmaFrames = 0;
    renderer.on("beforeRender", () => sigmaFrames++);
    const camera = renderer.getCamera();
    const gestures = window.SluiceDocsCamera(renderer, container, overlay);
    const hits = window.SluiceDocsHitIndex(L.Flatbush, renderer);
    const cull = window.SluiceDocsCull(L, renderer, {
      groups: () => groupsNow(),
      nodeSize: NODE_SIZE,
      blockStyle: (g, shown, bad) => ({
        ...groupStyle(g),
        label:
          `▾ ${g.key} (${shown === g.count ? shown : `${shown} of ${g.count}`} nodes` +
          `${bad ? ` · ${bad} failing` : ""})`,
        block: g.key,
      }),
    });
    // What is drawn follows the camera; the hit index follows what is drawn.
    camera.on("updated", () => cull.draw(false));
    renderer.on("beforeRender", () => {
      if (hits.graph() !== renderer.getGraph()) hits.rebuild(renderer.getGraph());
    });
    // sigma asks this for every click, double click, wheel and hover; no pixel is read back.
    renderer.getNodeAtPosition = (point) => (gestures.moving() ? null : hits.at(point));

    const groupsNow = () => D.groups[view.grouping];
    const groupOf = (i) => (view.grouping === "folder" ? nodes[i].fg : nodes[i].cg);
    const placeOf = (i) =>
      view.grouping === "folder" ? [nodes[i].x, nodes[i].y] : [nodes[i].cx, nodes[i].cy];
    /** The graph node a manifest node is drawn as now: itself, its group, or nothing. */
    const keyOf = (i) => {
      if (nodes[i].kind === "test") i = nodes[i].attachedTo >= 0 ? nodes[i].attachedTo : nodes[i].upstream[0];
      if (i === undefined || i < 0) return null;
      if (view.lineage) return view.lineage.has(i) ? nodes[i].id : null;
      if (!ctx.visibleNode(i)) return null;
      const g = groupsNow()[groupOf(i)];
      return view.open.has(g.key) ? nodes[i].id : `group:${g.key}`;
    };
    const indexOf = new Map(nodes.map((n, i) => [n.id, i]));

    /** Rebuilds the sigma graph from the view: groups, nodes and merged edges. */
    function rebuild() {
      gestures.settle();
      // sigma lets go of the old view first: clearing and refilling a graph it is bound to costs
      // it a step per node (a frame of nothing, drawn in this task, so never shown).
      if (renderer.getGraph() === graph) renderer.setGraph(detached);
      graph.clear();
      const groups = groupsNow();
      const bad = new Map();
      for (let i = 0; i < N; i++) {
        const n = nodes[i];
        if (n.kind === "test") continue;
        const key = keyOf(i);
        if (key === null) continue;
        if (key.startsWith("group:")) {
          const g = groups[groupOf(i)];
          if (!graph.hasNode(key)) {
            graph.addNode(key, { ...groupStyle(g), label: "", group: g.key, shown: 0, bad: 0 });
          }
          graph.updateNodeAttribute(key, "shown", (c) => c + 1);
          if (n.health && BAD[n.health]) graph.updateNodeAttribute(key, "bad", (c) => c + 1);
          continue;
        }
        // The layout places boxes; the dot sits at a box's left end so its label reads inside it.
        const [x, y] = view.lineage ? view.lineage.get(i) : placeOf(i);
        graph.addNode(key, {
          x: x - BOX_WIDTH / 2 + NODE_SIZE,
          y: -y,
          size: NODE_SIZE,
          label: label(i),
          color: ctx.colourOf(i),
          index: i,
          ...(view.lineage ? {} : { groupKey: groupsNow()[groupOf(i)].key }),
          ...(n.health && BAD[n.health] ? { failed: true } : {}),
        });
      }
      graph.forEachNode((key, a) => {
        if (a.group === undefined) return;
        const g = groups.find((x) => x.key === a.group);
        const failing = a.bad ? ` · ${a.bad} failing` : "";
        graph.setNodeAttribute(
          key,
          "label",
          `▸ ${a.group} (${a.shown === g.count ? a.shown : `${a.shown} of ${g.count}`} nodes${failing})`,
        );
        bad.set(key, a.bad);
      });
      const fast = graph.order > FAST_DRAW_ABOVE;
      if (fast)
        graph.forEachNode((key, a) => {
          if (a.group === undefined) graph.setNodeAttribute(key, "type", "point");
        });
      const merged = new Map();
      for (let i = 0; i < N; i++) {
        if (nodes[i].kind === "test") continue;
        const to = keyOf(i);
        if (to === null) continue;
        for (const u of nodes[i].upstream) {
          const from = keyOf(u);
          if (from === null || from === to) continue;
          const k = `${from}\u0000${to}`;
          const e = merged.get(k);
          if (e) e.count++;
          else merged.set(k, { from, to, count: 1, colour: ctx.colourOf(u) });
        }
      }
      for (const e of merged.values()) {
        const grouped = e.from.startsWith("group:") || e.to.startsWith("group:");
        graph.addDirectedEdge(e.from, e.to, {
          size: grouped ? 2 + Math.log2(e.count) * 2 : 2,
          color: e.colour + (grouped ? "aa" : "cc"),
          label: grouped ? `${e.count} edge${e.count === 1 ? "" : "s"}` : "",
          count: e.count,
          ...(fast && !grouped ? { type: "thin" } : {}),
        });
      }
      renderer.setCustomBBox(extent());
      drawMinimapBase();
      // Drawn now, not on the next frame: positions on screen (reveal, a click's target) are only
      // right once sigma has taken in the new graph and its bounds.
      cull.setScene(graph, fast, view.lineage !== null);
    }

    /** A collapsed group's node, and an open group's block when zoomed out: at the group's centre. */
    function groupStyle(g) {
      return {
        x: g.x,
        y: -g.y,
        size: Math.max(NODE_SIZE * 2, Math.min(g.width, g.height) * 0.3),
        color: dark ? "#6b7785" : "#8da0b5",
        index: -1,
      };
    }

    /** Labels are whole names; a failing or warning node says so in its label too. */
    function label(i) {
      const n = nodes[i];
      const mark = n.health && BAD[n.health] ? "✗ " : n.health === "warn" ? "⚠ " : "";
      const glyph = n.kind === "source" ? "◆ " : n.kind === "seed" ? "▤ " : "";
      return mark + glyph + n.name;
    }

    /** The drawn area's bounds, fixed per view so opening a group does not move the others. */
    function extent() {
      let x0 = Infinity,
        x1 = -Infinity,
        y0 = Infinity,
        y1 = -Infinity;
      const take = (x, y, w, h) => {
        x0 = Math.min(x0, x - w / 2);
        x1 = Math.max(x1, x + w / 2);
        y0 = Math.min(y0, -y - h / 2);
        y1 = Math.max(y1, -y + h / 2);
      };
      if (view.lineage) for (const [x, y] of view.lineage.values()) take(x, y, 200, 30);
      else for (const g of groupsNow()) take(g.x, g.y, g.width, g.height);
      if (x0 === Infinity) return { x: [0, 1], y: [0, 1] };
      return { x: [x0, x1], y: [y0, y1] };
    }

    // ---- overlay: frames of open groups, rings for the selection, matches and failures ---------

    function drawOverlay() {
      const w = container.clientWidth;
      const h = container.clientHeight;
      const ratio = window.devicePixelRatio || 1;
      if (overlay.width !== w * ratio || overlay.height !== h * ratio) {
        overlay.width = w * ratio;
        overlay.height = h * ratio;
      }
      const c = overlay.getContext("2d");
      c.setTransform(ratio, 0, 0, ratio, 0, 0);
      c.clearRect(0, 0, w, h);
      const toScreen = (x, y) => renderer.graphToViewport({ x, y });
      if (!view.lineage) {
        c.font = "600 12px system-ui, sans-serif";
        for (const g of groupsNow()) {
          if (!view.open.has(g.key)) continue;
          const a = toScreen(g.x - g.width / 2, -g.y + g.height / 2);
          const b = toScreen(g.x + g.width / 2, -g.y - g.height / 2);
          if (b.x < 0 || a.x > w || b.y < 0 || a.y > h) continue;
          c.strokeStyle = dark ? "#555b63" : "#c4ccd6";
          c.setLineDash([6, 4]);
          c.strokeRect(a.x, a.y, b.x - a.x, b.y - a.y);
          c.setLineDash([]);
          // Drawn as a block (zoomed out), the group's label is the block's own.
          if (cull.blocks()) continue;
          c.fillStyle = dark ? "#9aa4af" : "#5a6572";
          c.fillText(`▾ ${g.key} (${g.count})`, a.x + 6, a.y + 15);
        }
      }
      const ring = (i, colour, width, gap = 0) => {
        const key = keyOf(i);
        if (key === null || !graph.hasNode(key)) return;
        const a = graph.getNodeAttributes(key);
        const p = toScreen(a.x, a.y);
        if (p.x < -50 || p.y < -50 || p.x > w + 50 || p.y > h + 50) return;
        const r = screenRadius(a) + width + 1 + gap;
        c.beginPath();
        c.arc(p.x, p.y, Math.max(r, 6), 0, Math.PI * 2);
        c.strokeStyle = colour;
        c.lineWidth = width;
        c.stroke();
      };
      const sel = view.selected >= 0 ? keyOf(view.selected) : null;
      if (ctx.hasQuery()) veil(c, w, h, toScreen, sel);
      if (sel !== null && !sel.startsWith("group:") && graph.hasNode(sel))
        selectionEdges(c, sel, toScreen, w, h);
      for (const i of ctx.failing) ring(i, nodes[i].health === "warn" ? "#d69e2e" : "#c62828", 2.5);
      if (ctx.hasQuery()) for (const i of ctx.matchList()) if (i !== view.selected) ring(i, ink, 1.5);
      // Outside the failure ring, so a selected failing node shows both.
      if (view.selected >= 0) ring(view.selected, ink, 3, 5);
      drawMinimapView();
    }
    renderer.on("afterRender", drawOverlay);

    /** The selected node's edges, drawn over the graph in ink and twice as wide. */
    function selectionEdges(c, key, toScreen, w, h) {
      c.strokeStyle = ink;
      c.lineWidth = 2.5;
      c.beginPath();
      graph.forEachEdge(key, (_edge, _a, from, to, fa, ta) => {
        const p = toScreen(fa.x, fa.y);
        const q = toScreen(ta.x, ta.y);
        if (
          Math.max(p.x, q.x) < 0 ||
          Math.min(p.x, q.x) > w ||
          Math.max(p.y, q.y) < 0 ||
          Math.min(p.y, q.y) > h
        )
          return;
        c.moveTo(p.x, p.y);
        c.lineTo(q.x, q.y);
      });
      c.stroke();
    }

    /**
     * A search dims what does not match: a veil over the whole graph with a hole at each match on
     * screen (and the selection), whose label is written on top.
     */
    function veil(c, w, h, toScreen, sel) {
      const keys = new Set();
      for (const i of ctx.matchList()) {
        const k = keyOf(i);
        if (k !== null) keys.add(k);
      }
      if (sel !== null) keys.add(sel);
      const shown = [];
      for (const k of keys) {
        if (!graph.hasNode(k)) continue;
        const a = graph.getNodeAttributes(k);
        const p = toScreen(a.x, a.y);
        if (p.x < -50 || p.y < -50 || p.x > w + 50 || p.y > h + 50) continue;
        shown.push([a, p, Math.max(screenRadius(a) + 2, 6)]);
      }
      c.save();
      c.fillStyle = dark ? "rgba(22, 24, 27, 0.8)" : "rgba(250, 250, 250, 0.8)";
      c.fillRect(0, 0, w, h);
      // Holes cut by an opaque fill, so a match shows at full strength.
      c.globalCompositeOperation = "destination-out";
      c.fillStyle = "#000";
      c.beginPath();
      for (const [, p, r] of shown) {
        c.moveTo(p.x + r, p.y);
        c.arc(p.x, p.y, r, 0, Math.PI * 2);
      }
      c.fill();
      c.restore();
      c.font = "12px system-ui, sans-serif";
      c.fillStyle = ink;
      for (const [a, p, r] of shown.slice(0, 300)) c.fillText(a.label, p.x + r + 3, p.y + 4);
    }

    /** A node's radius on screen: sizes are in layout units (itemSizesReference "positions"). */
    function screenRadius(a) {
      const p = renderer.graphToViewport({ x: a.x, y: a.y });
      const q = renderer.graphToViewport({ x: a.x + a.size, y: a.y });
      return Math.abs(q.x - p.x);
    }

    // ---- minimap -------------------------------------------------------------------------------

    let minimapBase = null;
    function minimapFrame() {
      const b = extent();
      const w = minimap.width;
      const h = minimap.height;
      const s = Math.min(w / (b.x[1] - b.x[0] || 1), h / (b.y[1] - b.y[0] || 1));
      return { b, s, ox: (w - (b.x[1] - b.x[0]) * s) / 2, oy: (h - (b.y[1] - b.y[0]) * s) / 2 };
    }
    function drawMinimapBase() {
      const c = minimap.getContext("2d");
      const f = minimapFrame();
      c.clearRect(0, 0, minimap.width, minimap.height);
      graph.forEachNode((_key, a) => {
        c.fillStyle = a.color;
        const r = a.group !== undefined ? 6 : 2;
        c.fillRect(f.ox + (a.x - f.b.x[0]) * f.s - r / 2, f.oy + (f.b.y[1] - a.y) * f.s - r / 2, r, r);
      });
      minimapBase = c.getImageData(0, 0, minimap.width, minimap.height);
    }
    function drawMinimapView() {
      if (!minimapBase) return;
      const c = minimap.getContext("2d");
      c.putImageData(minimapBase, 0, 0);
      const f = minimapFrame();
      // The viewport's corners in layout units, by inverting graphToViewport (no rotation is used).
      const g0 = { x: f.b.x[0], y: f.b.y[0] };
      const g1 = { x: f.b.x[1], y: f.b.y[1] };
      const v0 = renderer.graphToViewport(g0);
      const v1 = renderer.graphToViewport(g1);
      const sx = (v1.x - v0.x) / (g1.x - g0.x || 1);
      const sy = (v1.y - v0.y) / (g1.y - g0.y || 1);
      const toGraph = (x, y) => ({ x: g0.x + (x - v0.x) / (sx || 1), y: g0.y + (y - v0.y) / (sy || 1) });
      const a = toGraph(0, 0);
      const b = toGraph(container.clientWidth, container.clientHeight);
      c.strokeStyle = dark ? "#fff" : "#000";
      c.lineWidth = 1;
      // Clamped to the map, so a view wider than the project still shows its frame.
      const [w, h] = [minimap.width, minimap.height];
      const left = Math.max(0.5, f.ox + (a.x - f.b.x[0]) * f.s);
      const top = Math.max(0.5, f.oy + (f.b.y[1] - a.y) * f.s);
      const right = Math.min(w - 0.5, f.ox + (b.x - f.b.x[0]) * f.s);
      const bottom = Math.min(h - 0.5, f.oy + (f.b.y[1] - b.y) * f.s);
      if (right > left && bottom > top) c.strokeRect(left, top, right - left, bottom - top);
    }
    minimap.addEventListener("click", (e) => {
      const r = minimap.getBoundingClientRect();
      const f = minimapFrame();
      const gx = f.b.x[0] + (e.clientX - r.left - f.ox) / f.s;
      const gy = f.b.y[1] - (e.clientY - r.top - f.oy) / f.s;
      centreOnGraphPoint(gx, gy, camera.getState().ratio);
    });

    // ---- camera ----------------------------------------------------------------------------------

    function centreOnGraphPoint(x, y, ratio) {
      gestures.settle();
      const framed = renderer.viewportToFramedGraph(renderer.graphToViewport({ x, y }));
      camera.setState({ x: framed.x, y: framed.y, ratio });
    }

    /** The whole view in the pane; an animation of its own, so it replaces a zoom still running. */
    function fit() {
      gestures.settle();
      // An animation draws a frame each step: only where frames are cheap.
      if (graph.order > FAST_DRAW_ABOVE) camera.setState({ x: 0.5, y: 0.5, ratio: 1, angle: 0 });
      else camera.animate({ x: 0.5, y: 0.5, ratio: 1, angle: 0 }, { duration: 120 });
    }

    /** Brings node `i` (or its group) into view at a zoom where its label reads. */
    function reveal(i) {
      gestures.settle();
      const key = keyOf(i);
      if (key === null || !graph.hasNode(key)) return;
      const a = graph.getNodeAttributes(key);
      // Zoom in until the node is at least 12 px across, never out; a node already on screen at
      // that size stays where it is, so a click on it moves nothing (and redraws no frame).
      const size = screenRadius(a);
      const p = renderer.graphToViewport({ x: a.x, y: a.y });
      const inside =
        p.x > 40 && p.y > 40 && p.x < container.clientWidth - 40 && p.y < container.clientHeight - 40;
      if (inside && size >= 12) return;
      const now = camera.getState().ratio;
      const ratio = size >= 12 ? now : (now * size) / 12;
      centreOnGraphPoint(a.x, a.y, Math.max(0.005, ratio));
    }

    // ---- events ------------------------------------------------------------------------------------

    renderer.on("clickNode", ({ node }) => {
      // The press moved the picture: a drag that started on a node selects nothing.
      if (gestures.justDragged()) return;
      // A block (an open group, zoomed out): zoom in on it until its nodes are drawn.
      const into = cull.expandAt(node);
      if (into) {
        centreOnGraphPoint(into.x, into.y, camera.getBoundedRatio(camera.getState().ratio * into.ratioBy));
        return;
      }
      const a = graph.getNodeAttributes(node);
      if (a.group !== undefined) {
        view.open.add(a.group);
        rebuild();
        ctx.onGroupToggle();
        return;
      }
      ctx.onSelect(a.index);
    });
    renderer.on("doubleClickNode", ({ node, event }) => {
      if (!graph.hasNode(node)) return event.preventSigmaDefault();
      const a = graph.getNodeAttributes(node);
      if (a.index >= 0) {
        event.preventSigmaDefault();
        ctx.onFocus(a.index);
      }
    });
    renderer.on("enterNode", () => (container.style.cursor = "pointer"));
    renderer.on("leaveNode", () => (container.style.cursor = ""));

    return {
      renderer,
      graph,
      view,
      rebuild,
      fit,
      reveal,
      keyOf,
      indexOf,
      /** Redraws the overlay only: the selection, the search's veil and rings (no WebGL frame). */
      redrawOverlay: drawOverlay,
      sigmaFrames: () => sigmaFrames,
      /** Zooms about the pane's centre, drawn at once by moving the picture, redrawn when it rests. */
      zoom: (factor) =>
        gestures.zoomAt({ x: container.clientWidth / 2, y: container.clientHeight / 2 }, factor),
      gestures,
      hits,
      cull,
      setGrouping(g) {
        view.grouping = g;
        view.open = new Set([...view.open].filter((k) => D.groups[g].some((x) => x.key === k)));
        rebuild();
      },
      toggleGroup(key, open) {
        if (open) view.open.add(key);
        else view.open.delete(key);
        rebuild();
      },
      openGroupOf(i) {
        if (nodes[i].kind === "test")
          i = nodes[i].attachedTo >= 0 ? nodes[i].attachedTo : nodes[i].upstream[0];
        if (i === undefined || i < 0) return false;
        const g = groupsNow()[groupOf(i)];
        if (view.open.has(g.key)) return false;
        view.open.add(g.key);
        rebuild();
        return true;
      },
      /** Shows `set` packed in columns by rank, keeping the layout's order inside each column. */
      showLineage(set) {
        const columns = new Map();
        for (const i of set) {
          if (nodes[i].kind === "test") continue;
          const col = columns.get(nodes[i].rank) || [];
          col.push(i);
          columns.set(nodes[i].rank, col);
        }
        const placed = new Map();
        [...columns.keys()]
          .sort((a, b) => a - b)
          .forEach((rank, c) => {
            const col = columns
              .get(rank)
              .sort((a, b) => placeOf(a)[1] - placeOf(b)[1] || placeOf(a)[0] - placeOf(b)[0]);
            const top = -((col.length - 1) * 44) / 2;
            col.forEach((i, k) => placed.set(i, [c * 300, top + k * 44]));
          });
        view.lineage = placed;
        rebuild();
        fit();
      },
      showProject() {
        view.lineage = null;
        rebuild();
        fit();
      },
      /** Where node `i` is drawn, in CSS pixels from the graph pane's corner (tests and the bench). */
      screenPosition(i) {
        const key = keyOf(i);
        if (key === null || !graph.hasNode(key)) return null;
        const a = graph.getNodeAttributes(key);
        const p = renderer.graphToViewport({ x: a.x, y: a.y });
        // During a gesture the picture is moved by a transform the camera has not taken yet.
        const t = gestures.transform();
        return { x: t.k * p.x + t.tx, y: t.k * p.y + t.ty };
      },
    };
  };
})();
