// A worker thread of a compile: first generates template code (see template-code.ts) for templates
// it takes from a counter shared with the main thread, then renders the models it is sent (see
// render-pool.ts), again taking jobs from a shared counter, so neither thread waits for the other.
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { TemplateEnvironment } from "./environment.js";
import {
  renderJob,
  takeJobs,
  WORKER_DONE,
  type RenderContext,
  type RenderJob,
  type RenderOutput,
} from "./render-pool.js";
import { takeTemplates } from "./template-batch.js";
import { tryGenerateTemplateCode } from "./template-code.js";

const { templates, slots: buffer } = workerData as {
  templates: { path: string; text: string }[];
  slots: SharedArrayBuffer;
};
const slots = new Int32Array(buffer);
parentPort!.postMessage(
  takeTemplates(slots, templates.length, (i) =>
    tryGenerateTemplateCode(templates[i]!.path, templates[i]!.text),
  ),
);

const EMPTY_SCAN = { refs: [], sources: [], config: {}, dynamic: [], calls: [] };

parentPort!.once(
  "message",
  (message: {
    port: MessagePort;
    macros: { path: string; text: string }[];
    context: RenderContext;
    jobs: RenderJob[];
  }) => {
    const { port, macros, context, jobs } = message;
    let outputs: [number, RenderOutput][] = [];
    try {
      const env = new TemplateEnvironment();
      for (const file of macros) env.addMacros(file.path, file.text);
      outputs = takeJobs(slots, jobs.length, (i) => {
        const job = jobs[i]!;
        try {
          return renderJob(
            job,
            context,
            env.compile(job.path, "", { code: job.code, scan: EMPTY_SCAN }).render,
          );
        } catch {
          return null;
        }
      });
    } catch {
      // Jobs not rendered here are rendered by the compile.
    }
    port.postMessage(outputs);
    Atomics.store(slots, WORKER_DONE, 1);
    Atomics.notify(slots, WORKER_DONE);
    port.close();
  },
);
