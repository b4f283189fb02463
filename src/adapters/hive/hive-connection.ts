// Sessions on a HiveServer2 endpoint (Hive or Spark Thrift Server) over hive-driver: connect with a
// deadline, run statements asynchronously and poll their status with backoff, and read result sets
// page by page from the raw Thrift columns so BIGINT and DECIMAL keep every digit.
import hive from "hive-driver";
import { batchFromRows, batchRows } from "../batch.js";
import type { Column, Row, RowBatch, Session, WriteResult, CellValue } from "../contract.js";
import type { HiveConnection } from "../../project/connection-schema.js";
import { hiveDialect } from "./hive-dialect.js";

const { TCLIService, TCLIService_types: T } = hive.thrift as {
  TCLIService: object;
  TCLIService_types: ThriftTypes;
};

/** The parts of the generated Thrift types this module reads. */
interface ThriftTypes {
  TTypeId: Record<string, number>;
  TOperationState: Record<string, number>;
  TProtocolVersion: Record<string, number>;
  [key: string]: unknown;
}

/** Structural views of the hive-driver objects used here; the driver's own typings are loose. */
interface DriverStatus {
  errorMessage?: string | null;
  sqlState?: string | null;
}
interface DriverOperationStatus {
  status: DriverStatus;
  operationState?: number | null;
  errorMessage?: string | null;
  sqlState?: string | null;
}
interface ThriftValues<V> {
  values: V[];
  nulls: Buffer;
}
interface ThriftColumn {
  boolVal?: ThriftValues<boolean> | null;
  byteVal?: ThriftValues<number> | null;
  i16Val?: ThriftValues<number> | null;
  i32Val?: ThriftValues<number> | null;
  i64Val?: ThriftValues<{ buffer: Buffer; offset: number }> | null;
  doubleVal?: ThriftValues<number> | null;
  stringVal?: ThriftValues<string> | null;
  binaryVal?: ThriftValues<Buffer> | null;
}
interface ThriftColumnDesc {
  columnName: string;
  position: number;
  typeDesc: {
    types: Array<{
      primitiveEntry?: {
        type: number;
        typeQualifiers?: {
          qualifiers?: Record<string, { i32Value?: number | null; stringValue?: string | null }>;
        } | null;
      } | null;
    }>;
  };
}
interface DriverOperation {
  status(progress: boolean): Promise<DriverOperationStatus>;
  fetch(): Promise<unknown>;
  hasMoreRows(): boolean;
  setMaxRows(rows: number): void;
  getSchema(): { columns: ThriftColumnDesc[] } | null;
  getData(): Array<{ columns?: ThriftColumn[] | null }>;
  flush(): void;
  cancel(): Promise<unknown>;
  close(): Promise<unknown>;
}
interface DriverSession {
  executeStatement(
    sql: string,
    options: { runAsync: boolean; confOverlay?: Record<string, string> },
  ): Promise<DriverOperation>;
  close(): Promise<unknown>;
}
interface DriverTransport {
  getTransport(): { destroy?: () => void } | undefined;
}
interface DriverAuth {
  authenticate(transport: DriverTransport): Promise<DriverTransport>;
}

/** Settings every sluice session needs: dynamic partition inserts into fresh tables. */
const REQUIRED_SESSION_CONF: Readonly<Record<string, string>> = {
  "hive.exec.dynamic.partition": "true",
  "hive.exec.dynamic.partition.mode": "nonstrict",
  // Timestamps travel as UTC instants; literals and results are read in the session's zone.
  "spark.sql.session.timeZone": "UTC",
  // Dates and timestamps are proleptic Gregorian everywhere else sluice runs; without these, Spark
  // refuses to write dates before 1582 to Parquet (or would shift them as legacy Hive did).
  "spark.sql.parquet.datetimeRebaseModeInWrite": "CORRECTED",
  "spark.sql.parquet.datetimeRebaseModeInRead": "CORRECTED",
  "spark.sql.parquet.int96RebaseModeInWrite": "CORRECTED",
  "spark.sql.parquet.int96RebaseModeInRead": "CORRECTED",
};

/** Poll delays for operation status: start fast for quick DDL, back off for long jobs. */
const POLL_FIRST_MS = 25;
const POLL_MAX_MS = 1000;
const POLL_FACTOR = 1.6;

export class HiveConnectionError extends Error {
  override readonly name = "HiveConnectionError";
}

