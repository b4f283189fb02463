// How a run reports progress: live on a terminal (what runs, done/total, elapsed), plain lines
// when piped, JSON lines for machines. Every line passes through the secret redactor.
import logUpdate from "log-update";
import { type Colors, colours } from "./colours.js";

export { colours } from "./colours.js";
import type { StepReport } from "./execute-step.js";

export type LogFormat = "text" | "json";

export interface NodeEvent {
  node: string;
  action: string;
  index: number;
  total: number;
}

export interface Reporter {
  start(total: number, what: string): void;
  nodeStart(e: NodeEvent): void;
  nodeEnd(e: NodeEvent, report: StepReport, elapsedMs: number): void;
  info(message: string): void;
  /** The run's end; `exitCode` is the one the process exits with (JSON's `finish` carries it). */
  finish(summary: string, ok: boolean, exitCode: number): void;
}

export function createReporter(
  format: LogFormat,
  redact: (s: string) => string,
  stream: NodeJS.WriteStream = process.stdout,
): Reporter {
  if (format === "json") return new JsonReporter(redact, stream);
  return new TextReporter(redact, stream, Boolean(stream.isTTY) && !process.env["CI"], colours(stream));
}

/** The one word a step's result is reported by, whatever kind of node it is. */
export type ResultWord = "pass" | "warn" | "error" | "skip" | "unchanged" | "cancelled";

export const RESULT_WORDS: readonly ResultWord[] = [
  "pass",
  "warn",
  "error",
  "skip",
  "unchanged",
  "cancelled",
];

/**
 * A model that built and a test that passed both `pass`; an engine error and a failed
 * error-severity test both `error`; `skip` is only "not run because something upstream failed",
 * a step the plan found up to date is `unchanged`, and one a Ctrl-C or SIGTERM stopped or kept
 * from starting is `cancelled`.
 */
export function resultWord(action: string, status: StepReport["status"]): ResultWord {
  if (status === "cancelled" || status === "not_started") return "cancelled";
  if (status === "skipped") return "skip";
  if (action === "skip") return "unchanged";
  if (status === "warn") return "warn";
  if (status === "error" || status === "fail") return "error";
  return "pass";
}

/** Tallies results and keeps what failed or warned, for the recap at the end of a run. */
class Tally {
  readonly counts = new Map<ResultWord, number>(RESULT_WORDS.map((w) => [w, 0]));
  readonly notable: { word: ResultWord; node: string; firstLine: string }[] = [];

  add(node: string, word: ResultWord, message: string | undefined): void {
    this.counts.set(word, (this.counts.get(word) ?? 0) + 1);
    if (word === "error" || word === "warn")
      this.notable.push({ word, node, firstLine: (message ?? "").split("\n")[0]!.trim() });
  }

  totals(): Record<ResultWord | "total", number> {
    const out = Object.fromEntries(this.counts) as Record<ResultWord, number>;
    return { ...out, total: [...this.counts.values()].reduce((a, b) => a + b, 0) };
  }

  line(): string {
    const t = this.totals();
    // CANCELLED only in a run a signal stopped, so every other run's line reads as dbt's does.
    const shown = RESULT_WORDS.filter((w) => w !== "cancelled" || t[w] > 0);
    return `${shown.map((w) => `${w.toUpperCase()} ${t[w]}`).join(" ")} TOTAL ${t.total}`;
  }
}

const WORD_COLOUR: Record<ResultWord, "green" | "yellow" | "red" | "dim"> = {
  pass: "green",
  warn: "yellow",
  error: "red",
  skip: "yellow",
  unchanged: "dim",
  cancelled: "yellow",
};

class TextReporter implements Reporter {
  private readonly running = new Map<string, NodeEvent>();
  private done = 0;
  private total = 0;
  private startedAt = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private readonly tally = new Tally();

  constructor(
    private readonly redact: (s: string) => string,
    private readonly stream: NodeJS.WriteStream,
    private readonly live: boolean,
    private readonly pc: Colors,
  ) {}

  start(total: number, what: string): void {
    this.total = total;
    this.startedAt = Date.now();
    this.print(`Running ${what}: ${total} step${total === 1 ? "" : "s"}`);
    if (this.live) this.timer = setInterval(() => this.redraw(), 250).unref();
  }

