// Runs a dbt unit test as dbt does: each fixture is typed from its input relation's columns (every
// column of it, NULL where a row gives none), or from the YAML's data_type where the input is not
// built, or else spelt as the dialect's plain literals; the model's SQL runs on those CTEs; the
// expected rows are typed like the columns the model returns; and the two are compared as
// multisets over the columns expect names. A difference fails the test and shows both sides.
import type { CellValue, Column, LogicalType } from "../adapters/contract.js";
import { dialectFor } from "../adapters/dialects.js";
import { withCtes } from "../compiler/render.js";
import type { FixtureValue, TestNode, UnitTestSpec } from "../manifest/types.js";
import type { StepReport } from "../manifest/run-results.js";
import type { StepContext } from "./execute-step.js";

/** Rows of a failing unit test's diff printed under it. */
const DIFF_ROWS = 20;

type Input = UnitTestSpec["inputs"][number];

export async function runUnitTest(test: TestNode, spec: UnitTestSpec, ctx: StepContext): Promise<StepReport> {
  const where = `${test.location.path}:${test.location.line}`;
  const fail = (message: string): StepReport => ({
    status: "fail",
    failures: 1,
    message: `${where}: ${message}`,
  });
  const dialect = dialectFor(ctx.manifest.connections[test.connection]!.type);
  const ctes: string[] = [];
  /** Inputs neither built nor typed in YAML: their values are plain literals, which may not fit. */
  const untyped: string[] = [];
  for (const input of spec.inputs) {
    const columns = await inputColumns(input, ctx);
    const known = columns ?? declaredColumns(input, dialect.logicalType.bind(dialect));
    const typeless = columns
      ? []
      : input.columns.filter((c) => !known.some((k) => same(k.name, c) && k.type));
    // CSV text has no types: as plain strings, '10' would sort before '9' and sum as nothing.
    if (input.csv && typeless.length > 0)
      return fail(
        `${input.node} (given as CSV at line ${input.line}) is not built and its YAML gives no data_type ` +
          `for ${typeless.map((c) => `'${c}'`).join(", ")}, so its CSV values cannot be typed; build it ` +
          "first (as dbt requires) or declare the columns' data_type",
      );
    if (typeless.length > 0) untyped.push(input.node);
    if (known.length === 0 && input.columns.length === 0)
      return fail(
        `${input.node} (given at line ${input.line}) is not built and its columns are not declared, so ` +
          "its empty fixture has no columns; build it first or list its columns in its YAML",
      );
    const unknown = columns ? input.columns.filter((c) => !columns.some((k) => same(k.name, c))) : [];
    if (unknown.length > 0)
      return fail(
        `the rows given at line ${input.line} name ${unknown.map((c) => `'${c}'`).join(", ")}, which ` +
          `${input.node} does not have (it has ${columns!.map((c) => c.name).join(", ")})`,
      );
    const all = [
      ...known,
      ...input.columns.filter((c) => !known.some((k) => same(k.name, c))).map((name) => ({ name })),
    ];
    try {
      ctes.push(`${input.cte} as (\n${selectRows(all, input.columns, input.rows, dialect)}\n)`);
    } catch (e) {
      return fail(`a value given at line ${input.line} does not fit its column: ${(e as Error).message}`);
    }
  }
  const actual = withCtes(spec.sql, ctes);
  try {
    return await compare(test, spec, actual, ctx, fail);
  } catch (e) {
    if (untyped.length === 0) throw e;
    throw new Error(
      `${(e as Error).message}\n(${untyped.join(", ")} ${untyped.length === 1 ? "is" : "are"} not ` +
        "built, so the fixture values are untyped literals; build the inputs first, or give their " +
        "columns data_type in YAML)",
    );
  }
}

