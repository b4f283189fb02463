// Bench for the docs site at scale: generates the site of a synthetic 10k-model project spread over
// three connections, then measures in headless chromium how long it takes to open and to answer
// clicks. Run with `npx tsx bench/docs/run.ts [models] [tests]`; needs /usr/bin/chromium.
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { generateDocs } from "../../src/docs/generate.js";
import { MANIFEST_VERSION, type Manifest, type ManifestNode, type ModelNode } from "../../src/manifest/types.js";

const CHROMIUM = "/usr/bin/chromium";
const MODELS = Number(process.argv[2] ?? 10_000);
const TESTS = Number(process.argv[3] ?? 2_000);
const SOURCES = 300;
const LAYERS = 6;

/** Deterministic pseudo-random numbers (Park–Miller), so every run benches the same graph. */
function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

/** Sources on SQL Server, four lake layers on Hive, two mart layers on SQL Server computed on the lake. */
export function syntheticManifest(models: number, tests: number): Manifest {
  const rnd = random(42);
  const nodes: ManifestNode[] = [];
  const common = (id: string, name: string, path: string) => ({ id, name, location: { path, line: 1 }, description: `Synthetic ${name}, for the docs bench.`, tags: [name.slice(0, 3)], checksum: "0" });
  const layers: string[][] = [[]];
  for (let i = 0; i < SOURCES; i++) {
    const name = `table_${i}`;
    nodes.push({ ...common(`source.erp.${name}`, name, "models/sources.yml"), kind: "source", dependsOn: [], sourceName: "erp", tableName: name, relation: { connection: "source", schema: "erp", name }, columns: [], changeTracking: null });
    layers[0]!.push(`source.erp.${name}`);
  }
  const perLayer = Math.ceil(models / LAYERS);
  for (let m = 0; m < models; m++) {
    const layer = 1 + Math.floor(m / perLayer);
    const mart = layer > 4;
    const name = `${mart ? "mart" : "lake"}_l${layer}_${m}`;
    (layers[layer] ??= []).push(`model.${name}`);
    const deps = new Set<string>();
    for (let k = 0, n = 1 + Math.floor(rnd() * 3); k < n; k++) {
      const from = layers[Math.max(0, layer - 1 - (rnd() < 0.2 ? 1 : 0))]!;
      deps.add(from[Math.floor(rnd() * from.length)]!);
    }
    const connection = mart ? "mart" : "lake";
    const sql = `select id, customer_id, amount, created_at\nfrom ${[...deps].map((d) => `{{ ref('${d.split(".").pop()}') }}`).join("\njoin ")}\nwhere amount > 0`;
    const node: ModelNode = {
      ...common(`model.${name}`, name, `models/${connection}/layer_${layer}/${name}.sql`),
      kind: "model",
      dependsOn: [...deps],
      config: { materialized: m % 5 === 0 ? "incremental" : "table", connection, compute: "lake", schema: "dbo", alias: name, tags: [], partitionBy: [], uniqueKey: ["id"], strategy: null, fullRefresh: null },
      relation: { connection, schema: "dbo", name },
      columns: ["id", "customer_id", "amount", "created_at"].map((c) => ({ name: c, dataType: c === "created_at" ? "timestamp" : "bigint", tags: [] })),
      rawSql: sql,
      compiledSql: sql.replace(/\{\{ ref\('([^']+)'\) \}\}/g, "dbo.$1"),
      compiledIncrementalSql: m % 5 === 0 ? `${sql.replace(/\{\{ ref\('([^']+)'\) \}\}/g, "dbo.$1")} and created_at > '2026-01-01'` : null,
      lineage: null,
      macrosUsed: [],
    };
    nodes.push(node);
  }
  for (let t = 0; t < tests; t++) {
    const target = nodes[SOURCES + Math.floor(rnd() * models)] as ModelNode;
    const name = `unique_${target.name}_id_${t}`;
    nodes.push({ ...common(`test.${name}`, name, target.location.path), kind: "test", dependsOn: [target.id], testType: "unique", attachedTo: target.id, column: "id", args: {}, config: { severity: "error", errorIf: "!= 0", warnIf: "!= 0", where: null }, connection: target.config.connection, compiledSql: `select id from dbo.${target.name} group by id having count(*) > 1`, reconcile: null });
  }
  return {
    manifestVersion: MANIFEST_VERSION,
    sluiceVersion: "bench",
    generatedAt: new Date().toISOString(),
    project: "bench",
    target: "dev",
    connections: { source: { type: "sqlserver", lake: false }, lake: { type: "hive", lake: true }, mart: { type: "sqlserver", lake: false } },
    nodes: Object.fromEntries(nodes.map((n) => [n.id, n])),
    hooks: { on_run_start: [], on_run_end: [] },
    macros: {},
  };
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return `median ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms, max ${s[s.length - 1]!.toFixed(1)} ms (n=${s.length})`;
};

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    console.log("skipped: no chromium (apt-get install chromium)");
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "sluice-docs-bench-"));
  try {
    const manifest = syntheticManifest(MODELS, TESTS);
    let started = performance.now();
    const site = generateDocs(manifest, dir, { runResults: null });
    const generateMs = performance.now() - started;
    const dataMb = statSync(join(site.dir, "data.js")).size / 1e6;
    console.log(`project: ${SOURCES} sources, ${MODELS} models, ${TESTS} tests (${site.nodes} nodes); ${cpus().length} cores`);
    console.log(`generate (layout with and without tests + write): ${(generateMs / 1000).toFixed(1)} s, data.js ${dataMb.toFixed(1)} MB`);

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    // tsx compiles the functions passed to page.evaluate with esbuild's `__name` helper calls.
    await page.addInitScript({ content: "window.__name = (f) => f;" });
    page.on("pageerror", (e) => console.error(`page error: ${String(e)}`));
    const opens: number[] = [];
    const withDetails: number[] = [];
    for (let run = 0; run < 5; run++) {
      await page.goto(`${pathToFileURL(join(site.dir, "index.html")).href}?run=${run}`);
      await page.waitForFunction(() => (window as unknown as { SLUICE_DOCS_READY?: boolean }).SLUICE_DOCS_READY === true);
      // From navigation start to the first frame with the graph drawn (the site marks it), and to
      // the details (descriptions, columns, SQL) loaded after it.
      const [painted, ready] = await page.evaluate(() => [performance.getEntriesByName("sluice-docs-painted")[0]!.startTime, performance.now()]);
      opens.push(painted!);
      withDetails.push(ready!);
    }
    console.log(`open (navigation start to graph on screen): ${stats(opens)}`);
    console.log(`details loaded after (upper bound, includes polling): ${stats(withDetails)}`);

    const clicks = await page.evaluate(async () => {
      // The next frame drawn: a task queued from requestAnimationFrame runs once the frame is committed.
      const frame = () => new Promise<number>((r) => requestAnimationFrame(() => setTimeout(() => r(performance.now()))));
      // A pause between actions, as a user makes: the previous redraw's rasterizing is not billed to the next click.
      const pause = () => new Promise((r) => setTimeout(r, 300));
      const svg = document.getElementById("graph")!;
      const data = (window as unknown as { SLUICE_DOCS: { nodes: { x: number; y: number; kind: string; id: string }[] } }).SLUICE_DOCS;
      const view = () => /translate\(([-\d.e]+),([-\d.e]+)\) scale\(([-\d.e]+)\)/.exec(document.getElementById("viewport")!.getAttribute("transform")!)!.map(Number);
      const box = svg.getBoundingClientRect();
      const models = data.nodes.filter((n) => n.kind === "model");
      const graphClick: number[] = [];
      const focus: number[] = [];
      const focusClick: number[] = [];
      const follow: number[] = [];
      const back: number[] = [];
      for (let k = 0; k < 25; k++) {
        const n = models[Math.floor((k * 7919) % models.length)]!;
        const [, tx, ty, scale] = view();
        await pause();
        let t = performance.now();
        svg.dispatchEvent(new MouseEvent("click", { bubbles: true, clientX: box.left + tx! + n.x * scale!, clientY: box.top + ty! + n.y * scale! }));
        graphClick.push((await frame()) - t);
        // Clicks land on whole pixels, so at whole-project zoom a neighbour may be the nearest node.
        if (!document.getElementById("focus-button")) throw new Error(`click at ${n.id} selected nothing`);
        await pause();
        t = performance.now();
        document.getElementById("focus-button")!.click();
        focus.push((await frame()) - t);
        const drawn = [...document.querySelectorAll<SVGGElement>("#graph [data-id]")];
        const target = drawn[Math.floor(drawn.length / 2)];
        if (target) {
          const r = target.getBoundingClientRect();
          await pause();
          t = performance.now();
          svg.dispatchEvent(new MouseEvent("click", { bubbles: true, clientX: r.left + r.width / 2, clientY: r.top + r.height / 2 }));
          focusClick.push((await frame()) - t);
        }
        const link = document.querySelector<HTMLAnchorElement>("[data-section='upstream'] a");
        if (link) {
          await pause();
          t = performance.now();
          link.click();
          follow.push((await frame()) - t);
        }
        await pause();
        t = performance.now();
        document.getElementById("show-all")!.click();
        back.push((await frame()) - t);
      }
      return { graphClick, focus, focusClick, follow, back };
    });
    console.log(`click a node in the whole-project graph (select, panel, redraw): ${stats(clicks.graphClick)}`);
    console.log(`focus its lineage (+m+, all depths): ${stats(clicks.focus)}`);
    console.log(`click a node drawn in the focus view: ${stats(clicks.focusClick)}`);
    console.log(`follow an upstream link in the panel: ${stats(clicks.follow)}`);
    console.log(`back to the whole project: ${stats(clicks.back)}`);
    const shot = join(tmpdir(), "sluice-docs-bench.png");
    await page.screenshot({ path: shot });
    console.log(`screenshot: ${shot}`);
    await browser.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
