// How the `sluice` process ends: with the exit code main() settles on. Node exits 0 when its event
// loop empties, even while a promise is still pending; a command whose work waits on something
// that will never happen (a driver callback that never comes) would then look like a success to
// cron or Airflow. The guard makes that case a failure that says so.

/** Runs `main` and sets the process's exit code from it; see the file comment for the guard. */
export function runToExit(main: () => Promise<number>): void {
  let settled = false;
  process.once("beforeExit", () => {
    if (settled) return;
    settled = true;
    process.stderr.write(
      "error: sluice stopped before its command finished: nothing was left running that could finish it " +
        "(a bug in sluice or a driver; run it again, and report " +
        "it with the command and --log-format json output)\n",
    );
    process.exitCode = 1;
  });
  main().then(
    (code) => {
      settled = true;
      process.exitCode = code;
    },
    (e: unknown) => {
      settled = true;
      process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
