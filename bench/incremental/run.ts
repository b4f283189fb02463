// Incremental benchmark on the example project (dev target) with a 10M-row production.sales:
// a full build, then ~0.1% of the rows changed by coolwear_mutate (new sales dated today, updated
// sales among the last 60 days of history — a third moved 45 days back into another month — and
// deleted sales), then `sluice plan` and the incremental `sluice build`, each a new process; then a
// no-change build, and a change confined to one month (0.1% of the rows, all in one old month).
// Reports incremental/full (target ≤ 20%), one month/full (target ≤ 5%), rows moved vs rows in
// the dirty partitions, and each build's fixed phases (run_results.json `phasesMs`).
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { copyExample, ensureBuilt, fmt, log, OUT, report, sluice, table } from "../lib.js";

const SALES = Number(process.env.BENCH_INCREMENTAL_SALES ?? 10_000_000);
const NEW = Math.round(SALES * 0.0005);
const UPDATED = Math.round(SALES * 0.0004);
const DELETED = Math.round(SALES * 0.0001);

/** Sales the one-month change updates, all in the month after the oldest (a full month of history). */
const ONE_MONTH_CHANGED = Math.round(SALES * 0.001);

interface Result {
  node: string;
  action: string;
  elapsedMs: number;
  rowsAffected?: number | null;
  partitions?: string[][];
  partitionRows?: { partition: string[]; rows: number }[];
}

ensureBuilt();
const load = [loadavg()[0]!];
const dir = join(OUT, "incremental", `n${SALES}`);
const vars = ["--vars", `{coolwear_sales: ${SALES}}`, "--project-dir", dir];
const readResults = () =>
  JSON.parse(readFileSync(join(dir, "target", "run_results.json"), "utf8")) as {
    elapsedMs: number;
    phasesMs?: Record<string, number>;
    results: Result[];
  };
const node = (rs: Result[], id: string) => rs.find((r) => r.node === id)!;

copyExample(dir);
const gen = sluice([
  "run-operation",
  "coolwear_generate",
  "--connection",
  "source",
  "--args",
  `{sales: ${SALES}}`,
  ...vars,
]);
log(`generated ${fmt.n(SALES)} sales in ${fmt.s(gen.wallMs)}`);
const full = sluice(["build", ...vars]);
const fullResults = readResults();
log(`full build ${fmt.s(full.wallMs)}`);

const mutate = sluice([
  "run-operation",
  "coolwear_mutate",
  "--connection",
  "source",
  "--args",
  `{seed: 1, new_sales: ${NEW}, updated_sales: ${UPDATED}, deleted_sales: ${DELETED}}`,
  ...vars,
]);
log(`mutated: ${NEW} new, ${UPDATED} updated, ${DELETED} deleted in ${fmt.s(mutate.wallMs)}`);
const plan = sluice(["plan", ...vars]);
const planJson = sluice(["plan", "--json", ...vars]);
log(`plan ${fmt.s(plan.wallMs)}\n${plan.stdout}`);
const incr = sluice(["build", ...vars]);
const incrResults = readResults();
log(`incremental build ${fmt.s(incr.wallMs)}`);
const noop = sluice(["build", ...vars]);
const noopResults = readResults();
log(`no-change build ${fmt.s(noop.wallMs)}`);

// A change confined to one month: 0.1% of the sales, all of one old month, updated at the source.
const oneMonth = await (async () => {
  const src = await DuckDBInstance.create(join(dir, ".sluice", "dev", "source.duckdb"));
  const c = await src.connect();
  const month = Number(
    (
      await c.runAndReadAll("select min(year(sale_date) * 100 + month(sale_date)) + 1 from production.sales")
    ).getRows()[0]![0],
  );
  await c.run(
    `update production.sales set quantity = quantity + 1, update_date = now()::timestamp where sale_id in (select sale_id from production.sales where year(sale_date) * 100 + month(sale_date) = ${month} order by hash(sale_id, 'one month') limit ${ONE_MONTH_CHANGED})`,
  );
  c.closeSync();
  src.closeSync();
  return month;
})();
const oneMonthBuild = sluice(["build", ...vars]);
const oneMonthResults = readResults();
log(`one-month build (${oneMonth}) ${fmt.s(oneMonthBuild.wallMs)}`);

// Independent count, straight from the source file: rows of production.sales now in each dirty partition.
const sh = node(incrResults.results, "model.sales_history");
const dirty = (sh.partitions ?? []).map((p) => Number(p[0]));
const instance = await DuckDBInstance.create(join(dir, ".sluice", "dev", "source.duckdb"), {
  access_mode: "READ_ONLY",
});
const con = await instance.connect();
const count = async (sql: string) => Number((await con.runAndReadAll(sql)).getRows()[0]![0]);
const sourceRows = await count("select count(*) from production.sales");
const inDirty = dirty.length
  ? await count(
      `select count(*) from production.sales where year(sale_date) * 100 + month(sale_date) in (${dirty.join(", ")})`,
    )
  : 0;
con.closeSync();
instance.closeSync();

// Every partition dirty: every sale stamped now, then the incremental build (which the plan turns
// into one full rebuild past full_rebuild_share) and a --full-refresh on the same data, in turn.
{
  const src = await DuckDBInstance.create(join(dir, ".sluice", "dev", "source.duckdb"));
  const c = await src.connect();
  await c.run("update production.sales set update_date = now()::timestamp");
  c.closeSync();
  src.closeSync();
}
const allDirtyPlan = sluice(["plan", ...vars]);
const allDirty = sluice(["build", ...vars]);
const allDirtyResults = readResults();
const refresh = sluice(["build", "--full-refresh", ...vars]);
const refreshResults = readResults();
const allSh = node(allDirtyResults.results, "model.sales_history");
const refreshSh = node(refreshResults.results, "model.sales_history");
log(
  `every partition dirty: build ${fmt.s(allDirty.wallMs)} vs --full-refresh ${fmt.s(refresh.wallMs)}\n${allDirtyPlan.stdout}`,
);
load.push(loadavg()[0]!);

