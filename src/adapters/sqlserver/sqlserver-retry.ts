// Which SQL Server failures are worth another try, and how long to wait before it.
// A retry must never apply a write twice, so the rules depend on what is known about the failed attempt.

/**
 * Server error numbers after which the failed work was rolled back in full, so running it again is safe
 * when the work owned its transaction (a batch with its own BEGIN/COMMIT, or a single statement).
 */
export const ROLLED_BACK_ERRORS: ReadonlySet<number> = new Set([
  1205, // chosen as deadlock victim
]);

/**
 * Server error numbers that mean the server or database is momentarily unavailable (failover, throttling,
 * a database starting up). They arrive at login or on a dropped connection, before any work ran.
 */
export const TRANSIENT_SERVER_ERRORS: ReadonlySet<number> = new Set([
  233, // no process on the other end of the pipe (connection dropped at login)
  4060, // cannot open database requested by the login (database starting or failing over)
  4221, // login to read-secondary failed, replica not ready
  10053, // transport-level error: connection aborted
  10054, // transport-level error: connection reset by peer
  10060, // network-related error: connection timed out
  10928, // resource limit reached (Azure SQL)
  10929, // minimum guarantee not available (Azure SQL)
  40143, // the service has encountered an error processing your request (Azure SQL)
  40197, // the service has encountered an error processing your request; retry (Azure SQL)
  40501, // the service is currently busy (Azure SQL)
  40613, // database is not currently available (Azure SQL failover)
  49918, // not enough resources to process request (Azure SQL)
  49919, // too many create or update operations in progress (Azure SQL)
  49920, // too many operations in progress (Azure SQL)
]);

/**
 * Driver error codes of a connection that could not be made or was found closed before the request went
 * out. Only retried when raised as a `ConnectionError` (nothing was sent), or for reads. Login failures
 * (ELOGIN) are not here: a wrong password stays wrong, and tedious itself retries the transient ones
 * (4060, 40613, ...) during login.
 */
export const TRANSIENT_DRIVER_CODES: ReadonlySet<string> = new Set([
  "ESOCKET",
  "ECONNCLOSED",
  "ECONNRESET",
  "ETIMEOUT",
]);

interface DriverError {
  name?: string;
  code?: string;
  number?: number;
  info?: { number?: number };
  originalError?: DriverError & { errors?: DriverError[] };
  precedingErrors?: DriverError[];
}

/** Every server error number carried by a driver error, including wrapped and preceding ones. */
export function errorNumbers(error: unknown): number[] {
  const numbers: number[] = [];
  const visit = (e: DriverError | undefined, depth: number): void => {
    if (!e || depth > 4) return;
    if (typeof e.number === "number") numbers.push(e.number);
    else if (typeof e.info?.number === "number") numbers.push(e.info.number);
    visit(e.originalError, depth + 1);
    for (const inner of e.originalError?.errors ?? []) visit(inner, depth + 1);
    for (const inner of e.precedingErrors ?? []) visit(inner, depth + 1);
  };
  visit(error as DriverError, 0);
  return numbers;
}

export type WorkKind = "read" | "write";

export interface RetryContext {
  /** Whether the work runs inside a transaction the caller opened (then only the caller can retry). */
  inTransaction: boolean;
  kind: WorkKind;
}

/** Decides whether `error` may be retried under the rules above. */
export function isRetryable(error: unknown, ctx: RetryContext): boolean {
  if (ctx.inTransaction) return false;
  const e = error as DriverError;
  const numbers = errorNumbers(error);
  if (numbers.some((n) => ROLLED_BACK_ERRORS.has(n))) return true;
  const connectionFailure = e?.name === "ConnectionError";
  if (
    connectionFailure &&
    (TRANSIENT_DRIVER_CODES.has(e.code ?? "") || numbers.some((n) => TRANSIENT_SERVER_ERRORS.has(n)))
  )
    return true;
  // A read that failed on the wire can simply be read again; a write's outcome would be unknown.
  return (
    ctx.kind === "read" &&
    (TRANSIENT_DRIVER_CODES.has(e?.code ?? "") || numbers.some((n) => TRANSIENT_SERVER_ERRORS.has(n)))
  );
}

/** Exponential backoff with full jitter: a random wait in [0, base * 2^attempt], capped. */
export function backoffMs(
  attempt: number,
  baseMs: number,
  capMs = 10_000,
  random: () => number = Math.random,
): number {
  return Math.round(Math.min(capMs, baseMs * 2 ** attempt) * random());
}

export interface RetryPolicy {
  maxRetries: number;
  baseDelayMs: number;
}

/** Runs `work`, retrying retryable failures up to `policy.maxRetries` times with backoff. */
export async function withRetry<T>(
  policy: RetryPolicy,
  ctx: RetryContext,
  work: () => Promise<T>,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= policy.maxRetries || !isRetryable(error, ctx)) throw error;
      await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt, policy.baseDelayMs)));
    }
  }
}
