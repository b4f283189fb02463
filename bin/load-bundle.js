// Runs the CommonJS bundle of the CLI (scripts/bundle.mjs) with V8's code cache beside it
// (main.js.cache), so the functions a command runs are not compiled again on every start. V8
// refuses a cache made from other source or by another V8, and the cache is then made anew; one
// that cannot be written (a read-only install) only costs the start-up it would have saved.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { dirname } from "node:path";
import { constants, Script } from "node:vm";

/** The bundle's exports, and `saveCache` to call once the command has run (what ran is then compiled). */
export function loadBundle(file) {
  const cacheFile = `${file}.cache`;
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new Script(Module.wrap(readFileSync(file, "utf8")), {
    filename: file,
    cachedData,
    importModuleDynamically: constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const module = { exports: {} };
  script
    .runInThisContext()
    .call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  const saveCache = () => {
    if (cachedData && !script.cachedDataRejected) return;
    try {
      const temp = `${cacheFile}.${process.pid}.tmp`;
      writeFileSync(temp, script.createCachedData());
      renameSync(temp, cacheFile);
    } catch {
      // Read-only: the next start compiles again.
    }
  };
  return { exports: module.exports, saveCache };
}
