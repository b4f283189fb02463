// The docs site's detail panel: everything known about one node, built with textContent only.
// Loaded before app.js, which calls it with the site's data and helpers.
(function () {
  "use strict";

  const STATUS_CLASS = { success: "ok", pass: "ok", warn: "warn", error: "bad", fail: "bad", skipped: "skip" };

  /** Returns `render(i)`, which fills #detail with node `i`. */
  window.SluiceDocsDetail = function (ctx) {
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
        else dd.textContent = typeof v === "string" ? v : JSON.stringify(v);
        dl.appendChild(dd);
      }
      parent.appendChild(dl);
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

    /** Where each output column comes from; unknown lineage says why and shows nothing guessed. */
    function columnLineage(parent, lineage) {
      const s = section(parent, "Column lineage");
      s.setAttribute("data-section", "column-lineage");
      if (!lineage.known) {
        s.appendChild(el("p", { class: "muted" }, `Unknown: ${lineage.reason}.`));
        return;
      }
      const indexOf = new Map(nodes.map((node, k) => [node.id, k]));
      const table = el("table", { id: "detail-column-lineage" });
      table.appendChild(headerRow(["column", "from"]));
      for (const c of lineage.columns) {
        const tr = el("tr");
        tr.appendChild(el("td", {}, c.name));
        const td = el("td");
        if (!c.from.length) td.appendChild(el("span", { class: "muted" }, "computed (no input column)"));
        c.from.forEach((f, k) => {
          if (k) td.appendChild(document.createTextNode(", "));
          const at = indexOf.get(f.node);
          if (at !== undefined) td.appendChild(link(at));
          td.appendChild(document.createTextNode(`.${f.column}`));
        });
        tr.appendChild(td);
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
      panel.appendChild(el("p", { class: "description", id: "detail-description" }, n.description || "No description."));

      keyValues(panel, [
        ["id", n.id],
        ["lands on", connectionLabel(n.connection)],
        ["runs on", n.kind === "model" ? connectionLabel(n.compute) : null],
        ["relation", n.relation],
        ["materialized", n.materialized],
        ["file", `${n.path}:${n.line}`],
        ["tags", n.tags.length ? n.tags.join(", ") : null],
      ]);

      const run = section(panel, "Last run");
      run.setAttribute("data-section", "last run");
      if (n.result) {
        const r = n.result;
        const status = el("span", { class: `badge ${STATUS_CLASS[r.status] || "skip"}`, id: "detail-status" }, r.status);
        keyValues(run, [
          ["status", status],
          ["rows", r.rowsAffected],
          ["failures", r.failures],
          ["time", `${(r.elapsedMs / 1000).toFixed(2)} s`],
          ["started", r.startedAt],
          ["step", `${r.action} in ${r.command} ${r.runId}`],
          ["why", r.reason],
          ["message", r.message],
        ]);
      } else run.appendChild(el("p", { class: "muted" }, D.run ? "Not part of the last run." : "No run results: run sluice build, then generate again."));

      const fresh = section(panel, "Partition freshness (from the ledger)");
      fresh.setAttribute("data-section", "partitions");
      const partitions = D.partitions && D.partitions[n.id];
      if (partitions && partitions.length) {
        const table = el("table");
        table.appendChild(headerRow(["partition", "loaded at", "rows", "watermark"]));
        for (const p of partitions) table.appendChild(row([p.partition, p.loadedAt, p.rows === null ? "" : String(p.rows), p.watermark || ""]));
        fresh.appendChild(table);
      } else fresh.appendChild(el("p", { class: "muted placeholder" }, D.partitions ? "The ledger records no partition of this model." : "No ledger: run sluice build, then generate again."));

      if (n.columns.length) {
        const s = section(panel, "Columns");
        const table = el("table", { id: "detail-columns" });
        table.appendChild(headerRow(["name", "type", "description", "tests"]));
        for (const c of n.columns) table.appendChild(row([c.name, c.dataType || "", c.description, c.tests.join(", ")]));
        s.appendChild(table);
      }
      if (n.columnLineage) columnLineage(panel, n.columnLineage);
      if (testsOf[i].length) linkList(panel, "Tests", testsOf[i]);
      if (Object.keys(n.config).length) keyValues(section(panel, "Config"), Object.entries(n.config));

      const sql = section(panel, "SQL");
      sqlBlock(sql, "raw", n.rawSql);
      sqlBlock(sql, n.kind === "test" ? "compiled (returns failing rows)" : "compiled", n.compiledSql);
      sqlBlock(sql, "compiled incremental", n.compiledIncrementalSql);
      if (!sql.querySelector("details")) sql.appendChild(el("p", { class: "muted" }, "none"));

      linkList(panel, "Upstream", n.upstream);
      linkList(panel, "Downstream", downstream[i].filter((j) => nodes[j].kind !== "test"));
    }

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

    return { render };
  };
})();
