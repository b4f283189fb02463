// Bundles the CLI into dist/bundle/ (after tsc has built dist/): main.js holds every part of the
// CLI, those a command imports dynamically (runner, engines, docs) evaluated only when imported,
// so a command reads one file instead of ~200 (zod alone is 95), and template-worker.js is the
// compile's worker. CommonJS, so bin/load-bundle.js can run main.js with V8's code cache, which
// ES modules cannot have on Node 20; the cache is made here by one compile of a small project.
// bin/sluice.js runs the bundle when it is at least as new as dist/cli/main.js. Packages stay
// outside it when they are native or drivers (loaded only by the commands that open engines) or
// serve the docs site. nunjucks is inside: the compiler imports the internals it patches
// statically (nunjucks-internals.d.ts), so the bundle holds one copy, in the code cache too.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";

const OUT = "dist/bundle";
const external = [
  "@duckdb/node-api",
  "@duckdb/node-bindings",
  "mssql",
  "hive-driver",
  "mysql2",
  "pg",
  "pg-copy-streams",
  "pg-cursor",
  "esbuild",
  "node-sql-parser",
  "sigma",
  "graphology",
  "@dagrejs/dagre",
].flatMap((p) => [p, `${p}/*`]);

rmSync(OUT, { recursive: true, force: true });
await build({
  entryPoints: { main: "src/cli/main.ts", "template-worker": "src/compiler/template-worker.ts" },
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  outdir: OUT,
  external,
  sourcemap: true,
  logLevel: "warning",
  // The sources are ES modules that find files next to themselves (the worker, the docs assets,
  // nunjucks' internals) through import.meta.url: in the bundle, that is the bundle's own file.
  define: { "import.meta.url": "__sluiceModuleUrl" },
  banner: { js: 'const __sluiceModuleUrl = require("node:url").pathToFileURL(__filename).href;' },
});
// The package is an ES module package; these two files are CommonJS.
writeFileSync(join(OUT, "package.json"), '{ "type": "commonjs" }\n');

// One compile fills the code cache with what loading and compiling a project runs.
const project = mkdtempSync(join(tmpdir(), "sluice-bundle-"));
try {
  const files = {
    "project.yml": "name: warm\nvars:\n  floor: 0\n",
    "profiles.yml":
      "targets:\n  dev:\n    connections:\n      warehouse:\n        type: duckdb\n        path: .sluice/w.duckdb\n",
    "macros/m.sql": "{% macro twice(c) %}({{ c }} * 2){% endmacro %}\n",
    "models/a.sql": "{{ config(materialized='table') }}\nselect 1 as id\n",
    "models/b.sql":
      "{% set cs = ['id'] %}select {% for c in cs %}{{ twice(c) }} as {{ c }}{% endfor %} from {{ ref('a') }} where id >= {{ var('floor') }}\n",
    "models/schema.yml":
      "models:\n  - name: a\n    columns:\n      - name: id\n        tests: [unique, not_null]\n",
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(project, path, ".."), { recursive: true });
    writeFileSync(join(project, path), text);
  }
  const run = spawnSync(process.execPath, ["bin/sluice.js", "compile", "--project-dir", project], {
    encoding: "utf8",
  });
  if (run.status !== 0) throw new Error(`the bundled CLI failed to compile a small project:\n${run.stderr}`);
} finally {
  rmSync(project, { recursive: true, force: true });
}
