// The PostgreSQL dialect on a real server (SLUICE_TEST_POSTGRES, as `npm run pg:start` prints); skipped otherwise.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Adapter, Session } from "../../../src/adapters/contract.js";
import { createPostgresAdapter } from "../../../src/adapters/postgres/index.js";
import { dialectOnServerSuite } from "../dialect-on-server.js";
import { readHighWatermark, windowStart } from "../../../src/planner/watermarks.js";
import { postgresConfig, uniqueName } from "../servers.js";

const url = process.env["SLUICE_TEST_POSTGRES"];
const suite = url ? describe : describe.skip;

suite("PostgreSQL dialect", () => {
  dialectOnServerSuite({
    type: "postgres",
    adapter: () => createPostgresAdapter("mart", postgresConfig(url!), { runId: "dialect" }),
    dropSchemaSql: (schema) => `DROP SCHEMA IF EXISTS "${schema}" CASCADE`,
    readBack: [
      [null, { kind: "string" }, null],
      [null, { kind: "timestamp", withTimeZone: true }, null],
      ["it's \\ Ω ✓", { kind: "string" }, "it's \\ Ω ✓"],
      ["007", { kind: "string" }, "007"],
      ["007", { kind: "integer", bits: 32 }, "7"],
      ["9007199254740993", { kind: "integer", bits: 64 }, "9007199254740993"],
      ["12.50", { kind: "decimal", precision: 18, scale: 2 }, "12.50"],
      ["NaN", { kind: "float", bits: 64 }, "NaN"],
      ["2024-1-1", { kind: "date" }, "2024-01-01"],
      ["2024-03-31 01:30:00.123456", { kind: "timestamp" }, "2024-03-31 01:30:00.123456"],
      ["2024-03-31 03:30:00+02", { kind: "timestamp", withTimeZone: true }, "2024-03-31 01:30:00"],
      ["t", { kind: "boolean" }, "true"],
    ],
  });
});

suite("PostgreSQL watermarks on a timestamptz column", () => {
  const schema = uniqueName("sl_wm");
  let adapter: Adapter;
  let session: Session;
  beforeAll(async () => {
    adapter = createPostgresAdapter("src", postgresConfig(url!), { runId: "wm" });
    session = await adapter.open();
    await adapter.ensureSchema(session, schema);
    // Another zone than UTC, so a watermark that depended on the session's zone would be off by hours.
    await session.execute("SET TimeZone = 'America/Sao_Paulo'");
  });
  afterAll(async () => {
    await session.execute(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await session.close();
    await adapter.close();
  });

  it("reads the highest instant as its UTC text and windows on the instant, whatever the session's zone", async () => {
    const rel = { connection: "src", schema, name: "stamped" };
    const t = adapter.dialect.relation(rel);
    await session.execute(`CREATE TABLE ${t} (id INTEGER, at TIMESTAMPTZ(6))`);
    await session.execute(
      `INSERT INTO ${t} VALUES (1, '2024-10-27 00:30:00.5+00'), (2, '2024-10-27 03:30:00.123456+02'), (3, NULL)`,
    );
    const high = await readHighWatermark(session, "postgres", rel, "at");
    expect(high).toEqual({ value: "2024-10-27 01:30:00.123456", kind: "timestamptz" });
    const from = windowStart(high!, "1 hour", "postgres");
    const { rows } = await session.query(`SELECT id FROM ${t} WHERE at > ${from} ORDER BY id`);
    expect(rows.map((r) => Number(r[0]))).toEqual([1, 2]);
    const { rows: none } = await session.query(
      `SELECT id FROM ${t} WHERE at > ${windowStart(high!, null, "postgres")}`,
    );
    expect(none).toEqual([]);
  });
});
