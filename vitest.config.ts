import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

// One suite for `npm test`: unit, e2e and integration tests. Integration suites that need a live
// engine (Spark Thrift Server, SQL Server) skip themselves, saying so, when it is not configured.
export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: "forks",
    // Vitest's default is one fork per core but one, which is a single fork on a 2-core machine
    // (CI's). Much of an e2e or server file's time is spent waiting on the CLIs and servers it
    // starts, so two forks there halve the wait. Every file works in its own temp folders and
    // server schemas (tests/integration/servers.ts uniqueName, spark-schema.ts), so files can overlap.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
