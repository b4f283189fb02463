// Executes one plan step: materializes a model (moving rows across engines when its SQL runs
// elsewhere than its result lives), loads a seed, or runs a data test.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Connections } from "../adapters/index.js";
import { batchRows } from "../adapters/batch.js";
import type { CellValue, PartitionValue, Session, WriteMode, WriteResult } from "../adapters/contract.js";
import { temporaryName } from "../adapters/contract.js";
import { dialectFor, type EngineType } from "../adapters/dialects.js";
import type { Manifest, ModelNode, SeedNode, TestNode } from "../manifest/types.js";
import type { PlanStep } from "../planner/plan.js";
import { describePartitions } from "../planner/lineage.js";
import type { Ledger } from "../ledger/ledger.js";
import { partitionColumnsText, partitionPredicate, selectPartitions } from "../compiler/partition-sql.js";
import type { StepReport } from "../manifest/run-results.js";
import { parseSeed } from "./seed-file.js";
import { stageSeed } from "./seed-stage.js";
import { runSnapshot } from "./snapshot.js";
import { runUnitTest } from "./unit-test.js";
import type { WarnErrorPolicy } from "./warn-error.js";
import { splitStatements } from "./statements.js";
import { buildContractTable, checkContract } from "./contract.js";
import { BuildRefusal } from "./refusal.js";
import { decideSchemaChange, SchemaChangeError, schemaChangeSelect, shapes } from "./schema-change.js";

export interface StepContext {
  manifest: Manifest;
  connections: Connections;
  ledger: Ledger;
  runId: string;
  projectDir: string;
  /** Rows per batch when streaming between engines. */
  batchRows: number;
  /** When the run started (ISO, UTC): the time snapshots stamp versions with (see snapshot.ts). */
  snapshotTime: string;
  /** Which warnings are errors (--warn-error); a test past its warn_if then fails. */
  warnError?: WarnErrorPolicy;
  /** dbt's --store-failures: tests that set no store_failures keep their failing rows too. */
  storeFailures?: boolean;
}

export type { StepReport };

export async function executeStep(step: PlanStep, ctx: StepContext): Promise<StepReport> {
  const node = ctx.manifest.nodes[step.node];
  if (step.action === "skip") return { status: "success", rowsAffected: null, message: step.reason };
  // Only an offline `plan` makes these; a build that got one would guess, so it refuses.
  if (step.action === "undecided") throw new Error(`${step.node} has no decided step: ${step.reason}`);
  if (node?.kind === "model" && node.snapshot) return runSnapshot(node, ctx);
  if (node?.kind === "model") return runModel(step, node, ctx);
  if (node?.kind === "seed") return loadSeed(node, ctx);
  if (node?.kind === "test") return runTest(node, step, ctx);
  throw new Error(`nothing to execute for ${step.node}`);
}

function withSession<T>(ctx: StepContext, connection: string, work: (s: Session) => Promise<T>): Promise<T> {
  return ctx.connections.withSession(connection, work);
}

/** True when SQL running on `compute` can write straight into `connection` (one engine). */
function oneEngine(ctx: StepContext, compute: string, connection: string): boolean {
  if (compute === connection) return true;
  const types = ctx.manifest.connections;
  return types[compute]?.type === "duckdb" && types[connection]?.type === "duckdb";
}

