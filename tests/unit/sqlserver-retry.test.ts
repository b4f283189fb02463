// Pins which SQL Server failures sluice retries: a retry must never apply a write twice.
import { describe, expect, it } from "vitest";
import {
  backoffMs,
  errorNumbers,
  isRetryable,
  withRetry,
} from "../../src/adapters/sqlserver/sqlserver-retry.js";

const deadlock = { name: "RequestError", code: "EREQUEST", number: 1205 };
const wrappedDeadlock = {
  name: "RequestError",
  code: "EREQUEST",
  originalError: { errors: [{ number: 3621 }, { number: 1205 }] },
};
const connectFailed = { name: "ConnectionError", code: "ESOCKET" };
const midRequestSocket = { name: "RequestError", code: "ESOCKET" };
const syntax = { name: "RequestError", code: "EREQUEST", number: 102 };
const azureBusy = { name: "ConnectionError", code: "EINSTLOOKUP", number: 40501 };

describe("SQL Server retry rules", () => {
  it.each([
    [
      "a deadlock victim outside a transaction",
      deadlock,
      { inTransaction: false, kind: "write" as const },
      true,
    ],
    [
      "a deadlock reported among aggregated errors",
      wrappedDeadlock,
      { inTransaction: false, kind: "write" as const },
      true,
    ],
    [
      "a deadlock inside the caller's transaction (only the caller can redo it)",
      deadlock,
      { inTransaction: true, kind: "write" as const },
      false,
    ],
    [
      "a connection that could not be made",
      connectFailed,
      { inTransaction: false, kind: "write" as const },
      true,
    ],
    [
      "a transient Azure SQL error at connect",
      azureBusy,
      { inTransaction: false, kind: "write" as const },
      true,
    ],
    [
      "a socket error in the middle of a write (outcome unknown)",
      midRequestSocket,
      { inTransaction: false, kind: "write" as const },
      false,
    ],
    [
      "a socket error in the middle of a read",
      midRequestSocket,
      { inTransaction: false, kind: "read" as const },
      true,
    ],
    ["a syntax error", syntax, { inTransaction: false, kind: "read" as const }, false],
  ])("retries %s: %s", (_label, error, ctx, expected) => {
    expect(isRetryable(error, ctx)).toBe(expected);
  });

  it("collects error numbers from wrapped driver errors", () => {
    expect(errorNumbers(wrappedDeadlock)).toEqual([3621, 1205]);
  });

  it("backs off exponentially with jitter up to a cap", () => {
    expect(backoffMs(0, 100, 10_000, () => 1)).toBe(100);
    expect(backoffMs(3, 100, 10_000, () => 1)).toBe(800);
    expect(backoffMs(20, 100, 10_000, () => 1)).toBe(10_000);
    expect(backoffMs(3, 100, 10_000, () => 0.5)).toBe(400);
  });

  it("gives up after max_retries and rethrows the last error", async () => {
    let calls = 0;
    const failing = () => {
      calls += 1;
      return Promise.reject(deadlock);
    };
    await expect(
      withRetry({ maxRetries: 2, baseDelayMs: 0 }, { inTransaction: false, kind: "write" }, failing),
    ).rejects.toBe(deadlock);
    expect(calls).toBe(3);
  });
});
