// Bundles the CLI into dist/bundle/ (after tsc has built dist/): one module for the code every
// command loads plus one chunk per dynamically imported part (runner, engines, docs), so a command
// reads a handful of files instead of ~200 (zod alone is 95). bin/sluice.js runs it when it is at
// least as new as dist/cli/main.js. Packages stay outside the bundle when they load their own
// files at run time (nunjucks, which the compiler patches through require), are native or
// drivers (loaded only by the commands that open engines), or serve the docs site.
import { build } from "esbuild";

const external = [
  "nunjucks",
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

await build({
  entryPoints: ["src/cli/main.ts", "src/compiler/template-worker.ts"],
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  outdir: "dist/bundle",
  // template-batch.ts starts ./template-worker.js next to itself: chunks and entries share one folder.
  entryNames: "[name]",
  chunkNames: "chunk-[hash]",
  external,
  sourcemap: true,
  logLevel: "warning",
  // Bundled CommonJS packages call require(); an ES module has none unless it is made.
  banner: {
    js: 'import { createRequire as __sluiceRequire } from "node:module";\nconst require = __sluiceRequire(import.meta.url);',
  },
});
