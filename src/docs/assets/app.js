// The docs site in the browser: draws the lineage graph laid out at generate time, searches, focuses
// on a node's lineage and shows a node's details. Plain script with no dependencies, so the site
// opens from file://. Every text from the project goes through textContent, never markup.
(function () {
  "use strict";

  const D = window.SLUICE_DOCS;
  const SVG_NS = "http://www.w3.org/2000/svg";
  const nodes = D.nodes;
  const N = nodes.length;
  const W = D.layout.nodeWidth;
  const H = D.layout.nodeHeight;
  /** Above this many nodes in view, or below this zoom, nodes are drawn as one path per colour. */
  const DETAIL_MAX_NODES = 800;
  const DETAIL_MIN_SCALE = 0.3;
  const DEPTHS = [["0", 0], ["1", 1], ["2", 2], ["3", 3], ["5", 5], ["all", Infinity]];
  const KIND_GLYPH = { source: "◆ ", seed: "▤ ", model: "", test: "✓ " };
  const STATUS_CLASS = { success: "ok", pass: "ok", warn: "warn", error: "bad", fail: "bad", skipped: "skip" };

  const byId = new Map();
  const downstream = nodes.map(() => []);
  const testsOf = nodes.map(() => []);
  nodes.forEach((n, i) => {
    byId.set(n.id, i);
    for (const u of n.upstream) downstream[u].push(i);
    if (n.kind === "test") for (const u of n.upstream) testsOf[u].push(i);
  });
  const connection = new Map(D.connections.map((c) => [c.name, c]));
  const colourOf = (i) => (connection.get(nodes[i].connection) || { colour: "#888" }).colour;

  const $ = (id) => document.getElementById(id);
  const svg = $("graph");
  const state = {
    selected: -1,
    focus: -1,
    up: Infinity,
    down: Infinity,
    showTests: false,
    matches: new Set(),
    shown: [],
    shownSet: new Uint8Array(N),
    px: new Float64Array(N),
    py: new Float64Array(N),
    view: { scale: 1, tx: 0, ty: 0 },
    visible: [],
  };

  /** Creates an element with text set through textContent and the given attributes. */
  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function svgEl(tag, attrs) {
    const e = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    return e;
  }

  // ---- which nodes are shown, and where -------------------------------------------------------

  /** Nodes within `up` steps upstream and `down` steps downstream of `root`, breadth first. */
  function lineage(root, up, down) {
    const seen = new Set([root]);
    const walk = (edges, depth) => {
      let frontier = [root];
      for (let d = 0; d < depth && frontier.length; d++) {
        const next = [];
        for (const i of frontier) for (const j of edges(i)) if (!seen.has(j)) (seen.add(j), next.push(j));
        frontier = next;
      }
    };
    walk((i) => nodes[i].upstream, up);
    walk((i) => downstream[i], down);
    return seen;
  }

  /** The whole-project layout in use: the one with tests when they are shown. */
  const layoutX = (i) => (state.showTests ? nodes[i].xt : nodes[i].x);
  const layoutY = (i) => (state.showTests ? nodes[i].yt : nodes[i].y);

  /**
   * Positions for a focus subgraph: keeps dagre's columns (ranks) and its order within each column
   * from the whole-project layout, and packs them together, so no layout runs in the browser.
   */
  function compact(indices) {
    const columns = new Map();
    for (const i of indices) {
      const col = columns.get(layoutX(i)) || [];
      col.push(i);
      columns.set(layoutX(i), col);
    }
    const xs = [...columns.keys()].sort((a, b) => a - b);
    xs.forEach((x, c) => {
      const col = columns.get(x).sort((a, b) => layoutY(a) - layoutY(b));
      const top = -((col.length - 1) * (H + 14)) / 2;
      col.forEach((i, k) => {
        state.px[i] = c * (W + 90);
        state.py[i] = top + k * (H + 14);
      });
    });
  }

  function computeShown() {
    state.shownSet.fill(0);
    let set;
    if (state.focus >= 0) {
      set = lineage(state.focus, state.up, state.down);
      if (state.showTests) for (const i of [...set]) for (const t of testsOf[i]) set.add(t);
      if (!state.showTests) for (const i of [...set]) if (nodes[i].kind === "test" && i !== state.focus) set.delete(i);
      state.shown = [...set];
      compact(state.shown);
    } else {
      state.shown = [];
      for (let i = 0; i < N; i++) {
        if (!state.showTests && nodes[i].kind === "test") continue;
        state.shown.push(i);
        state.px[i] = layoutX(i);
        state.py[i] = layoutY(i);
      }
    }
    for (const i of state.shown) state.shownSet[i] = 1;
  }

  // ---- drawing --------------------------------------------------------------------------------

  const root = svgEl("g", { id: "viewport" });
  const overlay = svgEl("g", { class: "overlay" });
  $("graph-overlay").appendChild(overlay);
  svg.appendChild(root);
  let renderQueued = false;

  function applyTransform() {
    const v = state.view;
    const transform = `translate(${v.tx},${v.ty}) scale(${v.scale})`;
    root.setAttribute("transform", transform);
    overlay.setAttribute("transform", transform);
  }

  function scheduleRender() {
    if (renderQueued) return;
    renderQueued = true;
    requestAnimationFrame(() => {
      renderQueued = false;
      render();
    });
  }

  /** Redraws what is in (or near) the viewport: edges batched per colour, nodes one by one when few. */
  function render() {
    applyTransform();
    const { scale, tx, ty } = state.view;
    const vw = svg.clientWidth || 800;
    const vh = svg.clientHeight || 600;
    const mx = vw / scale / 2;
    const my = vh / scale / 2;
    const x0 = -tx / scale - mx - W;
    const x1 = (vw - tx) / scale + mx + W;
    const y0 = -ty / scale - my - H;
    const y1 = (vh - ty) / scale + my + H;
    const { px, py } = state;
    const visible = [];
    for (const i of state.shown) if (px[i] >= x0 && px[i] <= x1 && py[i] >= y0 && py[i] <= y1) visible.push(i);
    state.visible = visible;

    const edgePaths = new Map();
    for (const i of state.shown) {
      for (const u of nodes[i].upstream) {
        if (!state.shownSet[u]) continue;
        const ax = px[u] + W / 2;
        const bx = px[i] - W / 2;
        if (Math.max(ax, bx) < x0 || Math.min(ax, bx) > x1 || Math.max(py[u], py[i]) < y0 || Math.min(py[u], py[i]) > y1) continue;
        const mid = (ax + bx) / 2;
        const c = colourOf(u);
        edgePaths.set(c, (edgePaths.get(c) || "") + edgePath(u, i));
      }
    }
    root.replaceChildren();
    const edges = svgEl("g", { class: "edges" });
    for (const [c, d] of edgePaths) edges.appendChild(svgEl("path", { d, stroke: c }));
    root.appendChild(edges);

    const detailed = visible.length <= DETAIL_MAX_NODES && scale >= DETAIL_MIN_SCALE;
    const layer = svgEl("g", { class: detailed ? "nodes" : "nodes batch" });
    if (detailed) for (const i of visible) layer.appendChild(nodeElement(i));
    else {
      // At least two pixels high, so a zoomed-out column still shows as a bar of its connection's colour.
      const h = Math.max(H, 2 / scale);
      const boxes = new Map();
      for (const i of visible) {
        const c = colourOf(i);
        boxes.set(c, (boxes.get(c) || "") + `M${px[i] - W / 2} ${py[i] - h / 2}h${W}v${h}h${-W}z`);
      }
      for (const [c, d] of boxes) layer.appendChild(svgEl("path", { d, fill: c, stroke: c }));
    }
    root.appendChild(layer);
    renderOverlay();
  }

  function edgePath(u, i) {
    const { px, py } = state;
    const ax = px[u] + W / 2;
    const bx = px[i] - W / 2;
    const mid = (ax + bx) / 2;
    return `M${ax} ${py[u]}C${mid} ${py[u]} ${mid} ${py[i]} ${bx} ${py[i]}`;
  }

  /**
   * Redraws only the selection and search marks, on top of the drawn graph: a click changes
   * nothing else, so it never rebuilds the thousands of boxes and edges under it.
   */
  function renderOverlay() {
    const s = state.selected;
    const { px, py } = state;
    let edges = "";
    if (s >= 0 && state.shownSet[s]) {
      for (const u of nodes[s].upstream) if (state.shownSet[u]) edges += edgePath(u, s);
      for (const d of downstream[s]) if (state.shownSet[d]) edges += edgePath(s, d);
    }
    let marks = "";
    const mark = (i) => (marks += `M${px[i] - W / 2 - 3} ${py[i] - H / 2 - 3}h${W + 6}v${H + 6}h${-W - 6}z`);
    if (state.matches.size) for (const i of state.visible) if (state.matches.has(i)) mark(i);
    if (s >= 0 && state.shownSet[s]) mark(s);
    overlay.replaceChildren();
    if (edges) overlay.appendChild(svgEl("path", { d: edges, class: "edge-highlight" }));
    if (marks) overlay.appendChild(svgEl("path", { d: marks, class: "marks" }));
  }

  function nodeElement(i) {
    const n = nodes[i];
    const c = colourOf(i);
    const g = svgEl("g", { class: `node kind-${n.kind}`, "data-id": n.id, transform: `translate(${state.px[i] - W / 2},${state.py[i] - H / 2})` });
    g.appendChild(svgEl("rect", { width: W, height: H, rx: n.kind === "source" ? H / 2 : 3, fill: c, stroke: c }));
    const text = svgEl("text", { x: n.kind === "source" ? 12 : 8, y: H / 2 + 4 });
    text.textContent = shortLabel(KIND_GLYPH[n.kind] + n.name);
    g.appendChild(text);
    if (n.health) g.appendChild(svgEl("circle", { cx: W - 9, cy: H / 2, r: 4, class: `status ${STATUS_CLASS[n.health] || "bad"}` }));
    const title = svgEl("title");
    title.textContent = `${n.id}\n${n.connection}${n.compute !== n.connection ? ` (computed on ${n.compute})` : ""}`;
    g.appendChild(title);
    return g;
  }

  /**
   * A label that fits a box, cut in the middle: generic tests share their middle (the model's name)
   * and differ at the start (the test type) and the end (the column), so both ends stay.
   */
  function shortLabel(label) {
    if (label.length <= 27) return label;
    return `${label.slice(0, 11)}…${label.slice(-15)}`;
  }

  /**
   * The node drawn under a point of the SVG, or when zoomed out so far that boxes are a pixel
   * high, the nearest one within a few pixels.
   */
  function nodeAt(clientX, clientY) {
    const r = svg.getBoundingClientRect();
    const { scale, tx, ty } = state.view;
    const gx = (clientX - r.left - tx) / scale;
    const gy = (clientY - r.top - ty) / scale;
    const slack = 6 / scale;
    let best = -1;
    let bestDistance = Infinity;
    for (const i of state.visible) {
      const dx = Math.max(0, Math.abs(gx - state.px[i]) - W / 2);
      const dy = Math.max(0, Math.abs(gy - state.py[i]) - H / 2);
      if (dx === 0 && dy === 0) return i;
      const distance = Math.hypot(dx, dy);
      if (distance <= slack && distance < bestDistance) [best, bestDistance] = [i, distance];
    }
    return best;
  }

  function fit() {
    if (!state.shown.length) return;
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (const i of state.shown) {
      x0 = Math.min(x0, state.px[i] - W / 2);
      x1 = Math.max(x1, state.px[i] + W / 2);
      y0 = Math.min(y0, state.py[i] - H / 2);
      y1 = Math.max(y1, state.py[i] + H / 2);
    }
    const vw = svg.clientWidth || 800;
    const vh = svg.clientHeight || 600;
    const scale = Math.min(1.2, (vw * 0.94) / (x1 - x0), (vh * 0.94) / (y1 - y0));
    state.view = { scale, tx: vw / 2 - ((x0 + x1) / 2) * scale, ty: vh / 2 - ((y0 + y1) / 2) * scale };
  }

  function centreOn(i) {
    const vw = svg.clientWidth || 800;
    const vh = svg.clientHeight || 600;
    const scale = Math.max(state.view.scale, 0.8);
    state.view = { scale, tx: vw / 2 - state.px[i] * scale, ty: vh / 2 - state.py[i] * scale };
  }

  // ---- pan, zoom and clicks -------------------------------------------------------------------

  let drag = null;
  svg.addEventListener("pointerdown", (e) => {
    drag = { x: e.clientX, y: e.clientY, tx: state.view.tx, ty: state.view.ty, moved: false };
  });
  window.addEventListener("pointermove", (e) => {
    if (!drag) return;
    const dx = e.clientX - drag.x;
    const dy = e.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
    if (!drag.moved) return;
    state.view.tx = drag.tx + dx;
    state.view.ty = drag.ty + dy;
    applyTransform();
  });
  window.addEventListener("pointerup", () => {
    if (drag && drag.moved) scheduleRender();
    setTimeout(() => (drag = null), 0);
  });
  svg.addEventListener("click", (e) => {
    if (drag && drag.moved) return;
    const i = nodeAt(e.clientX, e.clientY);
    if (i >= 0) navigate(i, false);
  });
  svg.addEventListener("dblclick", (e) => {
    const i = nodeAt(e.clientX, e.clientY);
    if (i >= 0) setFocus(i);
  });
  svg.addEventListener(
    "wheel",
    (e) => {
      e.preventDefault();
      const r = svg.getBoundingClientRect();
      const v = state.view;
      const scale = Math.min(4, Math.max(0.01, v.scale * Math.exp(-e.deltaY * 0.0015)));
      const cx = e.clientX - r.left;
      const cy = e.clientY - r.top;
      state.view = { scale, tx: cx - ((cx - v.tx) / v.scale) * scale, ty: cy - ((cy - v.ty) / v.scale) * scale };
      scheduleRender();
    },
    { passive: false },
  );
  window.addEventListener("resize", scheduleRender);

  // ---- selection, focus and navigation --------------------------------------------------------

  function select(i, moved) {
    state.selected = i;
    renderDetail(i);
    if (moved) render();
    else renderOverlay();
  }

  /** Shows `i`'s lineage only, to the chosen depths. */
  function setFocus(i) {
    state.focus = i;
    state.selected = i;
    computeShown();
    fit();
    renderDetail(i);
    render();
    updateStatus();
  }

  function showAll() {
    state.focus = -1;
    computeShown();
    fit();
    render();
    updateStatus();
  }

  /** Selects a node and records it in the address, so links and the back button work. */
  function navigate(i, focus) {
    const hash = `#!/${encodeURIComponent(nodes[i].id)}`;
    if (location.hash !== hash) history.pushState(null, "", hash);
    if (focus || (state.focus >= 0 && !state.shownSet[i])) setFocus(i);
    else {
      let moved = false;
      if (!state.shownSet[i]) {
        state.showTests = true;
        $("show-tests").checked = true;
        computeShown();
        moved = true;
      }
      if (moved || !state.visible.includes(i)) {
        centreOn(i);
        moved = true;
      }
      select(i, moved);
    }
  }

  /**
   * Follows the address: `#!/<node id>`. A link that is cut or mangled (a lone `%`, an id that no
   * longer exists) shows the landing page and says why, instead of failing.
   */
  function fromHash() {
    const m = /^#!\/(.+)$/.exec(location.hash);
    if (!m) return;
    let id = null;
    try {
      id = decodeURIComponent(m[1]);
    } catch (e) {
      notice(`The link ${location.hash} is malformed (${e.name}); showing the whole project.`);
      return;
    }
    const i = byId.get(id);
    if (i === undefined) notice(`The link names ${id}, which is not in this project; showing the whole project.`);
    else navigate(i, state.focus >= 0);
  }

  function notice(text) {
    const box = $("notice");
    box.textContent = text;
    box.hidden = false;
  }
  window.addEventListener("popstate", fromHash);

  function link(i) {
    const a = el("a", { href: `#!/${encodeURIComponent(nodes[i].id)}`, class: `link kind-${nodes[i].kind}` }, nodes[i].kind === "source" ? nodes[i].id.replace(/^source\./, "") : nodes[i].name);
    a.addEventListener("click", (e) => {
      e.preventDefault();
      navigate(i, state.focus >= 0);
    });
    return a;
  }

  function updateStatus() {
    const f = state.focus;
    const depth = (d) => (d === Infinity ? "" : String(d));
    const selector = f >= 0 ? `${state.up ? `${depth(state.up)}+` : ""}${nodes[f].name}${state.down ? `+${depth(state.down)}` : ""}` : "";
    $("status").textContent = `${state.shown.length} of ${N} nodes${selector ? ` · lineage ${selector}` : ""}`;
  }

  // ---- search ---------------------------------------------------------------------------------

  /** Nodes matching `name`, `tag:x` or `path:x`, best first: exact name, then prefix, then rest. */
  function search(query) {
    const q = query.trim().toLowerCase();
    if (!q) return [];
    const out = [];
    if (q.startsWith("tag:")) {
      const tag = q.slice(4);
      for (let i = 0; i < N; i++) if (nodes[i].tags.some((t) => t.toLowerCase() === tag)) out.push(i);
      return testsLast(out);
    }
    if (q.startsWith("path:")) {
      const path = q.slice(5);
      for (let i = 0; i < N; i++) if (nodes[i].path.toLowerCase().includes(path)) out.push(i);
      return testsLast(out);
    }
    const rank = (i) => {
      const name = nodes[i].name.toLowerCase();
      return (name === q ? 0 : name.startsWith(q) ? 1 : 2) * 10 + (nodes[i].kind === "test" ? 1 : 0);
    };
    for (let i = 0; i < N; i++) if (nodes[i].name.toLowerCase().includes(q) || nodes[i].id.toLowerCase().includes(q)) out.push(i);
    return out.sort((a, b) => rank(a) - rank(b) || nodes[a].name.localeCompare(nodes[b].name));
  }

  function testsLast(indices) {
    return indices.filter((i) => nodes[i].kind !== "test").concat(indices.filter((i) => nodes[i].kind === "test"));
  }

  /** `2+name+1`, `+name`, `name+`: a lineage selector as in --select; null for plain text. */
  function parseLineage(text) {
    const m = /^(\d*\+)?([^+]+?)(\+\d*)?$/.exec(text.trim());
    if (!m || (!m[1] && !m[3])) return null;
    const depth = (s) => (!s ? 0 : s.replace("+", "") === "" ? Infinity : Number(s.replace("+", "")));
    return { name: m[2], up: depth(m[1]), down: depth(m[3]) };
  }

  const searchInput = $("search");
  const resultsList = $("results");
  let lastResults = [];

  function showResults() {
    const text = searchInput.value;
    const lineageQuery = parseLineage(text);
    lastResults = search(lineageQuery ? lineageQuery.name : text);
    state.matches = /^(tag|path):/i.test(text.trim()) ? new Set(lastResults) : new Set();
    resultsList.replaceChildren();
    for (const i of lastResults.slice(0, 50)) {
      const li = el("li");
      li.appendChild(link(i));
      li.appendChild(el("span", { class: "muted" }, ` ${nodes[i].kind} · ${nodes[i].path}`));
      resultsList.appendChild(li);
    }
    if (lastResults.length > 50) resultsList.appendChild(el("li", { class: "muted" }, `… ${lastResults.length - 50} more`));
    if (text.trim() && !lastResults.length) resultsList.appendChild(el("li", { class: "muted" }, "no match"));
    resultsList.hidden = !text.trim();
    renderOverlay();
  }

  searchInput.addEventListener("input", showResults);
  searchInput.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      searchInput.value = "";
      showResults();
    }
    if (e.key !== "Enter" || !lastResults.length) return;
    const lineageQuery = parseLineage(searchInput.value);
    if (lineageQuery) {
      state.up = lineageQuery.up;
      state.down = lineageQuery.down;
      syncDepthControls();
    }
    resultsList.hidden = true;
    navigate(lastResults[0], true);
  });
  resultsList.addEventListener("click", () => (resultsList.hidden = true));

  // ---- controls and legend --------------------------------------------------------------------

  function syncDepthControls() {
    const value = (d) => (d === Infinity ? "all" : String(d));
    $("up-depth").value = value(state.up);
    $("down-depth").value = value(state.down);
  }

  for (const [id, key] of [["up-depth", "up"], ["down-depth", "down"]]) {
    const select = $(id);
    for (const [label] of DEPTHS) select.appendChild(el("option", { value: label }, label));
    select.addEventListener("change", () => {
      state[key] = DEPTHS.find(([label]) => label === select.value)[1];
      if (state.focus >= 0) setFocus(state.focus);
      else if (state.selected >= 0) setFocus(state.selected);
    });
  }
  $("show-tests").addEventListener("change", (e) => {
    state.showTests = e.target.checked;
    computeShown();
    fit();
    render();
    updateStatus();
  });
  $("show-all").addEventListener("click", showAll);

  function renderLegend() {
    const legend = $("legend");
    legend.appendChild(el("strong", {}, "Connections"));
    for (const c of D.connections) {
      const row = el("div", { class: "legend-row" });
      const swatch = el("span", { class: "swatch" });
      swatch.style.background = c.colour;
      row.appendChild(swatch);
      row.appendChild(el("span", {}, `${c.name} (${c.type}${c.lake ? ", lake" : ""})`));
      legend.appendChild(row);
    }
    legend.appendChild(el("div", { class: "muted" }, "◆ source  ▤ seed  ✓ test; edges take the colour of the node they leave"));
  }

  const detail = window.SluiceDocsDetail({
    data: D,
    downstream,
    testsOf,
    connection,
    el,
    link,
    focus: setFocus,
    loaded: () => detailsLoaded,
  });
  const renderDetail = (i) => detail.render(i);

  // ---- start ----------------------------------------------------------------------------------

  let detailsLoaded = false;

  /** Loads details.js (descriptions, columns, config, SQL) once the graph is on screen. */
  function loadDetails() {
    const script = document.createElement("script");
    script.src = "details.js";
    script.onload = () => {
      const details = window.SLUICE_DOCS_DETAILS;
      for (let i = 0; i < N; i++) Object.assign(nodes[i], details[i]);
      detailsLoaded = true;
      window.SLUICE_DOCS_READY = true;
      if (state.selected >= 0) renderDetail(state.selected);
    };
    script.onerror = () => {
      $("status").textContent = "details.js is missing: run sluice docs generate again";
    };
    document.body.appendChild(script);
  }

  document.title = `${D.project} · sluice docs`;
  $("title").textContent = `${D.project} · ${D.target}`;
  syncDepthControls();
  renderLegend();
  computeShown();
  fit();
  render();
  updateStatus();
  detail.landing();
  fromHash();
  // The mark times the site's opening (bench/docs); details load once the graph is on screen.
  requestAnimationFrame(() =>
    setTimeout(() => {
      performance.mark("sluice-docs-painted");
      loadDetails();
    }),
  );
})();
