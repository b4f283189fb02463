// A worker thread that generates template code for a batch of templates (see template-code.ts).
import { parentPort, workerData } from "node:worker_threads";
import { tryGenerateTemplateCode } from "./template-code.js";

const templates = workerData as { path: string; text: string }[];
parentPort!.postMessage(templates.map((t) => tryGenerateTemplateCode(t.path, t.text)));
