// Incremental equals full with the lake on a real Spark Thrift Server: the DuckDB suite's generator
// and checks (tests/property/sequence-run.ts), the source in an embedded DuckDB, each sequence in a
// Hive database of its own (so sequences, reruns and other suites never collide), dropped after it.
// The shapes are the DuckDB suite's, but for the two partition strings Hive cannot store
// (sequence-shape.ts, partitionStrings). Runs when SLUICE_TEST_SPARK=host:port is set;
// SLUICE_PROPERTY_SPARK_SEQUENCES sets how many (default 4; the issue asks for 20),
// SLUICE_PROPERTY_SPARK_PARALLEL how many at once (default 2), SLUICE_PROPERTY_SEED=N replays one.
// Why 4: a sequence is ~320 Spark statements (one traced: 324, 86% of them the four builds' own),
// and on the shared 2-core machine (load average 17-26) one sequence alone took 233-346 s, two
// at once ~320 s each, and 8 four at a time 1,619 s: 20 would take about an hour there.
import { propertySuite } from "../../property/sequence-suite.js";
import { SKIP_REASON, sparkEndpoint, sparkSuite } from "./spark-schema.js";

const FILE = "tests/integration/spark/incremental-equals-full.test.ts";

function seeds(): number[] {
  const only = process.env["SLUICE_PROPERTY_SEED"];
  if (only) return [Number(only)];
  const total = Number(process.env["SLUICE_PROPERTY_SPARK_SEQUENCES"] ?? 4);
  return Array.from({ length: total }, (_, i) => i + 1);
}

sparkSuite(sparkEndpoint ? "incremental equals full on a Spark lake" : SKIP_REASON, () => {
  const [host = "127.0.0.1", port = "10000"] = (sparkEndpoint ?? "").split(":");
  propertySuite(FILE, seeds(), `Spark lake on ${host}:${port}`, {
    lakeOf: (seed) => ({
      kind: "hive",
      host,
      port: Number(port),
      database: `sluice_prop_${process.pid}_${seed}`,
    }),
    replayEnv: `SLUICE_TEST_SPARK=${sparkEndpoint} `,
    parallel: Number(process.env["SLUICE_PROPERTY_SPARK_PARALLEL"] ?? 2),
  });
});
