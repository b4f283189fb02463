// The MySQL dialect on a real MariaDB or MySQL server (SLUICE_TEST_MYSQL, as `npm run mariadb:start`
// prints); skipped otherwise.
import { describe } from "vitest";
import { createMySqlAdapter } from "../../../src/adapters/mysql/index.js";
import { dialectOnServerSuite } from "../dialect-on-server.js";
import { mysqlConfig } from "../servers.js";

const url = process.env["SLUICE_TEST_MYSQL"];
const suite = url ? describe : describe.skip;

suite("MySQL dialect", () => {
  dialectOnServerSuite({
    type: "mysql",
    adapter: () => createMySqlAdapter("mart", mysqlConfig(url!), { runId: "dialect" }),
    dropSchemaSql: (schema) => `DROP DATABASE IF EXISTS \`${schema}\``,
    readBack: [
      [null, { kind: "string" }, null],
      [null, { kind: "integer", bits: 32 }, null],
      [null, { kind: "decimal", precision: 18, scale: 2 }, null],
      [null, { kind: "float", bits: 64 }, null],
      [null, { kind: "timestamp" }, null],
      [null, { kind: "binary" }, null],
      ["it's \\ Ω ✓", { kind: "string" }, "it's \\ Ω ✓"],
      ["007", { kind: "string" }, "007"],
      ["007", { kind: "integer", bits: 32 }, "7"],
      ["9007199254740993", { kind: "integer", bits: 64 }, "9007199254740993"],
      ["12.50", { kind: "decimal", precision: 18, scale: 2 }, "12.50"],
      ["1.5", { kind: "float", bits: 64 }, "1.5"],
      ["2024-1-1", { kind: "date" }, "2024-01-01"],
      ["2024-03-31 01:30:00.123456", { kind: "timestamp" }, "2024-03-31 01:30:00.123456"],
      ["2024-03-31 03:30:00+02", { kind: "timestamp" }, "2024-03-31 01:30:00.000000"],
      ["t", { kind: "boolean" }, "1"],
    ],
  });
});
