// The docs site's detail panel: everything known about one node, built with textContent only.
// Loaded before app.js, which calls it with the site's data and helpers.
(() => {
  "use strict";

  const STATUS_CLASS = {
    success: "ok",
    pass: "ok",
    warn: "warn",
    error: "bad",
    fail: "bad",
    skipped: "skip",
  };
  const STATUS_RANK = { success: 0, pass: 0, skipped: 1, warn: 2, error: 3, fail: 3 };
  const rank = (s) => (s in STATUS_RANK ? STATUS_RANK[s] : 3);

  /** Returns `render(i)`, which fills #detail with node `i`. */
  window.SluiceDocsDetail = (ctx) => {
    const { data: D, downstream, testsOf, connection, el, link } = ctx;
    const nodes = D.nodes;
    const $ = (id) => document.getElementById(id);

    function section(parent, title) {
      const s = el("section");
      s.appendChild(el("h3", {}, title));
      parent.appendChild(s);
      return s;
    }

    function keyValues(parent, rows) {
      const dl = el("dl");
      for (const [k, v] of rows) {
        if (v === null || v === undefined || v === "") continue;
        dl.appendChild(el("dt", {}, k));
        const dd = el("dd");
        if (v instanceof Node) dd.appendChild(v);
        else dd.textContent = typeof v === "string" ? v : String(v);
        dl.appendChild(dd);
      }
      parent.appendChild(dl);
    }

    /**
     * A config value as a reader wants it: lists joined, yes/no, nested objects as nested
     * key/value lists, empty values left out; null when there is nothing to show.
     */
    function readable(v) {
      if (v === null || v === undefined || v === "") return null;
      if (typeof v === "boolean") return v ? "yes" : "no";
      if (Array.isArray(v)) {
        if (!v.length) return null;
        if (v.every((x) => x === null || typeof x !== "object")) return v.join(", ");
        const ul = el("ul", { class: "links" });
        for (const x of v) {
          const li = el("li");
          const shown = readable(x);
          if (shown instanceof Node) li.appendChild(shown);
          else li.textContent = shown === null ? "" : shown;
          ul.appendChild(li);
        }
        return ul;
      }
      if (typeof v === "object") {
        const rows = Object.entries(v)
          .map(([k, x]) => [snake(k), readable(x)])
          .filter(([, x]) => x !== null);
        if (!rows.length) return null;
        const dl = el("dl", { class: "nested" });
        keyValuesInto(dl, rows);
        return dl;
      }
      return String(v);
    }

    /** Config keys as project YAML spells them (partition_by, not partitionBy). */
    const snake = (k) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

    function keyValuesInto(dl, rows) {
      for (const [k, v] of rows) {
        dl.appendChild(el("dt", {}, k));
        const dd = el("dd");
        if (v instanceof Node) dd.appendChild(v);
        else dd.textContent = v;
        dl.appendChild(dd);
      }
    }

    function statusBadge(status, id) {
      return el(
        "span",
        Object.assign({ class: `badge ${STATUS_CLASS[status] || "bad"}` }, id ? { id } : {}),
        status,
      );
    }

    /** The tests that check node `i`, each with its last outcome and failing rows. */
    function testTable(parent, tests) {
      const s = section(parent, `Tests (${tests.length})`);
      s.setAttribute("data-section", "tests");
      const table = el("table", { id: "detail-tests" });
      table.appendChild(headerRow(["test", "column", "last outcome", "failing rows"]));
      const ordered = [...tests].sort(
        (a, b) => rank(resultStatus(b)) - rank(resultStatus(a)) || nodes[a].name.localeCompare(nodes[b].name),
      );
      for (const t of ordered) {
        const n = nodes[t];
        const tr = el("tr", { "data-test": n.id });
        const name = el("td");
        name.appendChild(link(t));
        tr.appendChild(name);
        tr.appendChild(el("td", {}, n.config?.column || ""));
        const outcome = el("td");
        if (n.result) outcome.appendChild(statusBadge(n.result.status));
        else outcome.appendChild(el("span", { class: "muted" }, D.run ? "not in the last run" : "not run"));
        tr.appendChild(outcome);
        tr.appendChild(el("td", {}, n.result && n.result.failures !== null ? String(n.result.failures) : ""));
        table.appendChild(tr);
      }
      s.appendChild(table);
    }
    const resultStatus = (i) => (nodes[i].result ? nodes[i].result.status : "pass");

    /** The landing page: the project, when the site was made, and every failure of the last run. */
    function landing() {
      const panel = $("detail");
      panel.replaceChildren();
      panel.appendChild(el("h2", { id: "detail-name" }, D.project));
      panel.appendChild(
        el(
          "p",
          {},
          `${nodes.length} nodes on ${D.connections.length} connection` +
            `${D.connections.length === 1 ? "" : "s"}. Click a node, or search.`,
        ),
      );
      panel.appendChild(
        el(
          "p",
          { class: "muted", id: "generated-at" },
          `Site generated ${D.generatedAt.replace("T", " ").replace(/\.\d+Z$/, " UTC")}` +
            ` from target ${D.target}.`,
        ),
      );
      const s = section(panel, "Last run");
      s.setAttribute("data-section", "failures");
      if (!D.run) {
        s.appendChild(el("p", { class: "muted" }, "No run results: run sluice build, then generate again."));
        return;
      }
      s.appendChild(
        el(
          "p",
          {},
          `${D.run.command} ${D.run.runId}, ` +
            `${D.run.success ? "succeeded" : "failed"}, started ${D.run.startedAt}.`,
        ),
      );
      const bad = [];
      for (let i = 0; i < nodes.length; i++)
        if (nodes[i].result && rank(nodes[i].result.status) >= 2) bad.push(i);
      bad.sort(
        (a, b) =>
          rank(nodes[b].result.status) - rank(nodes[a].result.status) ||
          nodes[a].id.localeCompare(nodes[b].id),
      );
      if (!bad.length) {
        s.appendChild(el("p", { class: "muted" }, "No test failed or warned, and no node errored."));
        return;
      }
      const table = el("table", { id: "landing-failures" });
      table.appendChild(headerRow(["outcome", "node", "failing rows", "checks"]));
      for (const i of bad) {
        const n = nodes[i];
        const tr = el("tr");
        const outcome = el("td");
        outcome.appendChild(statusBadge(n.result.status));
        tr.appendChild(outcome);
        const name = el("td");
        name.appendChild(link(i));
        tr.appendChild(name);
        tr.appendChild(el("td", {}, n.result.failures === null ? "" : String(n.result.failures)));
        const checks = el("td");
        if (n.attachedTo >= 0) checks.appendChild(link(n.attachedTo));
        tr.appendChild(checks);
        table.appendChild(tr);
      }
      s.appendChild(table);
    }

    function connectionLabel(name) {
      const c = connection.get(name);
      const span = el("span", { class: "conn" });
      const swatch = el("span", { class: "swatch" });
      swatch.style.background = c ? c.colour : "#888";
      span.appendChild(swatch);
      span.appendChild(document.createTextNode(c ? `${name} (${c.type})` : name));
      return span;
    }

    function linkList(parent, title, indices) {
      const s = section(parent, `${title} (${indices.length})`);
      s.setAttribute("data-section", title.toLowerCase());
      if (!indices.length) s.appendChild(el("p", { class: "muted" }, "none"));
      const ul = el("ul", { class: "links" });
      for (const i of indices) {
        const li = el("li");
        li.appendChild(link(i));
        li.appendChild(el("span", { class: "muted" }, ` ${nodes[i].kind}`));
        ul.appendChild(li);
      }
      s.appendChild(ul);
    }

    /** `node id \0 column` → the model columns computed from it, built once details are in. */
    let usedBy = null;
    const indexOf = new Map(nodes.map((node, k) => [node.id, k]));
    function consumers(id, column) {
      if (!usedBy) {
        usedBy = new Map();
        nodes.forEach((m, j) => {
          if (!m.columnLineage?.known) return;
          for (const c of m.columnLineage.columns) {
            for (const f of c.from) {
              const key = `${f.node}\u0000${f.column.toLowerCase()}`;
              const list = usedBy.get(key) || [];
              list.push({ node: j, column: c.name });
              usedBy.set(key, list);
            }
          }
        });
      }
      return usedBy.get(`${id}\u0000${column.toLowerCase()}`) || [];
    }

    /** The columns at the start of a column's lineage, followed through every model with lineage. */
    function origins(from) {
      const out = [];
      const seen = new Set();
      const walk = (f, depth) => {
        const key = `${f.node}\u0000${f.column.toLowerCase()}`;
        if (seen.has(key)) return;
        seen.add(key);
        const at = indexOf.get(f.node);
        const lineage = at === undefined ? null : nodes[at].columnLineage;
        const col =
          lineage?.known && lineage.columns.find((c) => c.name.toLowerCase() === f.column.toLowerCase());
        if (col && col.from.length && depth < 50) col.from.forEach((g) => walk(g, depth + 1));
        else out.push(f);
      };
      from.forEach((f) => walk(f, 0));
      return out;
    }

    function columnLinks(td, list) {
      list.forEach((f, k) => {
        if (k) td.appendChild(document.createTextNode(", "));
        const at = indexOf.get(f.node);
        if (at !== undefined) td.appendChild(link(at));
        td.appendChild(document.createTextNode(`.${f.column}`));
      });
    }

    /**
     * Where each output column comes from (one hop and at its origin) and which model columns are
     * computed from it; unknown lineage says why and shows nothing guessed.
     */
    function columnLineage(parent, n, lineage) {
      const s = section(parent, "Column lineage");
      s.setAttribute("data-section", "column-lineage");
      if (!lineage.known) {
        s.appendChild(el("p", { class: "muted" }, `Unknown: ${lineage.reason}.`));
        return;
      }
      const table = el("table", { id: "detail-column-lineage" });
      table.appendChild(headerRow(["column", "from", "origin", "used by"]));
      for (const c of lineage.columns) {
        const tr = el("tr", { "data-column": c.name });
        tr.appendChild(el("td", {}, c.name));
        const from = el("td", { "data-cell": "from" });
        if (!c.from.length) from.appendChild(el("span", { class: "muted" }, "computed (no input column)"));
        columnLinks(from, c.from);
        tr.appendChild(from);
        const origin = el("td", { "data-cell": "origin" });
        const roots = origins(c.from);
        if (roots.length && JSON.stringify(roots) !== JSON.stringify(c.from)) columnLinks(origin, roots);
        tr.appendChild(origin);
        const used = el("td", { "data-cell": "used-by" });
        columnLinks(
          used,
          consumers(n.id, c.name).map((u) => ({ node: nodes[u.node].id, column: u.column })),
        );
        tr.appendChild(used);
        table.appendChild(tr);
      }
      s.appendChild(table);
    }

    function sqlBlock(parent, title, sql) {
      if (sql === null || sql === undefined) return;
      const d = el("details", { "data-sql": title });
      d.appendChild(el("summary", {}, title));
      d.appendChild(el("pre", {}, sql));
      parent.appendChild(d);
    }

    function render(i) {
      const n = nodes[i];
      const panel = $("detail");
      panel.replaceChildren();
      if (!ctx.loaded()) {
        panel.appendChild(el("h2", { id: "detail-name" }, n.name));
        panel.appendChild(el("p", { class: "muted" }, "Loading details…"));
        return;
      }
      const head = el("div", { class: "detail-head" });
      head.appendChild(el("span", { class: `kind kind-${n.kind}` }, n.kind));
      head.appendChild(el("h2", { id: "detail-name" }, n.name));
      const focus = el("button", { type: "button", id: "focus-button" }, "Focus lineage");
      focus.addEventListener("click", () => ctx.focus(i));
      head.appendChild(focus);
      panel.appendChild(head);
      panel.appendChild(
        el("p", { class: "description", id: "detail-description" }, n.description || "No description."),
      );

      keyValues(panel, [
        ["id", n.id],
        ["lands on", connectionLabel(n.connection)],
        ["runs on", n.kind === "model" ? connectionLabel(n.compute) : null],
        ["relation", n.relation],
        ["materialized", n.materialized],
        ["file", `${n.path}:${n.line}`],
        ["tags", n.tags.length ? n.tags.join(", ") : null],
      ]);

      if (n.kind !== "source") {
        const run = section(panel, "Last run");
        run.setAttribute("data-section", "last run");
        if (n.result) {
          const r = n.result;
          const rows = [
            ["status", statusBadge(r.status, "detail-status")],
            ["rows", r.rowsAffected],
            ["failing rows", r.failures],
            ["time", `${(r.elapsedMs / 1000).toFixed(2)} s`],
            ["started", r.startedAt],
            ["step", `${r.action} in ${r.command} ${r.runId}`],
            ["why", r.reason],
            ["message", r.message],
          ];
          if (n.health && rank(n.health) > rank(r.status)) {
            const worst = testsOf[i].filter(
              (t) => nodes[t].result && nodes[t].result.status === n.health,
            ).length;
            const note = el("span");
            note.appendChild(statusBadge(n.health, "detail-health"));
            note.appendChild(
              document.createTextNode(
                ` ${worst} test${worst === 1 ? "" : "s"} ${n.health === "warn" ? "warned" : "failed"}`,
              ),
            );
            rows.unshift(["health", note]);
          }
          keyValues(run, rows);
        } else
          run.appendChild(
            el(
              "p",
              { class: "muted" },
              D.run ? "Not part of the last run." : "No run results: run sluice build, then generate again.",
            ),
          );
      }

      // Partition freshness applies to lineage models only: the ledger records partitions of nothing else.
      if (n.lineage) {
        const fresh = section(panel, "Partition freshness (from the ledger)");
        fresh.setAttribute("data-section", "partitions");
        const partitions = D.partitions?.[n.id];
        if (partitions?.length) {
          const table = el("table");
          table.appendChild(headerRow(["partition", "loaded at", "rows", "watermark"]));
          for (const p of partitions)
            table.appendChild(
              row([p.partition, p.loadedAt, p.rows === null ? "" : String(p.rows), p.watermark || ""]),
            );
          fresh.appendChild(table);
        } else
          fresh.appendChild(
            el(
              "p",
              { class: "muted placeholder" },
              D.partitions
                ? "The ledger records no partition of this model."
                : "No ledger: run sluice build, then generate again.",
            ),
          );
      }

      // The catalog's columns (catalog.ts): the engine's with their types, then declared ones it lacks.
      if (n.columns.length || n.catalog) {
        const s = section(panel, "Columns");
        s.setAttribute("data-section", "columns");
        if (n.catalog)
          s.appendChild(
            el(
              "p",
              { class: "muted", id: "detail-columns-from" },
              n.catalog.from === "engine"
                ? `Columns and types as ${n.connection} ` +
                    `has them${D.catalog?.readAt ? ` (read ${D.catalog.readAt})` : ""}.`
                : `Declared columns and those the compiled SQL yields; ${n.catalog.why}.`,
            ),
          );
        if (n.catalog?.rows !== null && n.catalog?.rows !== undefined)
          s.appendChild(
            el(
              "p",
              { id: "detail-rows" },
              `${n.catalog.rows.toLocaleString("en-US")} row` +
                `${n.catalog.rows === 1 ? "" : "s"} (count(*) when the catalog was read)`,
            ),
          );
        const table = el("table", { id: "detail-columns" });
        table.appendChild(headerRow(["name", "type", "description", "tests"]));
        for (const c of n.columns) {
          const tr = row([
            c.name,
            c.declaredType ? `${c.dataType || ""} (declared ${c.declaredType})` : c.dataType || "",
            COLUMN_NOTES[c.state]
              ? `${COLUMN_NOTES[c.state]}${c.description ? ` ${c.description}` : ""}`
              : c.description,
            c.tests.join(", "),
          ]);
          if (c.state) tr.setAttribute("data-state", c.state);
          table.appendChild(tr);
        }
        s.appendChild(table);
      }
      if (n.columnLineage) columnLineage(panel, n, n.columnLineage);
      if (n.alsoReads?.length) {
        const s = section(panel, "Also reads");
        s.setAttribute("data-section", "also reads");
        const table = el("table");
        for (const r of n.alsoReads) table.appendChild(row([r.relation, r.why]));
        s.appendChild(table);
      }
      if (testsOf[i].length) testTable(panel, testsOf[i]);
      const config = readable(n.config);
      if (config) {
        const s = section(panel, "Config");
        s.setAttribute("data-section", "config");
        s.appendChild(config);
      }

      const sqlBlocks = [
        ["raw", n.rawSql],
        [n.kind === "test" ? "compiled (returns failing rows)" : "compiled", n.compiledSql],
        ["compiled incremental", n.compiledIncrementalSql],
      ].filter(([, sql]) => sql !== null && sql !== undefined);
      if (sqlBlocks.length) {
        const sql = section(panel, "SQL");
        for (const [title, text] of sqlBlocks) sqlBlock(sql, title, text);
      }

      if (n.kind !== "source" && n.kind !== "seed") linkList(panel, "Upstream", n.upstream);
      linkList(
        panel,
        "Downstream",
        downstream[i].filter((j) => nodes[j].kind !== "test"),
      );
    }

    /** What the Columns table says of a column the engine and the YAML disagree on. */
    const COLUMN_NOTES = {
      missing: "(declared, but not on the engine)",
      undeclared: "(on the engine; not declared)",
      sql: "(from the SQL; not declared)",
    };

    function headerRow(cells) {
      const tr = el("tr");
      for (const c of cells) tr.appendChild(el("th", {}, c));
      return tr;
    }
    function row(cells) {
      const tr = el("tr");
      for (const c of cells) tr.appendChild(el("td", {}, c));
      return tr;
    }

    return { render, landing };
  };
})();
