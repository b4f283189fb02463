// The embedded Parquet lake on a real DuckDB engine in a temporary folder: every write mode, the
// files each leaves untouched, loads of every logical type, readers during a write, and recovery
// from a write that died before its metadata transaction.
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { batchFromRows } from "../../src/adapters/batch.js";
import type { Column, Row, RowBatch, Session } from "../../src/adapters/contract.js";
import { DuckDbEngine } from "../../src/adapters/duckdb/duckdb-connection.js";
import { DuckDbLakeAdapter, type DuckDbLakeOptions } from "../../src/adapters/duckdb/duckdb-lake-adapter.js";

const sales = { schema: "lake", name: "sales" };
const view = `"lake"."lake"."sales"`;

/** Sales 0..n-1 spread over months 202101..202104, with `factor` scaling the amounts. */
const salesSql = (n: number, factor = 1) =>
  `SELECT i::BIGINT AS sale_id, (202101 + i % 4)::INTEGER AS year_month, (i * ${factor})::DECIMAL(18,2) AS amount, 'sale ' || i AS note FROM range(${n}) t(i)`;

let dir: string;
let engine: DuckDbEngine;
let adapter: DuckDbLakeAdapter;
let session: Session;
let options: DuckDbLakeOptions;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "sluice-lake-"));
  engine = new DuckDbEngine({ threads: 2 });
  options = {};
  adapter = new DuckDbLakeAdapter("lake", engine, join(dir, "lake.duckdb"), join(dir, "lake"), "main", "r1", {
    beforeCommit: (rel) => options.beforeCommit?.(rel),
  });
  session = await adapter.open();
  await adapter.ensureSchema(session, "lake");
});

afterEach(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every file under `folder` (relative to the lake root) with its modification time. */
function files(folder = "lake/sales"): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) walk(child);
      else out.set(relative(join(dir, "lake"), child), statSync(child).mtimeMs);
    }
  };
  walk(join(dir, "lake", folder));
  return out;
}

/** Version folders on disk, relative to the lake root. */
function versionFolders(): string[] {
  return [...new Set([...files().keys()].map((f) => f.slice(0, f.lastIndexOf("/"))))].sort();
}

async function rows(
  sql = `SELECT sale_id, year_month, amount FROM ${view} ORDER BY sale_id`,
): Promise<Row[]> {
  return (await session.query(sql)).rows;
}

async function byMonth(): Promise<Record<string, string>> {
  const result = await rows(
    `SELECT year_month, count(*) || ':' || sum(amount) FROM ${view} GROUP BY ALL ORDER BY ALL`,
  );
  return Object.fromEntries(result.map(([m, v]) => [String(m), String(v)]));
}

const replacePartitioned = (sql: string) =>
  adapter.write(session, sales, sql, { kind: "replace", partitionBy: ["year_month"] });

