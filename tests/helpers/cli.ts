// Runs the real `sluice` binary (bin/sluice.js over dist/) the way a user does.
import { execFile, spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "./temp-project.js";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function sluice(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): CliResult {
  const result = spawnSync(process.execPath, [join(REPO_ROOT, "bin/sluice.js"), ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, CI: "true", NO_COLOR: "1", ...options.env },
    encoding: "utf8",
    timeout: 120_000,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Like `sluice`, without blocking the test process while it runs (for suites of many runs). */
export function sluiceAsync(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(REPO_ROOT, "bin/sluice.js"), ...args],
      {
        cwd: options.cwd ?? REPO_ROOT,
        env: { ...process.env, CI: "true", NO_COLOR: "1", ...options.env },
        encoding: "utf8",
        timeout: 120_000,
      },
      (error, stdout, stderr) =>
        done({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}
