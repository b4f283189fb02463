// The adapter conformance suite, written once and run against each real server (PostgreSQL,
// MariaDB): exact type round trips, bounded-memory streaming, bulk load, atomic swaps seen by a
// concurrent reader, merge, delete+insert, partition replacement, watermark and fingerprint reads.
import { describe, expect, it } from "vitest";
import { batchRows } from "../../src/adapters/batch.js";
import type {
  Adapter,
  Column,
  LogicalType,
  RelationName,
  Row,
  RowBatch,
  Session,
} from "../../src/adapters/contract.js";
import { batchWithExactTimestamps, exactTextReader } from "../../src/adapters/exact-text.js";
import { fingerprint } from "../../src/planner/fingerprints.js";
import { readHighWatermark, windowStart, watermarkLiteral } from "../../src/planner/watermarks.js";
import type { SourceNode } from "../../src/manifest/types.js";

export interface ConformanceEngine {
  type: "postgres" | "mysql";
  /** A fresh adapter on the test server. */
  adapter(): Adapter;
  /** The schema (MySQL: database) the suite creates and drops. */
  schema: string;
  /** `n` rows of (`i` BIGINT 1..n, `payload` text of `chars` characters), computed by the server. */
  seriesSql(n: number, chars: number): string;
}

const col = (name: string, type: LogicalType): Column => ({ name, type, nativeType: "" });

/** One column of every logical type, with values at the edges of each. */
export const TYPED_COLUMNS: Column[] = [
  col("id", { kind: "integer", bits: 32 }),
  col("flag", { kind: "boolean" }),
  col("big", { kind: "integer", bits: 64 }),
  col("wide", { kind: "decimal", precision: 38, scale: 10 }),
  col("money", { kind: "decimal", precision: 18, scale: 2 }),
  col("ratio", { kind: "float", bits: 64 }),
  col("label", { kind: "string" }),
  col("day", { kind: "date" }),
  col("at", { kind: "timestamp" }),
  col("bytes", { kind: "binary" }),
];

/** Rows as the driver-neutral cells a source hands over; timestamps as exact text. */
export const TYPED_ROWS: Row[] = [
  [
    1,
    true,
    9007199254740993n,
    "12345678901234567890123456.1234567890",
    "-1234567890123456.78",
    0.1,
    "ação 😀 汉字\ttab\nnewline \\ back ' quote \" dq",
    "2026-02-28",
    "2026-11-20 10:00:00.123456",
    bytes(0, 9, 10, 13, 92, 39, 255),
  ],
  [
    2,
    false,
    -9223372036854775808n,
    "-0.0000000001",
    "0.00",
    -1e300,
    "",
    "1970-01-01",
    "1969-12-31 23:59:59.999999",
    bytes(),
  ],
  [3, null, null, null, null, null, null, null, null, null],
  [
    4,
    true,
    9223372036854775807n,
    "99999999999999999999999999.9999999999",
    "9999999999999999.99",
    1.7976931348623157e308,
    "NULL",
    "9999-12-31",
    "2038-01-19 03:14:08.000001",
    new TextEncoder().encode("NULL"),
  ],
];

function bytes(...values: number[]): Uint8Array {
  return new Uint8Array(values);
}

/** Every value of a batch as exact text (bytes as hex), with its JS type, for exact comparison. */
export function exactRows(batch: RowBatch): string[][] {
  const readers = batch.vectors.map((v, c) => exactTextReader(batch.columns[c]!.type, v, "tf"));
  const cells = batchRows(batch);
  const out: string[][] = [];
  for (let i = 0; i < batch.rowCount; i++) {
    out.push(
      readers.map((read, c) => {
        const value = read(i);
        const cell = cells[i]![c];
        const kind = cell === null ? "null" : cell instanceof Uint8Array ? "bytes" : typeof cell;
        return `${kind}:${value instanceof Uint8Array ? Buffer.from(value).toString("hex") : String(value)}`;
      }),
    );
  }
  return out;
}

async function collect(batches: AsyncIterable<RowBatch>): Promise<RowBatch[]> {
  const out: RowBatch[] = [];
  for await (const b of batches) out.push(b);
  return out;
}

