// The Hive adapter over each transport and login a HiveServer2 offers, against real Spark Thrift
// Servers started by scripts/spark/start.sh in those modes (.ci/run starts them):
//   SLUICE_TEST_SPARK_HTTP=host:port   SLUICE_SPARK_TRANSPORT=http   SLUICE_SPARK_AUTH=NONE (HTTP Basic login)
//   SLUICE_TEST_SPARK_PLAIN=host:port  SLUICE_SPARK_TRANSPORT=binary SLUICE_SPARK_AUTH=NONE (SASL PLAIN login)
//   SLUICE_TEST_SPARK=host:port        the default binary NOSASL server, for the wrong-login cases
// Each suite is reported as skipped, saying which variable to set, when its server is not configured.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchFromRows } from "../../../src/adapters/batch.js";
import type { Adapter, Column, RelationName, Row, Session } from "../../../src/adapters/contract.js";
import { createHiveAdapter, HiveConnectionError } from "../../../src/adapters/hive/index.js";
import type { HiveIntrospector } from "../../../src/adapters/hive/hive-introspector.js";
import { HiveConnection } from "../../../src/project/connection-schema.js";

const USER = "sluice_ci";
const PASSWORD = "not-checked-by-auth-NONE";

/** Beyond 2^53 and beyond 18 digits: a JS number or a DECIMAL read as a double would change them. */
const BIG = ["9007199254740993", "-9223372036854775808", "9223372036854775807"] as const;
const AMOUNT = [
  "12345678901234567890.123456789012345678",
  "-99999999999999999999.999999999999999999",
  "0.000000000000000001",
] as const;

function config(endpoint: string, overrides: Record<string, unknown>): HiveConnection {
  const [host = "127.0.0.1", port = "10000"] = endpoint.split(":");
  return HiveConnection.parse({
    type: "hive",
    host,
    port: Number(port),
    insert_batch_rows: 2,
    fetch_rows: 2,
    ...overrides,
  });
}

/** Opens a session that must fail, and returns the error and how long failing took. */
async function failedOpen(cfg: HiveConnection): Promise<{ error: Error; ms: number }> {
  const adapter = createHiveAdapter("lake", cfg);
  const started = Date.now();
  const error = await adapter.open().then(
    () => new Error("the session opened, but it should not have"),
    (e: unknown) => e as Error,
  );
  const ms = Date.now() - started;
  await adapter.close();
  return { error, ms };
}

interface ServerUnderTest {
  title: string;
  /** How the skip line names the server. */
  label: string;
  envVar: string;
  endpoint: string | undefined;
  /** The profile settings that match the server's mode. */
  profile: Record<string, unknown>;
  /** Profiles in another mode, each with what its error must say. */
  mismatches: Array<{ profile: Record<string, unknown>; says: RegExp }>;
}

const servers: ServerUnderTest[] = [
  {
    title: "HTTP transport with a user and password (HTTP Basic)",
    label: "HTTP",
    envVar: "SLUICE_TEST_SPARK_HTTP",
    endpoint: process.env.SLUICE_TEST_SPARK_HTTP,
    profile: { transport: "http", http_path: "cliservice", auth: "plain", user: USER, password: PASSWORD },
    mismatches: [
      {
        profile: { transport: "binary", auth: "plain", user: USER, password: PASSWORD },
        says: /binary .*\(auth plain\).*answered in HTTP.*set transport: http/,
      },
      {
        profile: { transport: "binary", auth: "nosasl" },
        says: /binary .*\(auth nosasl\).*closed by the server.*set transport: http/,
      },
      {
        profile: { transport: "http", http_path: "sql", auth: "plain", user: USER },
        says: /http .*\/sql \(auth plain\).*set http_path/,
      },
    ],
  },
  {
    title: "binary transport with a SASL PLAIN login",
    label: "PLAIN",
    envVar: "SLUICE_TEST_SPARK_PLAIN",
    endpoint: process.env.SLUICE_TEST_SPARK_PLAIN,
    profile: { transport: "binary", auth: "plain", user: USER, password: PASSWORD },
    mismatches: [
      {
        profile: { transport: "binary", auth: "nosasl" },
        says: /binary .*\(auth nosasl\).*closed by the server.*set auth: none \(or plain\)/,
      },
      {
        profile: { transport: "http", auth: "plain", user: USER, password: PASSWORD },
        says: /http .*\(auth plain\).*set transport: binary/,
      },
    ],
  },
];

