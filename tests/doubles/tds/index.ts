// The TDS protocol test double that the real `mssql` driver talks to in wire tests.
export {
  TdsTestDouble,
  type RecordedEvent,
  type Reply,
  type ResultSet,
  type LoginRecord,
} from "./tds-test-double.js";
export type { ScriptedColumn, ScriptedType } from "./tds-types.js";
export type { ScriptedError } from "./tds-tokens.js";
