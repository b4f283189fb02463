// The ledger stamps its facts in UTC whatever the process's time zone, so facts written by a
// person in Tokyo and a cron in UTC order by when they happened. Each write runs in a child process
// with its own TZ, as separate builds would.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { Ledger } from "../../src/ledger/ledger.js";
import { queryDuckDb } from "../helpers/duckdb.js";
import { REPO_ROOT } from "../helpers/temp-project.js";

const dir = mkdtempSync(join(tmpdir(), "sluice-ledger-utc-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ledgerPath = join(dir, "ledger.duckdb");

function commitIn(tz: string, value: string): void {
  const module = pathToFileURL(join(REPO_ROOT, "dist/ledger/ledger.js")).href;
  const script = `const { Ledger } = await import(${JSON.stringify(module)});
    const ledger = await Ledger.open(${JSON.stringify(ledgerPath)});
    await ledger.commitLoad("run-${tz}", "model.m", [{ model: "model.m", modelVersion: "v", partition: [${JSON.stringify("p-")} + ${JSON.stringify(value)}], rows: 1, checksum: null }], [{ model: "model.m", modelVersion: "v", source: "source.s", from: null, to: { value: ${JSON.stringify(value)}, kind: "number" } }], false);
    await ledger.close();`;
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    env: { ...process.env, TZ: tz },
    encoding: "utf8",
  });
  expect(child.status, child.stderr).toBe(0);
}

describe("the ledger's clock", () => {
  it("stamps facts in UTC, so the latest watermark is the one committed last across time zones", async () => {
    const before = Date.now();
    commitIn("Asia/Tokyo", "1");
    commitIn("America/Los_Angeles", "2");
    const after = Date.now();
    const rows = await queryDuckDb(
      { ledger: ledgerPath },
      "select watermark_to, epoch_ms(committed_at) as at from ledger.watermarks order by committed_at desc",
    );
    expect(rows.map((r) => r["watermark_to"])).toEqual(["2", "1"]);
    for (const r of rows) {
      // A TIMESTAMP read as UTC: within the test's own span, not nine hours ahead or eight behind.
      expect(Number(r["at"])).toBeGreaterThanOrEqual(before - 1000);
      expect(Number(r["at"])).toBeLessThanOrEqual(after + 1000);
    }
  });

  it("says its load times are UTC", async () => {
    const ledger = await Ledger.open(ledgerPath);
    try {
      const loads = await ledger.partitions("model.m");
      expect(loads.map((p) => p.partition)).toEqual([["p-1"], ["p-2"]]);
      for (const p of loads) expect(p.loadedAt).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
    } finally {
      await ledger.close();
    }
  });
});
