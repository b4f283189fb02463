// examples/spark-medallion and examples/olist with their app databases on a real PostgreSQL server
// (the production shape of their profiles.yml, with the lake embedded): the same rows give the same
// lake as the embedded build, from empty and after a day (an hour) of changes, and the incremental
// build equals a full refresh. Runs when SLUICE_TEST_POSTGRES holds a connection URL; skipped otherwise.
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Adapter } from "../../../src/adapters/contract.js";
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

/** Runs `sql` on the server's own database (creating and dropping the suites' databases). */
async function onAdmin(admin: Adapter, sql: string): Promise<void> {
  const session = await admin.open();
  try {
    await session.execute(sql);
  } finally {
    await session.close();
    await admin.close();
  }
}

suite("examples/spark-medallion on PostgreSQL", () => {
  const config = url ? postgresConfig(url) : undefined;
  const database = uniqueName("medallion").toLowerCase();
  const env = { SLUICE_TEST_PG_PASSWORD: config?.password ?? "" };
  const adapter = (db: string) => createPostgresAdapter("admin", { ...config!, database: db });
  let copy: ExampleCopy;

  /** The dev source's tables, copied to the server as the application would hold them. */
  async function copySource(): Promise<void> {
    const tables = await copySourceTables(copy, "app", adapter(database), { schema: "app" });
    expect(tables).toEqual(expect.arrayContaining(["orders", "order_items", "users"]));
  }

  beforeAll(async () => {
    copy = copyExample("spark-medallion");
    await onAdmin(adapter(config!.database), `CREATE DATABASE "${database}"`);
    addServerTarget(copy, "lake", {
      source:
        `{ type: postgres, host: ${config!.host}, port: ${config!.port ?? 5432}, database: ${database}, ` +
        `user: ${config!.user}, password: "{{ env_var('SLUICE_TEST_PG_PASSWORD', '') }}", schema: public }`,
    });
  });
  afterAll(async () => {
    copy?.remove();
    if (config) await onAdmin(adapter(config.database), `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
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

suite("examples/olist on PostgreSQL", () => {
  const config = url ? postgresConfig(url) : undefined;
  const database = uniqueName("olist").toLowerCase();
  const env = { SLUICE_TEST_PG_PASSWORD: config?.password ?? "" };
  const adapter = (db: string) => createPostgresAdapter("admin", { ...config!, database: db });
  let copy: ExampleCopy;

  /** The dev source's tables, copied to the server as the marketplace's database would hold them. */
  async function copySource(): Promise<void> {
    const tables = await copySourceTables(copy, "olist", adapter(database), { schema: "olist" });
    expect(tables).toEqual(
      expect.arrayContaining(["orders", "order_items", "order_payments", "order_reviews", "customers"]),
    );
  }

  beforeAll(async () => {
    copy = copyExample("olist");
    await onAdmin(adapter(config!.database), `CREATE DATABASE "${database}"`);
    addServerTarget(copy, "lake", {
      source:
        `{ type: postgres, host: ${config!.host}, port: ${config!.port ?? 5432}, database: ${database}, ` +
        `user: ${config!.user}, password: "{{ env_var('SLUICE_TEST_PG_PASSWORD', '') }}", schema: public }`,
    });
  });
  afterAll(async () => {
    copy?.remove();
    if (config) await onAdmin(adapter(config.database), `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  });

  it("builds the clean table on the server and the same lake as the embedded build of the same rows", async () => {
    buildExample(copy, ["--vars", "{olist_orders: 1200}"]);
    await copySource();
    buildExample(copy, ["--target", "server"], env);
    // The server target has no embedded source: the clean models ran on PostgreSQL (their compute).
    expect(existsSync(copy.file("source", "server"))).toBe(false);
    const lake = await snapshotExample(copy, "lake", "server");
    expect(lake["daily_summary"]!.length).toBeGreaterThan(50);
    expect(lake).toEqual(await snapshotExample(copy, "lake"));
  });

  it("after an hour of new and delivered orders on the server, replaces the changed days and equals a full refresh", async () => {
    runExampleOperation(
      copy,
      "olist_mutate",
      '{hour: "2018-03-05 10:00:00", seed: 1, new_orders: 40, delivered: 30}',
    );
    buildExample(copy);
    await copySource();
    buildExample(copy, ["--target", "server"], env);
    expect(lastActions(copy)).toMatchObject({ clean_orders: "replace_partitions" });
    const incremental = await snapshotExample(copy, "lake", "server");
    expect(incremental).toEqual(await snapshotExample(copy, "lake"));
    buildExample(copy, ["--target", "server", "--full-refresh"], env);
    expect(await snapshotExample(copy, "lake", "server")).toEqual(incremental);
  });
});
