// Parses models' compiled SQL with node-sql-parser for column lineage: one at a time in this
// thread, or many at once in worker threads. Parsing is nearly all of the work of column lineage
// (about 1 ms per small model against 0.02 ms to move its AST back as JSON), so at thousands of
// models it runs on every core there is, and the walk over the ASTs stays in this thread.
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";

export type Engine = "duckdb" | "sqlserver" | "hive" | "postgres" | "mysql";

/**
 * The grammars tried for each engine, in order. Snowflake's reads what DuckDB and Spark add to
 * Postgres and Hive SQL (QUALIFY, GROUP BY ALL, `::`), so it is the fallback everywhere.
 */
export const DIALECTS: Record<Engine, readonly string[]> = {
  duckdb: ["postgresql", "snowflake"],
  sqlserver: ["transactsql", "snowflake"],
  hive: ["hive", "snowflake"],
  postgres: ["postgresql", "snowflake"],
  mysql: ["mariadb", "snowflake"],
};

/** The AST as JSON text, or the first grammar error's first line when no grammar reads the SQL. */
export type Parsed = { json: string } | { error: string };

/** Parsed SQL by `parseKey`, as `parseInWorkers` returns it. */
export type ParsedSql = Map<string, Parsed>;

export function parseKey(engine: Engine, sql: string): string {
  return createHash("sha256").update(engine).update("\0").update(sql).digest("base64url");
}

interface SqlParser {
  astify(sql: string, options: { database: string }): unknown;
}
let parser: SqlParser | undefined;

/** The AST of `sql` in the first grammar of `engine` that reads it, or why none does. */
export function parseSql(sql: string, engine: Engine): { ast: unknown } | { error: string } {
  // Loaded on first use: only docs generation needs a SQL parser.
  parser ??= new (
    createRequire(import.meta.url)("node-sql-parser") as { Parser: new () => SqlParser }
  ).Parser();
  let error = "";
  for (const database of DIALECTS[engine]) {
    try {
      return { ast: parser.astify(sql, { database }) };
    } catch (e) {
      error = e instanceof Error ? e.message.split("\n")[0]!.slice(0, 120) : String(e);
    }
  }
  return { error };
}

/** Below this many statements, starting workers (about 0.3 s each, to load the parser) does not pay. */
export const WORKERS_FROM = 400;

/**
 * The worker: the same grammar loop as `parseSql`, in plain JavaScript so it runs from the sources
 * (tests, through tsx) and from dist/ alike. Kept beside `parseSql` so the two cannot drift apart.
 */
const WORKER_CODE = `
const { parentPort, workerData } = require("node:worker_threads");
const { Parser } = require(workerData.parserPath);
const parser = new Parser();
parentPort.on("message", (jobs) => {
  parentPort.postMessage(jobs.map(([key, sql, grammars]) => {
    let error = "";
    for (const database of grammars) {
      try {
        return [key, { json: JSON.stringify(parser.astify(sql, { database })) }];
      } catch (e) {
        error = e instanceof Error ? e.message.split("\\n")[0].slice(0, 120) : String(e);
      }
    }
    return [key, { error }];
  }));
});
`;

/**
 * Parses `jobs` (deduplicated by key) in `workers` threads, by default one per core. With fewer
 * jobs than WORKERS_FROM, or one core, parses nothing: they are parsed in this thread when walked.
 */
export async function parseInWorkers(
  jobs: { engine: Engine; sql: string }[],
  workers = availableParallelism(),
): Promise<ParsedSql> {
  const unique = new Map<string, { engine: Engine; sql: string }>();
  for (const j of jobs) unique.set(parseKey(j.engine, j.sql), j);
  const out: ParsedSql = new Map();
  const all = [...unique].map(([key, j]): [string, string, readonly string[]] => [
    key,
    j.sql,
    DIALECTS[j.engine],
  ]);
  const inThisThread = (chunk: [string, string, readonly string[]][]) => {
    for (const [key, sql] of chunk) {
      const r = parseSql(sql, unique.get(key)!.engine);
      out.set(key, "ast" in r ? { json: JSON.stringify(r.ast) } : r);
    }
  };
  // Nothing parsed ahead: column-lineage.ts parses what it does not find here, as it walks.
  if (all.length < WORKERS_FROM || workers < 2) return out;
  const parserPath = createRequire(import.meta.url).resolve("node-sql-parser");
  const size = Math.ceil(all.length / workers);
  await Promise.all(
    Array.from({ length: workers }, (_, w) => all.slice(w * size, (w + 1) * size))
      .filter((chunk) => chunk.length > 0)
      .map(
        (chunk) =>
          new Promise<void>((done) => {
            const worker = new Worker(WORKER_CODE, { eval: true, workerData: { parserPath } });
            worker.once("message", (results: [string, Parsed][]) => {
              for (const [key, parsed] of results) out.set(key, parsed);
              void worker.terminate().then(() => done());
            });
            // A worker that cannot run (no memory, no threads) costs time, not the site.
            worker.once("error", () => {
              inThisThread(chunk);
              done();
            });
            worker.postMessage(chunk);
          }),
      ),
  );
  return out;
}
