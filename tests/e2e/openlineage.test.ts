import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { afterEach, describe, expect, it } from "vitest";
import { sluice } from "../helpers/cli.js";
import { REPO_ROOT, tempProject, type TempProject } from "../helpers/temp-project.js";

const schema = JSON.parse(
  readFileSync(join(REPO_ROOT, "tests/fixtures/openlineage/run-event.schema.json"), "utf8"),
) as object;
const ajv = new Ajv({ allErrors: true });
(addFormats as unknown as (a: Ajv) => void)(ajv);
const validate = ajv.compile(schema);

let project: TempProject | undefined;
afterEach(() => project?.remove());

const files = {
  "profiles.yml":
    "targets:\n  dev:\n    connections:\n      src: { type: duckdb, path: .sluice/src.duckdb }\n      mart: { type: duckdb, path: .sluice/mart.duckdb }\n",
  "seeds/rates.csv": "code,rate\nEUR,1\n",
  "models/a.sql": "{{ config(materialized='table', connection='src') }}select * from {{ ref('rates') }}",
  "models/b.sql":
    "{{ config(materialized='table', connection='mart') }}select code, rate * 2 as r from {{ ref('a') }}",
  "models/bad.sql":
    "{{ config(materialized='table', connection='mart') }}select no_such_column from {{ ref('a') }}",
};

interface Event {
  eventType: string;
  job: { name: string };
  run: { runId: string; facets?: { errorMessage?: { message: string } } };
  inputs: { namespace: string; name: string }[];
  outputs: { namespace: string; name: string; outputFacets?: { outputStatistics?: { rowCount: number } } }[];
}

describe("OpenLineage events", () => {
  it("emits START and COMPLETE or FAIL per model, valid against the OpenLineage schema, named by connection", () => {
    project = tempProject(files);
    const path = join(project.dir, "lineage/events.jsonl");
    const run = sluice(["build", "--project-dir", project.dir, "--openlineage", path]);
    expect(run.code).toBe(1);
    const events = readFileSync(path, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Event);
    for (const e of events) expect(validate(e), JSON.stringify(validate.errors)).toBe(true);
    // The schema does reject what is not a run event.
    expect(validate({ ...events[0], run: { runId: "not-a-uuid" } })).toBe(false);
    const of = (job: string) => events.filter((e) => e.job.name === job).map((e) => e.eventType);
    expect(of("rates")).toEqual(["START", "COMPLETE"]);
    expect(of("a")).toEqual(["START", "COMPLETE"]);
    expect(of("b")).toEqual(["START", "COMPLETE"]);
    expect(of("bad")).toEqual(["START", "FAIL"]);
    const b = events.find((e) => e.job.name === "b" && e.eventType === "COMPLETE")!;
    expect(b.inputs).toEqual([{ namespace: "duckdb://src", name: "main.a" }]);
    expect(b.outputs[0]).toMatchObject({
      namespace: "duckdb://mart",
      name: "main.b",
      outputFacets: { outputStatistics: { rowCount: 1 } },
    });
    const starts = events.filter((e) => e.job.name === "b").map((e) => e.run.runId);
    expect(new Set(starts).size).toBe(1);
    expect(events.find((e) => e.eventType === "FAIL")!.run.facets?.errorMessage?.message).toMatch(
      /no_such_column/,
    );
  });

  it("POSTs events to an http endpoint", async () => {
    project = tempProject({ ...files, "models/bad.sql": "select 1 as x" });
    const received: Event[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += String(d)));
      req.on("end", () => {
        received.push(JSON.parse(body) as Event);
        res.writeHead(201).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(
        process.execPath,
        [
          join(REPO_ROOT, "bin/sluice.js"),
          "build",
          "--project-dir",
          project!.dir,
          "--openlineage",
          `http://127.0.0.1:${port}/api/v1/lineage`,
        ],
        { env: { ...process.env, CI: "true" } },
      );
      child.on("close", resolve);
    });
    server.close();
    expect(code).toBe(0);
    expect(
      received
        .filter((e) => e.eventType === "COMPLETE")
        .map((e) => e.job.name)
        .sort(),
    ).toEqual(["a", "b", "bad", "rates"]);
    for (const e of received) expect(validate(e)).toBe(true);
  });
});
