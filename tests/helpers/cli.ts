// Runs the real `sluice` binary (bin/sluice.js over dist/) the way a user does.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "./temp-project.js";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function sluice(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): CliResult {
  const result = spawnSync(process.execPath, [join(REPO_ROOT, "bin/sluice.js"), ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, CI: "true", NO_COLOR: "1", ...options.env },
    encoding: "utf8",
    timeout: 120_000,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
