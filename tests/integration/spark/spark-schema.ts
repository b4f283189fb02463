// What the Spark suites share: the server from SLUICE_TEST_SPARK (or a printed reason to skip), and
// a fresh Hive database per suite with an open adapter and session, dropped afterwards.
import { afterAll, beforeAll, describe } from "vitest";
import type { Adapter, Session } from "../../../src/adapters/contract.js";
import { createHiveAdapter } from "../../../src/adapters/hive/index.js";
import type { HiveIntrospector } from "../../../src/adapters/hive/hive-introspector.js";
import { HiveConnection } from "../../../src/project/connection-schema.js";

export const sparkEndpoint = process.env.SLUICE_TEST_SPARK;
export const SKIP_REASON = "skipped: no Spark Thrift Server (set SLUICE_TEST_SPARK)";
if (!sparkEndpoint) console.log(SKIP_REASON);
export const sparkSuite = sparkEndpoint ? describe : describe.skip;

/** A Hive connection to the test server, with `overrides` on top. */
export function sparkConfig(overrides: Record<string, unknown> = {}): HiveConnection {
  const [host = "127.0.0.1", port = "10000"] = (sparkEndpoint ?? "").split(":");
  return HiveConnection.parse({ type: "hive", host, port: Number(port), ...overrides });
}

export interface SparkSchema {
  readonly schema: string;
  readonly adapter: Adapter;
  readonly session: Session;
  readonly introspector: HiveIntrospector;
}

/**
 * Registers the hooks that create a database named `<prefix>_<time>` on the server before the
 * suite's tests (with an adapter opened on `config()`, read when the hooks run) and drop it after.
 */
export function useSparkSchema(prefix: string, config: () => HiveConnection): SparkSchema {
  const schema = `${prefix}_${Date.now().toString(36)}`;
  let adapter: Adapter | undefined;
  let session: Session | undefined;
  beforeAll(async () => {
    adapter = createHiveAdapter("lake", config());
    session = await adapter.open();
    await adapter.ensureSchema(session, schema);
  });
  afterAll(async () => {
    if (session)
      await session.execute(`DROP DATABASE IF EXISTS \`${schema}\` CASCADE`).catch(() => undefined);
    if (adapter) await adapter.close();
  });
  const opened = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the Spark schema is used before its beforeAll hook ran");
    return value;
  };
  return {
    schema,
    get adapter() {
      return opened(adapter);
    },
    get session() {
      return opened(session);
    },
    get introspector() {
      return opened(adapter).introspector(opened(session)) as HiveIntrospector;
    },
  };
}
