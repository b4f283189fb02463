// Runs a dbt snapshot (ModelNode.snapshot): keeps the history of its query's rows as dbt's SCD
// type 2 does. The first run creates the table with the query's columns and dbt_scd_id,
// dbt_updated_at, dbt_valid_from, dbt_valid_to (NULL for the current version); each later run, in
// one transaction, closes the current version of every row that changed (dbt_valid_to = the new
// version's dbt_valid_from), and of every row gone from the query when hard deletes invalidate
// (dbt_valid_to = the snapshot time), then inserts a version for each row that changed or is new.
// `timestamp`: a row changed when its updated_at is later than its current version's
// dbt_valid_from. `check`: when a checked column differs (NULLs compared as values); its versions
// are stamped with the snapshot time: the run's start, so one run stamps every row alike.
// Written for DuckDB; the compile refuses snapshots on other engines.
import type { Session } from "../adapters/contract.js";
import { dialectFor } from "../adapters/dialects.js";
import type { ModelNode } from "../manifest/types.js";
import type { SnapshotConfig } from "../project/dbt-snapshots.js";
import type { StepContext, StepReport } from "./execute-step.js";

const META = ["dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to"];

export async function runSnapshot(model: ModelNode, ctx: StepContext): Promise<StepReport> {
  const config = model.snapshot!;
  const connection = model.relation.connection;
  const engine = ctx.manifest.connections[connection]!.type;
  if (engine !== "duckdb" || model.config.compute !== connection)
    throw new Error(
      `snapshot '${model.name}': sluice runs snapshots on DuckDB, on the connection they live on`,
    );
  const d = dialectFor(engine);
  const q = (name: string) => d.quoteIdentifier(name);
  const target = ctx.connections.get(connection);
  const table = d.relation(model.relation);
  const time = `cast(${d.literal(ctx.snapshotTime.replace("T", " ").replace(/Z$/, ""))} as timestamp)`;
  return ctx.connections.withSession(connection, async (session) => {
    await target.ensureSchema(session, model.relation.schema, model.relation.database);
    const { columns: queried } = await session.query(
      `select * from (\n${model.compiledSql}\n) sluice_snapshot where 1 = 0`,
    );
    const names = queried.map((c) => c.name);
    checkColumns(model, config, names);
    const updated = config.strategy === "timestamp" ? `q.${q(config.updatedAt!)}` : time;
    const scd = `md5(${[...config.uniqueKey.map((k) => `q.${q(k)}`), updated]
      .map((e) => `coalesce(cast(${e} as varchar), '')`)
      .join(" || '|' || ")})`;
    const staged =
      `select q.*, ${scd} as dbt_scd_id, ${updated} as dbt_updated_at, ${updated} as dbt_valid_from, ` +
      `nullif(${updated}, ${updated}) as dbt_valid_to from (\n${model.compiledSql}\n) q`;
    const exists = (await target.introspector(session).relationKind(model.relation)) !== null;
    if (!exists) {
      await session.execute(`create table ${table} as ${staged}`);
      const { rows } = await session.query(`select count(*) from ${table}`);
      const n = Number(rows[0]?.[0] ?? 0);
      return {
        status: "success",
        rowsAffected: n,
        message: `snapshot created with ${n} version${n === 1 ? "" : "s"}`,
      };
    }
    const stage = q(`sluice_snapshot_${ctx.runId}`.replace(/[^A-Za-z0-9_]/g, "_"));
    const sameKey = (a: string, b: string) =>
      config.uniqueKey.map((k) => `${a}.${q(k)} = ${b}.${q(k)}`).join(" and ");
    const checked =
      config.strategy === "check" ? (config.checkCols === "all" ? names : config.checkCols) : [];
    const changed =
      config.strategy === "timestamp"
        ? `t.dbt_valid_from < s.dbt_valid_from`
        : checked.map((c) => `t.${q(c)} is distinct from s.${q(c)}`).join(" or ") || "false";
    return session.transaction(async () => {
      await session.execute(`create temp table ${stage} as ${staged}`);
      try {
        await addNewColumns(session, model, ctx, stage, names);
        const closed = await session.execute(
          `update ${table} as t set dbt_valid_to = s.dbt_valid_from from ${stage} ` +
            `as s where ${sameKey("t", "s")} and t.dbt_valid_to is null and (${changed})`,
        );
        let deleted = 0;
        if (config.hardDeletes === "invalidate") {
          const gone = await session.execute(
            `update ${table} as t set dbt_valid_to = ${time} where t.dbt_valid_to is ` +
              `null and not exists (select 1 from ${stage} as s where ${sameKey("t", "s")})`,
          );
          deleted = gone.rowsAffected ?? 0;
        }
        const all = [...names, ...META].map(q).join(", ");
        const inserted = await session.execute(
          `insert into ${table} (${all}) select ${all} from ${stage} as s where not exists ` +
            `(select 1 from ${table} as t where ${sameKey("t", "s")} and t.dbt_valid_to is null)`,
        );
        const n = inserted.rowsAffected ?? 0;
        return {
          status: "success",
          rowsAffected: n,
          message:
            `${n} version${n === 1 ? "" : "s"} added, ` +
            `${closed.rowsAffected ?? 0} changed, ${deleted} deleted`,
        } satisfies StepReport;
      } finally {
        await session.execute(`drop table if exists ${stage}`);
      }
    });
  });
}

/** The query must return the key, updated_at and checked columns, and none of dbt's own. */
function checkColumns(model: ModelNode, config: SnapshotConfig, names: string[]): void {
  const wanted = [
    ...config.uniqueKey.map((c) => ["unique_key", c]),
    ...(config.updatedAt ? [["updated_at", config.updatedAt]] : []),
    ...(config.checkCols === "all" ? [] : config.checkCols.map((c) => ["check_cols", c])),
  ];
  const lower = names.map((n) => n.toLowerCase());
  for (const [key, column] of wanted)
    if (!lower.includes(column!.toLowerCase()))
      throw new Error(
        `${model.location.path}: snapshot '${model.name}' has ${key} '${column}` +
          `', which its query does not return (it returns ${names.join(", ")})`,
      );
  const own = names.filter((n) => META.includes(n.toLowerCase()));
  if (own.length > 0)
    throw new Error(
      `${model.location.path}: snapshot '${model.name}' selects ${own.join(", ")}` +
        `, which the snapshot adds itself; select the source columns only`,
    );
}

/** Columns the query returns that the table lacks yet are added, as dbt adds them. */
async function addNewColumns(
  session: Session,
  model: ModelNode,
  ctx: StepContext,
  stage: string,
  names: string[],
): Promise<void> {
  const engine = ctx.manifest.connections[model.relation.connection]!.type;
  const d = dialectFor(engine);
  const introspector = ctx.connections.get(model.relation.connection).introspector(session);
  const have = new Set((await introspector.columns(model.relation)).map((c) => c.name.toLowerCase()));
  const missing = names.filter((n) => !have.has(n.toLowerCase()));
  if (missing.length === 0) return;
  const { columns } = await session.query(`select * from ${stage} where 1 = 0`);
  for (const name of missing) {
    const type = columns.find((c) => c.name === name)!.nativeType;
    await session.execute(
      `alter table ${d.relation(model.relation)} add column ${d.quoteIdentifier(name)} ${type}`,
    );
  }
}
