// Child process of bench/docs/run.ts: generates the synthetic project's docs site with the
// generator at argv[2] (this tree's, or a baseline checkout's) and prints its time and peak memory.
import { pathToFileURL } from "node:url";
import { syntheticManifest } from "./run.js";

const [generator, models, tests, out] = process.argv.slice(2) as [string, string, string, string];
const { generateDocs } = (await import(
  pathToFileURL(generator).href
)) as typeof import("../../src/docs/generate.js");
const manifest = syntheticManifest(Number(models), Number(tests));
const started = performance.now();
const cpuBefore = process.cpuUsage();
const site = await generateDocs(manifest, out, { runResults: null });
const ms = performance.now() - started;
// CPU time of the process, worker threads included: on a loaded machine, steadier than wall time.
const cpu = process.cpuUsage(cpuBefore);
const cpuMs = (cpu.user + cpu.system) / 1000;
process.stdout.write(
  `${JSON.stringify({ ms, cpuMs, maxRssMb: process.resourceUsage().maxRSS / 1024, dir: site.dir, nodes: site.nodes })}\n`,
);