async function runModel(step: PlanStep, model: ModelNode, ctx: StepContext): Promise<StepReport> {
  const target = ctx.connections.get(model.relation.connection);
  let sql =
    step.sql === "incremental" ? (model.compiledIncrementalSql ?? model.compiledSql) : model.compiledSql;
  const { compute } = model.config;
  return withSession(ctx, model.relation.connection, async (session) => {
    await target.ensureSchema(session, model.relation.schema, model.relation.database);
    await runHooks(session, model.hooks?.pre ?? []);
    if (model.contract && step.sql !== "incremental") {
      requireDuckDb(ctx, model, "an enforced contract");
      await checkContract(session, model, sql);
    }
    if (step.action === "create_view") {
      await target.createView(session, model.relation, sql);
      await runHooks(session, model.hooks?.post ?? []);
      return { status: "success", rowsAffected: null };
    }
    let write: WriteMode = step.write!;
    if (write.kind === "partitions" && write.partitions.length === 0) {
      // Without a lineage plan, the partitions are those the
      // incremental SQL returns; none means nothing to write.
      const partitionBy = write.partitionBy;
      const engine = ctx.manifest.connections[compute]!.type;
      const partitions = await withSession(ctx, compute, (s) =>
        distinctPartitions(s, engine, sql, partitionBy),
      );
      if (partitions.length === 0)
        return { status: "success", rowsAffected: 0, message: "no new rows: no partition replaced" };
      write = { ...write, partitions };
    }
    const partitions = write.kind === "partitions" ? write.partitions : undefined;
    // Written before the data: a run killed mid-write leaves these for the next run to redo.
    if (model.lineage && partitions) await ctx.ledger.markPending(ctx.runId, model.id, partitions);
    const mode = write;
    if (model.contract && mode.kind === "replace" && !mode.partitionBy?.length) {
      const rowsAffected = await buildContractTable(session, target, model, sql, ctx.runId);
      await runHooks(session, model.hooks?.post ?? []);
      return { status: "success", rowsAffected };
    }
    if (
      step.sql === "incremental" &&
      (mode.kind === "append" || mode.kind === "merge" || mode.kind === "delete+insert")
    )
      sql = await applySchemaChange(session, ctx, model, sql, mode.kind === "append" ? [] : mode.uniqueKey);
    const computeEngine = ctx.manifest.connections[compute]!.type;
    // Across engines only the named partitions' rows travel: the filter runs where the SQL runs.
    const moved =
      mode.kind === "partitions"
        ? selectPartitions(computeEngine, sql, mode.partitionBy, mode.partitions)
        : sql;
    const result = oneEngine(ctx, compute, model.relation.connection)
      ? await target.write(session, model.relation, sql, mode)
      : await withSession(ctx, compute, (source) =>
          target.load(session, model.relation, source.stream(moved, ctx.batchRows), mode),
        );
    const partitionRows = model.lineage
      ? await countPartitions(session, ctx, model, partitions, result.partitionRows)
      : undefined;
    await runHooks(session, model.hooks?.post ?? []);
    return { status: "success", rowsAffected: result.rowsAffected, partitions, partitionRows };
  });
}

/** True when the model's table is a DuckDB (not lake) table its SQL writes straight into. */
function onDuckDb(ctx: StepContext, model: ModelNode): boolean {
  const facts = ctx.manifest.connections[model.relation.connection];
  return (
    facts?.type === "duckdb" && !facts.lake && oneEngine(ctx, model.config.compute, model.relation.connection)
  );
}

/** Refuses, before anything is written, a dbt feature sluice applies to DuckDB tables only. */
function requireDuckDb(ctx: StepContext, model: ModelNode, what: string): void {
  if (onDuckDb(ctx, model)) return;
  throw new BuildRefusal(
    `${model.location.path}: ${what} of '${model.name}' is applied to DuckDB tables whose SQL runs ` +
      `on DuckDB only; nothing was written. Remove it, or build the model on a DuckDB connection`,
  );
}

/**
 * dbt's on_schema_change before an incremental write into an existing DuckDB table: the columns the
 * write takes, and the table's columns changed first where the setting says (schema-change.ts).
 * Returns the SQL to write. Elsewhere only the default, `ignore` as each adapter writes, is known.
 */