export class HiveQueryError extends Error {
  override readonly name = "HiveQueryError";
  constructor(
    message: string,
    readonly sql: string,
    readonly sqlState: string | undefined,
  ) {
    super(message);
  }
}

/**
 * Opens one HiveServer2 session on its own connection. Connecting and opening the session share
 * one deadline (`connect_timeout_ms`): a server that speaks another auth mode often just waits for
 * bytes that never come, and this turns that hang into an error naming the likely cause. A server
 * in another mode that does answer fails at once, with a hint at the setting to change.
 */
export async function openHiveSession(
  config: HiveConnection,
  onClose?: (session: HiveSession) => void,
): Promise<HiveSession> {
  const client = new hive.HiveClient(TCLIService, T as never);
  let transport: DriverTransport | undefined;
  const auth = authenticationFor(config);
  const capturingAuth: DriverAuth = {
    authenticate(t) {
      transport = t;
      return auth.authenticate(t);
    },
  };
  const where =
    config.transport === "http"
      ? `http ${config.host}:${config.port}${httpPathOf(config)} (auth ${config.auth})`
      : `binary ${config.host}:${config.port} (auth ${config.auth})`;
  // Hints name a mode mismatch, which only the opening exchange can reveal; later losses are plain.
  let opening = true;
  const failure = (text: string) =>
    new HiveConnectionError(opening ? `${text}.${mismatchHint(config, text)}` : text);

  let lost: ((error: Error) => void) | undefined;
  const lostPromise = new Promise<never>((_, reject) => {
    lost = reject;
  });
  lostPromise.catch(() => undefined);
  client.on("error", (error: Error) =>
    lost?.(failure(`connection to ${where} failed: ${firstLineOf(error.message)}`)),
  );
  client.on("close", () => lost?.(failure(`connection to ${where} was closed by the server`)));

  const start = async (): Promise<DriverSession> => {
    const connection =
      config.transport === "http"
        ? new hive.connections.HttpConnection()
        : new hive.connections.TcpConnection();
    await client.connect(
      {
        host: config.host,
        port: config.port,
        options: {
          connect_timeout: config.connect_timeout_ms,
          ...(config.transport === "http" ? { path: httpPathOf(config) } : {}),
        },
      },
      connection,
      capturingAuth as never,
    );
    // No "use:database": opening a session on a database that does not exist yet fails, and the
    // adapter creates the database itself (ensureSchema). Relations are always fully qualified.
    const configuration: Record<string, string> = {};
    for (const [key, value] of Object.entries({ ...REQUIRED_SESSION_CONF, ...config.session_conf })) {
      configuration[`set:hiveconf:${key}`] = String(value);
    }
    const session = await client.openSession({
      client_protocol: T.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V8 ?? 7,
      ...(config.user !== undefined ? { username: config.user } : {}),
      ...(config.password !== undefined ? { password: config.password } : {}),
      configuration,
    });
    return session as unknown as DriverSession;
  };

  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new HiveConnectionError(
          `no HiveServer2 session from ${where} within ${config.connect_timeout_ms} ms. ` +
            (config.transport === "binary" && config.auth !== "nosasl"
              ? `A server with hive.server2.authentication=NOSASL ` +
                `waits silently for a login it does not expect: ` +
                `if it runs NOSASL, set auth: nosasl.`
              : `Check that the server runs there and that its hive.server2.authentication ` +
                `(NOSASL vs NONE/LDAP = plain) and transport mode match the profile's auth and transport.`),
        ),
      );
    }, config.connect_timeout_ms);
  });
  try {
    const session = await Promise.race([start(), deadline, lostPromise]);
    opening = false;
    const opened: HiveSession = new HiveSession(
      session,
      config,
      () => {
        client.close();
        onClose?.(opened);
      },
      lostPromise,
    );
    return opened;
  } catch (error) {
    transport?.getTransport()?.destroy?.();
    client.close();
    if (error instanceof HiveConnectionError) throw error;
    throw failure(`could not open a session on ${where}: ${firstLineOf(messageOf(error))}`);
  } finally {
    clearTimeout(timer);
  }
}

function httpPathOf(config: HiveConnection): string {
  return `/${config.http_path.replace(/^\/+/, "")}`;
}

/**
 * The setting a failed opening most likely got wrong, read from how the server answered. A server
 * in another transport or auth mode answers in recognisable ways (a Jetty error page, a dropped
 * socket), and the driver's own words for them ("socket hang up") do not say what to change.
 */
