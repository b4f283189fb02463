#!/usr/bin/env node
// The `sluice` command: runs the compiled CLI from dist/ (built by `npm install` through `prepare`).
// The bundle (scripts/bundle.mjs, run with V8's code cache by load-bundle.js) starts faster; it is
// used only when it is at least as new as tsc's output, so a later `tsc` alone never leaves an
// older bundle running. runToExit (cli/exit-guard.ts) turns a command that never finishes into exit 1.
import { statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runToExit } from "../dist/cli/exit-guard.js";

const at = (path) => fileURLToPath(new URL(path, import.meta.url));
const newest = (path) => statSync(at(path), { throwIfNoEntry: false })?.mtimeMs ?? -1;
let main;
let saveCache = () => {};
if (newest("../dist/bundle/main.js") >= newest("../dist/cli/main.js")) {
  const { loadBundle } = await import("./load-bundle.js");
  const bundle = loadBundle(at("../dist/bundle/main.js"));
  main = bundle.exports.main;
  saveCache = bundle.saveCache;
} else {
  ({ main } = await import("../dist/cli/main.js"));
}

runToExit(async () => {
  const code = await main(process.argv);
  saveCache();
  return code;
});
