// Whether a stream gets colours. Apart from the reporter, so that the CLI's error path needs no
// live display (log-update) loaded to print in red.
import pc from "picocolors";

export type Colors = ReturnType<typeof pc.createColors>;

/**
 * Colours for a stream: on for a terminal, off when piped (also under CI, where picocolors alone
 * would turn them on), `FORCE_COLOR` (not `0`) forces them and `NO_COLOR` turns them off.
 */
export function colours(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Colors {
  const force = env["FORCE_COLOR"];
  if (env["NO_COLOR"] !== undefined && env["NO_COLOR"] !== "") return pc.createColors(false);
  if (force !== undefined) return pc.createColors(force !== "0" && force !== "false");
  return pc.createColors(Boolean(stream.isTTY));
}
