// A connection whose engine could not be reached: thrown where a plan asks an engine for a fact.
// `build` stops on it; `plan` (offline) turns the steps that needed the fact into undecided steps.

/** A connection whose engine could not be reached (or refused the session). */
export class UnreachableConnectionError extends Error {
  constructor(
    readonly connection: string,
    readonly reason: string,
  ) {
    super(`connection '${connection}' cannot be reached: ${reason}`);
    this.name = "UnreachableConnectionError";
  }
}