  nodeStart(e: NodeEvent): void {
    this.running.set(e.node, e);
    if (!this.live) this.print(`${this.counter(e.index)} START ${e.action} ${e.node}`);
    this.redraw();
  }

  nodeEnd(e: NodeEvent, report: StepReport, elapsedMs: number): void {
    this.running.delete(e.node);
    this.done += 1;
    const word = resultWord(e.action, report.status);
    this.tally.add(e.node, word, report.message);
    const colour = this.pc[WORD_COLOUR[word]];
    const rows = report.rowsAffected != null ? ` ${report.rowsAffected} rows` : "";
    const parts = report.partitions?.length
      ? ` ${report.partitions.length} partition${report.partitions.length === 1 ? "" : "s"}`
      : "";
    const message = report.message ? ` — ${report.message}` : "";
    this.print(
      `${this.counter(e.index)} ${colour(word.toUpperCase().padEnd(9))} ${e.action}` +
        ` ${e.node}${rows}${parts} (${(elapsedMs / 1000).toFixed(2)}s)${message}`,
    );
    if (report.sample && report.sample.rows.length > 0) {
      this.print(`      ${report.sample.columns.join(" | ")}`);
      for (const row of report.sample.rows)
        this.print(`      ${row.map((v) => (v === null ? "NULL" : String(v))).join(" | ")}`);
    }
    this.redraw();
  }

  info(message: string): void {
    this.print(message);
  }

  finish(summary: string, ok: boolean): void {
    if (this.timer) clearInterval(this.timer);
    if (this.live) logUpdate.clear();
    const { notable } = this.tally;
    if (notable.length > 0) {
      const errors = notable.filter((n) => n.word === "error").length;
      const warnings = notable.length - errors;
      this.stream.write(
        `\n${this.redact(`Completed with ${plural(errors, "error")} and ${plural(warnings, "warning")}:`)}\n`,
      );
      for (const n of notable) {
        const colour = this.pc[WORD_COLOUR[n.word]];
        this.stream.write(
          `  ${colour(n.word.toUpperCase().padEnd(5))} ${this.redact(`${n.node}: ${n.firstLine}`)}\n`,
        );
      }
    }
    this.stream.write(
      `${(ok ? this.pc.green : this.pc.red)(this.redact(`${summary}. ${this.tally.line()}`))}\n`,
    );
  }

  private counter(index: number): string {
    return `${String(index).padStart(String(this.total).length)}/${this.total}`;
  }

  private print(line: string): void {
    if (this.live) logUpdate.clear();
    this.stream.write(`${this.redact(line)}\n`);
    this.redraw();
  }

  private redraw(): void {
    if (!this.live) return;
    const elapsed = ((Date.now() - this.startedAt) / 1000).toFixed(1);
    const names = [...this.running.keys()].slice(0, 3).join(", ");
    logUpdate(this.pc.dim(`[${this.done}/${this.total}] ${elapsed}s ${names ? `running ${names}` : ""}`));
  }
}

class JsonReporter implements Reporter {
  private readonly tally = new Tally();

  constructor(
    private readonly redact: (s: string) => string,
    private readonly stream: NodeJS.WriteStream,
  ) {}

  private emit(event: Record<string, unknown>): void {
    const json = JSON.stringify({ ts: new Date().toISOString(), ...event }, (_k, v: unknown) =>
      typeof v === "bigint" ? v.toString() : v,
    );
    this.stream.write(`${this.redact(json)}\n`);
  }

  start(total: number, what: string): void {
    this.emit({ event: "start", what, total });
  }

  nodeStart(e: NodeEvent): void {
    this.emit({ event: "node_start", ...e });
  }

  nodeEnd(e: NodeEvent, report: StepReport, elapsedMs: number): void {
    const status = resultWord(e.action, report.status);
    this.tally.add(e.node, status, report.message);
    this.emit({
      event: "node_end",
      ...e,
      status,
      elapsed_ms: elapsedMs,
      rows_affected: report.rowsAffected ?? null,
      failures: report.failures ?? null,
      message: report.message ?? null,
      ...(report.scope ? { scope: report.scope } : {}),
    });
  }

  info(message: string): void {
    this.emit({ event: "info", message });
  }

  finish(summary: string, ok: boolean, exitCode: number): void {
    this.emit({
      event: "finish",
      summary: `${summary}. ${this.tally.line()}`,
      ok,
      exit_code: exitCode,
      totals: this.tally.totals(),
    });
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
