// The source of one property sequence: the changes an application makes between two builds, as
// SQL on the source database. Inserts, updates (some moving a row to other partitions, some to a
// NULL partition, some committed late with a stamp inside the lookback), inserts with no stamp and
// the updates that stamp them later, deletes (recorded in the deletes table, or nowhere when the
// source has none), re-inserts of deleted keys, and changes to the untracked dimensions and the
// order header. Deterministic: the same random stream gives the same statements.
import {
  LOOKBACK,
  type PartKind,
  type Shape,
  partColumns,
  partitionStrings,
  sourceDdl,
} from "./sequence-shape.js";

/** Where stamps start: shortly before the 2024 fall-back in New York, so zone changes cross it. */
const STAMP_BASE_MS = Date.UTC(2024, 10, 3, 5, 59, 40);

export class SequenceSource {
  clock = 10;
  nextId = 1;
  nextOrder = 5;
  readonly statements: string[] = [];
  constructor(
    private readonly rand: () => number,
    readonly shape: Shape,
  ) {}

  /** Takes the statements queued since the last call. */
  drain(): string {
    const sql = this.statements.join(";\n");
    this.statements.length = 0;
    return sql;
  }

  private sql(s: string): void {
    this.statements.push(s);
  }

  private int(n: number): number {
    return Math.floor(this.rand() * n);
  }

  stamp(at: number): string {
    if (this.shape.stamp === "bigint") return String(at);
    const text = new Date(STAMP_BASE_MS + at * 1000).toISOString().replace("T", " ").slice(0, 19);
    return this.shape.stamp === "timestamp" ? `timestamp '${text}'` : `timestamptz '${text}+00'`;
  }

  /** An order's region: a partition column of the header side. */
  private region(): string {
    return this.part("string");
  }

  /** A partition value of `kind` as SQL, NULL one time in ten. */
  private part(kind: PartKind): string {
    if (this.rand() < 0.1) return "null";
    const m = 1 + this.int(4);
    if (kind === "int") return String(202600 + m);
    if (kind === "date") return `date '2026-0${m}-${this.shape.truncate ? 10 + this.int(18) : "01"}'`;
    if (kind === "timestamptz") return `timestamptz '2026-01-0${m} 0${this.int(3)}:30:00+00'`;
    if (kind === "timestamp")
      return `timestamp '2026-01-0${m} 0${this.int(3)}:00:00${this.rand() < 0.3 ? ".5" : ""}'`;
    const strings = partitionStrings(this.shape.lake);
    const s = strings[this.int(strings.length)]!;
    return `'${s.replace(/'/g, "''")}'`;
  }

  private parts(): string[] {
    return this.shape.parts.map((k) => this.part(k));
  }

  /** The key columns' values of the id-th row. */
  private key(id: number): string {
    switch (this.shape.key) {
      case "int":
        return String(id);
      case "numtext":
        return `'${String(id).padStart(4, "0")}'`;
      case "text":
        return `'k${id}${["", "''", " x", "/", "="][id % 5]}'`;
      case "composite":
        return `'o${Math.floor(id / 2)}', ${1 + (id % 2)}`;
    }
  }

  setup(rows: number): void {
    this.sql(sourceDdl(this.shape));
    for (let o = 1; o < this.nextOrder; o++)
      // Stamped apart, so the lookback re-reads the newest order only, not every one.
      this.sql(`insert into app.orders values (${o}, 'c${o}', ${this.region()}, ${this.stamp(o * 5 - 30)})`);
    for (let i = 0; i < rows; i++) this.insert(false);
  }

  insert(late: boolean): void {
    const id = this.nextId++;
    this.clock += 1;
    const at = late ? this.lateStamp() : this.clock;
    const order = 1 + this.int(this.nextOrder - 1);
    const stamp = this.shape.nullStamps && this.rand() < 0.3 ? "null" : this.stamp(at);
    this.sql(
      `insert into app.sales values (${this.key(id)}, ${order}, ${1 + this.int(3)}, ${1 + this.int(3)}, ${this.int(100)}, ${this.parts().join(", ")}, ${stamp})`,
    );
  }

  /**
   * Stamps rows written without one (all of them, or the one at `pick`), changing nothing else:
   * they enter the next change window, so the next build must load them.
   */
  stampNulls(pick: number | "all"): void {
    this.clock += 1;
    const keys = this.shape.key === "composite" ? "k1, k2" : "k1";
    const which =
      pick === "all"
        ? "updated_at is null"
        : `(${keys}) in (select ${keys} from app.sales where updated_at is null order by ${keys} limit 1 offset ${pick} % (select greatest(count(*), 1) from app.sales where updated_at is null))`;
    this.sql(`update app.sales set updated_at = ${this.stamp(this.clock)} where ${which}`);
  }