async function applySchemaChange(
  session: Session,
  ctx: StepContext,
  model: ModelNode,
  sql: string,
  uniqueKey: string[],
): Promise<string> {
  const setting = model.config.onSchemaChange ?? "ignore";
  const target = ctx.connections.get(model.relation.connection);
  if (!onDuckDb(ctx, model)) {
    if (setting === "ignore") return sql;
    requireDuckDb(ctx, model, `on_schema_change '${setting}'`);
  }
  const table = shapes(await target.introspector(session).columns(model.relation));
  if (table.length === 0) return sql;
  const { columns } = await session.query(`select * from (\n${sql}\n) sluice_new limit 0`);
  const decision = decideSchemaChange(model, setting, shapes(columns), table, model.relation, target.dialect);
  if (decision.kind === "fail") throw new SchemaChangeError(decision.message);
  // Together, so readers see the old columns or the new, never a table half altered.
  if (decision.alter.length > 0)
    await session.transaction(async () => {
      for (const statement of decision.alter) await session.execute(statement);
    });
  if (decision.rebuild) {
    const d = target.dialect;
    const built = temporaryName(model.relation, "tmp", ctx.runId, target.capabilities.maxIdentifierLength);
    await session.execute(`CREATE TABLE ${d.relation(built)} AS ${decision.rebuild}`);
    try {
      await session.transaction(async () => {
        await session.execute(`DROP TABLE ${d.relation(model.relation)}`);
        await session.execute(
          `ALTER TABLE ${d.relation(built)} RENAME TO ${d.quoteIdentifier(model.relation.name)}`,
        );
      });
    } catch (e) {
      await session.execute(`DROP TABLE IF EXISTS ${d.relation(built)}`).catch(() => undefined);
      throw e;
    }
  }
  return schemaChangeSelect(sql, decision, model.relation, uniqueKey, target.dialect);
}

/**
 * A model's pre_hook or post_hook statements, on the session of the connection it lives on. Each
 * runs on its own (dbt's `transaction: false`): a post_hook runs after the write has committed,
 * and one that fails fails the model, which the next build then builds again.
 */
async function runHooks(session: Session, hooks: string[]): Promise<void> {
  for (const hook of hooks) for (const statement of splitStatements(hook)) await session.execute(statement);
}

/**
 * Rows per partition of what was just written (all partitions after a full build): as the write
 * counted them when it says (a lake COPY's statistics, no checksum then), else read back from the
 * table with a checksum of its rows.
 */
async function countPartitions(
  session: Session,
  ctx: StepContext,
  model: ModelNode,
  written: PartitionValue[] | undefined,
  counted: WriteResult["partitionRows"],
): Promise<NonNullable<StepReport["partitionRows"]>> {
  const found = counted
    ? counted.map((c) => ({ partition: c.partition, rows: c.rows, checksum: null }))
    : await readPartitionCounts(session, ctx, model, written);
  const wanted = written ? new Set(written.map((p) => JSON.stringify(p))) : undefined;
  const present = found.filter((p) => !wanted || wanted.has(JSON.stringify(p.partition)));
  // A replaced partition that no longer has rows is recorded as empty, so the ledger says it was emptied.
  const seen = new Set(present.map((p) => JSON.stringify(p.partition)));
  const emptied = (written ?? [])
    .filter((p) => !seen.has(JSON.stringify(p)))
    .map((partition) => ({ partition, rows: 0, checksum: null }));
  return [...present, ...emptied];
}

/** Rows and a checksum per partition, read back from the table (of `written` only, when named). */
async function readPartitionCounts(
  session: Session,
  ctx: StepContext,
  model: ModelNode,
  written: PartitionValue[] | undefined,
): Promise<NonNullable<StepReport["partitionRows"]>> {
  const engine = ctx.manifest.connections[model.relation.connection]!.type;
  const cols = partitionColumnsText(engine, model.config.partitionBy);
  // A sum of row hashes (mod 2^64), as in fingerprints: equal rows must not cancel as under XOR.
  const checksum =
    engine === "duckdb" ? "CAST(sum(hash(sluice_row)::HUGEINT) % 18446744073709551616 AS VARCHAR)" : "NULL";
  const only =
    written && written.length > 0
      ? ` where ${partitionPredicate(engine, model.config.partitionBy, written)}`
      : "";
  const rel = dialectFor(engine).relation(model.relation);
  const { rows } = await session.query(
    `select ${cols.join(", ")}, count(*), ${checksum} from ` +
      `${rel} sluice_row${only} group by ${cols.join(", ")}`,
  );
  const n = cols.length;
  return rows.map((r) => ({
    partition: r.slice(0, n).map(partitionText),
    rows: Number(r[n]),
    checksum: r[n + 1] === null ? null : String(r[n + 1]),
  }));
}

