// examples/hive-external with its lake on a real Spark Thrift Server (the example's `spark` target):
// the landed files are declared as external tables by the Hive hook, the views and the aggregate
// are built on Spark, and every one of them holds the rows of the embedded build of the same files,
// also after a landed file changes. Runs when SLUICE_TEST_SPARK=host:port is set; skipped otherwise.
// The external tables live in the server's database `landing` (the example's source schema), so two
// runs of this suite must not share one server at the same time.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Adapter, Session } from "../../../src/adapters/contract.js";
import { createHiveAdapter } from "../../../src/adapters/hive/index.js";
import { sluice } from "../../helpers/cli.js";
import { queryDuckDb } from "../../helpers/duckdb.js";
import { buildExample, copyExample, type ExampleCopy } from "../../helpers/examples.js";
import { sparkConfig, sparkEndpoint, sparkSuite } from "./spark-schema.js";

/** A build on Spark takes 10 to 40 s here (each statement is a Spark job), and a test runs up to three. */
const BUILDS = 600_000;

const FILES = ["customer.csv", "sales_order_header.csv", "sales_order_detail.parquet"];

/**
 * What both lakes are compared by, in SQL both DuckDB and Spark run: every column as text, with the
 * average order value left out of the text (DuckDB divides in DOUBLE, Spark in DECIMAL) and
 * compared as a number.
 */
const RELATIONS: Record<string, { columns: string[]; numeric?: string }> = {
  country_metrics: {
    columns: ["country", "customers", "orders", "units", "cast(revenue as decimal(18, 2))"],
    numeric: "avg_order_value",
  },
  v_customer: { columns: ["customer_id", "customer_name", "email_address", "country"] },
  v_salesorderdetails_demo: {
    columns: [
      "sales_order_id",
      "sales_order_detail_id",
      "order_date",
      "ship_method",
      "customer_id",
      "customer_name",
      "country",
      "product_id",
      "order_qty",
      "unit_price",
      "line_total",
    ],
  },
};

function selectText(relation: string, table: string): string {
  const { columns, numeric } = RELATIONS[relation]!;
  const text = columns.map((c, i) => `cast(${c} as string) as c${i}`);
  if (numeric) text.push(`cast(${numeric} as double) as n`);
  return `select ${text.join(", ")} from ${table}`;
}

type Rows = { text: string[]; n: number | null }[];

function normalise(rows: Record<string, unknown>[] | unknown[][], width: number, numeric: boolean): Rows {
  return rows
    .map((r) => {
      const values = Array.isArray(r) ? r : Object.values(r);
      const text = values.slice(0, width).map((v) => (v === null ? "NULL" : String(v)));
      return { text, n: numeric ? Number(values[width]) : null };
    })
    .sort((a, b) => a.text.join("\u0001").localeCompare(b.text.join("\u0001")));
}

function expectSameRows(relation: string, spark: Rows, embedded: Rows): void {
  expect(spark.length, relation).toBeGreaterThan(0);
  expect(
    spark.map((r) => r.text),
    relation,
  ).toEqual(embedded.map((r) => r.text));
  spark.forEach((r, i) => {
    if (r.n !== null) expect(r.n, `${relation} row ${i}`).toBeCloseTo(embedded[i]!.n!, 6);
  });
}