for (const server of servers) {
  const skipReason = `skipped: no Spark ${server.label} server (set ${server.envVar})`;
  if (!server.endpoint) console.log(skipReason);
  const suite = server.endpoint ? describe : describe.skip;

  suite(server.endpoint ? `Hive adapter over ${server.title}` : skipReason, () => {
    const endpoint = server.endpoint ?? "";
    const schema = `sluice_tx_${Date.now().toString(36)}`;
    const sales: RelationName = { schema, name: "sales" };
    let adapter: Adapter;
    let session: Session;

    const salesRows = async (): Promise<Row[]> =>
      (
        await session.query(
          `SELECT sale_id, big, amount, year_month FROM ${adapter.dialect.relation(sales)} ORDER BY sale_id`,
        )
      ).rows;

    beforeAll(async () => {
      adapter = createHiveAdapter("lake", config(endpoint, server.profile));
      session = await adapter.open();
      await adapter.ensureSchema(session, schema);
    });

    afterAll(async () => {
      if (session)
        await session.execute(`DROP DATABASE IF EXISTS \`${schema}\` CASCADE`).catch(() => undefined);
      if (adapter) await adapter.close();
    });

    it("logs in as the profile's user and runs a query", async () => {
      const { columns, rows } = await session.query(
        "SELECT current_user() AS who, 1 + 1 AS two, version() AS v",
      );
      expect(columns.map((c) => c.name)).toEqual(["who", "two", "v"]);
      expect(rows[0]?.slice(0, 2)).toEqual([USER, 2]);
      expect(String(rows[0]?.[2])).toMatch(/^3\.5\./);
    });

    it("creates a partitioned table and reads BIGINT and DECIMAL(38,18) values back exactly", async () => {
      const values = [
        `(1, '${BIG[0]}', '${AMOUNT[0]}', 202101)`,
        `(2, '${BIG[1]}', '${AMOUNT[1]}', 202101)`,
        `(3, '${BIG[2]}', '${AMOUNT[2]}', 202102)`,
      ].join(", ");
      await adapter.write(
        session,
        sales,
        `SELECT CAST(sale_id AS INT) AS sale_id, CAST(big AS BIGINT) AS big, CAST(amount AS DECIMAL(38,18)) AS amount, ` +
          `CAST(year_month AS INT) AS year_month FROM VALUES ${values} AS v(sale_id, big, amount, year_month)`,
        { kind: "replace", partitionBy: ["year_month"] },
      );
      const introspector = adapter.introspector(session) as HiveIntrospector;
      expect(await introspector.partitions(sales)).toEqual([["202101"], ["202102"]]);
      expect(await salesRows()).toEqual([
        [1, BigInt(BIG[0]), AMOUNT[0], 202101],
        [2, BigInt(BIG[1]), AMOUNT[1], 202101],
        [3, BigInt(BIG[2]), AMOUNT[2], 202102],
      ]);
    });

    it("lands rows from another engine into one named partition and streams them back page by page", async () => {
      const columns: Column[] = [
        { name: "sale_id", type: { kind: "integer", bits: 32 }, nativeType: "INT" },
        { name: "big", type: { kind: "integer", bits: 64 }, nativeType: "BIGINT" },
        { name: "amount", type: { kind: "decimal", precision: 38, scale: 18 }, nativeType: "DECIMAL(38,18)" },
        { name: "year_month", type: { kind: "integer", bits: 32 }, nativeType: "INT" },
      ];
      const landed: Row[] = [
        [4, 9007199254740995n, "98765432109876543210.987654321098765432", 202102],
        [5, -9007199254740993n, "-0.000000000000000001", 202102],
        [6, null, null, 202102],
      ];
      const result = await adapter.load(
        session,
        sales,
        (async function* () {
          yield batchFromRows(columns, landed.slice(0, 2));
          yield batchFromRows(columns, landed.slice(2));
        })(),
        { kind: "partitions", partitionBy: ["year_month"], partitions: [["202102"]] },
      );
      expect(result.rowsAffected).toBe(landed.length);
      // 202102 is replaced whole (sale 3 goes), 202101 is untouched.
      const expected: Row[] = [
        [1, BigInt(BIG[0]), AMOUNT[0], 202101],
        [2, BigInt(BIG[1]), AMOUNT[1], 202101],
        ...landed,
      ];
      expect(await salesRows()).toEqual(expected);
      let pages = 0;
      for await (const batch of session.stream(
        `SELECT sale_id FROM ${adapter.dialect.relation(sales)} ORDER BY sale_id`,
        2,
      )) {
        expect(batch.rowCount).toBeLessThanOrEqual(2);
        pages += 1;
      }
      expect(pages).toBe(3);
    });

    it("reports a failed statement and keeps the session usable", async () => {
      await expect(session.query("SELECT no_such_column FROM VALUES (1) AS v(a)")).rejects.toThrow(
        /no_such_column/,
      );
      expect((await session.query("SELECT 1")).rows).toEqual([[1]]);
    });

    for (const { profile, says } of server.mismatches) {
      it(`fails at once, naming the mode, when the profile says ${JSON.stringify(profile)}`, async () => {
        const { error, ms } = await failedOpen(config(endpoint, { ...profile, connect_timeout_ms: 30_000 }));
        expect(error).toBeInstanceOf(HiveConnectionError);
        expect(error.message).toMatch(says);
        // Well under the 30 s deadline: the server's answer, not the timer, ended the attempt.
        expect(ms).toBeLessThan(3000);
      });
    }
  });
}

const nosaslEndpoint = process.env.SLUICE_TEST_SPARK;
const nosaslSuite = nosaslEndpoint ? describe : describe.skip;
if (!nosaslEndpoint) console.log("skipped: no Spark NOSASL server (set SLUICE_TEST_SPARK)");

nosaslSuite("a login the NOSASL server does not expect", () => {
  it("fails at the deadline, not later, and says to set auth: nosasl", async () => {
    // A NOSASL server waits silently for more bytes of a SASL handshake, so only the deadline ends it.
    const { error, ms } = await failedOpen(
      config(nosaslEndpoint ?? "", {
        auth: "plain",
        user: USER,
        password: PASSWORD,
        connect_timeout_ms: 2000,
      }),
    );
    expect(error).toBeInstanceOf(HiveConnectionError);
    expect(error.message).toMatch(/binary .*\(auth plain\) within 2000 ms.*set auth: nosasl/);
    expect(ms).toBeGreaterThanOrEqual(1900);
    expect(ms).toBeLessThan(5000);
  });

  it("fails at once over HTTP and says to set transport: binary", async () => {
    const { error, ms } = await failedOpen(
      config(nosaslEndpoint ?? "", { transport: "http", connect_timeout_ms: 30_000 }),
    );
    expect(error).toBeInstanceOf(HiveConnectionError);
    expect(error.message).toMatch(/http .*\(auth nosasl\).*set transport: binary/);
    expect(ms).toBeLessThan(3000);
  });
});
