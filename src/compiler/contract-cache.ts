// The incremental contract's reading of each lineage model's SQL (see incremental-contract.ts),
// kept from the previous compile in target/cache/contracts.json under a SHA-256 of everything the
// reading looks at: the model's compiled and raw SQL, path, name and config, the engine, the
// source it reads (relation, change tracking, columns) and sluice's version. With nothing changed
// a compile neither loads node-sql-parser (a few MB of JavaScript) nor parses any SQL.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { SLUICE_VERSION } from "../version.js";

/** Bumped when what an entry holds changes; older files are ignored. */
const FORMAT = 1;

export class ContractCache<T> {
  private readonly next = new Map<string, T>();
  private changed = false;

  private constructor(
    private readonly file: string,
    private readonly previous: Map<string, T>,
  ) {}

  /** The cache in `file`; empty when the file is missing, unreadable or of another format. */
  static open<T>(file: string): ContractCache<T> {
    return new ContractCache<T>(file, readEntries<T>(file));
  }

  /** The key of a reading of `inputs` (JSON values). */
  static key(inputs: unknown): string {
    return createHash("sha256")
      .update(JSON.stringify([SLUICE_VERSION, inputs]))
      .digest("hex");
  }

  get(key: string): T | undefined {
    const entry = this.previous.get(key);
    if (entry !== undefined) this.next.set(key, entry);
    return entry;
  }

  set(key: string, value: T): void {
    this.next.set(key, value);
    this.changed = true;
  }

  /** Writes the entries this compile used or made; nothing when they are the ones read. */
  save(): void {
    if (!this.changed && this.next.size === this.previous.size) return;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const temp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(temp, JSON.stringify({ format: FORMAT, entries: Object.fromEntries(this.next) }));
      renameSync(temp, this.file);
    } catch {
      // A cache that cannot be written (a read-only checkout) only costs the next compile a parse.
    }
  }
}

function readEntries<T>(file: string): Map<string, T> {
  if (!existsSync(file)) return new Map();
  try {
    const data = JSON.parse(readFileSync(file, "utf8")) as { format?: number; entries?: Record<string, T> };
    return data.format === FORMAT && data.entries ? new Map(Object.entries(data.entries)) : new Map();
  } catch {
    // A cache that cannot be read is rebuilt.
    return new Map();
  }
}