export async function readAll(session: Session, sql: string, batchSize?: number): Promise<string[][]> {
  return (await collect(session.stream(sql, batchSize))).flatMap(exactRows);
}

export async function* batchesOf(columns: Column[], rows: Row[], size: number): AsyncIterable<RowBatch> {
  for (let at = 0; at < rows.length; at += size)
    yield batchWithExactTimestamps(columns, rows.slice(at, at + size));
}

export const EXPECTED = exactRows(batchWithExactTimestamps(TYPED_COLUMNS, TYPED_ROWS));

export function adapterConformance(engine: ConformanceEngine): void {
  const rel = (name: string): RelationName => ({ schema: engine.schema, name });

  async function withAdapter<T>(work: (adapter: Adapter, session: Session) => Promise<T>): Promise<T> {
    const adapter = engine.adapter();
    const session = await adapter.open();
    try {
      return await work(adapter, session);
    } finally {
      await session.close();
      await adapter.close();
    }
  }

  const q = (adapter: Adapter, name: string) => adapter.dialect.relation(rel(name));
  const ordered = (adapter: Adapter, name: string) =>
    `SELECT * FROM ${q(adapter, name)} ORDER BY ${adapter.dialect.quoteIdentifier("id")}`;

  async function tableNames(session: Session): Promise<string[]> {
    const sql =
      engine.type === "postgres"
        ? `SELECT tablename::text FROM pg_tables WHERE schemaname = '${engine.schema}' ORDER BY 1`
        : `SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${engine.schema}' ORDER BY 1`;
    return (await session.query(sql)).rows.map((r) => String(r[0]));
  }

  describe(`${engine.type} adapter conformance`, () => {
    it("creates its schema idempotently and reports the server version", async () => {
      await withAdapter(async (adapter, session) => {
        await adapter.ensureSchema(session, engine.schema);
        await adapter.ensureSchema(session, engine.schema);
        expect(await adapter.version(session)).toMatch(
          engine.type === "postgres" ? /PostgreSQL 1\d/ : /MariaDB|^\d+\.\d+/,
        );
      });
    });

    it("bulk-loads every type and streams it back exactly: 64-bit integers past 2^53, wide decimals, µs timestamps, unicode, bytes, NULLs", async () => {
      await withAdapter(async (adapter, session) => {
        const loaded = await adapter.load(session, rel("typed"), batchesOf(TYPED_COLUMNS, TYPED_ROWS, 3), {
          kind: "replace",
        });
        expect(loaded.rowsAffected).toBe(TYPED_ROWS.length);
        expect(await readAll(session, ordered(adapter, "typed"), 2)).toEqual(EXPECTED);
        const types = (await adapter.introspector(session).columns(rel("typed"))).map((c) => c.type);
        expect(types).toEqual(TYPED_COLUMNS.map((c) => c.type));
      });
    });

    it("refuses a loaded value that does not fit its column instead of truncating it, and leaves the target as it was", async () => {
      await withAdapter(async (adapter, session) => {
        const columns = [
          col("id", { kind: "integer", bits: 32 }),
          col("code", { kind: "string", length: 2 }),
        ];
        await adapter.load(session, rel("codes"), batchesOf(columns, [[1, "ab"]], 1), { kind: "replace" });
        await expect(
          adapter.load(session, rel("codes"), batchesOf(columns, [[2, "abcdef"]], 1), { kind: "replace" }),
        ).rejects.toThrow();
        expect((await session.query(`SELECT id, code FROM ${q(adapter, "codes")}`)).rows).toEqual([
          [1, "ab"],
        ]);
      });
    });

    it("reads rows written with its own literals exactly, and keeps them through its own CREATE TABLE AS", async () => {
      await withAdapter(async (adapter, session) => {
        const d = adapter.dialect;
        const defs = TYPED_COLUMNS.map((c) => `${d.quoteIdentifier(c.name)} ${d.nativeType(c.type)}`).join(
          ", ",
        );
        await adapter.dropRelation(session, rel("literal"));
        await session.execute(`CREATE TABLE ${q(adapter, "literal")} (${defs})`);
        const values = TYPED_ROWS.map((row) => `(${row.map((v) => d.literal(v)).join(", ")})`).join(", ");
        await session.execute(`INSERT INTO ${q(adapter, "literal")} VALUES ${values}`);
        expect(await readAll(session, ordered(adapter, "literal"))).toEqual(EXPECTED);
        await adapter.write(session, rel("copied"), `SELECT * FROM ${q(adapter, "literal")}`, {
          kind: "replace",
        });
        expect(await readAll(session, ordered(adapter, "copied"))).toEqual(EXPECTED);
        const small = await session.query(ordered(adapter, "literal"));
        expect(small.rows[0]?.[2]).toBe(9007199254740993n);
        expect(small.rows[0]?.[8]).toEqual(new Date("2026-11-20T10:00:00.123Z"));
      });
    });

    it("streams 200,000 rows of 1,000 characters in batches of at most 2,000 with bounded memory", async () => {
      await withAdapter(async (_adapter, session) => {
        const rows = 200_000;
        const before = process.memoryUsage().heapUsed;
        let peak = 0;
        let seen = 0;
        let largest = 0;
        let sum = 0n;
        for await (const batch of session.stream(engine.seriesSql(rows, 1000), 2000)) {
          largest = Math.max(largest, batch.rowCount);
          for (const row of batchRows(batch)) sum += BigInt(row[0] as bigint);
          seen += batch.rowCount;
          peak = Math.max(peak, process.memoryUsage().heapUsed - before);
        }
        expect(seen).toBe(rows);
        expect(sum).toBe(BigInt((rows * (rows + 1)) / 2));
        expect(largest).toBeLessThanOrEqual(2000);
        // The whole result is ~200 MB of text; a reader that held it would grow by at least that.
        expect(peak).toBeLessThan(80 * 1024 * 1024);
      });
    }, 120_000);

    it("stops a stream early and the session stays usable", async () => {
      await withAdapter(async (_adapter, session) => {
        for await (const batch of session.stream(engine.seriesSql(50_000, 10), 100)) {
          expect(batch.rowCount).toBe(100);
          break;
        }
        expect((await session.query("SELECT 41 + 1")).rows[0]?.[0]).toBe(42);
      });
    });

    it("bulk-loads 100,000 rows from a lazy source, keeping every decimal digit", async () => {
      await withAdapter(async (adapter, session) => {
        const columns = [
          col("id", { kind: "integer", bits: 64 }),
          col("amount", { kind: "decimal", precision: 30, scale: 4 }),
        ];
        async function* source(): AsyncIterable<RowBatch> {
          for (let start = 0; start < 100_000; start += 5000) {
            const rows: Row[] = [];
            for (let i = start; i < start + 5000; i++)
              rows.push([BigInt(i), `${i}123456789012345678.${String(i % 10000).padStart(4, "0")}`]);
            yield batchWithExactTimestamps(columns, rows);
          }
        }
        const result = await adapter.load(session, rel("bulk"), source(), { kind: "replace" });
        expect(result.rowsAffected).toBe(100_000);
        const { rows } = await session.query(
          `SELECT COUNT(*), SUM(${adapter.dialect.quoteIdentifier("id")}), MAX(amount) FROM ${q(adapter, "bulk")}`,
        );
        expect(rows[0]?.map(String)).toEqual(["100000", "4999950000", "99999123456789012345678.9999"]);
      });
    }, 120_000);

    it("swaps a rebuilt table in atomically: a concurrent reader sees one whole version each time, never a gap", async () => {
      const writer = engine.adapter();
      const reader = engine.adapter();
      const w = await writer.open();
      const r = await reader.open();
      try {
        const version = (k: number) => `SELECT ${k} AS v, i FROM (${engine.seriesSql(k * 2000, 1)}) AS s`;
        await writer.write(w, rel("swapped"), version(1), { kind: "replace" });
        let stop = false;
        const seen: string[] = [];
        const reading = (async () => {
          while (!stop) {
            const { rows } = await r.query(`SELECT COUNT(*), MIN(v), MAX(v) FROM ${q(reader, "swapped")}`);
            const [count, min, max] = (rows[0] ?? []).map((x) => Number(x));
            seen.push(`${count}:${min}:${max}`);
            expect(min).toBe(max);
            expect(count).toBe(max! * 2000);
          }
        })();
        for (let k = 2; k <= 6; k++) await writer.write(w, rel("swapped"), version(k), { kind: "replace" });
        stop = true;
        await reading;
        expect(seen.length).toBeGreaterThan(5);
        expect(seen.at(-1)).toBe("12000:6:6");
        expect((await tableNames(w)).filter((n) => n.includes("__sluice_"))).toEqual([]);
      } finally {
        await w.close();
        await r.close();
        await writer.close();
        await reader.close();
      }
    }, 120_000);

    it("turns a table into a view and the view back into a table", async () => {
      await withAdapter(async (adapter, session) => {
        await adapter.write(session, rel("shape"), "SELECT 1 AS id", { kind: "replace" });
        await adapter.createView(session, rel("shape"), "SELECT 2 AS id");
        expect(await adapter.introspector(session).relationKind(rel("shape"))).toBe("view");
        await adapter.write(session, rel("shape"), "SELECT 3 AS id", { kind: "replace" });
        expect(await adapter.introspector(session).relationKind(rel("shape"))).toBe("table");
        expect(
          (await session.query(`SELECT id FROM ${q(adapter, "shape")}`)).rows.map((x) => Number(x[0])),
        ).toEqual([3]);
      });
    });

    async function keyed(adapter: Adapter, session: Session, name: string): Promise<void> {
      await adapter.write(
        session,
        rel(name),
        "SELECT 1 AS id, 'a' AS v UNION ALL SELECT 2, 'b' UNION ALL SELECT 3, 'c'",
        { kind: "replace" },
      );
    }
    const contents = async (adapter: Adapter, session: Session, name: string) =>
      (await session.query(`SELECT id, v FROM ${q(adapter, name)} ORDER BY id`)).rows.map(
        (x) => `${Number(x[0])}=${String(x[1])}`,
      );

    it("merges on a unique key: matched rows updated, new rows inserted, others untouched", async () => {
      await withAdapter(async (adapter, session) => {
        await keyed(adapter, session, "merged");
        await adapter.write(session, rel("merged"), "SELECT 2 AS id, 'B' AS v UNION ALL SELECT 4, 'D'", {
          kind: "merge",
          uniqueKey: ["id"],
        });
        expect(await contents(adapter, session, "merged")).toEqual(["1=a", "2=B", "3=c", "4=D"]);
        const columns = [col("id", { kind: "integer", bits: 32 }), col("v", { kind: "string" })];
        await adapter.load(
          session,
          rel("merged"),
          batchesOf(
            columns,
            [
              [3, "C"],
              [5, "E"],
            ],
            1,
          ),
          { kind: "merge", uniqueKey: ["id"] },
        );
        expect(await contents(adapter, session, "merged")).toEqual(["1=a", "2=B", "3=C", "4=D", "5=E"]);
      });
    });

    it("deletes and inserts on a unique key in one transaction, and rolls back whole when the insert fails", async () => {
      await withAdapter(async (adapter, session) => {
        await keyed(adapter, session, "replaced");
        await adapter.write(session, rel("replaced"), "SELECT 1 AS id, 'A' AS v UNION ALL SELECT 9, 'I'", {
          kind: "delete+insert",
          uniqueKey: ["id"],
        });
        expect(await contents(adapter, session, "replaced")).toEqual(["1=A", "2=b", "3=c", "9=I"]);
        // A value too long for the target's column fails the insert after the delete ran.
        await adapter.dropRelation(session, rel("narrow"));
        await session.execute(`CREATE TABLE ${q(adapter, "narrow")} (id INTEGER, v VARCHAR(1))`);
        await session.execute(`INSERT INTO ${q(adapter, "narrow")} VALUES (1, 'x'), (2, 'y')`);
        const before = await contents(adapter, session, "narrow");
        await expect(
          adapter.write(session, rel("narrow"), "SELECT 1 AS id, 'far too long for one character' AS v", {
            kind: "delete+insert",
            uniqueKey: ["id"],
          }),
        ).rejects.toThrow();
        expect(await contents(adapter, session, "narrow")).toEqual(before);
      });
    });

    it("replaces exactly the named partitions and refuses an empty partition set", async () => {
      await withAdapter(async (adapter, session) => {
        await adapter.write(
          session,
          rel("parted"),
          "SELECT 1 AS id, 'a' AS v UNION ALL SELECT 2, 'b' UNION ALL SELECT 3, 'c'",
          { kind: "replace" },
        );
        const mode = { kind: "partitions" as const, partitionBy: ["id"], partitions: [["2"], ["4"]] };
        await adapter.write(
          session,
          rel("parted"),
          "SELECT 2 AS id, 'B' AS v UNION ALL SELECT 3, 'C' UNION ALL SELECT 4, 'D'",
          mode,
        );
        expect(await contents(adapter, session, "parted")).toEqual(["1=a", "2=B", "3=c", "4=D"]);
        await expect(
          adapter.write(session, rel("parted"), "SELECT 1 AS id, 'z' AS v", { ...mode, partitions: [] }),
        ).rejects.toThrow(/partition set is empty/);
        expect(await contents(adapter, session, "parted")).toEqual(["1=a", "2=B", "3=c", "4=D"]);
      });
    });

    it("reads a timestamp watermark exactly to the microsecond and counts the window after it, with and without lookback", async () => {
      await withAdapter(async (adapter, session) => {
        const columns = [col("id", { kind: "integer", bits: 32 }), col("updated_at", { kind: "timestamp" })];
        const stamps = [
          "2026-11-20 10:00:00.000001",
          "2026-11-20 10:04:59.999999",
          "2026-11-20 10:05:00.123456",
        ];
        await adapter.load(
          session,
          rel("stamped"),
          batchesOf(
            columns,
            stamps.map((s, i) => [i + 1, s]),
            10,
          ),
          { kind: "replace" },
        );
        const ref = { connection: "c", schema: engine.schema, name: "stamped" };
        const high = await readHighWatermark(session, engine.type, ref, "updated_at");
        expect(high).toEqual({ value: "2026-11-20 10:05:00.123456", kind: "timestamp" });
        const count = async (lower: string) => {
          const where = `updated_at > ${lower} AND updated_at <= ${watermarkLiteral(high!, engine.type)}`;
          return Number(
            (await session.query(`SELECT COUNT(*) FROM ${q(adapter, "stamped")} WHERE ${where}`))
              .rows[0]?.[0],
          );
        };
        const previous = { value: "2026-11-20 10:04:59.999999", kind: "timestamp" as const };
        expect(await count(windowStart(previous, null, engine.type))).toBe(1);
        expect(await count(windowStart(previous, "4 minutes", engine.type))).toBe(2);
        expect(await count(windowStart(previous, "5 minutes", engine.type))).toBe(3);
        const ids = await readHighWatermark(session, engine.type, ref, "id");
        expect(ids).toEqual({ value: "3", kind: "number" });
      });
    });

    it("fingerprints an untracked source so that any change, including one more duplicate row, moves it", async () => {
      await withAdapter(async (adapter, session) => {
        await adapter.write(
          session,
          rel("dims"),
          "SELECT 1 AS id, 'a' AS v UNION ALL SELECT 1, 'a' UNION ALL SELECT 2, 'b'",
          { kind: "replace" },
        );
        const source = { relation: { connection: "c", schema: engine.schema, name: "dims" } } as SourceNode;
        const first = await fingerprint(session, engine.type, source);
        expect(first).toMatch(/^3:\d+$/);
        expect(await fingerprint(session, engine.type, source)).toBe(first);
        await session.execute(`INSERT INTO ${q(adapter, "dims")} VALUES (1, 'a')`);
        const duplicated = await fingerprint(session, engine.type, source);
        expect(duplicated).not.toBe(first);
        await session.execute(`UPDATE ${q(adapter, "dims")} SET v = 'B' WHERE id = 2`);
        expect(await fingerprint(session, engine.type, source)).not.toBe(duplicated);
      });
    });

    it("rolls a session transaction back when its work throws", async () => {
      await withAdapter(async (adapter, session) => {
        await keyed(adapter, session, "tx");
        await expect(
          session.transaction(async () => {
            await session.execute(`DELETE FROM ${q(adapter, "tx")}`);
            throw new Error("stop");
          }),
        ).rejects.toThrow("stop");
        expect(await contents(adapter, session, "tx")).toEqual(["1=a", "2=b", "3=c"]);
      });
    });
  });
}
