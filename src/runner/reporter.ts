// How a run reports progress: live on a terminal (what runs, done/total, elapsed), plain lines
// when piped, JSON lines for machines. Every line passes through the secret redactor.
import logUpdate from "log-update";
import pc from "picocolors";
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
  finish(summary: string, ok: boolean): void;
}

export function createReporter(format: LogFormat, redact: (s: string) => string, stream: NodeJS.WriteStream = process.stdout): Reporter {
  if (format === "json") return new JsonReporter(redact, stream);
  return new TextReporter(redact, stream, Boolean(stream.isTTY) && !process.env["CI"]);
}

const STATUS_COLOUR: Record<string, (s: string) => string> = {
  success: pc.green,
  pass: pc.green,
  warn: pc.yellow,
  skipped: pc.yellow,
  error: pc.red,
  fail: pc.red,
};

class TextReporter implements Reporter {
  private readonly running = new Map<string, NodeEvent>();
  private done = 0;
  private total = 0;
  private startedAt = Date.now();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redact: (s: string) => string,
    private readonly stream: NodeJS.WriteStream,
    private readonly live: boolean,
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
    const colour = STATUS_COLOUR[report.status] ?? ((s: string) => s);
    const rows = report.rowsAffected != null ? ` ${report.rowsAffected} rows` : "";
    const parts = report.partitions?.length ? ` ${report.partitions.length} partition${report.partitions.length === 1 ? "" : "s"}` : "";
    const message = report.message ? ` — ${report.message}` : "";
    this.print(`${this.counter(e.index)} ${colour(report.status.toUpperCase().padEnd(7))} ${e.action} ${e.node}${rows}${parts} (${(elapsedMs / 1000).toFixed(2)}s)${message}`);
    if (report.sample && report.sample.rows.length > 0) {
      this.print(`      ${report.sample.columns.join(" | ")}`);
      for (const row of report.sample.rows) this.print(`      ${row.map((v) => (v === null ? "NULL" : String(v))).join(" | ")}`);
    }
    this.redraw();
  }

  info(message: string): void {
    this.print(message);
  }

  finish(summary: string, ok: boolean): void {
    if (this.timer) clearInterval(this.timer);
    if (this.live) logUpdate.clear();
    this.stream.write(`${ok ? pc.green(summary) : pc.red(summary)}\n`);
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
    logUpdate(pc.dim(`[${this.done}/${this.total}] ${elapsed}s ${names ? `running ${names}` : ""}`));
  }
}

class JsonReporter implements Reporter {
  constructor(
    private readonly redact: (s: string) => string,
    private readonly stream: NodeJS.WriteStream,
  ) {}

  private emit(event: Record<string, unknown>): void {
    this.stream.write(`${this.redact(JSON.stringify({ ts: new Date().toISOString(), ...event }, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)))}\n`);
  }

  start(total: number, what: string): void {
    this.emit({ event: "start", what, total });
  }

  nodeStart(e: NodeEvent): void {
    this.emit({ event: "node_start", ...e });
  }

  nodeEnd(e: NodeEvent, report: StepReport, elapsedMs: number): void {
    this.emit({ event: "node_end", ...e, status: report.status, elapsed_ms: elapsedMs, rows_affected: report.rowsAffected ?? null, failures: report.failures ?? null, message: report.message ?? null, ...(report.scope ? { scope: report.scope } : {}) });
  }

  info(message: string): void {
    this.emit({ event: "info", message });
  }

  finish(summary: string, ok: boolean): void {
    this.emit({ event: "finish", summary, ok });
  }
}
