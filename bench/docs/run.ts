// Bench for the docs site at scale: generates the site of a synthetic 10k-model project spread over
// three connections in a child process (time and peak memory), then measures in headless chromium
// how long it takes to open and to answer click, focus, zoom, pan and search. With `--baseline DIR`
// (a checkout of the code before, sharing this tree's node_modules) the same generate and open are
// measured for it in the same run. `npx tsx bench/docs/run.ts [models] [tests] [--baseline DIR]`.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, totalmem, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium, type Page } from "playwright-core";
import {
  MANIFEST_VERSION,
  type Manifest,
  type ManifestNode,
  type ModelNode,
} from "../../src/manifest/types.js";

const CHROMIUM = "/usr/bin/chromium";
const args = process.argv.slice(2).filter((a, i, all) => a !== "--baseline" && all[i - 1] !== "--baseline");
const MODELS = Number(args[0] ?? 10_000);
const TESTS = Number(args[1] ?? 2_000);
const BASELINE = process.argv.includes("--baseline")
  ? resolve(process.argv[process.argv.indexOf("--baseline") + 1]!)
  : null;
const HERE = dirname(fileURLToPath(import.meta.url));
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
  const common = (id: string, name: string, path: string) => ({
    id,
    name,
    location: { path, line: 1 },
    description: `Synthetic ${name}, for the docs bench.`,
    tags: [name.slice(0, 3)],
    checksum: "0",
  });
  const layers: string[][] = [[]];
  for (let i = 0; i < SOURCES; i++) {
    const name = `table_${i}`;
    nodes.push({
      ...common(`source.erp.${name}`, name, "models/sources.yml"),
      kind: "source",
      dependsOn: [],
      sourceName: "erp",
      tableName: name,
      relation: { connection: "source", schema: "erp", name },
      columns: [],
      changeTracking: null,
    });
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
      config: {
        materialized: m % 5 === 0 ? "incremental" : "table",
        connection,
        compute: "lake",
        schema: "dbo",
        alias: name,
        tags: [],
        partitionBy: [],
        uniqueKey: ["id"],
        strategy: null,
        fullRefresh: null,
      },
      relation: { connection, schema: "dbo", name },
      columns: ["id", "customer_id", "amount", "created_at"].map((c) => ({
        name: c,
        dataType: c === "created_at" ? "timestamp" : "bigint",
        tags: [],
      })),
      rawSql: sql,
      compiledSql: sql.replace(/\{\{ ref\('([^']+)'\) \}\}/g, "dbo.$1"),
      compiledIncrementalSql:
        m % 5 === 0
          ? `${sql.replace(/\{\{ ref\('([^']+)'\) \}\}/g, "dbo.$1")} and created_at > '2026-01-01'`
          : null,
      lineage: null,
      macrosUsed: [],
    };
    nodes.push(node);
  }
  for (let t = 0; t < tests; t++) {
    const target = nodes[SOURCES + Math.floor(rnd() * models)] as ModelNode;
    const name = `unique_${target.name}_id_${t}`;
    nodes.push({
      ...common(`test.${name}`, name, target.location.path),
      kind: "test",
      dependsOn: [target.id],
      testType: "unique",
      attachedTo: target.id,
      column: "id",
      args: {},
      config: { severity: "error", errorIf: "!= 0", warnIf: "!= 0", where: null },
      connection: target.config.connection,
      compiledSql: `select id from dbo.${target.name} group by id having count(*) > 1`,
      reconcile: null,
    });
  }
  return {
    manifestVersion: MANIFEST_VERSION,
    sluiceVersion: "bench",
    generatedAt: new Date().toISOString(),
    project: "bench",
    target: "dev",
    connections: {
      source: { type: "sqlserver", lake: false },
      lake: { type: "hive", lake: true },
      mart: { type: "sqlserver", lake: false },
    },
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

/** Generates in a child process, so its peak memory is the generate's alone. */
function generate(
  generator: string,
  out: string,
): { ms: number; cpuMs: number; maxRssMb: number; dir: string; nodes: number } {
  const stdout = execFileSync(
    process.execPath,
    ["--import", "tsx", join(HERE, "generate-child.ts"), generator, String(MODELS), String(TESTS), out],
    { encoding: "utf8", maxBuffer: 1 << 26 },
  );
  return JSON.parse(stdout.trim().split("\n").pop()!) as {
    ms: number;
    cpuMs: number;
    maxRssMb: number;
    dir: string;
    nodes: number;
  };
}

/** Opens the site five times: navigation start to the first frame with the graph drawn. */
async function openTimes(page: Page, dir: string): Promise<number[]> {
  const opens: number[] = [];
  for (let run = 0; run < 5; run++) {
    await page.goto(`${pathToFileURL(join(dir, "index.html")).href}?run=${run}`);
    await page.waitForFunction(
      () => (window as unknown as { SLUICE_DOCS_READY?: boolean }).SLUICE_DOCS_READY === true,
      null,
      { timeout: 120_000 },
    );
    opens.push(await page.evaluate(() => performance.getEntriesByName("sluice-docs-painted")[0]!.startTime));
  }
  return opens;
}

/**
 * Latency of one real input (through playwright's mouse and keyboard): from the event's timestamp
 * to the end of the next frame after it was handled (a task queued from requestAnimationFrame,
 * registered before the page's own handlers run, so sigma's render in that frame is included).
 */
async function latency(page: Page, type: string, act: () => Promise<void>): Promise<number> {
  await page.evaluate((t) => {
    const w = window as unknown as { __lat: Promise<number> };
    w.__lat = new Promise((done) => {
      const h = (e: Event) => {
        window.removeEventListener(t, h, true);
        const t0 = e.timeStamp;
        requestAnimationFrame(() => setTimeout(() => done(performance.now() - t0)));
      };
      window.addEventListener(t, h, true);
    });
  }, type);
  await act();
  return page.evaluate(() => (window as unknown as { __lat: Promise<number> }).__lat);
}

/**
 * Time from an input (its event's timestamp) to the end of the frame that draws the gesture's end
 * state at full detail: the redraw the camera makes once a drag ends or the wheel rests. Only for
 * sites that move the drawn picture during a gesture (`gestureCommits`); NaN for others, whose
 * move frame is already the full redraw.
 */
async function settled(page: Page, type: string, act: () => Promise<void>): Promise<number> {
  await page.evaluate((t) => {
    const w = window as unknown as {
      __settled: Promise<number>;
      SLUICE_DOCS_VIEW: { gestureCommits?: () => number };
    };
    const v = w.SLUICE_DOCS_VIEW;
    w.__settled = new Promise((done) => {
      if (!v.gestureCommits) return done(Number.NaN);
      const before = v.gestureCommits();
      const h = (e: Event) => {
        window.removeEventListener(t, h, true);
        const t0 = e.timeStamp;
        const started = performance.now();
        const tick = () => {
          if (v.gestureCommits!() > before)
            requestAnimationFrame(() => setTimeout(() => done(performance.now() - t0)));
          else if (performance.now() - started > 10_000) done(Number.NaN);
          else setTimeout(tick, 2);
        };
        tick();
      };
      window.addEventListener(t, h, true);
    });
  }, type);
  await act();
  return page.evaluate(() => (window as unknown as { __settled: Promise<number> }).__settled);
}

/**
 * A search's latency: from the input event to the end of the first frame after the page has shown
 * the match count (the results and the graph's marks are set in the same task), so a search that
 * runs after the input's own frame is not timed by that frame alone.
 */
async function searched(page: Page, act: () => Promise<void>): Promise<number> {
  await page.evaluate(() => {
    const w = window as unknown as { __searched: Promise<number> };
    w.__searched = new Promise((done) => {
      const h = (e: Event) => {
        window.removeEventListener("input", h, true);
        const t0 = e.timeStamp;
        const count = document.getElementById("match-count")!;
        const seen = new MutationObserver(() => {
          seen.disconnect();
          requestAnimationFrame(() => setTimeout(() => done(performance.now() - t0)));
        });
        seen.observe(count, { childList: true, characterData: true, subtree: true });
      };
      window.addEventListener("input", h, true);
    });
  });
  await act();
  return page.evaluate(() => (window as unknown as { __searched: Promise<number> }).__searched);
}

async function interactions(page: Page, dir: string): Promise<Record<string, number[]>> {
  await page.goto(pathToFileURL(join(dir, "index.html")).href);
  await page.waitForFunction(
    () => (window as unknown as { SLUICE_DOCS_READY?: boolean }).SLUICE_DOCS_READY === true,
    null,
    { timeout: 120_000 },
  );
  await page.click("#expand-all");
  await page.waitForTimeout(500);
  const drawn = await page.evaluate(
    () => (window as unknown as { SLUICE_DOCS_VIEW: { drawn(): string[] } }).SLUICE_DOCS_VIEW.drawn().length,
  );
  const culled = await page.evaluate(
    () =>
      (window as unknown as { SLUICE_DOCS_VIEW: { culled?(): string[] } }).SLUICE_DOCS_VIEW.culled?.().length,
  );
  const sigmaDraws = culled === undefined ? "" : `, ${culled} drawn by sigma at the whole view`;
  console.log(`every group open: ${drawn} nodes in the view${sigmaDraws}`);
  const box = (await page.locator("#graph").boundingBox())!;
  const out: Record<string, number[]> = {
    click: [],
    focus: [],
    zoom: [],
    "zoom, full redraw": [],
    pan: [],
    "pan, full redraw after release": [],
    "pan zoomed in on a node, full redraw after release": [],
    search: [],
  };
  const pause = () => page.waitForTimeout(300);
  const ids = await page.evaluate(() =>
    (window as unknown as { SLUICE_DOCS: { nodes: { id: string; kind: string }[] } }).SLUICE_DOCS.nodes
      .filter((n) => n.kind === "model")
      .map((n) => n.id),
  );
  for (let k = 0; k < 20; k++) {
    // Click a node where it is drawn (zoomed so it can be hit).
    await page.click("#zoom-fit");
    await pause();
    const id = ids[(k * 7919) % ids.length]!;
    await page.evaluate(
      (nodeId) =>
        ((window as unknown as { location: Location }).location.hash = `#!/${encodeURIComponent(nodeId)}`),
      id,
    );
    await pause();
    const at = await page.evaluate(
      (nodeId) =>
        (
          window as unknown as {
            SLUICE_DOCS_VIEW: { screenPosition(i: string): { x: number; y: number } | null };
          }
        ).SLUICE_DOCS_VIEW.screenPosition(nodeId),
      id,
    );
    if (at && at.x > 0 && at.y > 0 && at.x < box.width && at.y < box.height)
      out.click!.push(await latency(page, "click", () => page.mouse.click(box.x + at.x, box.y + at.y)));
    await pause();
    // A pan at the zoom the link brought the node in at (where the site culls to what is in view).
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 80, box.y + box.height / 2 + 40, { steps: 2 });
    const zoomedPan = await settled(page, "mouseup", () => page.mouse.up());
    if (!Number.isNaN(zoomedPan)) out["pan zoomed in on a node, full redraw after release"]!.push(zoomedPan);
    await pause();
    out.focus!.push(await latency(page, "click", () => page.click("#focus-button")));
    await pause();
    await page.click("#show-all");
    await pause();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    let zoomed = 0;
    const full = await settled(page, "wheel", async () => {
      zoomed = await latency(page, "wheel", () => page.mouse.wheel(0, k % 2 ? 240 : -240));
    });
    out.zoom!.push(zoomed);
    if (!Number.isNaN(full)) out["zoom, full redraw"]!.push(full);
    await pause();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    out.pan!.push(
      await latency(page, "mousemove", () =>
        page.mouse.move(box.x + box.width / 2 + 80, box.y + box.height / 2 + 40),
      ),
    );
    const released = await settled(page, "mouseup", () => page.mouse.up());
    if (!Number.isNaN(released)) out["pan, full redraw after release"]!.push(released);
    await pause();
    await page.fill("#search", "");
    out.search!.push(await searched(page, () => page.fill("#search", `lake_l${1 + (k % 4)}_${k}`)));
    await pause();
  }
  await page.screenshot({ path: join(tmpdir(), "sluice-docs-bench.png") });
  return out;
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    console.log("skipped: no chromium (apt-get install chromium)");
    return;
  }
  console.log(
    `${new Date().toISOString()} · ${cpus().length} cores (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(0)} GB · load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  console.log(`project: ${SOURCES} sources, ${MODELS} models, ${TESTS} tests`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  // tsx compiles the functions passed to page.evaluate with esbuild's `__name` helper calls.
  await page.addInitScript({ content: "window.__name = (f) => f;" });
  page.on("pageerror", (e) => console.error(`page error: ${String(e)}`));
  const dirs: string[] = [];
  try {
    const runs: [string, string][] = [["this tree", join(HERE, "../../src/docs/generate.ts")]];
    if (BASELINE) runs.push(["baseline", join(BASELINE, "src/docs/generate.ts")]);
    for (const [name, generator] of runs) {
      const out = mkdtempSync(join(tmpdir(), "sluice-docs-bench-"));
      dirs.push(out);
      const site = generate(generator, out);
      const sizes = ["data.js", "details.js"]
        .map((f) => (statSync(join(site.dir, f)).size / 1e6).toFixed(1))
        .join(" / ");
      console.log(
        `[${name}] generate: ${(site.ms / 1000).toFixed(1)} s (CPU ${((site.cpuMs ?? Number.NaN) / 1000).toFixed(1)} s), peak memory ${site.maxRssMb.toFixed(0)} MB, data.js / details.js ${sizes} MB`,
      );
      if (name === "this tree") {
        // Again into the same target: the unchanged models' column lineage comes from the first run.
        const again = generate(generator, out);
        console.log(
          `[${name}] generate again, nothing changed: ${(again.ms / 1000).toFixed(1)} s (CPU ${(again.cpuMs / 1000).toFixed(1)} s), peak memory ${again.maxRssMb.toFixed(0)} MB`,
        );
      }
      console.log(
        `[${name}] open (navigation start to graph on screen): ${stats(await openTimes(page, site.dir))}`,
      );
      // The baseline's interactions too, when its site has the hooks this harness drives.
      for (const [what, xs] of Object.entries(await interactions(page, site.dir)))
        if (xs.length) console.log(`[${name}] ${what}: ${stats(xs)}`);
    }
    console.log(
      `load after: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}`,
    );
  } finally {
    await browser.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
