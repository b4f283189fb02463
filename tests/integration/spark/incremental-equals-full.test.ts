// Incremental equals full with the lake on a real Spark Thrift Server: fewer sequences than on
// DuckDB (each Spark statement takes a while), same property, same harness. Runs when
// SLUICE_TEST_SPARK=host:port is set; SLUICE_PROPERTY_SPARK_SEQUENCES sets how many (default 3).
import { afterAll, beforeAll, describe, it } from "vitest";
import type { TempProject } from "../../helpers/temp-project.js";
import { runSequence, setUpProject } from "../../property/incremental-sequences.js";

const endpoint = process.env["SLUICE_TEST_SPARK"];
const suite = endpoint ? describe : describe.skip;
if (!endpoint) console.log("skipped: no Spark Thrift Server (set SLUICE_TEST_SPARK)");

suite("incremental equals full on a Spark lake", () => {
  const sequences = Number(process.env["SLUICE_PROPERTY_SPARK_SEQUENCES"] ?? 3);
  let project: TempProject;
  beforeAll(() => {
    const [host, port] = endpoint!.split(":");
    project = setUpProject({
      kind: "spark",
      host: host!,
      port: Number(port ?? 10000),
      database: `sluice_property_${process.pid}`,
    });
  });
  afterAll(() => project.remove());

  it(`holds over ${sequences} random sequences`, async () => {
    for (let seed = 1; seed <= sequences; seed++) {
      try {
        await runSequence(seed);
      } catch (e) {
        throw new Error(`failing seed ${seed} on Spark: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }, 1_200_000);
});
