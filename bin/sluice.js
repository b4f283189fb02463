#!/usr/bin/env node
// The `sluice` command: runs the compiled CLI from dist/ (built by `npm install` through `prepare`).
import { main } from "../dist/cli/main.js";
import { runToExit } from "../dist/cli/exit-guard.js";

runToExit(() => main(process.argv));
