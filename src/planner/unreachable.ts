// A connection whose engine could not be reached: thrown where a plan asks an engine for a fact.
// `build` stops on it; `plan` (offline) turns the steps that needed the fact into undecided steps.

/** A connection whose engine could not be reached (or refused the session). */
export class UnreachableConnectionError extends Error {
  constructor(
    readonly connection: string,
    readonly reason: string,
    /** Where it points, e.g. "hive: host=…, port=10000, user=etl" (project/endpoint.ts). */
    where?: string,
    options?: ErrorOptions,
  ) {
    super(`connection '${connection}'${where ? ` (${where})` : ""} cannot be reached: ${reason}`, options);
    this.name = "UnreachableConnectionError";
  }
}
