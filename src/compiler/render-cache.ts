// Rendered SQL kept from the previous compile, so that a compile with nothing changed renders
// nothing. An entry's key hashes everything the render reads: the model's template text; every
// macro of the project (a macro can be reached through adapter.dispatch or a name built at render
// time, so all of them count, not only the ones a scan finds); vars; the names env_var() refuses
// as secrets; the relation each ref() and source() names; this; target; the config config.get()
// reads; the variants rendered; and sluice's own version. The environment variables a render read
// (run_started_at and invocation_id among them) are stored with it and compared on every use, so a
// changed, newly set or removed one renders the model again.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Project } from "../project/load.js";
import { SLUICE_VERSION } from "../version.js";
import { JINJA_COMPAT_VERSION } from "./jinja-compat.js";
import type { RenderContext, RenderJob, RenderOutput } from "./render-pool.js";

type Entry = NonNullable<RenderOutput>;

/** Bumped when what an entry holds or how keys are made changes; older files are ignored. */
const FORMAT = 1;

export class RenderCache {
  private readonly next = new Map<string, Entry>();
  private changed = false;

  private constructor(
    private readonly file: string | undefined,
    private readonly previous: Map<string, Entry>,
  ) {}

  /** The cache in `file`; empty when the file is missing, unreadable or of another format. */
  static open(file: string | undefined): RenderCache {
    return new RenderCache(file, readEntries(file));
  }

  /** Entries the previous compile left. */
  get size(): number {
    return this.previous.size;
  }

  /**
   * The SQL of each variant stored under `key`, if every environment variable it read still has its value.
   */
  get(key: string, env: Record<string, string | undefined>): string[] | undefined {
    const entry = this.previous.get(key);
    if (!entry) return undefined;
    for (const [name, value] of Object.entries(entry.env))
      if ((env[name] ?? null) !== value) return undefined;
    this.next.set(key, entry);
    return entry.sql;
  }

  set(key: string, entry: Entry): void {
    this.next.set(key, entry);
    this.changed = true;
  }

  /**
   * Writes the entries this compile used or made (so the file holds one project's renders, not
   * every render ever made); nothing when they are the ones read. Written whole, then renamed.
   */
  save(): void {
    if (!this.file || (!this.changed && this.next.size === this.previous.size)) return;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const temp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(temp, JSON.stringify({ format: FORMAT, entries: Object.fromEntries(this.next) }));
      renameSync(temp, this.file);
    } catch {
      // A cache that cannot be written (a read-only checkout) only costs the next compile its renders.
    }
  }
}

/** What every render of one compile reads alike, hashed once (see the file's first comment). */
export function sharedRenderInputs(project: Project, context: RenderContext): string {
  return digest(
    JSON.stringify({
      sluice: SLUICE_VERSION,
      jinja: JINJA_COMPAT_VERSION,
      vars: context.vars,
      secretEnv: context.secretEnv,
      macros: project.macros.map((m) => [m.path, m.package ?? null, m.text]),
      dbt: project.dbt ? { name: project.dbt.projectName, dispatch: project.dbt.dispatch } : null,
    }),
  );
}

/** The key of one model's render: the shared inputs, its template text and its job (less the code). */
export function renderKey(shared: string, text: string, job: RenderJob): string {
  const { code: _code, ...reads } = job;
  return digest(JSON.stringify([shared, text, reads]));
}

// The full SHA-256: a collision would serve another model's SQL.
function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function readEntries(file: string | undefined): Map<string, Entry> {
  if (!file || !existsSync(file)) return new Map();
  try {
    const data = JSON.parse(readFileSync(file, "utf8")) as {
      format?: number;
      entries?: Record<string, Entry>;
    };
    return data.format === FORMAT && data.entries ? new Map(Object.entries(data.entries)) : new Map();
  } catch {
    // A cache that cannot be read is rebuilt.
    return new Map();
  }
}
