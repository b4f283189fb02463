// Cancelling a statement on a real Spark Thrift Server: what a build's first Ctrl-C does to a
// running lake query (the session's cancel sends Hive's CancelOperation for the operation it
// submitted). The statement fails soon after, and the session still runs the next one, so the
// build's rollback and clean-up can go on. Runs only when SLUICE_TEST_SPARK=host:port is set.
import { expect, it } from "vitest";
import { createHiveAdapter } from "../../../src/adapters/hive/index.js";
import { SKIP_REASON, sparkConfig, sparkEndpoint, sparkSuite } from "./spark-schema.js";

sparkSuite(sparkEndpoint ? "cancelling a Hive statement on a real Spark Thrift Server" : SKIP_REASON, () => {
  it("stops the running statement, and the session runs the next one", async () => {
    const adapter = createHiveAdapter("lake", sparkConfig());
    const session = await adapter.open();
    try {
      // Minutes of work on two cores: it can only end early by being cancelled.
      const slow = session.query("SELECT sum(id * id % 7) AS s FROM range(200000000000)");
      const outcome = slow.then(
        () => "finished",
        (e: unknown) => (e instanceof Error ? e.message : String(e)),
      );
      const began = Date.now();
      // The operation exists once the server accepted the statement; until then cancel finds
      // nothing to stop, so it is asked again until the statement ends.
      let ended: string | undefined;
      while (ended === undefined && Date.now() - began < 60_000) {
        await session.cancel?.();
        ended = await Promise.race([outcome, new Promise<undefined>((r) => setTimeout(r, 500))]);
      }
      expect(ended).toBeDefined();
      expect(ended).not.toBe("finished");
      expect(Date.now() - began).toBeLessThan(60_000);
      const { rows } = await session.query("SELECT 1 AS one");
      expect(Number(rows[0]?.[0])).toBe(1);
    } finally {
      await session.close();
      await adapter.close();
    }
  }, 120_000);
});
