// Cancelling a SQL Server statement as a cancelled run does: the target's connections are told to
// cancel, and the real `mssql`/tedious driver sends an attention for the running request over the
// wire. The TDS test double holds its reply the way a server running a long statement would, and
// answers the attention with DONE(ATTN). What a real server does with the attention (stops the
// statement, rolls back) is for the live suite in tests/integration/sqlserver/.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openConnections, type Connections } from "../../src/adapters/index.js";
import { TargetConfig } from "../../src/project/schema.js";
import { TdsTestDouble, type RecordedEvent } from "../doubles/tds/index.js";

const double = new TdsTestDouble();
let connections: Connections;

const carries = (e: RecordedEvent, marker: string) =>
  (e.text ?? "").includes(marker) || (e.params ?? []).some((p) => String(p.value).includes(marker));

beforeAll(async () => {
  const port = await double.start();
  const target = TargetConfig.parse({
    connections: {
      mart: {
        type: "sqlserver",
        host: "127.0.0.1",
        port,
        database: "coolwear_mart",
        user: "sluice",
        password: "not-a-secret",
        encrypt: false,
        max_retries: 0,
      },
    },
  });
  connections = await openConnections(target, process.cwd(), "cancel-test");
});

afterEach(() => double.reset());

afterAll(async () => {
  await connections.close();
  await double.close();
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}

describe("cancelling a SQL Server statement", () => {
  it("sends an attention for the running request, which then fails, and the session stays usable", async () => {
    double.when((e) => carries(e, "long_running_marker"), { hold: true });
    double.when((e) => carries(e, "after_cancel_marker"), {
      resultSets: [{ columns: [{ name: "n", type: { kind: "int" } }], rows: [[7]] }],
    });
    await connections.withSession("mart", async (session) => {
      const running = session.execute("update mart.sales set amount = amount /* long_running_marker */");
      const outcome = running.then(
        () => "finished",
        (e: unknown) => (e instanceof Error ? e.message : String(e)),
      );
      await until(() => double.events.some((e) => carries(e, "long_running_marker")));
      // Held by the double: without a cancel the request would wait for ever.
      expect(await Promise.race([outcome, new Promise((r) => setTimeout(() => r("running"), 200))])).toBe(
        "running",
      );
      await connections.cancel();
      const cancelledAt = Date.now();
      // tedious' own message for a request its attention stopped; it gives up on an unanswered
      // attention after 5 s with another message, so the time shows the acknowledgement was read.
      expect(await outcome).toBe("Canceled.");
      expect(Date.now() - cancelledAt).toBeLessThan(2_000);
      const attentions = double.events.filter((e) => e.kind === "attention");
      expect(attentions).toHaveLength(1);
      const request = double.events.find((e) => carries(e, "long_running_marker"))!;
      expect(attentions[0]!.connectionId).toBe(request.connectionId);
      // The connection survived the attention: clean-up statements after a cancel still run.
      const { rows } = await session.query("select 7 as n /* after_cancel_marker */");
      expect(rows).toEqual([[7]]);
    });
  });
});
