// `sluice source freshness`: for each selected source table with a freshness check (see
// project/dbt-freshness.ts), reads the newest loaded_at_field and the database's own clock in one
// query on the source's connection, and grades the age as dbt does: error past error_after, else
// warn past warn_after, else pass. Writes target/sources.json in the shape of dbt's sources
// artifact (schema v3). Reads only: takes no run lock and writes nothing to any engine.
import { join } from "node:path";
import { openConnections } from "../adapters/index.js";
import { dialectFor } from "../adapters/dialects.js";
import { compileProjectCached } from "../compiler/compile.js";
import { readYamlSelectors } from "../graph/selectors-file.js";
import { manifestDag, selectNodes } from "../graph/selector.js";
import { writeJson } from "../manifest/io.js";
import { stateFor } from "../manifest/state.js";
import type { SourceNode } from "../manifest/types.js";
import { Diagnostics } from "../project/diagnostics.js";
import { PERIOD_SECONDS, readSourceFreshness, type FreshnessThreshold } from "../project/dbt-freshness.js";
import type { Project } from "../project/load.js";
import { newRunId } from "./run-id.js";

export type FreshnessStatus = "pass" | "warn" | "error" | "runtime error";

export interface FreshnessResult {
  unique_id: string;
  max_loaded_at: string | null;
  snapshotted_at: string | null;
  max_loaded_at_time_ago_in_s: number | null;
  status: FreshnessStatus;
  criteria: {
    warn_after: FreshnessThreshold | null;
    error_after: FreshnessThreshold | null;
    filter: string | null;
  };
  message?: string;
  execution_time: number;
}

/** dbt's grading of an age in seconds against the thresholds. */
export function freshnessStatus(
  ageSeconds: number,
  warnAfter: FreshnessThreshold | null,
  errorAfter: FreshnessThreshold | null,
): "pass" | "warn" | "error" {
  const past = (t: FreshnessThreshold | null) =>
    t !== null && ageSeconds > t.count * PERIOD_SECONDS[t.period];
  return past(errorAfter) ? "error" : past(warnAfter) ? "warn" : "pass";
}

export async function sourceFreshness(
  project: Project,
  options: { select?: string[]; exclude?: string[]; selector?: string; write: (line: string) => void },
): Promise<{ success: boolean; results: FreshnessResult[] }> {
  const started = Date.now();
  const { manifest } = await compileProjectCached(project);
  const diagnostics = new Diagnostics();
  const checks = readSourceFreshness(project.properties, diagnostics);
  for (const d of diagnostics.items)
    options.write(
      `${d.file}:${d.line}:${d.column} ${d.severity}: ${d.message}${d.hint ? `; ${d.hint}` : ""}`,
    );
  diagnostics.throwIfErrors();
  // Every source unless --select names some, as dbt's `source freshness` selects.
  const selected = selectNodes(
    {
      manifest,
      dag: manifestDag(manifest),
      state: stateFor(manifest, undefined),
      selectors: readYamlSelectors(project.dir),
    },
    options.select?.length || options.selector ? options.select : ["resource_type:source"],
    options.exclude,
    {
      warn: (m) => options.write(`warning: ${m}`),
      includeSources: true,
      ...(options.selector ? { selector: options.selector } : {}),
    },
  );
  const wanted = checks.filter((c) => selected.has(`source.${c.source}.${c.table}`));
  const connections = await openConnections(project.target, project.dir, newRunId());
  const results: FreshnessResult[] = [];
  try {
    for (const check of wanted) {
      const node = manifest.nodes[`source.${check.source}.${check.table}`] as SourceNode;
      const begin = Date.now();
      const criteria = { warn_after: check.warnAfter, error_after: check.errorAfter, filter: check.filter };
      const id = `source.${project.dbt?.projectName ?? project.config.name}.${check.source}.${check.table}`;
      try {
        const engine = manifest.connections[node.relation.connection]!.type;
        const sql = freshnessSql(engine, node, check.loadedAtField, check.filter);
        const { rows } = await connections.withSession(node.relation.connection, (s) => s.query(sql));
        const [maxLoaded, now, age] = rows[0] ?? [null, null, null];
        const result: FreshnessResult =
          age === null || age === undefined
            ? {
                unique_id: id,
                max_loaded_at: null,
                snapshotted_at: text(now),
                max_loaded_at_time_ago_in_s: null,
                status: "error",
                criteria,
                message: `no rows with a ${check.loadedAtField}`,
                execution_time: (Date.now() - begin) / 1000,
              }
            : {
                unique_id: id,
                max_loaded_at: text(maxLoaded),
                snapshotted_at: text(now),
                max_loaded_at_time_ago_in_s: Number(age),
                status: freshnessStatus(Number(age), check.warnAfter, check.errorAfter),
                criteria,
                execution_time: (Date.now() - begin) / 1000,
              };
        results.push(result);
      } catch (e) {
        results.push({
          unique_id: id,
          max_loaded_at: null,
          snapshotted_at: null,
          max_loaded_at_time_ago_in_s: null,
          status: "runtime error",
          criteria,
          message: project.secrets.redact(e instanceof Error ? e.message : String(e)),
          execution_time: (Date.now() - begin) / 1000,
        });
      }
      const r = results[results.length - 1]!;
      const age = r.max_loaded_at_time_ago_in_s;
      options.write(
        `${r.status.toUpperCase().padEnd(5)} freshness of ${check.source}.${check.table}` +
          `${age !== null ? `: newest ${check.loadedAtField} is ${describeAge(age)} old` : ""}` +
          `${r.message ? ` — ${r.message}` : ""}`,
      );
    }
  } finally {
    await connections.close();
  }
  writeJson(join(project.dir, project.config.target_path, "sources.json"), {
    metadata: {
      dbt_schema_version: "https://schemas.getdbt.com/dbt/sources/v3.json",
      generated_at: new Date().toISOString(),
    },
    results,
    elapsed_time: (Date.now() - started) / 1000,
  });
  const success = results.every((r) => r.status === "pass" || r.status === "warn");
  const count = (s: FreshnessStatus) => results.filter((r) => r.status === s).length;
  options.write(
    `Done. PASS ${count("pass")} WARN ${count("warn")} ERROR ` +
      `${count("error") + count("runtime error")} TOTAL ${results.length}`,
  );
  return { success, results };
}

/** The newest load, the database's clock, and the age in seconds between them, in one query. */
function freshnessSql(engine: string, node: SourceNode, field: string, filter: string | null): string {
  if (engine !== "duckdb")
    throw new Error(`source freshness is checked on DuckDB connections only so far, not ${engine}`);
  const d = dialectFor(engine);
  const column = d.quoteIdentifier(field);
  // epoch() reads a timestamp without a time zone as UTC, as dbt reads it, and one with its own.
  return (
    `select cast(max(${column}) as varchar), cast(now() as varchar), epoch(now()) - epoch(max(` +
    `${column})) from ${d.relation(node.relation)}${filter ? ` where ${filter}` : ""}`
  );
}

function text(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function describeAge(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)}h`;
  return `${(seconds / 86_400).toFixed(1)}d`;
}
