// Writes the static docs site to <target>/docs/: index.html, the browser code and styles copied from
// src/docs/assets/, and the site data as scripts that set globals, so the site opens from file://
// with no server, no fetch and nothing loaded from the network. The site is written to a draft
// folder beside it and swapped in whole, so a generate that is cancelled or killed leaves the
// previous site as it was (killed between the swap's two renames, the previous site is kept aside
// whole and put back by the next generate).
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";
import type { Manifest } from "../manifest/types.js";
import type { RunResults } from "../manifest/run-results.js";
import type { EngineColumns } from "./catalog.js";
import { modelEngine } from "./column-lineage.js";
import { LineageStore } from "./lineage-store.js";
import { parseInWorkers, parseKey } from "./sql-parse.js";
import { buildSite, type PartitionFreshness, type SiteData } from "./site-data.js";

/**
 * The browser assets live in src/docs/assets/ and are not compiled; both src/docs/generate.ts
 * (tsx, tests) and dist/docs/generate.js (the CLI) sit two folders below the package root.
 */
export const ASSETS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../src/docs/assets");

const ASSET_FILES = [
  "app.js",
  "detail.js",
  "graph-camera.js",
  "graph-hit.js",
  "graph-cull.js",
  "graph-view.js",
  "search.js",
  "style.css",
] as const;

/** Entry of the browser bundle (sigma, graphology, the selector), beside the assets folder. */
const VENDOR_ENTRY = resolve(ASSETS_DIR, "../browser/vendor.ts");

let vendorBundle: string | undefined;

/**
 * The browser bundle, built once per process (about 0.3 s): built from the installed packages and
 * the selector's source at generate time, so it cannot drift from either.
 */
export function vendorScript(): string {
  vendorBundle ??= buildSync({
    entryPoints: [VENDOR_ENTRY],
    bundle: true,
    minify: true,
    format: "iife",
    platform: "browser",
    target: "es2020",
    write: false,
    legalComments: "eof",
    logLevel: "silent",
  }).outputFiles[0]!.text;
  return vendorBundle;
}

/** Globals the data scripts assign; app.js reads them. */
export const DATA_GLOBAL = "SLUICE_DOCS";
export const DETAILS_GLOBAL = "SLUICE_DOCS_DETAILS";

/**
 * Node fields only the detail panel reads. They go to details.js, which the page loads after it
 * has drawn the graph: at 10k models they are most of the data (SQL three times over).
 */
export const DETAIL_FIELDS = [
  "description",
  "columns",
  "config",
  "rawSql",
  "compiledSql",
  "compiledIncrementalSql",
  "columnLineage",
  "catalog",
  "alsoReads",
] as const;

export interface GenerateOptions {
  /** The run results to show; by default read from <targetDir>/run_results.json if present. */
  runResults?: RunResults | null;
  partitions?: Record<string, PartitionFreshness[]> | null;
  /** The clock for the site's generation time; tests pin it. */
  now?: () => Date;
  /** Columns read from the engines (runner/catalog.ts); null or absent: from the declarations. */
  engine?: EngineColumns | null;
  /** Reuse the column lineage of the last run for models that did not change (default true). */
  lineageCache?: boolean;
  /** Once aborted, the site is not swapped in: generateDocs rejects and target/docs/ stays as it was. */
  signal?: AbortSignal;
}

export interface GeneratedSite {
  dir: string;
  nodes: number;
  data: SiteData;
  /** Models whose column lineage came from the last run's, and those worked out afresh. */
  lineage: { reused: number; parsed: number };
}

/** Where the column lineage of the last run is kept, beside the site (lineage-store.ts). */
export const LINEAGE_STORE_FILE = "docs-cache/column-lineage.json";

/**
 * Writes the site for `manifest` to `<targetDir>/docs/`, replacing what was there, and the catalog
 * its Columns tables show to `<targetDir>/catalog.json`.
 */
