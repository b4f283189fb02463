// One cold compile inside this process, timed by phase: load (files, YAML, profiles), compile
// (scan, resolve, render, tests) and write (manifest.json + target/compiled). Prints JSON.
import { join, resolve } from "node:path";
import { loadProject } from "../../src/project/load.js";
import { compileProject } from "../../src/compiler/compile.js";
import { writeManifest } from "../../src/manifest/io.js";

const dir = resolve(process.argv[2]!);
const t0 = performance.now();
const project = loadProject({ projectDir: dir });
const t1 = performance.now();
const { manifest } = compileProject(project);
const t2 = performance.now();
await writeManifest(join(dir, project.config.target_path), manifest);
const t3 = performance.now();
process.stdout.write(
  `${JSON.stringify({
    loadMs: t1 - t0,
    compileMs: t2 - t1,
    writeMs: t3 - t2,
    nodes: Object.keys(manifest.nodes).length,
    startupMs: t0,
  })}\n`,
);
