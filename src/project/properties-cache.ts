// Property YAML files as the previous load parsed and checked them, so a compile with nothing
// changed does not parse them again (YAML was most of a no-change compile's time). An entry is keyed
// by a hash of the file's path and text, everything else its reading depends on (the dbt test
// defaults of its folder), and the versions of sluice and Node; it keeps the value and the warnings
// the reading gave, which a cached read reports again. Files that had errors are never cached.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { deserialize, serialize } from "node:v8";
import { SLUICE_VERSION } from "../version.js";
import type { Diagnostic, Diagnostics } from "./diagnostics.js";

interface Entry {
  content: unknown;
  warnings: Diagnostic[];
}

/** Bumped when what an entry holds changes; older files are ignored. */
const FORMAT = 2;

/** Each entry is kept serialized, so a value the caller changes later is never what gets saved. */
export class PropertiesCache {
  private readonly next = new Map<string, Uint8Array>();
  private changed = false;

  private constructor(
    private readonly file: string,
    private readonly previous: Map<string, Uint8Array>,
  ) {}

  /** The cache in `file`; empty when the file is missing, unreadable or of another format. */
  static open(file: string): PropertiesCache {
    return new PropertiesCache(file, readEntries(file));
  }

  /**
   * The value `parse` gives for `text`, from the cache when the same inputs were read before.
   * v8's serializer keeps what JSON would not (Infinity, NaN, undefined).
   */
  read<T>(
    inputs: { path: string; text: string; context: unknown },
    parse: () => T | undefined,
    diagnostics: Diagnostics,
  ): T | undefined {
    const key = createHash("sha256")
      .update(JSON.stringify([SLUICE_VERSION, process.version, inputs.path, inputs.context, inputs.text]))
      .digest("hex");
    const cached = this.previous.get(key);
    if (cached) {
      this.next.set(key, cached);
      const entry = deserialize(cached) as Entry;
      diagnostics.items.push(...entry.warnings);
      return entry.content as T;
    }
    const before = diagnostics.items.length;
    const content = parse();
    const reported = diagnostics.items.slice(before);
    if (content !== undefined && reported.every((d) => d.severity === "warning")) {
      this.next.set(key, serialize({ content, warnings: reported } satisfies Entry));
      this.changed = true;
    }
    return content;
  }

  /**
   * Writes the entries this load used or made; nothing when they are the ones read. A cache that
   * cannot be written (a read-only checkout) is left as it is: it only saves time.
   */
  save(): void {
    if (!this.changed && this.next.size === this.previous.size) return;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const temp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(temp, serialize({ format: FORMAT, entries: this.next }));
      renameSync(temp, this.file);
    } catch {
      // Only time is lost: the next load parses again.
    }
  }
}

function readEntries(file: string): Map<string, Uint8Array> {
  if (!existsSync(file)) return new Map();
  try {
    const data = deserialize(readFileSync(file)) as { format?: number; entries?: Map<string, Uint8Array> };
    return data.format === FORMAT && data.entries instanceof Map ? data.entries : new Map();
  } catch {
    // A cache that cannot be read is rebuilt.
    return new Map();
  }
}
