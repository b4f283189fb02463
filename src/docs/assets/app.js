// The docs site in the browser: the state of the view (selection, lineage focus and depth, grouping,
// open groups, search and filters), kept in the address so a view can be shared; the controls, the
// keyboard, and the wiring between the graph (graph-view.js) and the detail panel (detail.js).
// Every text from the project goes through textContent, never markup.
(() => {
  "use strict";

  const D = window.SLUICE_DOCS;
  const nodes = D.nodes;
  const N = nodes.length;
  const DEPTHS = [
    ["0", 0],
    ["1", 1],
    ["2", 2],
    ["3", 3],
    ["5", 5],
    ["all", Infinity],
  ];
  const RESULTS_SHOWN = 200;

  const byId = new Map();
  const downstream = nodes.map(() => []);
  const testsOf = nodes.map(() => []);
  nodes.forEach((n, i) => {
    byId.set(n.id, i);
    for (const u of n.upstream) downstream[u].push(i);
    if (n.kind === "test") for (const u of n.upstream) testsOf[u].push(i);
  });
  const connection = new Map(D.connections.map((c) => [c.name, c]));
  const colourOf = (i) => (connection.get(nodes[i].connection) || { colour: "#888888" }).colour;
  const failing = [];
  for (let i = 0; i < N; i++)
    if (
      nodes[i].kind !== "test" &&
      (nodes[i].health === "fail" || nodes[i].health === "error" || nodes[i].health === "warn")
    )
      failing.push(i);

  const $ = (id) => document.getElementById(id);
  const state = {
    selected: -1,
    focus: -1,
    up: Infinity,
    down: Infinity,
    query: "",
    /** Indices the search matches, or null with no search. */
    matches: null,
    filters: { conn: "", type: "", status: "" },
  };

  /** Creates an element with text set through textContent and the given attributes. */
  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  // ---- filters ------------------------------------------------------------------------------------

  const STATUS_OF = {
    fail: "fail",
    error: "fail",
    warn: "warn",
    pass: "ok",
    success: "ok",
    skipped: "skipped",
  };
  function passesFilters(i) {
    const n = nodes[i];
    const f = state.filters;
    if (f.conn && n.connection !== f.conn && n.compute !== f.conn) return false;
    if (f.type && n.kind !== f.type) return false;
    if (f.status && (n.health ? STATUS_OF[n.health] || "fail" : "not run") !== f.status) return false;
    return true;
  }

  // ---- the graph ----------------------------------------------------------------------------------

  const view = window.SluiceDocsGraph({
    data: D,
    downstream,
    colourOf,
    failing,
    visibleNode: passesFilters,
    hasQuery: () => state.matches !== null,
    isMatch: (i) => state.matches.has(i),
    matchList: () => (state.matches ? [...state.matches].slice(0, 2000) : []),
    onSelect: (i) => navigate(i),
    onFocus: (i) => setFocus(i),
    onGroupToggle: () => {
      renderGroups();
      writeHash(false);
      updateStatus();
    },
  });

  /** Nodes within `up` steps upstream and `down` steps downstream of `root`, breadth first. */
  function lineage(root, up, down) {
    const seen = new Set([root]);
    const walk = (edges, depth) => {
      let frontier = [root];
      for (let d = 0; d < depth && frontier.length; d++) {
        const next = [];
        for (const i of frontier) for (const j of edges(i)) if (!seen.has(j)) seen.add(j), next.push(j);
        frontier = next;
      }
    };
    walk((i) => nodes[i].upstream, up);
    walk((i) => downstream[i], down);
    return seen;
  }

  function select(i) {
    state.selected = i;
    view.view.selected =
      i >= 0 && nodes[i].kind === "test"
        ? nodes[i].attachedTo >= 0
          ? nodes[i].attachedTo
          : nodes[i].upstream[0]
        : i;
    if (i >= 0) renderDetail(i);
    else detail.landing();
    view.redrawOverlay();
    updateStatus();
  }

  /** Shows only `i`'s lineage, to the chosen depths. */
  function setFocus(i, push = true) {
    const root = nodes[i].kind === "test" && nodes[i].attachedTo >= 0 ? nodes[i].attachedTo : i;
    state.focus = root;
    const set = lineage(root, state.up, state.down);
    for (const j of [...set]) if (!passesFilters(j) && j !== root) set.delete(j);
    view.showLineage(set);
    select(i);
    writeHash(push);
  }

  function showAll(push = true) {
    state.focus = -1;
    view.showProject();
    updateStatus();
    writeHash(push);
  }

  /** Selects a node, opening its group or widening the view if it is not drawn. */
  function navigate(i, push = true) {
    if (state.focus >= 0 && view.keyOf(i) === null) return setFocus(i, push);
    if (state.focus < 0 && view.openGroupOf(i)) renderGroups();
    select(i);
    view.reveal(i);
    writeHash(push);
  }

  function link(i) {
    const n = nodes[i];
    const a = el(
      "a",
      { href: `#!/${encodeURIComponent(n.id)}`, class: `link kind-${n.kind}` },
      n.kind === "source" ? n.id.replace(/^source\./, "") : n.name,
    );
    a.addEventListener("click", (e) => {
      e.preventDefault();
      navigate(i);
    });
    return a;
  }

  function updateStatus() {
    const f = state.focus;
    const depth = (d) => (d === Infinity ? "" : String(d));
    const drawn = view.graph.order;
    const selector =
      f >= 0
        ? `${state.up ? `${depth(state.up)}+` : ""}${nodes[f].name}` +
          `${state.down ? `+${depth(state.down)}` : ""}`
        : "";
    const what =
      f >= 0
        ? `lineage ${selector}`
        : `${view.view.open.size} of ${D.groups[view.view.grouping].length} groups open`;
    const sel = state.selected >= 0 ? ` · selected ${nodes[state.selected].name}` : "";
    $("status").textContent = `${drawn} of ${N} nodes in the view · ${what}${sel}`;
  }

  // ---- the address: #!/<selected id>?focus=…&up=…&down=…&group=…&open=…&q=…&conn=…&type=…&status=…

  function writeHash(push) {
    const p = new URLSearchParams();
    if (state.focus >= 0) {
      p.set("focus", nodes[state.focus].id);
      p.set("up", state.up === Infinity ? "all" : String(state.up));
      p.set("down", state.down === Infinity ? "all" : String(state.down));
    } else if (view.view.open.size) p.set("open", [...view.view.open].join("|"));
    if (view.view.grouping !== "folder") p.set("group", view.view.grouping);
    if (state.query) p.set("q", state.query);
    for (const k of ["conn", "type", "status"]) if (state.filters[k]) p.set(k, state.filters[k]);
    const id = state.selected >= 0 ? encodeURIComponent(nodes[state.selected].id) : "";
    const query = p.toString();
    const hash = `#!/${id}${query ? `?${query}` : ""}`;
    if (location.hash === hash) return;
    if (push) history.pushState(null, "", hash);
    else history.replaceState(null, "", hash);
  }

  /**
   * Restores the view from the address. A link that is cut or mangled (a lone `%`, an id that no
   * longer exists) shows the landing page and says why, instead of failing.
   */
  function fromHash() {
    const m = /^#!\/([^?]*)(?:\?(.*))?$/.exec(location.hash);
    if (!m) return;
    let id = "";
    let p;
    try {
      id = decodeURIComponent(m[1]);
      p = new URLSearchParams(m[2] || "");
    } catch (e) {
      notice(`The link ${location.hash} is malformed (${e.name}); showing the whole project.`);
      return;
    }
    const depth = (v) =>
      v === "all" || v === null
        ? Infinity
        : Number.isInteger(Number(v)) && Number(v) >= 0
          ? Number(v)
          : Infinity;
    state.up = depth(p.get("up"));
    state.down = depth(p.get("down"));
    syncDepthControls();
    const grouping = p.get("group") === "connection" ? "connection" : "folder";
    $("grouping").value = grouping;
    if (grouping !== view.view.grouping) view.setGrouping(grouping);
    for (const k of ["conn", "type", "status"]) {
      state.filters[k] = p.get(k) || "";
      $(`filter-${k}`).value = state.filters[k];
    }
    if (p.has("open")) {
      const keys = new Set(D.groups[grouping].map((g) => g.key));
      view.view.open = new Set(
        p
          .get("open")
          .split("|")
          .filter((k) => keys.has(k)),
      );
    }
    view.rebuild();
    renderGroups();
    searchInput.value = p.get("q") || "";
    runSearch(false);
    const focus = p.get("focus");
    if (focus !== null && !byId.has(focus))
      notice(`The link focuses on ${focus}, which is not in this project; showing the whole project.`);
    const i = id ? byId.get(id) : undefined;
    if (id && i === undefined)
      notice(`The link names ${id}, which is not in this project; showing the whole project.`);
    if (focus !== null && byId.has(focus)) {
      setFocus(byId.get(focus), false);
      if (i !== undefined) select(i);
    } else {
      if (state.focus >= 0) showAll(false);
      if (i !== undefined) navigate(i, false);
      else select(-1);
    }
  }
  window.addEventListener("popstate", fromHash);

  function notice(text) {
    const box = $("notice");
    box.textContent = text;
    box.hidden = false;
  }

  // ---- search -------------------------------------------------------------------------------------

  const searchInput = $("search");
  const resultsList = $("results");
  let lastResults = [];
  /** The search whose results are being listed; a later search stops the listing of an earlier one. */
  let resultsRun = 0;
  /** Results listed at once: what fits the list's height; the rest follow a frame at a time. */
  const RESULTS_FIRST = 40;
  const RESULTS_CHUNK = 80;

  /**
   * Lists `shown` (node indices): the first screenful now, the rest in later tasks, so a keystroke
   * shows its first results and the graph's marks without waiting for 200 rows to be laid out.
   */
  function renderResults(shown, why, run, from = 0) {
    if (run !== resultsRun) return;
    const to = Math.min(shown.length, from + (from === 0 ? RESULTS_FIRST : RESULTS_CHUNK));
    const rows = document.createDocumentFragment();
    for (const i of shown.slice(from, to)) {
      const li = el("li");
      li.appendChild(link(i));
      li.appendChild(
        el(
          "span",
          { class: "muted" },
          ` ${nodes[i].kind} · ${nodes[i].path}${why?.get(i) ? ` · ${why.get(i)}` : ""}`,
        ),
      );
      rows.appendChild(li);
    }
    if (to === shown.length && lastResults.length > shown.length)
      rows.appendChild(
        el("li", { class: "muted" }, `… ${lastResults.length - shown.length} more (all marked in the graph)`),
      );
    resultsList.appendChild(rows);
    if (to < shown.length) requestAnimationFrame(() => setTimeout(() => renderResults(shown, why, run, to)));
  }

  /** Runs the search box's query; `show` opens the result list. */
  function runSearch(show) {
    const text = searchInput.value.trim();
    state.query = text;
    const found = window.SluiceDocsSearch.run(text);
    lastResults = found.indices.filter(passesFilters);
    state.matches = text ? new Set(lastResults) : null;
    resultsList.replaceChildren();
    if (found.error) resultsList.appendChild(el("li", { class: "error" }, found.error));
    renderResults(lastResults.slice(0, RESULTS_SHOWN), found.why, ++resultsRun);
    if (text && !lastResults.length && !found.error)
      resultsList.appendChild(el("li", { class: "muted" }, "no match"));
    $("match-count").textContent = text
      ? `${lastResults.length} match${lastResults.length === 1 ? "" : "es"}`
      : "";
    resultsList.hidden = !show || !text;
    view.redrawOverlay();
  }

  let searchTimer = 0;
  searchInput.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      runSearch(true);
      writeHash(false);
    }, 0);
  });
  searchInput.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      searchInput.value = "";
      runSearch(false);
      writeHash(false);
    }
    if (e.key === "ArrowDown" && !resultsList.hidden) {
      const first = resultsList.querySelector("a");
      if (first) e.preventDefault(), first.focus();
    }
    if (e.key !== "Enter" || !lastResults.length) return;
    resultsList.hidden = true;
    const lineageQuery = window.SluiceDocsSearch.lineageOf(searchInput.value);
    if (lineageQuery) {
      state.up = lineageQuery.up;
      state.down = lineageQuery.down;
      syncDepthControls();
      // Focus on the node the selector names, not on the first of its lineage.
      const named = lastResults.find((i) => nodes[i].name === lineageQuery.name);
      setFocus(named !== undefined ? named : lastResults[0]);
    } else navigate(lastResults[0]);
  });
  resultsList.addEventListener("click", () => (resultsList.hidden = true));
  resultsList.addEventListener("keydown", (e) => {
    const items = [...resultsList.querySelectorAll("a")];
    const k = items.indexOf(document.activeElement);
    if (e.key === "ArrowDown" && k < items.length - 1) e.preventDefault(), items[k + 1].focus();
    if (e.key === "ArrowUp") e.preventDefault(), k > 0 ? items[k - 1].focus() : searchInput.focus();
    if (e.key === "Escape") (resultsList.hidden = true), searchInput.focus();
  });

  // ---- keyboard on the graph: arrows walk the lineage, Enter focuses, +/- zoom, 0 fits ----------

  $("graph").addEventListener("keydown", (e) => {
    const s =
      state.selected >= 0 && nodes[state.selected].kind === "test"
        ? nodes[state.selected].attachedTo
        : state.selected;
    // In a lineage view, only what is drawn; in the project view, any neighbour (its group opens).
    const drawnNeighbour = (list) =>
      list.find(
        (j) =>
          nodes[j].kind !== "test" && (state.focus < 0 ? passesFilters(j) : view.keyOf(j) === nodes[j].id),
      );
    let handled = true;
    if (e.key === "+" || e.key === "=") view.zoom(1.5);
    else if (e.key === "-") view.zoom(1 / 1.5);
    else if (e.key === "0") view.fit();
    else if (e.key === "Escape") state.focus >= 0 ? showAll() : select(-1);
    else if (s < 0 && e.key.startsWith("Arrow")) {
      const first = failing[0] ?? nodes.findIndex((n) => n.kind !== "test");
      if (first >= 0) navigate(first);
    } else if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
      const j = drawnNeighbour(e.key === "ArrowLeft" ? nodes[s].upstream : downstream[s]);
      if (j !== undefined) navigate(j);
    } else if (e.key === "ArrowUp" || e.key === "ArrowDown") {
      // The next drawn node above or below in the same column of the layout.
      const at = view.screenPosition(s);
      let best = -1;
      let bestD = Infinity;
      if (at) {
        view.graph.forEachNode((_key, a) => {
          if (a.index < 0 || a.index === s) return;
          const p = view.screenPosition(a.index);
          const dy = e.key === "ArrowUp" ? at.y - p.y : p.y - at.y;
          if (dy <= 0) return;
          const d = dy + Math.abs(p.x - at.x) * 3;
          if (d < bestD) [best, bestD] = [a.index, d];
        });
      }
      if (best >= 0) navigate(best);
    } else if (e.key === "Enter" && s >= 0) setFocus(s);
    else handled = false;
    if (handled) e.preventDefault();
  });

  // ---- controls -----------------------------------------------------------------------------------

  function syncDepthControls() {
    const value = (d) => (d === Infinity ? "all" : String(d));
    $("up-depth").value = value(state.up);
    $("down-depth").value = value(state.down);
  }

  for (const [id, key] of [
    ["up-depth", "up"],
    ["down-depth", "down"],
  ]) {
    const control = $(id);
    for (const [label] of DEPTHS) control.appendChild(el("option", { value: label }, label));
    control.addEventListener("change", () => {
      state[key] = DEPTHS.find(([label]) => label === control.value)[1];
      if (state.focus >= 0) setFocus(state.focus);
      else if (state.selected >= 0) setFocus(state.selected);
    });
  }
  $("grouping").addEventListener("change", (e) => {
    view.setGrouping(e.target.value);
    if (state.focus < 0) view.fit();
    renderGroups();
    updateStatus();
    writeHash(false);
  });
  const filterOptions = {
    conn: D.connections.map((c) => [c.name, `${c.name} (${c.type})`]),
    type: ["model", "source", "seed", "test"]
      .filter((k) => nodes.some((n) => n.kind === k))
      .map((k) => [k, k]),
    status: [
      ["fail", "failed or errored"],
      ["warn", "warned"],
      ["ok", "passed"],
      ["skipped", "skipped"],
      ["not run", "not run"],
    ],
  };
  for (const k of ["conn", "type", "status"]) {
    const control = $(`filter-${k}`);
    for (const [value, label] of filterOptions[k]) control.appendChild(el("option", { value }, label));
    control.addEventListener("change", () => {
      state.filters[k] = control.value;
      if (state.focus >= 0) setFocus(state.focus, false);
      else view.rebuild();
      runSearch(false);
      renderGroups();
      updateStatus();
      writeHash(false);
    });
  }
  $("show-all").addEventListener("click", () => showAll());
  $("zoom-in").addEventListener("click", () => view.zoom(1.5));
  $("zoom-out").addEventListener("click", () => view.zoom(1 / 1.5));
  $("zoom-fit").addEventListener("click", () => view.fit());
  $("expand-all").addEventListener("click", () => {
    for (const g of D.groups[view.view.grouping]) view.view.open.add(g.key);
    if (state.focus >= 0) showAll();
    view.rebuild();
    renderGroups();
    updateStatus();
    writeHash(false);
  });
  $("collapse-all").addEventListener("click", () => {
    view.view.open.clear();
    if (state.focus >= 0) showAll();
    view.rebuild();
    renderGroups();
    updateStatus();
    writeHash(false);
  });

  /** The list of groups with their counts: open or close each (keyboard reachable). */
  function renderGroups() {
    const list = $("group-list");
    list.replaceChildren();
    for (const g of D.groups[view.view.grouping]) {
      const row = el("label", { class: "group-row" });
      const box = el("input", { type: "checkbox", "data-group": g.key });
      box.checked = view.view.open.has(g.key);
      box.addEventListener("change", () => {
        if (state.focus >= 0) {
          state.focus = -1;
          view.view.lineage = null;
        }
        view.toggleGroup(g.key, box.checked);
        updateStatus();
        writeHash(false);
      });
      row.appendChild(box);
      row.appendChild(el("span", {}, ` ${g.key} (${g.count})`));
      list.appendChild(row);
    }
  }

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
    legend.appendChild(
      el(
        "div",
        { class: "muted" },
        "◆ source ▤ seed ✗ failed ⚠ warned; a ring marks a failure; click a group to open it",
      ),
    );
  }

  const detail = window.SluiceDocsDetail({
    data: D,
    downstream,
    testsOf,
    connection,
    el,
    link,
    focus: (i) => setFocus(i),
    loaded: () => detailsLoaded,
  });
  const renderDetail = (i) => detail.render(i);

  // ---- start ----------------------------------------------------------------------------------------

  let detailsLoaded = false;

  /** Loads details.js (descriptions, columns, config, SQL) once the graph is on screen. */
  function loadDetails() {
    const script = document.createElement("script");
    script.src = "details.js";
    script.onload = () => {
      const details = window.SLUICE_DOCS_DETAILS;
      for (let i = 0; i < N; i++) Object.assign(nodes[i], details[i]);
      detailsLoaded = true;
      window.SluiceDocsSearch.detailsLoaded();
      if (state.query) runSearch(false);
      window.SLUICE_DOCS_READY = true;
      if (state.selected >= 0) renderDetail(state.selected);
    };
    script.onerror = () => notice("details.js is missing: run sluice docs generate again");
    document.body.appendChild(script);
  }

  window.SluiceDocsSearch.init({ data: D, downstream, byId });
  document.title = `${D.project} · sluice docs`;
  $("title").textContent = `${D.project} · ${D.target}`;
  syncDepthControls();
  renderLegend();
  view.rebuild();
  renderGroups();
  detail.landing();
  fromHash();
  updateStatus();
  // Hooks for the browser tests and the bench: where a node is drawn, and what is drawn.
  window.SLUICE_DOCS_VIEW = {
    screenPosition: (id) => view.screenPosition(byId.get(id)),
    drawn: () => view.graph.nodes(),
    label: (key) => (view.graph.hasNode(key) ? view.graph.getNodeAttribute(key, "label") : null),
    camera: () => view.renderer.getCamera().getState(),
    sigmaFrames: () => view.sigmaFrames(),
    edges: () => view.graph.mapEdges((_edge, a, from, to) => ({ from, to, count: a.count })),
    /** The node key a click at (x, y) of the pane would hit, from the spatial index. */
    hitAt: (x, y) => view.renderer.getNodeAtPosition({ x, y }),
    /** The picture's move that the camera has not drawn yet: { k, tx, ty }. */
    pendingMove: () => view.gestures.transform(),
    /** Full redraws that ended a pan or a zoom. */
    gestureCommits: () => view.gestures.commits(),
    /** The keys sigma draws now: what is on screen, or blocks for open groups when zoomed out. */
    culled: () => view.renderer.getGraph().filterNodes((_key, a) => !a.stub),
    /** Edges sigma draws now: [from, to] keys, a stub's far end as null. */
    culledEdges: () =>
      view.renderer
        .getGraph()
        .mapEdges((_e, _a, from, to, fa, ta) => [fa.stub ? null : from, ta.stub ? null : to]),
    /** True when open groups are drawn as blocks. */
    blocks: () => view.cull.blocks(),
    /** A node sigma draws now (a block too): where, in CSS pixels of the pane, and its label. */
    drawnNode: (key) => {
      const g = view.renderer.getGraph();
      if (!g.hasNode(key)) return null;
      const a = g.getNodeAttributes(key);
      return { ...view.renderer.graphToViewport(a), label: a.label };
    },
  };
  // The mark times the site's opening (bench/docs); details load once the graph is on screen.
  requestAnimationFrame(() =>
    setTimeout(() => {
      performance.mark("sluice-docs-painted");
      loadDetails();
    }),
  );
})();
