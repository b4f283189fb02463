// OpenLineage run events: START when a model or seed starts, COMPLETE or FAIL when it ends, with its
// inputs and output named by connection (`duckdb://source`, `production.sales`). Events go to a
// file (one JSON object per line) or are POSTed to an HTTP endpoint. A sink that fails warns; it
// never fails the build.
import { appendFileSync, mkdirSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { dirname } from "node:path";
import type { Manifest, ManifestNode, RelationRef } from "../manifest/types.js";
import { SLUICE_VERSION } from "../version.js";

const SCHEMA_URL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";
/** Who produced the events: sluice and its version, as a URN (no address is implied). */
const PRODUCER = `urn:sluice:${SLUICE_VERSION}`;
const FACET_SCHEMA =
  "https://openlineage.io/spec/facets/1-0-2/OutputStatisticsOut" +
  "putDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet";

export interface LineageEmitter {
  start(node: string): Promise<void>;
  end(node: string, ok: boolean, rows: number | null | undefined, message?: string): Promise<void>;
  /** Problems sending events, to report once at the end. */
  problems(): string[];
}

export function createLineageEmitter(
  sink: string | undefined,
  manifest: Manifest,
): LineageEmitter | undefined {
  if (!sink) return undefined;
  const runIds = new Map<string, string>();
  const problems: string[] = [];
  const send = async (event: object) => {
    try {
      if (/^https?:\/\//.test(sink)) {
        const response = await fetch(sink, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(event),
          signal: AbortSignal.timeout(10_000),
        });
        if (!response.ok)
          problems.push(`OpenLineage endpoint answered ${response.status} ${response.statusText}`);
      } else {
        mkdirSync(dirname(sink), { recursive: true });
        appendFileSync(sink, `${JSON.stringify(event)}\n`);
      }
    } catch (e) {
      problems.push(
        `OpenLineage events could not be sent to ${sink}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  };
  const event = (
    node: ManifestNode,
    eventType: "START" | "COMPLETE" | "FAIL",
    rows?: number | null,
    message?: string,
  ) => {
    if (!runIds.has(node.id)) runIds.set(node.id, randomUUID());
    const output = relationOf(node);
    return {
      eventType,
      eventTime: new Date().toISOString(),
      producer: PRODUCER,
      schemaURL: SCHEMA_URL,
      run: {
        runId: runIds.get(node.id)!,
        ...(message
          ? {
              facets: {
                errorMessage: {
                  _producer: PRODUCER,
                  _schemaURL:
                    "https://openlineage.io/spec/facets/1-0-1/Error" +
                    "MessageRunFacet.json#/$defs/ErrorMessageRunFacet",
                  message,
                  programmingLanguage: "SQL",
                },
              },
            }
          : {}),
      },
      job: { namespace: manifest.project, name: node.name },
      inputs: node.dependsOn
        .map((id) => manifest.nodes[id])
        .flatMap((n) => (n ? datasetsOf(n, manifest) : [])),
      outputs: output
        ? [
            {
              ...dataset(output, manifest),
              ...(typeof rows === "number"
                ? {
                    outputFacets: {
                      outputStatistics: { _producer: PRODUCER, _schemaURL: FACET_SCHEMA, rowCount: rows },
                    },
                  }
                : {}),
            },
          ]
        : [],
    };
  };
  const nodeOf = (id: string) => {
    const node = manifest.nodes[id];
    return node && (node.kind === "model" || node.kind === "seed") ? node : undefined;
  };
  return {
    async start(id) {
      const node = nodeOf(id);
      if (node) await send(event(node, "START"));
    },
    async end(id, ok, rows, message) {
      const node = nodeOf(id);
      if (node) await send(event(node, ok ? "COMPLETE" : "FAIL", rows, message));
    },
    problems: () => [...new Set(problems)],
  };
}

function relationOf(node: ManifestNode): RelationRef | undefined {
  return node.kind === "test" ? undefined : node.relation;
}

function datasetsOf(node: ManifestNode, manifest: Manifest): { namespace: string; name: string }[] {
  // An ephemeral model is not a dataset; what it reads is.
  if (node.kind === "model" && node.config.materialized === "ephemeral")
    return node.dependsOn.flatMap((id) =>
      manifest.nodes[id] ? datasetsOf(manifest.nodes[id]!, manifest) : [],
    );
  const rel = relationOf(node);
  return rel ? [dataset(rel, manifest)] : [];
}

function dataset(rel: RelationRef, manifest: Manifest): { namespace: string; name: string } {
  return {
    namespace: `${manifest.connections[rel.connection]?.type ?? "sluice"}://${rel.connection}`,
    name: `${rel.schema}.${rel.name}`,
  };
}