export async function generateDocs(
  manifest: Manifest,
  targetDir: string,
  options: GenerateOptions = {},
): Promise<GeneratedSite> {
  restoreRetiredSite(targetDir);
  const runResults = options.runResults !== undefined ? options.runResults : readRunResults(targetDir);
  const storeFile = join(targetDir, LINEAGE_STORE_FILE);
  const lineageStore = options.lineageCache === false ? undefined : LineageStore.read(storeFile);
  // Parsing is nearly all of column lineage: the SQL the last run did not see is parsed up front,
  // on every core; what the store answers is not parsed at all.
  const jobs = [];
  for (const n of Object.values(manifest.nodes)) {
    if (n.kind !== "model") continue;
    const engine = modelEngine(n, manifest);
    if (!lineageStore?.sawSql(parseKey(engine, n.compiledSql))) jobs.push({ engine, sql: n.compiledSql });
  }
  const parsedSql = await parseInWorkers(jobs);
  const { data, catalog } = buildSite(manifest, {
    parsedSql,
    runResults,
    partitions: options.partitions ?? null,
    engine: options.engine ?? null,
    ...(options.now ? { now: options.now } : {}),
    ...(lineageStore ? { lineageStore } : {}),
  });
  options.signal?.throwIfAborted();
  const dir = join(targetDir, "docs");
  mkdirSync(targetDir, { recursive: true });
  removeDrafts(targetDir);
  const draft = mkdtempSync(join(targetDir, DRAFT_PREFIX));
  try {
    mkdirSync(join(draft, "assets"));
    for (const file of ASSET_FILES) copyFileSync(join(ASSETS_DIR, file), join(draft, "assets", file));
    writeFileSync(join(draft, "assets", "vendor.js"), vendorScript());
    const { graph, details } = splitDetails(data);
    writeFileSync(join(draft, "data.js"), globalScript(DATA_GLOBAL, graph));
    writeFileSync(join(draft, "details.js"), globalScript(DETAILS_GLOBAL, details));
    writeFileSync(join(draft, "index.html"), indexHtml(data));
    writeFileSync(join(draft, "catalog.json"), `${JSON.stringify(catalog, null, 2)}\n`);
    options.signal?.throwIfAborted();
    killPointForTests("draft-written");
    swapIn(draft, dir);
    // The catalog goes in by a rename too: target/catalog.json is always one generate's whole file.
    renameSync(join(dir, "catalog.json"), join(targetDir, "catalog.json"));
    killPointForTests("catalog-in");
  } finally {
    rmSync(draft, { recursive: true, force: true });
  }
  lineageStore?.write(storeFile);
  return {
    dir,
    nodes: data.nodes.length,
    data,
    lineage: { reused: lineageStore?.hits ?? 0, parsed: lineageStore?.misses ?? 0 },
  };
}

/** Folders in the target folder that a generate writes the site to before swapping it in. */
const DRAFT_PREFIX = ".docs-draft-";
/** The previous site, for the moment between the two renames of a swap. */
const RETIRED_PREFIX = ".docs-retired-";

/** Drafts and retired sites a killed generate left behind. */
function removeDrafts(targetDir: string): void {
  for (const name of readdirSync(targetDir))
    if (name.startsWith(DRAFT_PREFIX) || name.startsWith(RETIRED_PREFIX))
      rmSync(join(targetDir, name), { recursive: true, force: true });
}

/**
 * Puts the finished `draft` at `dir`. A folder cannot be renamed over a full one, so the old site is
 * first renamed aside: `dir` is missing only between two renames, never half-written.
 */
function swapIn(draft: string, dir: string): void {
  const retired = join(dirname(draft), `${RETIRED_PREFIX}${process.pid}`);
  const hadSite = existsSync(dir);
  if (hadSite) renameSync(dir, retired);
  killPointForTests("old-site-aside");
  renameSync(draft, dir);
  killPointForTests("new-site-in");
  if (hadSite) rmSync(retired, { recursive: true, force: true });
  killPointForTests("old-site-removed");
}

/**
 * A generate killed between the two renames of swapIn left no `docs/` and the previous site whole
 * under a retired name: it is put back first, so a generate that then fails or is cancelled still
 * leaves the previous site. Drafts and other leftovers are removed later, by removeDrafts.
 */
function restoreRetiredSite(targetDir: string): void {
  const dir = join(targetDir, "docs");
  if (existsSync(dir) || !existsSync(targetDir)) return;
  const retired = readdirSync(targetDir)
    .filter((name) => name.startsWith(RETIRED_PREFIX))
    .map((name) => join(targetDir, name))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  if (retired) renameSync(retired, dir);
}

