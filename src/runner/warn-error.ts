// dbt's --warn-error and --warn-error-options: which warnings a run turns into errors. dbt names
// each warning by its event; sluice raises two of them: LogTestResult (a test past its warn_if,
// which then fails, as dbt's test runner decides) and NoNodesForSelectionCriteria (a selector that
// matches nothing, which then stops the run before anything is built). Other event names are
// accepted and have no effect, since sluice never raises those warnings.

/** The events sluice raises, under dbt's names. */
export const WARNING_EVENTS = ["LogTestResult", "NoNodesForSelectionCriteria"] as const;

export interface WarnErrorPolicy {
  /** True when a warning of `event` is an error in this run. */
  errors(event: string): boolean;
  /** True when a warning of `event` is not shown at all (`silence:`). */
  silenced(event: string): boolean;
}

export const NO_WARN_ERROR: WarnErrorPolicy = { errors: () => false, silenced: () => false };

export class WarnErrorOptionsError extends Error {}

/**
 * The policy of `--warn-error` (every warning an error) and `--warn-error-options` (a map read as
 * dbt reads it: `error` or its older name `include` is `all`/`*` or a list of event names; `warn`
 * or `exclude` lists the names kept as warnings under `all`; `silence` lists names not shown).
 */
export function warnErrorPolicy(
  warnError: boolean,
  options: Record<string, unknown> | undefined,
): WarnErrorPolicy {
  if (warnError) return { errors: () => true, silenced: () => false };
  if (!options) return NO_WARN_ERROR;
  const names = (key: string): string[] | "all" | undefined => {
    const v = options[key];
    if (v === undefined || v === null) return undefined;
    if (v === "all" || v === "*") return "all";
    if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v;
    throw new WarnErrorOptionsError(
      `--warn-error-options: '${key}' must be 'all', '*' or a list of event names, got ${JSON.stringify(v)}`,
    );
  };
  for (const key of Object.keys(options))
    if (!["error", "include", "warn", "exclude", "silence"].includes(key))
      throw new WarnErrorOptionsError(
        `--warn-error-options: unknown key '${key}'; use error (or include), warn (or exclude) and silence`,
      );
  if (options["error"] !== undefined && options["include"] !== undefined)
    throw new WarnErrorOptionsError("--warn-error-options: give error or include, not both");
  if (options["warn"] !== undefined && options["exclude"] !== undefined)
    throw new WarnErrorOptionsError("--warn-error-options: give warn or exclude, not both");
  const error = names("error") ?? names("include") ?? [];
  const warn = names("warn") ?? names("exclude") ?? [];
  const silence = names("silence") ?? [];
  if (warn === "all" || silence === "all")
    throw new WarnErrorOptionsError("--warn-error-options: warn and silence take a list of event names");
  return {
    errors: (event) => (error === "all" ? !warn.includes(event) : error.includes(event)),
    silenced: (event) => silence.includes(event),
  };
}
