// Stages a parsed seed in a scratch DuckDB session, gives each column its type (declared in
// `column_types`, or the most specific one every value casts to) and checks every value casts,
// so a type error names its line before the seed's table is touched.
import type { Session } from "../adapters/contract.js";
import { SeedError, typeCandidates, type SeedTable } from "./seed-file.js";

const STAGED = "sluice_seed";
const LINE = "sluice_line";
const INSERT_ROWS = 500;

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (v: string | null) => (v === null ? "NULL" : `'${v.replace(/'/g, "''")}'`);

/**
 * Loads `table` into the scratch session as text, checks it and returns the SELECT that yields
 * the typed rows in file order. Throws a SeedError for a value its declared type rejects, or for
 * a `column_types` entry that names no column or no type DuckDB knows.
 */
export async function stageSeed(
  session: Session,
  path: string,
  table: SeedTable,
  declared: Record<string, string>,
): Promise<string> {
  const { columns, rows } = table;
  const byName = new Map(columns.map((c) => [c.toLowerCase(), c]));
  for (const name of Object.keys(declared)) {
    if (!byName.has(name.toLowerCase())) {
      throw new SeedError(
        path,
        1,
        `column_types names '${name}', which is not a column of the header`,
        `use one of ${columns.map((c) => `'${c}'`).join(", ")} in the seed's column_types`,
      );
    }
  }
  await session.execute(
    `CREATE OR REPLACE TEMP TABLE ${STAGED} (${LINE} ` +
      `BIGINT, ${columns.map((c) => `${quote(c)} VARCHAR`).join(", ")})`,
  );
  for (let i = 0; i < rows.length; i += INSERT_ROWS) {
    const values = rows
      .slice(i, i + INSERT_ROWS)
      .map((r) => `(${r.line}, ${r.values.map(literal).join(", ")})`);
    await session.execute(`INSERT INTO ${STAGED} VALUES ${values.join(", ")}`);
  }
  const declaredType = (c: string) =>
    Object.entries(declared).find(([k]) => k.toLowerCase() === c.toLowerCase())?.[1];
  const types: string[] = [];
  for (const [i, column] of columns.entries()) {
    const type = declaredType(column);
    if (type) await checkDeclared(session, path, column, type);
    types.push(
      type ?? (await inferType(session, column, typeCandidates(rows.map((r) => r.values[i] ?? null)))),
    );
  }
  const casts = columns.map((c, i) => `CAST(${quote(c)} AS ${types[i]}) AS ${quote(c)}`);
  return `SELECT ${casts.join(", ")} FROM ${STAGED} ORDER BY ${LINE}`;
}

async function checkDeclared(session: Session, path: string, column: string, type: string): Promise<void> {
  let found: Awaited<ReturnType<Session["query"]>>;
  try {
    found = await session.query(
      `SELECT ${LINE}, ${quote(column)} FROM ${STAGED} WHERE ${quote(column)} IS NOT ` +
        `NULL AND TRY_CAST(${quote(column)} AS ${type}) IS NULL ORDER BY ${LINE} LIMIT 1`,
    );
  } catch (e) {
    throw new SeedError(
      path,
      1,
      `column_types gives '${type}' for '${column}', which is not ` +
        `a type DuckDB knows (${(e as Error).message.split("\n")[0]})`,
      "use a DuckDB type name such as INTEGER, DECIMAL(10,2), DATE or VARCHAR",
    );
  }
  const bad = found.rows[0];
  if (bad) {
    throw new SeedError(
      path,
      Number(bad[0]),
      `column '${column}' holds '${String(bad[1])}', which is not of type ${type}`,
      `fix the value, leave the field empty for NULL, or change the column's type in column_types`,
    );
  }
}

/** The first candidate type every value of `column` casts to. */
async function inferType(session: Session, column: string, candidates: string[]): Promise<string> {
  const checks = candidates.filter((t) => t !== "VARCHAR");
  if (checks.length === 0) return "VARCHAR";
  const counts = checks.map(
    (t) =>
      `count(*) FILTER (WHERE ${quote(column)} IS NOT NULL AND TRY_CAST(${quote(column)} AS ${t}) IS NULL)`,
  );
  const { rows } = await session.query(`SELECT ${counts.join(", ")} FROM ${STAGED}`);
  const failures = rows[0] ?? [];
  return checks.find((_, i) => Number(failures[i]) === 0) ?? "VARCHAR";
}
