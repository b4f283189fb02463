// What SQL Server can do, as declared constants the adapter reads through the contract.
import type { Capabilities } from "../contract.js";

export const SQL_SERVER_CAPABILITIES: Capabilities = {
  /** sysname is NVARCHAR(128): longer identifiers are refused by the server. */
  maxIdentifierLength: 128,
};

/** DECIMAL/NUMERIC precision tops out at 38 digits. */
export const SQL_SERVER_MAX_DECIMAL_PRECISION = 38;

/** NVARCHAR(n) allows n up to 4000; anything longer is NVARCHAR(MAX). */
export const SQL_SERVER_MAX_NVARCHAR_LENGTH = 4000;

/**
 * Decimals up to this precision survive tedious' conversion to a JS number exactly (every decimal of
 * at most 15 significant digits round-trips through an IEEE double); wider ones are read as text.
 */
export const EXACT_NUMBER_DECIMAL_PRECISION = 15;
