// examples/spark-medallion with its app database on a real PostgreSQL server (the production
// shape of its profiles.yml, with the lake embedded): the same rows give the same lake as the
// embedded build, from empty and after a day of changes, and the incremental build equals a full
// refresh. Runs when SLUICE_TEST_POSTGRES holds a connection URL; skipped otherwise.
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresAdapter } from "../../../src/adapters/postgres/index.js";
import {
  buildExample,
  copyExample,
  type ExampleCopy,
  lastActions,
  runExampleOperation,
  snapshotExample,
} from "../../helpers/examples.js";
import { addServerTarget, copySourceTables } from "../examples-on-server.js";
import { postgresConfig, uniqueName } from "../servers.js";

const url = process.env["SLUICE_TEST_POSTGRES"];
const suite = url ? describe : describe.skip;
if (!url)
  console.log("skipped: no PostgreSQL server (set SLUICE_TEST_POSTGRES, e.g. from `npm run pg:start`)");

suite("examples/spark-medallion on PostgreSQL", () => {
  const config = url ? postgresConfig(url) : undefined;
  const database = uniqueName("medallion").toLowerCase();
  const env = { SLUICE_TEST_PG_PASSWORD: config?.password ?? "" };
  const adapter = (db: string) => createPostgresAdapter("admin", { ...config!, database: db });
  let copy: ExampleCopy;

  async function onAdmin(sql: string): Promise<void> {
    const admin = adapter(config!.database);
    const session = await admin.open();
    try {
      await session.execute(sql);
    } finally {
      await session.close();
      await admin.close();
    }
  }

  /** The dev source's tables, copied to the server as the application would hold them. */
  async function copySource(): Promise<void> {
    const tables = await copySourceTables(copy, "app", adapter(database), { schema: "app" });
    expect(tables).toEqual(expect.arrayContaining(["orders", "order_items", "users"]));
  }

  beforeAll(async () => {
    copy = copyExample("spark-medallion");
    await onAdmin(`CREATE DATABASE "${database}"`);
    addServerTarget(copy, "lake", {
      source:
        `{ type: postgres, host: ${config!.host}, port: ${config!.port ?? 5432}, database: ${database}, ` +
        `user: ${config!.user}, password: "{{ env_var('SLUICE_TEST_PG_PASSWORD', '') }}", schema: public }`,
    });
  });
  afterAll(async () => {
    copy?.remove();
    if (config) await onAdmin(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  });

  it("builds from an empty lake the same lake as the embedded build of the same rows", async () => {
    buildExample(copy, ["--vars", "{medallion_orders: 800}"]);
    await copySource();
    buildExample(copy, ["--target", "server"], env);
    // The server target has no embedded source: its bronze layer read PostgreSQL.
    expect(existsSync(copy.file("source", "server"))).toBe(false);
    expect(await snapshotExample(copy, "lake", "server")).toEqual(await snapshotExample(copy, "lake"));
  });

  it("after a day of changes on the server, replaces the changed days and equals a full refresh", async () => {
    runExampleOperation(
      copy,
      "medallion_mutate",
      '{day: "2026-03-05", seed: 1, new_orders: 40, updated_orders: 30}',
    );
    buildExample(copy);
    await copySource();
    buildExample(copy, ["--target", "server"], env);
    expect(lastActions(copy)).toMatchObject({
      bronze_orders: "replace_partitions",
      bronze_order_items: "replace_partitions",
    });
    const incremental = await snapshotExample(copy, "lake", "server");
    expect(incremental).toEqual(await snapshotExample(copy, "lake"));
    buildExample(copy, ["--target", "server", "--full-refresh"], env);
    expect(await snapshotExample(copy, "lake", "server")).toEqual(incremental);
  });
});
