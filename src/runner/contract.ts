// dbt's enforced model contract at build time, before anything is written: the SQL's columns (a
// query of no rows) against the YAML's, whose data_types the engine itself names (a cast of NULL to
// each), compared as dbt's assert_columns_equivalent does (same number, same names, same types). A
// contracted table is then created from the contract, in its column order with its not_null, unique,
// primary_key and check constraints, filled, and swapped in; a row that breaks a constraint fails the
// build with the old table still in place. DuckDB tables only.
import type { Adapter, Session } from "../adapters/contract.js";
import { temporaryName } from "../adapters/contract.js";
import type { ModelContract, ModelNode } from "../manifest/types.js";
import { BuildRefusal } from "./refusal.js";

/** The build refused by the contract: the message names the model, the YAML lines and the columns. */
export class ContractError extends BuildRefusal {}

export interface ContractMismatch {
  column: string;
  /** The type of the SQL's column (definition), and the contract's, as the engine names them. */
  definitionType: string | null;
  contractType: string | null;
  reason: "missing in definition" | "missing in contract" | "data type mismatch";
}

/** The columns where the SQL and the contract differ, as dbt's ContractError tabulates them. */
export function contractMismatches(
  sql: { name: string; type: string }[],
  contract: { name: string; type: string }[],
): ContractMismatch[] {
  const out: ContractMismatch[] = [];
  const declared = new Map(contract.map((c) => [c.name, c]));
  const defined = new Set(sql.map((c) => c.name));
  for (const c of sql) {
    const want = declared.get(c.name);
    if (!want)
      out.push({ column: c.name, definitionType: c.type, contractType: null, reason: "missing in contract" });
    else if (want.type !== c.type)
      out.push({
        column: c.name,
        definitionType: c.type,
        contractType: want.type,
        reason: "data type mismatch",
      });
  }
  for (const c of contract)
    if (!defined.has(c.name))
      out.push({
        column: c.name,
        definitionType: null,
        contractType: c.type,
        reason: "missing in definition",
      });
  return out;
}

/** Checks `sql` against the model's contract on `session`; throws ContractError when it differs. */
export async function checkContract(session: Session, model: ModelNode, sql: string): Promise<void> {
  const contract = model.contract!;
  const { columns } = await session.query(`select * from (\n${sql}\n) sluice_contract limit 0`);
  const declared = await contractTypes(session, model, contract);
  const mismatches = contractMismatches(
    columns.map((c) => ({ name: c.name, type: c.nativeType })),
    declared,
  );
  if (mismatches.length === 0) return;
  const where = (name: string) => {
    const line = contract.columns.find((c) => c.name === name)?.line;
    return line ? ` (${contract.location.path}:${line})` : "";
  };
  const rows = mismatches.map(
    (m) =>
      `  ${m.column}${where(m.column)}: ${m.reason}` +
      (m.reason === "data type mismatch"
        ? `, the SQL gives ${m.definitionType}, the contract says ${m.contractType}`
        : "") +
      (m.reason === "missing in contract" ? ` (the SQL gives ${m.definitionType})` : "") +
      (m.reason === "missing in definition" ? ` (the contract says ${m.contractType})` : ""),
  );
  throw new ContractError(
    `${model.location.path}: model '${model.name}' has an enforced contract (${contract.location.path}` +
      `:${contract.location.line}) that its SQL does not meet:\n${rows.join("\n")}\nNothing was written; ` +
      `make the SQL's columns match the contract's names and data_type, or change the contract`,
  );
}

/** The contract's data_types as the engine names them; a type it does not know is refused at its line. */
async function contractTypes(
  session: Session,
  model: ModelNode,
  contract: ModelContract,
): Promise<{ name: string; type: string }[]> {
  const out: { name: string; type: string }[] = [];
  // One column at a time, so a data_type the engine does not know is named with its line.
  for (const c of contract.columns) {
    try {
      const { columns } = await session.query(`select cast(null as ${c.dataType}) as sluice_type limit 0`);
      out.push({ name: c.name, type: columns[0]!.nativeType });
    } catch (e) {
      throw new ContractError(
        `${contract.location.path}:${c.line}: data_type '${c.dataType}' of column ` +
          `'${c.name}' in the contract of '${model.name}' is not a type the engine ` +
          `knows: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`,
      );
    }
  }
  return out;
}

/** The CREATE TABLE of a contracted table: the contract's columns, types and constraints. */
export function contractTableSql(
  relation: string,
  contract: ModelContract,
  quote: (n: string) => string,
): string {
  const columns = contract.columns.map(
    (c) => `${quote(c.name)} ${c.dataType}${c.notNull ? " NOT NULL" : ""}${c.unique ? " UNIQUE" : ""}`,
  );
  if (contract.primaryKey.length > 0)
    columns.push(`PRIMARY KEY (${contract.primaryKey.map(quote).join(", ")})`);
  for (const keys of contract.unique) columns.push(`UNIQUE (${keys.map(quote).join(", ")})`);
  for (const { expression, name } of contract.checks ?? [])
    columns.push(`${name ? `CONSTRAINT ${quote(name)} ` : ""}CHECK (${expression})`);
  return `CREATE TABLE ${relation} (\n  ${columns.join(",\n  ")}\n)`;
}

/**
 * Builds a contracted table beside the model's relation and swaps it in: created from the
 * contract, filled by name from the SQL (a constraint a row breaks fails here), then put in place
 * of the old table or view in one transaction. Returns the rows written.
 */
export async function buildContractTable(
  session: Session,
  target: Adapter,
  model: ModelNode,
  sql: string,
  runId: string,
): Promise<number> {
  const d = target.dialect;
  const built = temporaryName(model.relation, "tmp", runId, target.capabilities.maxIdentifierLength);
  const existing = await target.introspector(session).relationKind(model.relation);
  await session.execute(contractTableSql(d.relation(built), model.contract!, (n) => d.quoteIdentifier(n)));
  try {
    const names = model.contract!.columns.map((c) => d.quoteIdentifier(c.name)).join(", ");
    await session.execute(
      `INSERT INTO ${d.relation(built)} BY NAME\nselect ${names} from (\n${sql}\n) sluice_contract`,
    );
    const { rows } = await session.query(`SELECT count(*) FROM ${d.relation(built)}`);
    await session.transaction(async () => {
      if (existing)
        await session.execute(`DROP ${existing === "view" ? "VIEW" : "TABLE"} ${d.relation(model.relation)}`);
      await session.execute(
        `ALTER TABLE ${d.relation(built)} RENAME TO ${d.quoteIdentifier(model.relation.name)}`,
      );
    });
    return Number(rows[0]?.[0] ?? 0);
  } catch (e) {
    await session.execute(`DROP TABLE IF EXISTS ${d.relation(built)}`).catch(() => undefined);
    throw e;
  }
}