sparkSuite("examples/hive-external on a Spark lake", () => {
  const database = `hive_external_${process.pid}_${Date.now().toString(36)}`;
  const [host = "127.0.0.1", port = "10000"] = (sparkEndpoint ?? "").split(":");
  const env = { SLUICE_SPARK_PORT: port };
  let copy: ExampleCopy;
  let landing: string;
  let adapter: Adapter;

  beforeAll(async () => {
    copy = copyExample("hive-external");
    landing = join(copy.dir, "landing");
    const profiles = join(copy.dir, "profiles.yml");
    writeFileSync(
      profiles,
      readFileSync(profiles, "utf8")
        .replace("host: 127.0.0.1", `host: ${host}`)
        .replace("database: hive_external", `database: ${database}`),
    );
    adapter = createHiveAdapter("lake", sparkConfig());
  });
  afterAll(async () => {
    if (adapter) {
      await onSpark(async (s) => {
        await s.execute(`DROP DATABASE IF EXISTS \`${database}\` CASCADE`);
        await s.execute("DROP DATABASE IF EXISTS landing CASCADE");
      }).catch(() => undefined);
      await adapter.close();
    }
    copy?.remove();
  });

  /** Builds the embedded `dev` lake and the Spark lake from the landed files as they are now. */
  function buildBoth(): void {
    buildExample(copy);
    buildExample(copy, ["--target", "spark", "--vars", `{landing_dir: "${landing}"}`], env);
  }

  /**
   * Runs `read` on a session of its own: a Spark session caches the files of a table it has read,
   * and fails on them once a build has swapped the table in another session.
   */
  async function onSpark<T>(read: (s: Session) => Promise<T>): Promise<T> {
    const reader = await adapter.open();
    try {
      return await read(reader);
    } finally {
      await reader.close();
    }
  }

  async function sparkType(table: string): Promise<string> {
    const { rows } = await onSpark((s) => s.query(`DESCRIBE TABLE EXTENDED ${table}`));
    return String(rows.find((r) => r[0] === "Type")?.[1]);
  }

  async function expectLakesEqual(): Promise<void> {
    // The embedded views read the landed files by the relative default path, from the copy's root
    // (this suite runs in forked processes, where chdir is allowed).
    const before = process.cwd();
    process.chdir(copy.root);
    try {
      for (const [relation, { columns, numeric }] of Object.entries(RELATIONS)) {
        const embedded = await queryDuckDb(
          { lake: copy.file("lake") },
          selectText(relation, `lake.main.${relation}`),
        );
        const spark = await onSpark((s) => s.query(selectText(relation, `\`${database}\`.${relation}`)));
        expectSameRows(
          relation,
          normalise(spark.rows, columns.length, numeric !== undefined),
          normalise(embedded, columns.length, numeric !== undefined),
        );
      }
    } finally {
      process.chdir(before);
    }
  }

  const digests = () =>
    FILES.map((f) =>
      createHash("sha256")
        .update(readFileSync(join(landing, f)))
        .digest("hex"),
    );

  it(
    "declares the landed files as external tables and builds the views and the aggregate the embedded build holds",
    async () => {
      const landed = digests();
      buildBoth();
      for (const table of ["customer", "sales_order_header", "sales_order_detail"])
        expect(await sparkType(`landing.${table}`), table).toBe("EXTERNAL");
      expect(await sparkType(`\`${database}\`.v_customer`)).toBe("VIEW");
      expect(await sparkType(`\`${database}\`.v_salesorderdetails_demo`)).toBe("VIEW");
      expect(await sparkType(`\`${database}\`.country_metrics`)).toBe("MANAGED");
      await expectLakesEqual();
      // Re-declaring an external table drops it first: the file under it stays as it was.
      buildExample(copy, ["--target", "spark", "--vars", `{landing_dir: "${landing}"}`], env);
      expect(digests()).toEqual(landed);
    },
    BUILDS,
  );

  it(
    "follows a landed file that changed since the last build",
    async () => {
      const file = join(landing, "customer.csv");
      writeFileSync(file, readFileSync(file, "utf8").replaceAll(",Germany,", ",France,"));
      buildBoth();
      const { rows } = await onSpark((s) => s.query(`SELECT country FROM \`${database}\`.country_metrics`));
      expect(rows.map((r) => r[0])).toContain("France");
      expect(rows.map((r) => r[0])).not.toContain("Germany");
      await expectLakesEqual();
    },
    BUILDS,
  );

  it("refuses a relative landing_dir on Spark, naming the fix, before anything is built", () => {
    const run = sluice(
      ["build", "--project-dir", copy.projectDir, "--target", "spark", "--vars", "{landing_dir: landing}"],
      { cwd: copy.root, env },
    );
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).toMatch(/project\.yml.*landing_dir must be an absolute path.*--vars/s);
    expect(run.stdout + run.stderr).toContain("nothing was run or written");
  });
});