  /** A stamp older than the newest one, but within the lookback: a writer that committed late. */
  private lateStamp(): number {
    return this.clock - 1 - this.int(LOOKBACK - 1);
  }

  /** The row at `pick` (modulo the row count), in a stable order. */
  private row(pick: number): string {
    const keys = this.shape.key === "composite" ? "k1, k2" : "k1";
    return `(${keys}) in (select ${keys} from app.sales order by ${keys} limit 1 offset ${pick} % (select greatest(count(*), 1) from app.sales))`;
  }

  update(pick: number, move: boolean, late: boolean): void {
    this.clock += 1;
    const at = late ? this.lateStamp() : this.clock;
    const cols = partColumns(this.shape);
    const set = move
      ? this.parts()
          .map((v, i) => `${cols[i]} = ${v}`)
          .join(", ")
      : "amount = amount + 1";
    this.sql(`update app.sales set ${set}, updated_at = ${this.stamp(at)} where ${this.row(pick)}`);
  }

  /**
   * Deletes a row, recording its key and partitions in the deletes table; without a deletes table
   * the same record only tells the harness which keys sluice could not see go.
   */
  remove(pick: number): void {
    this.clock += 1;
    const cols = partColumns(this.shape)
      .map((c, i) => (i === 0 && this.shape.truncate ? "date_trunc('month', pa)::date" : c))
      .join(", ");
    this.sql(`create or replace temp table gone as select * from app.sales where ${this.row(pick)}`);
    this.sql(`insert into app.removed select k1, ${this.stamp(this.clock)}, ${cols} from gone`);
    const keys = this.shape.key === "composite" ? "k1, k2" : "k1";
    this.sql(`delete from app.sales where (${keys}) in (select ${keys} from gone)`);
  }

  /** Inserts again a key deleted before (in other partitions, maybe), if there is one. */
  reinsert(): void {
    this.clock += 1;
    const line = this.shape.key === "composite" ? ", 9" : "";
    const keys = this.shape.key === "composite" ? "k1, 9" : "k1";
    this.sql(`insert into app.sales select r.k1${line}, 1, 1, 1, 7, ${this.parts().join(", ")}, ${this.stamp(this.clock)}
      from (select distinct k1 from app.removed where (${keys}) not in (select ${this.shape.key === "composite" ? "k1, k2" : "k1"} from app.sales) order by 1 limit 1) r`);
  }

  /** Changes an untracked dimension, which has no stamp to find the change by. */
  changeDimension(pick: number): void {
    if (this.shape.dims === 2 && pick % 2 === 0)
      this.sql(`update app.stores set city = city || '+' where store_id = ${1 + (pick % 2)}`);
    else if (pick % 3 === 0)
      this.sql(
        `update app.products set cat = case cat when 'c1' then 'c2' else 'c1' end where product_id = 2`,
      );
    else this.sql(`update app.products set name = name || '+' where product_id = ${1 + (pick % 3)}`);
  }

  /** Changes the order header: a customer renamed, with its own stamp (only the header changes). */
  changeHeader(pick: number): void {
    this.clock += 1;
    const o = 1 + (pick % (this.nextOrder - 1));
    const set = this.rand() < 0.5 ? "customer = customer || '+'" : `region = ${this.region()}`;
    this.sql(`update app.orders set ${set}, updated_at = ${this.stamp(this.clock)} where order_id = ${o}`);
  }

  /**
   * Deletes an order header (its lines stay, joining nothing now), recorded when there is a deletes
   * table. Without one the models joining it carry no key of it, so they are rebuilt in full on
   * every build and must see the delete all the same.
   */
  removeOrder(pick: number): void {
    this.clock += 1;
    const o = 1 + (pick % (this.nextOrder - 1));
    if (this.shape.headerDeletes)
      this.sql(
        `insert into app.orders_removed select order_id, ${this.stamp(this.clock)} from app.orders where order_id = ${o}`,
      );
    this.sql(`delete from app.orders where order_id = ${o}`);
  }

  newOrder(): void {
    this.clock += 1;
    this.sql(
      `insert into app.orders values (${this.nextOrder++}, 'n', ${this.region()}, ${this.stamp(this.clock)})`,
    );
  }
}