const shFull = node(fullResults.results, "model.sales_history");
const written = (sh.partitionRows ?? []).reduce((n, p) => n + p.rows, 0);
const md =
  table(
    ["measure", "value"],
    [
      ["source rows (after mutation)", fmt.n(sourceRows)],
      [
        "mutation (coolwear_mutate)",
        `${fmt.n(NEW)} new + ${fmt.n(UPDATED)} updated + ${fmt.n(DELETED)} deleted = ${fmt.n(NEW + UPDATED + DELETED)} (${((100 * (NEW + UPDATED + DELETED)) / SALES).toFixed(2)}%)`,
      ],
      ["full `sluice build` wall (first build, 21 tests)", fmt.s(full.wallMs)],
      ["incremental `sluice build` wall", fmt.s(incr.wallMs)],
      ["**incremental / full** (target ≤ 20%)", `**${((100 * incr.wallMs) / full.wallMs).toFixed(1)}%**`],
      [
        `one-month change (${fmt.n(ONE_MONTH_CHANGED)} sales of ${oneMonth}): \`sluice build\` wall`,
        fmt.s(oneMonthBuild.wallMs),
      ],
      [
        "**one month / full** (target ≤ 5%)",
        `**${((100 * oneMonthBuild.wallMs) / full.wallMs).toFixed(1)}%**`,
      ],
      [
        "sales_history step: full → incremental",
        `${fmt.s(shFull.elapsedMs)} → ${fmt.s(sh.elapsedMs)} (${((100 * sh.elapsedMs) / shFull.elapsedMs).toFixed(1)}%)`,
      ],
      ["no-change `sluice build` wall (floor)", fmt.s(noop.wallMs)],
      ["`sluice plan` wall (after the mutation)", fmt.s(plan.wallMs)],
      ["dirty partitions (year_month)", dirty.join(", ")],
      ["rows written to the lake = rows in dirty partitions (run_results partitionRows sum)", fmt.n(written)],
      ["sales_history rowsAffected", fmt.n(sh.rowsAffected ?? 0)],
      [
        "rows of production.sales in those partitions (counted in the source)",
        `${fmt.n(inDirty)} (${((100 * inDirty) / sourceRows).toFixed(1)}% of the source)`,
      ],
      ["every partition dirty: `sluice build` wall", fmt.s(allDirty.wallMs)],
      ["every partition dirty: `sluice build --full-refresh` wall", fmt.s(refresh.wallMs)],
      [
        "**every partition dirty / --full-refresh** (target ≤ 1.2×)",
        `**${(allDirty.wallMs / refresh.wallMs).toFixed(2)}×**`,
      ],
      [
        "every partition dirty: sales_history step (action) vs --full-refresh",
        `${fmt.s(allSh.elapsedMs)} (${allSh.action}) vs ${fmt.s(refreshSh.elapsedMs)}`,
      ],
    ],
  ) +
  `\n\nIncremental build, per step (run_results.json):\n\n` +
  stepTable(incrResults.results) +
  `\n\nOne-month build, per step:\n\n` +
  stepTable(oneMonthResults.results) +
  `\n\nFixed phases per build (run_results.json phasesMs; \`steps\` is the plan's steps, run in parallel):\n\n` +
  phaseTable([
    ["full", fullResults],
    ["incremental", incrResults],
    ["no change", noopResults],
    ["one month", oneMonthResults],
  ]) +
  `\n\nLoad average (1 min): ${load.map((l) => l.toFixed(2)).join(" → ")}.`;
report(
  "incremental",
  {
    sales: SALES,
    mutation: { new: NEW, updated: UPDATED, deleted: DELETED },
    wallMs: {
      generate: gen.wallMs,
      full: full.wallMs,
      mutate: mutate.wallMs,
      plan: plan.wallMs,
      incremental: incr.wallMs,
      noChange: noop.wallMs,
      oneMonth: oneMonthBuild.wallMs,
    },
    oneMonth: { month: oneMonth, changed: ONE_MONTH_CHANGED, results: oneMonthResults },
    plan: planJson.stdout,
    dirtyPartitions: dirty,
    rowsWritten: written,
    rowsInDirtyPartitionsAtSource: inDirty,
    sourceRows,
    fullResults,
    incrementalResults: incrResults,
    noChangeResults: noopResults,
    allDirty: { wallMs: allDirty.wallMs, plan: allDirtyPlan.stdout, results: allDirtyResults },
    fullRefresh: { wallMs: refresh.wallMs, results: refreshResults },
    loadavg: load,
  },
  md,
);

function stepTable(results: Result[]): string {
  return table(
    ["step", "action", "elapsed", "rows"],
    results
      .filter((r) => r.elapsedMs >= 50)
      .sort((a, b) => b.elapsedMs - a.elapsedMs)
      .map((r) => [
        r.node,
        r.action,
        fmt.s(r.elapsedMs),
        r.rowsAffected == null ? "" : fmt.n(r.rowsAffected),
      ]),
  );
}

function phaseTable(runs: [string, ReturnType<typeof readResults>][]): string {
  const names = [...new Set(runs.flatMap(([, r]) => Object.keys(r.phasesMs ?? {})))];
  return table(
    ["build", ...names],
    runs.map(([label, r]) => [label, ...names.map((n) => `${r.phasesMs?.[n] ?? ""}`)]),
  );
}
