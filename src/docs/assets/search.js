// The docs site's search: the CLI's own selector language (bundled from src/graph/selector.ts, with
// `--exclude`), or free text over names, ids, tags, descriptions, column names and SQL.
(() => {
  "use strict";

  const SELECTOR =
    /^(@|\d*\+)|\+\d*$|^(tag|path|source|resource_type|test_type|state|config\.[a-z_]+):|\s--exclude\s|^\*$/;
  /** The order of String.prototype.localeCompare, a collator built once instead of per comparison. */
  const collate = new Intl.Collator().compare;
  let D, nodes, byId, dag, manifest, texts, keys;

  /** A manifest as the selector reads it, from the site's nodes (config once details are in). */
  function selectionManifest() {
    const out = {};
    for (const n of nodes) {
      out[n.id] = {
        id: n.id,
        kind: n.kind,
        name: n.name,
        tags: n.tags,
        location: { path: n.path, line: n.line },
        sourceName: n.kind === "source" ? n.id.split(".")[1] : undefined,
        testType: n.kind === "test" && n.config ? n.config.testType : undefined,
        attachedTo: n.kind === "test" ? (n.attachedTo >= 0 ? nodes[n.attachedTo].id : null) : undefined,
        dependsOn: n.upstream.map((u) => nodes[u].id),
        config: n.config || {},
      };
    }
    return { nodes: out };
  }

  window.SluiceDocsSearch = {
    /**
     * The selector's manifest and graph are built on first use, not here: at 10k nodes they take
     * longer than drawing the first frame, which the page must not wait for.
     */
    init(ctx) {
      D = ctx.data;
      nodes = D.nodes;
      byId = ctx.byId;
      manifest = null;
      dag = null;
      texts = null;
      keys = null;
    },
    /** Details (descriptions, columns, SQL, config) are in: searchable, and selectable by config. */
    detailsLoaded() {
      manifest = null;
      // Built once the page is idle, so the first selector typed does not wait for it either.
      setTimeout(() => {
        keys ??= searchKeys();
        manifest ??= selectionManifest();
        dag ??= window.SluiceDocsLib.manifestDag(manifest);
      }, 50);
      texts = nodes.map((n) => ({
        description: (n.description || "").toLowerCase(),
        columns: (n.columns || []).map((c) => c.name.toLowerCase()),
        sql: `${n.rawSql || ""}\n${n.compiledSql || ""}`.toLowerCase(),
      }));
    },
    /** `{ indices, error, why }`: matches best first, a selector error, why each free-text hit matched. */
    run(text) {
      const q = text.trim();
      if (!q) return { indices: [] };
      if (SELECTOR.test(q)) return selector(q);
      return freeText(q.toLowerCase());
    },
    /** `2+name+1`, `+name`, `name+`: the depths to focus with, or null. */
    lineageOf(text) {
      const m = /^(\d*\+)?([^+\s]+?)(\+\d*)?$/.exec(text.trim());
      if (!m || (!m[1] && !m[3])) return null;
      const depth = (s) => (!s ? 0 : s.replace("+", "") === "" ? Infinity : Number(s.replace("+", "")));
      return { name: m[2], up: depth(m[1]), down: depth(m[3]) };
    },
  };

  function selector(q) {
    manifest ??= selectionManifest();
    dag ??= window.SluiceDocsLib.manifestDag(manifest);
    const [select, exclude] = q.split(/\s+--exclude\s+/);
    try {
      // A selector that matches nothing warns, as on the command line; here the warning is the answer.
      const warnings = [];
      const ids = window.SluiceDocsLib.selectNodes(
        { manifest, dag },
        [select],
        exclude ? [exclude] : undefined,
        {
          includeSources: true,
          warn: (message) => warnings.push(message),
        },
      );
      const indices = [...ids].map((id) => byId.get(id)).filter((i) => i !== undefined);
      indices.sort(
        (a, b) =>
          (nodes[a].kind === "test") - (nodes[b].kind === "test") || collate(nodes[a].id, nodes[b].id),
      );
      return indices.length === 0 && warnings.length > 0 ? { indices, error: warnings[0] } : { indices };
    } catch (e) {
      return { indices: [], error: e instanceof Error ? e.message : String(e) };
    }
  }

  /**
   * Names, ids and tags lower-cased once, not on every keystroke (12,000 nodes at 10k models); built
   * once the page is idle after the details load, or by the first search before that.
   */
  function searchKeys() {
    return nodes.map((n) => ({
      name: n.name.toLowerCase(),
      id: n.id.toLowerCase(),
      tags: n.tags.map((t) => t.toLowerCase()),
      test: n.kind === "test" ? 1 : 0,
    }));
  }

  function freeText(q) {
    keys ??= searchKeys();
    const hits = [];
    const why = new Map();
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      const name = k.name;
      let rank =
        name === q
          ? 0
          : name.startsWith(q)
            ? 1
            : name.includes(q)
              ? 2
              : k.id.includes(q) || k.tags.includes(q)
                ? 3
                : -1;
      if (rank < 0 && texts) {
        const t = texts[i];
        if (t.description.includes(q)) (rank = 4), why.set(i, "description");
        else {
          const column = t.columns.find((c) => c.includes(q));
          if (column !== undefined) (rank = 5), why.set(i, `column ${column}`);
          else if (t.sql.includes(q)) (rank = 6), why.set(i, "SQL");
        }
      }
      if (rank >= 0) hits.push([rank * 2 + k.test, i]);
    }
    hits.sort((a, b) => a[0] - b[0] || collate(nodes[a[1]].name, nodes[b[1]].name));
    return { indices: hits.map((h) => h[1]), why };
  }
})();