async function compare(
  test: TestNode,
  spec: UnitTestSpec,
  actual: string,
  ctx: StepContext,
  fail: (message: string) => StepReport,
): Promise<StepReport> {
  const where = `${test.location.path}:${test.location.line}`;
  const dialect = dialectFor(ctx.manifest.connections[test.connection]!.type);
  return ctx.connections.withSession(test.connection, async (session) => {
    const shape = await session.query(`select * from (\n${actual}\n) sluice_unit_actual where 1 = 0`);
    const compared = spec.expect.columns.map((c) => shape.columns.find((k) => same(k.name, c)));
    const absent = spec.expect.columns.filter((_, i) => !compared[i]);
    if (absent.length > 0)
      return fail(
        `expect (line ${spec.expect.line}) names ${absent.map((c) => `'${c}'`).join(", ")}, ` +
          "which the model " +
          `does not return (it returns ${shape.columns.map((c) => c.name).join(", ")})`,
      );
    const typed = compared as Column[];
    let expectedSql: string;
    try {
      expectedSql = selectRows(typed, spec.expect.columns, spec.expect.rows, dialect);
    } catch (e) {
      return fail(
        `a value expected at line ${spec.expect.line} does not fit its column: ${(e as Error).message}`,
      );
    }
    const list = typed.map((c) => dialect.quoteIdentifier(c.name)).join(", ") || "1 as sluice_row";
    const got = (await session.query(`select ${list} from (\n${actual}\n) sluice_unit_actual`)).rows;
    const expected = (await session.query(expectedSql)).rows;
    const diff = multisetDiff(expected, got, typed.length);
    if (diff.missing.length === 0 && diff.extra.length === 0) return { status: "pass", failures: 0 };
    const rows = [
      ...diff.missing.map((r) => ["expected", ...r.map(text)]),
      ...diff.extra.map((r) => ["got", ...r.map(text)]),
    ];
    return {
      status: "fail",
      failures: rows.length,
      message:
        `${where}: ${test.name} on ${spec.model.replace(/^model\./, "")}: ` +
        `${count(diff.missing.length)} expected ` +
        `and not returned, ${count(diff.extra.length)} returned and not expected (got ${got.length}, ` +
        `expected ${expected.length})`,
      sample: { columns: ["row", ...typed.map((c) => c.name)], rows: rows.slice(0, DIFF_ROWS) },
    };
  });
}

/** The input relation's columns when it is built, else undefined. */
async function inputColumns(input: Input, ctx: StepContext): Promise<Column[] | undefined> {
  const node = ctx.manifest.nodes[input.node];
  if (!node || node.kind === "test") return undefined;
  return ctx.connections.withSession(node.relation.connection, async (session, adapter) => {
    const introspector = adapter.introspector(session);
    if ((await introspector.relationKind(node.relation)) === null) return undefined;
    return introspector.columns(node.relation);
  });
}

/** The YAML's columns of an input that is not built, typed where a data_type is given and readable. */
function declaredColumns(
  input: Input,
  logicalType: (t: string) => LogicalType,
): { name: string; type?: LogicalType }[] {
  return input.declared.map((c) => {
    if (!c.dataType) return { name: c.name };
    try {
      return { name: c.name, type: logicalType(c.dataType) };
    } catch {
      return { name: c.name };
    }
  });
}

/** `select … union all select …` of the rows, every column of `columns` in each (NULL where not given). */
function selectRows(
  columns: { name: string; type?: LogicalType }[],
  given: string[],
  rows: (FixtureValue | undefined)[][],
  dialect: ReturnType<typeof dialectFor>,
): string {
  const literal = (c: { type?: LogicalType }, v: FixtureValue | undefined) =>
    c.type ? dialect.typedLiteral(v ?? null, c.type) : dialect.literal(v ?? null);
  const select = (row: (FixtureValue | undefined)[] | undefined) =>
    `select ${
      columns
        .map((c) => {
          const i = given.findIndex((g) => same(g, c.name));
          return `${literal(c, row && i >= 0 ? row[i] : null)} as ${dialect.quoteIdentifier(c.name)}`;
        })
        .join(", ") || "1 as sluice_row"
    }`;
  if (rows.length === 0) return `${select(undefined)} where 1 = 0`;
  return rows.map(select).join("\nunion all\n");
}

/** Rows of `expected` that `got` lacks and rows of `got` beyond `expected`, counting duplicates. */
function multisetDiff(
  expected: CellValue[][],
  got: CellValue[][],
  width: number,
): { missing: CellValue[][]; extra: CellValue[][] } {
  const key = (r: CellValue[]) => JSON.stringify(r.slice(0, width).map(text));
  const left = new Map<string, CellValue[][]>();
  for (const r of got) left.set(key(r), [...(left.get(key(r)) ?? []), r]);
  const missing: CellValue[][] = [];
  for (const r of expected) {
    const same = left.get(key(r));
    if (same?.length) same.pop();
    else missing.push(r.slice(0, width));
  }
  return { missing, extra: [...left.values()].flat().map((r) => r.slice(0, width)) };
}

function text(v: CellValue): string {
  if (v === null) return "NULL";
  if (v instanceof Date)
    return v
      .toISOString()
      .replace("T", " ")
      .replace(/\.000Z$|Z$/, "");
  if (v instanceof Uint8Array) return `\\x${Buffer.from(v).toString("hex")}`;
  return String(v);
}

function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function count(n: number): string {
  return `${n} row${n === 1 ? "" : "s"}`;
}
