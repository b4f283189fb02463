// The PostgreSQL and MySQL dialects run on real servers: each typed literal reads back as the
// value it was written from, a partition filter keeps NULL, 'NULL' and '' apart, lookback bounds
// move by what they say, `||` concatenates, and the fingerprint sees duplicate rows come and go. Written once;
// tests/integration/<engine>/dialect.test.ts run it per engine.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Adapter, CellValue, LogicalType, Session } from "../../src/adapters/contract.js";
import { fingerprint } from "../../src/planner/fingerprints.js";
import type { SourceNode } from "../../src/manifest/types.js";
import { uniqueName } from "./servers.js";

export interface DialectEngine {
  type: "postgres" | "mysql";
  adapter(): Adapter;
  /** Rows of (value, type, the text the server prints for the literal, through watermarkText). */
  readBack: [CellValue, LogicalType, string | null][];
  dropSchemaSql(schema: string): string;
}

export function dialectOnServerSuite(engine: DialectEngine): void {
  const schema = uniqueName("sl_dialect");
  let adapter: Adapter;
  let session: Session;
  beforeAll(async () => {
    adapter = engine.adapter();
    session = await adapter.open();
    await adapter.ensureSchema(session, schema);
  });
  afterAll(async () => {
    await session.execute(engine.dropSchemaSql(schema));
    await session.close();
    await adapter.close();
  });

  describe(`the ${engine.type} dialect on a real server`, () => {
    it.each(engine.readBack)("reads %j written as %j back as %j", async (value, type, expected) => {
      const d = adapter.dialect;
      const { rows } = await session.query(`SELECT ${d.watermarkText(d.typedLiteral(value, type), type)}`);
      expect(rows[0]?.[0] ?? null).toBe(expected);
    });

    it("concatenates text with || as the SQL standard does (on MySQL a logical OR unless set)", async () => {
      const { rows } = await session.query("SELECT 'First1' || ' ' || 'Last1'");
      expect(rows[0]?.[0]).toBe("First1 Last1");
    });

    it("keeps NULL apart from the text 'NULL' and the empty string in a partition filter", async () => {
      const d = adapter.dialect;
      const rel = d.relation({ schema, name: "parts" });
      await session.execute(`CREATE TABLE ${rel} (p ${d.nativeType({ kind: "string", length: 10 })})`);
      const values = [null, "NULL", "", "null", "a'b\\"].map(
        (v) => `(${d.typedLiteral(v, { kind: "string" })})`,
      );
      await session.execute(`INSERT INTO ${rel} VALUES ${values.join(", ")}`);
      const count = async (where: string) =>
        Number((await session.query(`SELECT COUNT(*) FROM ${rel} WHERE ${where}`)).rows[0]?.[0]);
      expect(await count(d.partitionPredicate(["p"], [[null]]))).toBe(1);
      expect(await count(d.partitionPredicate(["p"], [[""]]))).toBe(1);
      expect(await count(d.partitionPredicate(["p"], [["a'b\\"]]))).toBe(1);
      expect(await count(d.partitionPredicate(["p"], [[null], ["NULL"]]))).toBe(2);
      // Negated as keep-partitions does: everything outside the set, the NULL row included.
      expect(await count(`(${d.partitionPredicate(["p"], [["NULL"]])}) IS NOT TRUE`)).toBe(4);
    });

    it("moves lookback bounds by what they say: whole days on a DATE, hours on a timestamp", async () => {
      const d = adapter.dialect;
      const date: LogicalType = { kind: "date" };
      const ts: LogicalType = { kind: "timestamp" };
      const twoDaysBack = d.subtractInterval(d.typedLiteral("2024-03-01", date), 2, "day", date);
      const day = await session.query(`SELECT ${d.watermarkText(twoDaysBack, date)}`);
      expect(day.rows[0]?.[0]).toBe("2024-02-28");
      const hour = await session.query(
        `SELECT ${d.watermarkText(d.subtractInterval(d.typedLiteral("2024-03-01 00:30:00.123456", ts), 1, "hour", ts), ts)}`,
      );
      expect(String(hour.rows[0]?.[0])).toBe("2024-02-29 23:30:00.123456");
    });

    it("fingerprints the multiset of rows: a duplicate row coming or going changes it, NULL differs from 'NULL'", async () => {
      const d = adapter.dialect;
      const relation = { connection: "mart", schema, name: "dims" };
      const rel = d.relation(relation);
      const source = { relation } as unknown as SourceNode;
      await session.execute(
        `CREATE TABLE ${rel} (id INTEGER, name ${d.nativeType({ kind: "string", length: 10 })})`,
      );
      await session.execute(`INSERT INTO ${rel} VALUES (1, 'a'), (1, 'a'), (2, NULL)`);
      const first = await fingerprint(session, engine.type, source);
      expect(first).toMatch(/^3:\d+$/);
      await session.execute(`INSERT INTO ${rel} VALUES (1, 'a')`);
      const third = await fingerprint(session, engine.type, source);
      expect(third).not.toBe(first);
      await session.execute(`DELETE FROM ${rel} WHERE id = 1`);
      await session.execute(`INSERT INTO ${rel} VALUES (1, 'a'), (1, 'a')`);
      expect(await fingerprint(session, engine.type, source)).toBe(first);
      // Same count, and an XOR of row hashes would cancel both pairs: a sum sees the change.
      await session.execute(`UPDATE ${rel} SET id = 3, name = 'c' WHERE id = 1`);
      expect(await fingerprint(session, engine.type, source)).not.toBe(first);
      await session.execute(`UPDATE ${rel} SET id = 1, name = 'a' WHERE id = 3`);
      expect(await fingerprint(session, engine.type, source)).toBe(first);
      await session.execute(`UPDATE ${rel} SET name = 'NULL' WHERE id = 2`);
      expect(await fingerprint(session, engine.type, source)).not.toBe(first);
    });
  });
}