async function distinctPartitions(
  session: Session,
  engine: EngineType,
  sql: string,
  partitionBy: string[],
): Promise<PartitionValue[]> {
  const cols = partitionColumnsText(engine, partitionBy).join(", ");
  const { rows } = await session.query(`select distinct ${cols} from (\n${sql}\n) sluice_rows`);
  return rows.map((r) => r.map(partitionText));
}

/** A partition value as read back through `castText`: its text, or null for the NULL partition. */
function partitionText(value: CellValue): string | null {
  return value === null ? null : String(value);
}

/**
 * Loads a seed: the CSV is parsed and checked (shape, then every value against its column's type)
 * in a scratch DuckDB before the target is touched, and only then lands through the adapter's
 * staged load, which swaps the new table in. A file that fails a check replaces nothing.
 */
async function loadSeed(seed: SeedNode, ctx: StepContext): Promise<StepReport> {
  const target = ctx.connections.get(seed.relation.connection);
  const path = seed.location.path;
  const table = parseSeed(path, readFileSync(resolve(ctx.projectDir, path), "utf8"), seed.delimiter);
  // Loaded only here, so commands that load no seed do not open the embedded engine's native module.
  const { openScratchDatabase } = await import("../adapters/embedded.js");
  const scratch = await openScratchDatabase();
  try {
    const staged = scratch.session;
    const select = await stageSeed(staged, path, table, seed.columnTypes);
    return await withSession(ctx, seed.relation.connection, async (session) => {
      await target.ensureSchema(session, seed.relation.schema, seed.relation.database);
      const result = await target.load(session, seed.relation, staged.stream(select, ctx.batchRows), {
        kind: "replace",
      });
      return { status: "success", rowsAffected: result.rowsAffected };
    });
  } finally {
    await scratch.close();
  }
}

const SAMPLE_ROWS = 5;

async function runTest(test: TestNode, step: PlanStep, ctx: StepContext): Promise<StepReport> {
  if (test.reconcile) return runReconcile(test, test.reconcile, step, ctx);
  if (test.unit) return runUnitTest(test, test.unit, ctx);
  // A scoped test reads only the partitions its model replaced; the plan checked the rest is clean.
  let sql = step.scope?.sql ?? test.compiledSql;
  const model = step.scope ? ctx.manifest.nodes[step.scope.model] : undefined;
  const scope =
    step.scope && model ? { model: step.scope.model, partitions: step.scope.partitions } : undefined;
  const scopeText =
    scope && model ? `on ${describePartitions(scope.partitions)} of ${model.name}` : undefined;
  const type = ctx.manifest.connections[test.connection]?.type;
  // On DuckDB a dbt test with no placement set store_failures: false itself.
  if (ctx.storeFailures && !test.storeFailures && type !== "duckdb")
    throw new Error(
      `--store-failures: test '${test.name}' (${test.location.path}:${test.location.line}) runs on ` +
        `'${test.connection}', a ${type} connection, and failures are stored on DuckDB only; ` +
        "run it without --store-failures, or set store_failures: false on it",
    );
  const duckdb = type === "duckdb";
  return withSession(ctx, test.connection, async (session) => {
    // dbt's test materialization: the limit bounds the failing rows, those are stored, and the
    // count (fail_calc) is taken from what was stored.
    if (test.config.limit !== undefined)
      sql = `select * from (\n${sql}\n) model_limit_subq limit ${test.config.limit}`;
    const store = test.storeFailures && (test.storeFailures.when !== "flag" || ctx.storeFailures);
    const stored = store ? await storeFailures(session, test, sql, ctx) : undefined;
    if (stored) sql = `select * from ${stored}`;
    const { severity, errorIf, warnIf } = test.config;
    const failCalc = test.config.failCalc ?? "count(*)";
    const judged = duckdb
      ? await judgeInSql(session, sql, failCalc, warnIf, errorIf, test)
      : await judgeCount(session, sql, warnIf, errorIf);
    const { failures } = judged;
    let sample: StepReport["sample"];
    if (failures !== 0) {
      for await (const batch of session.stream(sql, SAMPLE_ROWS)) {
        sample = { columns: batch.columns.map((c) => c.name), rows: batchRows(batch).slice(0, SAMPLE_ROWS) };
        break;
      }
    }
    const failing = severity === "error" && judged.shouldError;
    const status = promoted(failing ? "fail" : judged.shouldWarn ? "warn" : "pass", ctx);
    const counted =
      failures === 0
        ? undefined
        : test.config.failCalc
          ? `fail_calc ${failCalc} = ${failures}`
          : `${failures} failing row${failures === 1 ? "" : "s"}`;
    const warnError = status === "fail" && !failing;
    const message =
      [
        counted,
        scopeText,
        warnError ? `(past warn_if ${warnIf}, an error under --warn-error)` : undefined,
        stored && failures !== 0 ? `; see them: select * from ${stored}` : undefined,
      ]
        .filter(Boolean)
        .join(" ")
        .replace(" ; ", "; ") || undefined;
    return { status, failures, sample, message, ...(scope ? { scope } : {}) };
  });
}

