// The PostgreSQL dialect on a real server (SLUICE_TEST_POSTGRES, as `npm run pg:start` prints); skipped otherwise.
import { describe } from "vitest";
import { createPostgresAdapter } from "../../../src/adapters/postgres/index.js";
import { dialectOnServerSuite } from "../dialect-on-server.js";
import { postgresConfig } from "../servers.js";

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
