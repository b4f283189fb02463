// The last guard for secrets: once a project's secrets are known, everything this process writes to
// stdout and stderr passes through their redactor, so an engine's or driver's error message that
// quotes a credential (in any command, through any code path) prints `****` instead.
import type { Secrets } from "../project/secrets.js";

type Write = typeof process.stdout.write;

const guarded = new WeakSet<NodeJS.WriteStream>();

export function redactProcessOutput(secrets: Secrets): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (guarded.has(stream)) continue;
    guarded.add(stream);
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const text =
        typeof chunk === "string"
          ? chunk
          : chunk instanceof Uint8Array
            ? Buffer.from(chunk).toString("utf8")
            : undefined;
      return write(text === undefined ? chunk : secrets.redact(text), ...rest);
    }) as Write;
  }
}