interface Judged {
  failures: number;
  shouldWarn: boolean;
  shouldError: boolean;
}

/**
 * dbt's get_test_sql: fail_calc over the failing rows, compared with warn_if and error_if by the
 * database, so a threshold is any SQL that follows the aggregate (`> 10`, `between 1 and 5`).
 */
async function judgeInSql(
  session: Session,
  sql: string,
  failCalc: string,
  warnIf: string,
  errorIf: string,
  test: TestNode,
): Promise<Judged> {
  const { rows } = await session.query(
    `select ${failCalc} as failures, ${failCalc} ${warnIf} as should_warn, ${failCalc} ${errorIf}` +
      ` as should_error\nfrom (\n${sql}\n) dbt_internal_test`,
  );
  const [failures, shouldWarn, shouldError] = rows[0] ?? [];
  // dbt reads failures as a whole number; a NULL (sum over no rows) fails the test's run there too.
  if (failures === null || failures === undefined)
    throw new Error(
      `test '${test.name}' (${test.location.path}:${test.location.line}): fail_calc ${failCalc} ` +
        `gave NULL; write e.g. coalesce(${failCalc}, 0)`,
    );
  return { failures: Number(failures), shouldWarn: shouldWarn === true, shouldError: shouldError === true };
}

/** The failing rows counted, the thresholds read here: the SQL of every engine has count(*). */
async function judgeCount(session: Session, sql: string, warnIf: string, errorIf: string): Promise<Judged> {
  const { rows } = await session.query(`select count(*) as failures from (\n${sql}\n) sluice_failures`);
  const failures = Number(rows[0]?.[0] ?? 0);
  return { failures, shouldWarn: holds(warnIf, failures), shouldError: holds(errorIf, failures) };
}

/**
 * Keeps a store_failures test's failing rows in its audit relation, replaced on every run as dbt
 * does (an empty table when it passes); returns the relation's name.
 */
async function storeFailures(
  session: Session,
  test: TestNode,
  sql: string,
  ctx: StepContext,
): Promise<string> {
  const { relation, as } = test.storeFailures!;
  const target = ctx.connections.get(test.connection);
  await target.ensureSchema(session, relation.schema, relation.database);
  if (as === "view") await target.createView(session, relation, sql);
  else await target.write(session, relation, sql, { kind: "replace" });
  return dialectFor(ctx.manifest.connections[test.connection]!.type).relation(relation);
}