/**
 * Test hook, used only by tests/e2e/cancel-commands.test.ts: SLUICE_TEST_KILL_DOCS_AT naming one of
 * the steps of writing the site (draft-written, old-site-aside, new-site-in, old-site-removed,
 * catalog-in) SIGKILLs this process right after that step, so a test can check what a kill at each
 * point leaves and that the next generate recovers.
 */
function killPointForTests(step: string): void {
  if (process.env["SLUICE_TEST_KILL_DOCS_AT"] === step) process.kill(process.pid, "SIGKILL");
}

/** The last run's results, or null when there are none or they cannot be read. */
export function readRunResults(targetDir: string): RunResults | null {
  const file = join(targetDir, "run_results.json");
  if (!existsSync(file)) return null;
  try {
    const value = JSON.parse(readFileSync(file, "utf8")) as RunResults;
    return Array.isArray(value.results) ? value : null;
  } catch {
    return null;
  }
}

/** The site data without the detail fields, and those fields per node, in node order. */
export function splitDetails(data: SiteData): { graph: SiteData; details: Record<string, unknown>[] } {
  const details: Record<string, unknown>[] = [];
  const nodes = data.nodes.map((n) => {
    const rest: Record<string, unknown> = { ...n };
    const detail: Record<string, unknown> = {};
    for (const f of DETAIL_FIELDS) {
      detail[f] = n[f];
      delete rest[f];
    }
    details.push(detail);
    return rest as unknown as SiteData["nodes"][number];
  });
  return { graph: { ...data, nodes }, details };
}

/**
 * `window.NAME = JSON.parse("...")`: JSON.parse of a string loads faster than an object literal of
 * the same size. `<`, `>` and `&` are written as \u escapes, so no description or SQL text
 * appears as markup anywhere in the generated files.
 */
export function globalScript(name: string, value: unknown): string {
  const literal = JSON.stringify(JSON.stringify(value)).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return `window.${name} = JSON.parse(${literal});\n`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function indexHtml(data: SiteData): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(data.project)} · sluice docs</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="assets/style.css">
</head>
<body>
<header id="bar">
  <span id="title"></span>
  <div id="search-box">
    <input id="search" type="search" aria-label="Search" placeholder="Search text, or a selector: tag:x, path:x, source:x, config.materialized:table, +name+, @name, … --exclude …" autocomplete="off" spellcheck="false">
    <ol id="results" hidden></ol>
  </div>
  <span id="match-count" aria-live="polite"></span>
  <label>connection <select id="filter-conn"><option value="">all</option></select></label>
  <label>type <select id="filter-type"><option value="">all</option></select></label>
  <label>status <select id="filter-status"><option value="">all</option></select></label>
  <label>upstream <select id="up-depth"></select></label>
  <label>downstream <select id="down-depth"></select></label>
  <button id="show-all" type="button">Whole project</button>
</header>
<div id="notice" role="alert" hidden></div>
<main>
  <section id="graph-pane">
    <div id="graph" tabindex="0" role="application" aria-label="Lineage graph: arrows move along the lineage, Enter focuses, + and - zoom, 0 fits"></div>
    <canvas id="graph-overlay" aria-hidden="true"></canvas>
    <div id="controls">
      <button id="zoom-in" type="button" title="Zoom in (+)">+</button>
      <button id="zoom-out" type="button" title="Zoom out (-)">−</button>
      <button id="zoom-fit" type="button" title="Fit (0)">fit</button>
    </div>
    <canvas id="minimap" width="220" height="140" title="Whole project: click to move there"></canvas>
    <details id="groups" open>
      <summary>Groups by <select id="grouping"><option value="folder">folder</option><option value="connection">connection</option></select></summary>
      <div><button id="expand-all" type="button">open all</button> <button id="collapse-all" type="button">close all</button></div>
      <div id="group-list"></div>
    </details>
    <div id="legend"></div>
    <div id="status" aria-live="polite"></div>
  </section>
  <aside id="detail"></aside>
</main>
<noscript>This site needs JavaScript; nothing is loaded from the network.</noscript>
<script src="data.js"></script>
<script src="assets/vendor.js"></script>
<script src="assets/search.js"></script>
<script src="assets/graph-camera.js"></script>
<script src="assets/graph-hit.js"></script>
<script src="assets/graph-cull.js"></script>
<script src="assets/graph-view.js"></script>
<script src="assets/detail.js"></script>
<script src="assets/app.js"></script>
</body>
</html>
`;
}