export function mismatchHint(config: HiveConnection, message: string): string {
  if (/ECONNREFUSED/.test(message))
    return " Nothing listens there: check host and port, and that the server runs.";
  if (config.transport === "binary") {
    if (/HTTP\/|Jetty|\b\d\.\d [45]\d\d\b/.test(message)) {
      return (
        " The server answered in HTTP: it runs " +
        "hive.server2.transport.mode=http; set transport: http (and http_path)."
      );
    }
    if (config.auth === "nosasl" && /closed by the server/.test(message)) {
      return (
        " A server closes a connection that opens without a login when it expects one: if it runs " +
        "hive.server2.authentication=NONE (or LDAP), set auth: none (or plain) with user and password; " +
        "if it runs hive.server2.transport.mode=http, set transport: http."
      );
    }
    return "";
  }
  if (/Parse Error|socket hang up|ECONNRESET/.test(message)) {
    return (
      " The server does not answer HTTP there: it likely runs " +
      "hive.server2.transport.mode=binary; set transport: binary."
    );
  }
  if (/status code: 40[45]\b/.test(message)) {
    return (
      ` No HiveServer2 at ${httpPathOf(config)}: set http_path to the ` +
      `server's hive.server2.thrift.http.path (usually cliservice).`
    );
  }
  if (/status code: 40[13]\b/.test(message)) return " The server refused the login: check user and password.";
  return "";
}

function firstLineOf(text: string): string {
  return text.split("\n", 1)[0]?.trim() ?? text;
}

function authenticationFor(config: HiveConnection): DriverAuth {
  const credentials = { username: config.user ?? "anonymous", password: config.password ?? "anonymous" };
  // Over HTTP every auth mode sends a Basic login: HiveServer2's servlet takes the user name from it
  // even under NOSASL, and refuses a request without one.
  if (config.transport === "http")
    return new hive.auth.PlainHttpAuthentication(credentials) as unknown as DriverAuth;
  if (config.auth === "nosasl") return new hive.auth.NoSaslAuthentication() as unknown as DriverAuth;
  // `none` is HiveServer2's NONE mode: SASL PLAIN whose password is not checked.
  return new hive.auth.PlainTcpAuthentication(credentials) as unknown as DriverAuth;
}

/** One open HiveServer2 session. Not safe for concurrent use. */
export class HiveSession implements Session {
  private closed = false;
  /** The operation submitted last and not yet closed, for cancel(). */
  private running: DriverOperation | undefined;

  constructor(
    private readonly driver: DriverSession,
    private readonly config: HiveConnection,
    private readonly closeConnection: () => void,
    private readonly lost: Promise<never>,
  ) {}

  /** HiveServer2 reports no row counts for DML, so `rowsAffected` is always null here. */
  async execute(sql: string): Promise<WriteResult> {
    const op = await this.run(sql);
    await this.rpc(op.close());
    return { rowsAffected: null };
  }

  async query(sql: string): Promise<{ columns: Column[]; rows: Row[] }> {
    let columns: Column[] = [];
    const rows: Row[] = [];
    for await (const batch of this.stream(sql, this.config.fetch_rows)) {
      columns = batch.columns;
      for (const row of batchRows(batch)) rows.push(row);
    }
    return { columns, rows };
  }

  /**
   * Yields the rows of `sql` page by page. Each page is one FetchResults call of at most
   * `batchSize` rows; the driver's buffer is flushed after every page so memory stays bounded.
   * A query with no rows still yields one empty batch, so callers learn its columns.
   */
  async *stream(sql: string, batchSize: number = this.config.fetch_rows): AsyncIterable<RowBatch> {
    const op = await this.run(sql);
    try {
      op.setMaxRows(batchSize);
      let yielded = false;
      let columns: Column[] | undefined;
      let descriptors: ThriftColumnDesc[] = [];
      do {
        await this.rpc(op.fetch());
        if (columns === undefined) {
          descriptors = [...(op.getSchema()?.columns ?? [])].sort((a, b) => a.position - b.position);
          columns = descriptors.map(describeColumn);
        }
        const rows = decodeRowSets(op.getData(), descriptors);
        op.flush();
        if (rows.length > 0 || !yielded) {
          yielded = true;
          yield batchFromRows(columns, rows);
        }
      } while (op.hasMoreRows());
    } finally {
      await this.rpc(op.close()).catch(() => undefined);
    }
  }