/**
 * Profiles the stored table and the model's SQL on their
 * own engines and fails on every partition that differs.
 */
async function runReconcile(
  test: TestNode,
  reconcile: NonNullable<TestNode["reconcile"]>,
  step: PlanStep,
  ctx: StepContext,
): Promise<StepReport> {
  // Narrowed by the plan (planner/test-scope.ts) to the partitions the build replaces, when sound.
  const scope = step.scope?.computedSql ? step.scope : undefined;
  const queries = scope
    ? { stored: scope.sql, computed: scope.computedSql! }
    : { stored: test.compiledSql, computed: reconcile.sql };
  const [stored, computed] = await Promise.all([
    withSession(ctx, test.connection, (s) => s.query(queries.stored)),
    withSession(ctx, reconcile.connection, (s) => s.query(queries.computed)),
  ]);
  const keys = reconcile.keyColumns.length;
  const index = (rows: CellValue[][]) =>
    new Map(rows.map((r) => [JSON.stringify(r.slice(0, keys).map(normalize)), r.slice(keys).map(normalize)]));
  const lake = index(stored.rows);
  const source = index(computed.rows);
  const measures = stored.columns.slice(keys).map((c) => c.name);
  const failing: CellValue[][] = [];
  for (const key of new Set([...lake.keys(), ...source.keys()])) {
    const a = lake.get(key);
    const b = source.get(key);
    if (JSON.stringify(a) !== JSON.stringify(b))
      failing.push([
        ...(JSON.parse(key) as string[]),
        ...(a ?? measures.map(() => null)),
        ...(b ?? measures.map(() => null)),
      ]);
  }
  const columns = [
    ...stored.columns.slice(0, keys).map((c) => c.name),
    ...measures.map((m) => `stored_${m}`),
    ...measures.map((m) => `computed_${m}`),
  ];
  const { severity, errorIf, warnIf } = test.config;
  const status = promoted(
    severity === "error" && holds(errorIf, failing.length)
      ? "fail"
      : holds(warnIf, failing.length)
        ? "warn"
        : "pass",
    ctx,
  );
  return {
    status,
    failures: failing.length,
    sample: failing.length ? { columns, rows: failing.slice(0, SAMPLE_ROWS) } : undefined,
    message: failing.length
      ? `${failing.length === 1 ? "1 partition differs" : `${failing.length} partitions differ`}` +
        ` between ${test.connection} and ${reconcile.connection}`
      : scope
        ? `checked the ${scope.partitions.length} partition` +
          `${scope.partitions.length === 1 ? "" : "s"} this build replaced`
        : undefined,
    ...(scope ? { scope: { model: scope.model, partitions: scope.partitions } } : {}),
  };
}

/** Numbers as text without trailing zeros, so `12.50` on one engine equals `12.5` on another. */
function normalize(value: CellValue): string | null {
  if (value === null) return null;
  const text = typeof value === "bigint" || typeof value === "number" ? String(value) : String(value);
  return /^-?\d+\.\d+$/.test(text) ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
}

/** A test's status under --warn-error: a warning fails, as dbt's test runner decides (LogTestResult). */
function promoted(status: "fail" | "warn" | "pass", ctx: StepContext): "fail" | "warn" | "pass" {
  return status === "warn" && ctx.warnError?.errors("LogTestResult") ? "fail" : status;
}

/** Evaluates a threshold such as `!=0`, `>10` or `>=5` against a failure count. */
export function holds(condition: string, count: number): boolean {
  const m = /^\s*(!=|==|=|>=|<=|>|<)\s*(\d+)\s*$/.exec(condition);
  if (!m) throw new Error(`cannot read threshold '${condition}'; write e.g. '>10' or '!=0'`);
  const n = Number(m[2]);
  switch (m[1]) {
    case "!=":
      return count !== n;
    case "==":
    case "=":
      return count === n;
    case ">=":
      return count >= n;
    case "<=":
      return count <= n;
    case ">":
      return count > n;
    default:
      return count < n;
  }
}
