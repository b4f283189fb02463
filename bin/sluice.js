#!/usr/bin/env node
// The `sluice` command: runs the compiled CLI from dist/ (built by `npm install` through `prepare`).
// The bundle (scripts/bundle.mjs) starts faster; it is used only when it is at least as new as
// tsc's output, so a later `tsc` alone never leaves an older bundle running.
import { statSync } from "node:fs";

const newest = (path) => statSync(new URL(path, import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? -1;
const bundled = newest("../dist/bundle/main.js") >= newest("../dist/cli/main.js");
const { main } = await import(bundled ? "../dist/bundle/main.js" : "../dist/cli/main.js");

main(process.argv).then((code) => {
  process.exitCode = code;
});