  /**
   * Runs `work` without a transaction: plain Hive tables and Spark have none. Each statement sluice
   * issues is itself atomic where it matters (INSERT OVERWRITE of a partition, a rename).
   */
  async transaction<T>(work: () => Promise<T>): Promise<T> {
    return work();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Wait at most 2 s for CloseSession, and clear that timer: a pending one would keep the process
    // (a finished `sluice build`) alive for the rest of the 2 s.
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.driver.close(),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, 2000))),
      ]);
    } catch {
      // The server may already have dropped the session; the connection is closed below anyway.
    } finally {
      clearTimeout(timer);
      this.closeConnection();
    }
  }

  /**
   * Submits `sql` asynchronously and polls its state with exponential backoff (the driver's own
   * wait helper polls in a tight loop), returning the finished operation.
   */
  private async run(sql: string): Promise<DriverOperation> {
    if (this.closed) throw new HiveConnectionError("the Hive session is closed");
    let op: DriverOperation;
    try {
      op = await this.rpc(this.driver.executeStatement(sql, { runAsync: true }));
    } catch (error) {
      throw queryError(sql, messageOf(error), undefined);
    }
    this.running = op;
    let wait = POLL_FIRST_MS;
    for (;;) {
      let status: DriverOperationStatus;
      try {
        status = await this.rpc(op.status(false));
      } catch (error) {
        throw queryError(sql, messageOf(error), undefined);
      }
      const state = status.operationState;
      if (state === T.TOperationState.FINISHED_STATE) return op;
      if (state === T.TOperationState.ERROR_STATE) {
        await this.rpc(op.close()).catch(() => undefined);
        throw queryError(
          sql,
          status.errorMessage ?? status.status.errorMessage ?? "the statement failed",
          status.sqlState ?? undefined,
        );
      }
      if (
        state === T.TOperationState.CANCELED_STATE ||
        state === T.TOperationState.CLOSED_STATE ||
        state === T.TOperationState.TIMEDOUT_STATE ||
        state === T.TOperationState.UKNOWN_STATE
      ) {
        throw queryError(sql, `the statement ended in state ${stateName(state)}`, undefined);
      }
      await delay(wait);
      wait = Math.min(POLL_MAX_MS, Math.round(wait * POLL_FACTOR));
    }
  }

  /** Cancels the operation in flight on the server; its status poll then ends in CANCELED_STATE. */
  async cancel(): Promise<void> {
    const op = this.running;
    if (!op || this.closed) return;
    await this.rpc(op.cancel()).catch(() => undefined);
  }

  /** Thrift never answers a call on a dropped connection; race each call with the loss. */
  private rpc<R>(call: Promise<R>): Promise<R> {
    return Promise.race([call, this.lost]);
  }
}

function queryError(sql: string, message: string, sqlState: string | undefined): HiveQueryError {
  const firstLine = sql.trim().split("\n", 1)[0] ?? "";
  // Spark wraps the cause in a Java exception name and appends the analysed plan; keep the cause.
  const cause =
    message
      .replace(/^(?:org\.apache\.hive\.service\.cli\.)?HiveSQLException:\s*/, "")
      .replace(/^Error running query:\s*/, "")
      .split("\n", 1)[0] ?? message;
  const shown = firstLine.length > 160 ? `${firstLine.slice(0, 160)}…` : firstLine;
  return new HiveQueryError(`Hive statement failed: ${cause.trim()}\n  in: ${shown}`, sql, sqlState);
}

function stateName(state: number | null | undefined): string {
  return Object.entries(T.TOperationState).find(([, v]) => v === state)?.[0] ?? String(state);
}

const typeNames = new Map(Object.entries(T.TTypeId).map(([name, id]) => [id, name.replace(/_TYPE$/, "")]));

