import { defineConfig } from "vitest/config";

// One suite for `npm test`: unit, e2e and integration tests. Integration suites that need a live
// engine (Spark Thrift Server, SQL Server) skip themselves, saying so, when it is not configured.
export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: "forks",
  },
});