describe("the embedded Parquet lake", () => {
  it("replaces two named partitions and leaves the third's files untouched", async () => {
    await replacePartitioned(salesSql(12));
    const before = files();
    const untouched = [...before].filter(([f]) => f.includes("year_month=202103/"));
    expect(untouched.length).toBeGreaterThan(0);

    // The new SQL yields every month; only the named two may change.
    const result = await adapter.write(session, sales, salesSql(12, 2), {
      kind: "partitions",
      partitionBy: ["year_month"],
      partitions: [["202101"], ["202102"]],
    });
    expect(result.rowsAffected).toBe(6);

    const after = files();
    for (const [file, mtime] of untouched) expect(after.get(file)).toBe(mtime);
    expect([...after.keys()].filter((f) => f.includes("year_month=202103/"))).toEqual(
      untouched.map(([f]) => f),
    );
    // Superseded folders stay while in-flight readers may open them, and go when the adapter closes.
    const superseded = [...before.keys()].filter((f) => /year_month=20210[12]\//.test(f));
    for (const file of superseded) expect(after.has(file)).toBe(true);
    await adapter.close();
    const closed = files();
    for (const file of superseded) expect(closed.has(file)).toBe(false);
    for (const [file, mtime] of untouched) expect(closed.get(file)).toBe(mtime);
    expect(await byMonth()).toEqual({
      "202101": "3:24.00",
      "202102": "3:30.00",
      "202103": "3:18.00",
      "202104": "3:21.00",
    });

    const columns = await adapter.introspector(session).columns(sales);
    expect(columns.map((c) => `${c.name} ${c.nativeType}`)).toEqual([
      "sale_id BIGINT",
      "year_month INTEGER",
      "amount DECIMAL(18,2)",
      "note VARCHAR",
    ]);
    const described = await rows(`SELECT column_name, column_type FROM (DESCRIBE ${view})`);
    expect(described.map((r) => r.join(" "))).toEqual([
      "sale_id BIGINT",
      "year_month INTEGER",
      "amount DECIMAL(18,2)",
      "note VARCHAR",
    ]);
    expect(await adapter.introspector(session).relationKind(sales)).toBe("table");
    expect(await adapter.introspector(session).partitions(sales, ["year_month"])).toEqual([
      ["202101"],
      ["202102"],
      ["202103"],
      ["202104"],
    ]);
  });

  it("reports the rows it wrote per partition, exactly as a read-back of those partitions counts them", async () => {
    const awkward = `SELECT i::BIGINT AS sale_id, CASE i % 5 WHEN 0 THEN NULL WHEN 1 THEN '' WHEN 2 THEN 'a/b=c' WHEN 3 THEN 'NULL' ELSE 'é %2F' END AS code, DATE '2024-02-28' + (i % 3)::INTEGER AS day FROM range(40) t(i)`;
    const readBack = async (where = "") =>
      (
        await rows(
          `SELECT CAST(code AS VARCHAR), CAST(day AS VARCHAR), count(*) FROM ${view} ${where} GROUP BY ALL ORDER BY ALL`,
        )
      ).map((r) => JSON.stringify([[r[0], r[1]], Number(r[2])]));
    const reported = (r: Awaited<ReturnType<typeof adapter.write>>) =>
      (r.partitionRows ?? []).map((p) => JSON.stringify([p.partition, p.rows])).sort();
    const whole = await adapter.write(session, sales, awkward, {
      kind: "replace",
      partitionBy: ["code", "day"],
    });
    expect(whole.partitionRows).toHaveLength(15);
    expect(reported(whole)).toEqual((await readBack()).sort());
    const two: [string | null, string][] = [
      [null, "2024-02-28"],
      ["a/b=c", "2024-03-01"],
    ];
    const partial = await adapter.write(session, sales, `${awkward} UNION ALL ${awkward}`, {
      kind: "partitions",
      partitionBy: ["code", "day"],
      partitions: two,
    });
    expect(reported(partial)).toEqual(
      (
        await readBack(
          "WHERE (code IS NULL AND day = DATE '2024-02-28') OR (code = 'a/b=c' AND day = DATE '2024-03-01')",
        )
      ).sort(),
    );
    expect(partial.rowsAffected).toBe((partial.partitionRows ?? []).reduce((n, p) => n + p.rows, 0));
  });

  it("refuses an empty partition set and changes nothing", async () => {
    await replacePartitioned(salesSql(8));
    const before = files();
    const content = await rows();
    await expect(
      adapter.write(session, sales, salesSql(8, 5), {
        kind: "partitions",
        partitionBy: ["year_month"],
        partitions: [],
      }),
    ).rejects.toThrow(/refusing to overwrite .*sales.* with an empty partition set/);
    expect(files()).toEqual(before);
    expect(await rows()).toEqual(content);
  });

  it("drops a named partition that yields no rows", async () => {
    await replacePartitioned(salesSql(8));
    await adapter.write(session, sales, `${salesSql(8)} WHERE i % 4 <> 0`, {
      kind: "partitions",
      partitionBy: ["year_month"],
      partitions: [["202101"], ["202102"]],
    });
    expect(await byMonth()).toEqual({ "202102": "2:6.00", "202103": "2:8.00", "202104": "2:10.00" });
    expect(await adapter.introspector(session).partitions(sales, ["year_month"])).toEqual([
      ["202102"],
      ["202103"],
      ["202104"],
    ]);
    await adapter.close();
    expect(readdirSync(join(dir, "lake", "lake", "sales")).sort()).toEqual([
      "year_month=202102",
      "year_month=202103",
      "year_month=202104",
    ]);
  });

  it("appends new version folders next to the live ones", async () => {
    await replacePartitioned(salesSql(4));
    const before = files();
    await adapter.write(
      session,
      sales,
      `SELECT sale_id + 100 AS sale_id, year_month, amount, note FROM (${salesSql(8)}) WHERE sale_id >= 4`,
      { kind: "append" },
    );
    const after = files();
    for (const [file, mtime] of before) expect(after.get(file)).toBe(mtime);
    expect(await byMonth()).toEqual({
      "202101": "2:4.00",
      "202102": "2:6.00",
      "202103": "2:8.00",
      "202104": "2:10.00",
    });
    expect(versionFolders().filter((f) => f.includes("year_month=202101/"))).toHaveLength(2);
  });

  it("reads folders written with other columns by name: a column dropped, a type widened", async () => {
    const viewSql = async () =>
      String(
        (
          await rows(`SELECT sql FROM duckdb_views() WHERE database_name = 'lake' AND view_name = 'sales'`)
        )[0]?.[0],
      );
    await replacePartitioned(salesSql(4));
    // Every folder holds the table's columns: the view reads one file's schema.
    expect(await viewSql()).not.toContain("union_by_name");
    // No note, amount widened from DECIMAL to DOUBLE, columns in another order.
    await adapter.write(
      session,
      sales,
      `SELECT (i + 0.25)::DOUBLE AS amount, (202101 + i % 2)::INTEGER AS year_month,
         (100 + i)::BIGINT AS sale_id
       FROM range(2) t(i)`,
      { kind: "append" },
    );
    expect(await viewSql()).toContain("union_by_name");
    const read = `SELECT sale_id, year_month, amount, note FROM ${view} ORDER BY sale_id`;
    const expected = [
      [0n, 202101, 0, "sale 0"],
      [1n, 202102, 1, "sale 1"],
      [2n, 202103, 2, "sale 2"],
      [3n, 202104, 3, "sale 3"],
      [100n, 202101, 0.25, null],
      [101n, 202102, 1.25, null],
    ];
    expect(await rows(read)).toEqual(expected);
    // A new adapter over the same files rebuilds nothing and reads the same rows.
    await adapter.close();
    const reopened = new DuckDbLakeAdapter(
      "lake",
      engine,
      join(dir, "lake.duckdb"),
      join(dir, "lake"),
      "main",
      "r2",
    );
    const other = await reopened.open();
    expect((await other.query(read)).rows).toEqual(expected);
    // Rewriting the partitions holding the appended folders, with the table's columns: one schema again.
    await reopened.write(
      other,
      sales,
      `SELECT sale_id, year_month, amount::DOUBLE AS amount, note FROM (${salesSql(4)})
       WHERE year_month <= 202102`,
      { kind: "partitions", partitionBy: ["year_month"], partitions: [["202101"], ["202102"]] },
    );
    expect(await viewSql()).toContain("union_by_name");
    await reopened.write(
      other,
      sales,
      `SELECT sale_id, year_month, amount::DOUBLE AS amount, note FROM (${salesSql(4)})`,
      {
        kind: "partitions",
        partitionBy: ["year_month"],
        partitions: [["202103"], ["202104"]],
      },
    );
    expect(await viewSql()).not.toContain("union_by_name");
    expect((await other.query(read)).rows).toEqual(expected.slice(0, 4));
    await other.close();
  });

  it("merges on the key, moving an updated row to its new partition", async () => {
    await replacePartitioned(salesSql(8));
    const before = files();
    // Sale 0 moves from 202101 to 202102 with a new amount; sale 100 is new in 202102.
    const changes = `SELECT * FROM (VALUES (0::BIGINT, 202102::INTEGER, 99::DECIMAL(18,2), 'moved'), (100, 202102, 1, 'new')) AS v(sale_id, year_month, amount, note)`;
    const result = await adapter.write(session, sales, changes, { kind: "merge", uniqueKey: ["sale_id"] });
    expect(result.rowsAffected).toBe(2);
    expect(
      await rows(
        `SELECT sale_id, year_month, amount, note FROM ${view} WHERE sale_id IN (0, 4, 100) ORDER BY sale_id`,
      ),
    ).toEqual([
      [0n, 202102, "99.00", "moved"],
      [4n, 202101, "4.00", "sale 4"],
      [100n, 202102, "1.00", "new"],
    ]);
    expect(await byMonth()).toEqual({
      "202101": "1:4.00",
      "202102": "4:106.00",
      "202103": "2:8.00",
      "202104": "2:10.00",
    });
    // Partitions the merge did not touch keep their files.
    const after = files();
    for (const [file, mtime] of before)
      if (/year_month=20210[34]\//.test(file)) expect(after.get(file)).toBe(mtime);
  });

  it("deletes and inserts on the key of an unpartitioned table", async () => {
    await adapter.write(session, sales, salesSql(4), { kind: "replace" });
    await adapter.write(
      session,
      sales,
      `SELECT 1::BIGINT AS sale_id, 202199 AS year_month, 7::DECIMAL(18,2) AS amount, 'x' AS note`,
      { kind: "delete+insert", uniqueKey: ["sale_id"] },
    );
    expect(await rows()).toEqual([
      [0n, 202101, "0.00"],
      [1n, 202199, "7.00"],
      [2n, 202103, "2.00"],
      [3n, 202104, "3.00"],
    ]);
    await adapter.close();
    expect(versionFolders()).toHaveLength(1);
  });

  it("replaces an unpartitioned table and removes the old folder", async () => {
    await adapter.write(session, sales, salesSql(3), { kind: "replace" });
    const first = versionFolders();
    await adapter.write(session, sales, salesSql(5, 3), { kind: "replace" });
    await adapter.close();
    const second = versionFolders();
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(1);
    expect(second[0]).not.toBe(first[0]);
    expect(second[0]).toMatch(/^lake\/sales\/_v/);
    expect(await rows(`SELECT count(*), sum(amount) FROM ${view}`)).toEqual([[5n, "30.00"]]);
  });

  it("keeps a 128-bit integer sum exact, where Parquet would round it to a DOUBLE", async () => {
    const sums = { schema: "lake", name: "sums" };
    await adapter.write(
      session,
      sums,
      "SELECT 202101 AS year_month, sum(x) AS total, 12345678901234567890123::UHUGEINT AS big FROM (VALUES (9007199254740993), (1)) t(x)",
      { kind: "replace", partitionBy: ["year_month"] },
    );
    const { rows } = await session.query(
      `SELECT total::VARCHAR, big::VARCHAR, typeof(total), typeof(big) FROM "lake"."lake"."sums"`,
    );
    expect(rows).toEqual([["9007199254740994", "12345678901234567890123", "DECIMAL(38,0)", "DECIMAL(38,0)"]]);
  });

  it("keeps the column types of a table with no rows left", async () => {
    await replacePartitioned(salesSql(4));
    await adapter.write(session, sales, `${salesSql(4)} WHERE false`, {
      kind: "replace",
      partitionBy: ["year_month"],
    });
    const described = await rows(`SELECT column_name, column_type FROM (DESCRIBE ${view})`);
    expect(described.map((r) => r.join(" "))).toEqual([
      "sale_id BIGINT",
      "year_month INTEGER",
      "amount DECIMAL(18,2)",
      "note VARCHAR",
    ]);
    expect(await rows(`SELECT count(*) FROM ${view}`)).toEqual([[0n]]);
    expect(await adapter.introspector(session).relationKind(sales)).toBe("table");
    expect(await adapter.introspector(session).partitions(sales, ["year_month"])).toEqual([]);
  });

  it("round-trips every logical type through load(), partitioned by a date", async () => {
    const columns: Column[] = [
      { name: "big", nativeType: "BIGINT", type: { kind: "integer", bits: 64 } },
      { name: "small", nativeType: "INTEGER", type: { kind: "integer", bits: 32 } },
      { name: "money", nativeType: "DECIMAL(38,6)", type: { kind: "decimal", precision: 38, scale: 6 } },
      { name: "ratio", nativeType: "DOUBLE", type: { kind: "float", bits: 64 } },
      { name: "label", nativeType: "VARCHAR", type: { kind: "string" } },
      { name: "day", nativeType: "DATE", type: { kind: "date" } },
      { name: "at", nativeType: "TIMESTAMP", type: { kind: "timestamp" } },
      { name: "flag", nativeType: "BOOLEAN", type: { kind: "boolean" } },
    ];
    const input: Row[] = [
      [
        9007199254740993n,
        1,
        "12345678901234567890123.456789",
        0.5,
        "Zürich – 東京 🚀 'quoted'",
        "2021-03-04",
        new Date("2021-03-04T05:06:07.123Z"),
        true,
      ],
      [
        -9223372036854775808n,
        -2,
        "-0.000001",
        -1.25,
        "plain",
        "2021-03-05",
        new Date("1999-12-31T23:59:59.000Z"),
        false,
      ],
      [9223372036854775807n, null, null, null, null, "2021-03-05", null, null],
    ];
    async function* batches(): AsyncIterable<RowBatch> {
      yield batchFromRows(columns, input.slice(0, 2));
      yield batchFromRows(columns, input.slice(2));
    }
    const rel = { schema: "lake", name: "typed" };
    const result = await adapter.load(session, rel, batches(), { kind: "replace", partitionBy: ["day"] });
    expect(result.rowsAffected).toBe(3);
    const back = await session.query(
      `SELECT big, small, money, ratio, label, day, "at", flag FROM "lake"."lake"."typed" ORDER BY day, big DESC`,
    );
    expect(back.columns.map((c) => c.nativeType)).toEqual([
      "BIGINT",
      "INTEGER",
      "DECIMAL(38,6)",
      "DOUBLE",
      "VARCHAR",
      "DATE",
      "TIMESTAMP",
      "BOOLEAN",
    ]);
    expect(back.rows).toEqual([input[0], input[2], input[1]]);
    expect(await adapter.introspector(session).partitions(rel, ["day"])).toEqual([
      ["2021-03-04"],
      ["2021-03-05"],
    ]);
    // The staging table is gone; only the lake view and the bookkeeping remain.
    const tables = await rows(
      `SELECT table_name FROM information_schema.tables WHERE table_catalog = 'lake' AND table_schema = 'lake' ORDER BY ALL`,
    );
    expect(tables).toEqual([["typed"]]);
  });

  it("lets a concurrent reader see the old or the new rows, never a mix or an empty table", async () => {
    const oldRows = salesSql(4000);
    const newRows = salesSql(2000, 3);
    await replacePartitioned(oldRows);
    const expected = new Set<string>();
    for (const s of [oldRows, newRows])
      expected.add(String((await rows(`SELECT count(*) || '/' || sum(amount) FROM (${s})`))[0]?.[0]));

    const reader = await adapter.open();
    const seen: string[] = [];
    let writing = true;
    const reading = (async () => {
      while (writing) {
        const { rows: r } = await reader.query(`SELECT count(*) || '/' || sum(amount) FROM ${view}`);
        seen.push(String(r[0]?.[0]));
      }
    })();
    for (let i = 0; i < 6; i++) {
      if (i % 3 === 2)
        await adapter.write(session, sales, i % 2 ? newRows : oldRows, {
          kind: "partitions",
          partitionBy: ["year_month"],
          partitions: [["202101"], ["202102"], ["202103"], ["202104"]],
        });
      else await replacePartitioned(i % 2 ? oldRows : newRows);
    }
    writing = false;
    await reading;
    await reader.close();
    expect(seen.length).toBeGreaterThan(0);
    for (const observation of seen) expect(expected).toContain(observation);
    expect(new Set(seen).size).toBe(2);
    await adapter.close();
    expect(versionFolders()).toHaveLength(4);
  });

  it("leaves the table as it was when a write dies before its metadata transaction, and sweeps the orphan next time", async () => {
    await replacePartitioned(salesSql(8));
    const before = files();
    const content = await rows();
    options.beforeCommit = () => {
      throw new Error("simulated crash");
    };
    await expect(
      adapter.write(session, sales, salesSql(8, 9), {
        kind: "partitions",
        partitionBy: ["year_month"],
        partitions: [["202101"]],
      }),
    ).rejects.toThrow("simulated crash");
    // The new version folder exists on disk but nothing references it.
    const orphans = [...files().keys()].filter((f) => !before.has(f));
    expect(orphans.length).toBeGreaterThan(0);
    expect(orphans.every((f) => f.includes("year_month=202101/_v"))).toBe(true);
    expect(await rows()).toEqual(content);

    options.beforeCommit = undefined;
    await adapter.write(session, sales, salesSql(8, 2), {
      kind: "partitions",
      partitionBy: ["year_month"],
      partitions: [["202102"]],
    });
    const after = files();
    for (const orphan of orphans) expect(after.has(orphan)).toBe(false);
    expect(await byMonth()).toEqual({
      "202101": "2:4.00",
      "202102": "2:12.00",
      "202103": "2:8.00",
      "202104": "2:10.00",
    });
  });

  it("turns a lake table into a plain view and back", async () => {
    await replacePartitioned(salesSql(4));
    await adapter.createView(session, sales, "SELECT 1 AS one");
    expect(await adapter.introspector(session).relationKind(sales)).toBe("view");
    await adapter.close();
    expect(readdirSync(join(dir, "lake", "lake"))).toEqual([]);
    await replacePartitioned(salesSql(4));
    expect(await adapter.introspector(session).relationKind(sales)).toBe("table");
    await adapter.dropRelation(session, sales);
    expect(await adapter.introspector(session).relationKind(sales)).toBe(null);
  });
});
