// A DuckDB engine hands the connection of a closed session to the next one (a build opens a
// session per step, test and probe), but only a connection that was left as it was found: a
// setting, an open transaction or a temporary table of one session must never reach another.
import { afterEach, describe, expect, it } from "vitest";
import { changesSessionState, DuckDbEngine } from "../../src/adapters/duckdb/duckdb-connection.js";

const engines: DuckDbEngine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
});

async function engine(): Promise<DuckDbEngine> {
  const e = new DuckDbEngine({ threads: 1 });
  engines.push(e);
  await e.attach("a", ":memory:");
  await e.attach("b", ":memory:");
  return e;
}

describe("changesSessionState", () => {
  it.each([
    ["SET search_path = 'a.main'", true],
    ["reset search_path", true],
    ["  -- a comment first\n  SET threads = 1", true],
    ["/* block */ pragma enable_profiling", true],
    ["select 1; begin transaction", true],
    ["START TRANSACTION", true],
    ["create temp table t as select 1", true],
    ["CREATE OR REPLACE TEMPORARY TABLE t (a int)", true],
    ["use a.main", true],
    ["prepare p as select 1", true],
    ["select 1", false],
    ["select 'x; set y = 1'", false],
    ['select 1 as "set"', false],
    ["-- set threads = 1\nselect 1", false],
    ["update a.main.t set v = 1", false],
    ["select case when true then 1 end", false],
    ["create table settings (a int)", false],
    ["create table a.main.temp_rows as select 1", false],
  ])("%j → %s", (sql, expected) => {
    expect(changesSessionState(sql)).toBe(expected);
  });
});

describe("DuckDB session reuse", () => {
  it("gives the next session the connection a clean session left", async () => {
    const e = await engine();
    const first = await e.open({ catalog: "a", schema: "main" });
    await first.execute("create table t (v int)");
    const connection = first.connection;
    await first.close();
    const second = await e.open({ catalog: "a", schema: "main" });
    expect(second.connection).toBe(connection);
    // Still in UTC, and unqualified names still mean the catalog asked for.
    expect((await second.query("select current_setting('TimeZone')")).rows).toEqual([["UTC"]]);
    expect((await second.query("select count(*) from t")).rows).toEqual([[0n]]);
    await second.close();
  });

  it("moves a reused connection to the catalog the new session asks for", async () => {
    const e = await engine();
    const onA = await e.open({ catalog: "a", schema: "main" });
    await onA.close();
    const onB = await e.open({ catalog: "b", schema: "main" });
    expect(onB.connection).toBe(onA.connection);
    await onB.execute("create table only_b (v int)");
    expect(
      (await onB.query("select database_name from duckdb_tables() where table_name = 'only_b'")).rows,
    ).toEqual([["b"]]);
    await onB.close();
  });

  it("never hands on a session's settings, transaction or temporary tables", async () => {
    const e = await engine();
    const cases = [
      {
        leave: "SET search_path = 'b.main'",
        check: "select current_setting('search_path')",
        // What the new session's own USE sets, not what the old one left.
        clean: [["a.main"]] as unknown[],
      },
      {
        leave: "create temp table scratch as select 1 as v",
        check: "select count(*) from duckdb_tables() where table_name = 'scratch'",
        clean: [[0n]],
      },
    ];
    for (const c of cases) {
      const dirty = await e.open({ catalog: "a", schema: "main" });
      await dirty.execute(c.leave);
      await dirty.close();
      const next = await e.open({ catalog: "a", schema: "main" });
      expect(next.connection, c.leave).not.toBe(dirty.connection);
      expect((await next.query(c.check)).rows, c.leave).toEqual(c.clean);
      await next.close();
    }
    // A transaction left open: the next session can begin its own.
    const open = await e.open({ catalog: "a", schema: "main" });
    await open.execute("begin transaction");
    await open.close();
    const next = await e.open({ catalog: "a", schema: "main" });
    await expect(
      next.transaction(async () => next.execute("create table after (v int)")),
    ).resolves.toBeDefined();
    await next.close();
  });

  it("does not reuse a connection whose statement was interrupted", async () => {
    const e = await engine();
    const session = await e.open({ catalog: "a", schema: "main" });
    await session.cancel();
    await session.close();
    const next = await e.open({ catalog: "a", schema: "main" });
    expect(next.connection).not.toBe(session.connection);
    await next.close();
  });
});
