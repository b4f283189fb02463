// The clock the example's data generator runs on in tests: a fixed "now", so the sales it writes
// (and so the months a build touches) are the same on any day, hour and time zone. SLUICE_TEST_CLOCK
// overrides it to run the suite at a chosen instant (a year end, a DST change day).

/** A wall-clock timestamp, 'YYYY-MM-DD HH:MM:SS', for the generator's `coolwear_now` var. */
export const TEST_CLOCK = process.env["SLUICE_TEST_CLOCK"] ?? "2026-06-15 10:00:00";

if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$/.test(TEST_CLOCK)) {
  throw new Error(`SLUICE_TEST_CLOCK must read 'YYYY-MM-DD HH:MM[:SS]', not '${TEST_CLOCK}'`);
}
