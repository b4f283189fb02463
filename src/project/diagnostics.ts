// Problems found in a project, collected rather than thrown one at a time, each with the file,
// line and column it comes from and a hint saying what to do next.

export interface Diagnostic {
  severity: "error" | "warning";
  /** Path relative to the project directory. */
  file: string;
  line: number;
  column: number;
  message: string;
  hint?: string;
}

/** `models/marts/sales.sql:12:5 error: ref('x') not found; did you mean 'y'?` */
export function formatDiagnostic(d: Diagnostic): string {
  const where = `${d.file}:${d.line}:${d.column}`;
  return `${where} ${d.severity}: ${d.message}${d.hint ? `; ${d.hint}` : ""}`;
}

/** Thrown when a step cannot go on; carries every problem found so far. */
export class ProjectError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join("\n"));
    this.name = "ProjectError";
  }
}

/** Collects diagnostics over one pass. */
export class Diagnostics {
  readonly items: Diagnostic[] = [];

  error(file: string, line: number, column: number, message: string, hint?: string): void {
    this.items.push({ severity: "error", file, line, column, message, hint });
  }

  warn(file: string, line: number, column: number, message: string, hint?: string): void {
    this.items.push({ severity: "warning", file, line, column, message, hint });
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === "error");
  }

  /** Throws a ProjectError holding every error collected, if there is any. */
  throwIfErrors(): void {
    if (this.hasErrors) throw new ProjectError(this.items.filter((d) => d.severity === "error"));
  }
}

/** The candidate nearest to `name` by edit distance, if it is close enough to be a likely typo. */
export function nearest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** "did you mean 'x'?" when a near name exists. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const n = nearest(name, candidates);
  return n === undefined ? undefined : `did you mean '${n}'?`;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}