/** The engine type of a result column, spelled as DDL would (`DECIMAL(38,18)`, `VARCHAR(20)`). */
function describeColumn(desc: ThriftColumnDesc): Column {
  const entry = desc.typeDesc.types[0]?.primitiveEntry;
  const base = (entry ? typeNames.get(entry.type) : undefined) ?? "STRING";
  const q = entry?.typeQualifiers?.qualifiers ?? {};
  let nativeType = base === "TIMESTAMPLOCALTZ" ? "TIMESTAMP" : base;
  if (base === "DECIMAL") nativeType = `DECIMAL(${q.precision?.i32Value ?? 10},${q.scale?.i32Value ?? 0})`;
  if ((base === "VARCHAR" || base === "CHAR") && q.characterMaximumLength?.i32Value != null) {
    nativeType = `${base}(${q.characterMaximumLength.i32Value})`;
  }
  if (base === "USER_DEFINED" || base === "NULL" || base.startsWith("INTERVAL")) nativeType = "STRING";
  const name = desc.columnName.split(".").pop() ?? desc.columnName;
  return { name, nativeType, type: hiveDialect.logicalType(nativeType) };
}

/** Turns Thrift column buffers into rows of CellValue, typed by the result schema. */
function decodeRowSets(
  rowSets: Array<{ columns?: ThriftColumn[] | null }>,
  descriptors: ThriftColumnDesc[],
): Row[] {
  const rows: Row[] = [];
  for (const rowSet of rowSets) {
    const columns = rowSet.columns ?? [];
    const decoded = descriptors.map((desc, i) => decodeColumn(columns[i], desc));
    const count = decoded[0]?.length ?? 0;
    for (let r = 0; r < count; r++) rows.push(decoded.map((values) => values[r] ?? null));
  }
  return rows;
}

function decodeColumn(column: ThriftColumn | undefined, desc: ThriftColumnDesc): CellValue[] {
  if (!column) return [];
  const typeId = desc.typeDesc.types[0]?.primitiveEntry?.type;
  const pick = <V>(buffer: ThriftValues<V>, convert: (v: V) => CellValue): CellValue[] =>
    buffer.values.map((v, i) => (isNull(buffer.nulls, i) ? null : convert(v)));
  if (column.i64Val) return pick(column.i64Val, (v) => v.buffer.readBigInt64BE(v.offset));
  if (column.boolVal) return pick(column.boolVal, (v) => v);
  if (column.byteVal) return pick(column.byteVal, (v) => v);
  if (column.i16Val) return pick(column.i16Val, (v) => v);
  if (column.i32Val) return pick(column.i32Val, (v) => v);
  if (column.doubleVal) return pick(column.doubleVal, (v) => v);
  if (column.binaryVal) return pick(column.binaryVal, (v) => new Uint8Array(v));
  if (column.stringVal) {
    if (typeId === T.TTypeId.TIMESTAMP_TYPE || typeId === T.TTypeId.TIMESTAMPLOCALTZ_TYPE) {
      return pick(column.stringVal, parseTimestamp);
    }
    if (typeId === T.TTypeId.DECIMAL_TYPE) return pick(column.stringVal, plainDecimal);
    return pick(column.stringVal, (v) => v);
  }
  return [];
}

function isNull(nulls: Buffer | undefined, i: number): boolean {
  if (!nulls || nulls.length === 0) return false;
  const byte = nulls[i >> 3] ?? 0;
  return (byte & (1 << (i & 7))) !== 0;
}

/** `2024-05-06 07:08:09.123456` as a UTC instant; digits past milliseconds are dropped. */
export function parseTimestamp(text: string): Date {
  const m = /^(-?\d{4,})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?/.exec(text.trim());
  if (!m) throw new HiveConnectionError(`unexpected TIMESTAMP text from the server: ${text}`);
  const ms = Number(`${m[7] ?? ""}000`.slice(0, 3));
  const date = new Date(
    Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms),
  );
  if (Number(m[1]) < 100) date.setUTCFullYear(Number(m[1]));
  return date;
}

/** Decimal text without exponent (`1E-10` → `0.0000000001`), as the contract's string decimals. */
export function plainDecimal(text: string): string {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?[eE]([+-]?\d+)$/.exec(text.trim());
  if (!m) return text.trim();
  const [, sign = "", int = "", frac = "", exp = "0"] = m;
  const digits = int + frac;
  const point = int.length + Number(exp);
  let out: string;
  if (point <= 0) out = `0.${"0".repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + "0".repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  out = out.replace(/^0+(?=\d)/, "");
  return `${sign === "-" ? "-" : ""}${out}`;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  // Thrift replies carry their message in a status object rather than an Error.
  const status = (error as { status?: { errorMessage?: string }; errorMessage?: string } | null) ?? {};
  return status.status?.errorMessage ?? status.errorMessage ?? JSON.stringify(error);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
