// A TDS 7.4 protocol test double: a TCP server on 127.0.0.1 that the real `mssql`/tedious client logs
// into and talks to. It records every request (SQL batch text, RPC name and parameters, transaction
// manager requests, bulk-load chunks) and answers with scripted replies. It does not execute SQL:
// nothing is stored, no statement is parsed, no lock or transaction semantics exist beyond handing out
// transaction descriptors. Tests use it to pin what goes over the wire, not what a server would do.
import net from "node:net";
import { readTypeInfo, readValue, type ScriptedColumn, type TypeInfo } from "./tds-types.js";
import {
  collationChange,
  colMetadata,
  done,
  DONE_STATUS,
  doneProc,
  envChangeBytes,
  envChangeString,
  errorToken,
  loginAck,
  preloginReply,
  returnStatus,
  row,
  type ScriptedError,
} from "./tds-tokens.js";
import { ByteReader, framePackets, MessageReader, PACKET } from "./tds-wire.js";

/** One request as the double saw it on the wire. */
export interface RecordedEvent {
  kind: "batch" | "rpc" | "txn" | "bulk" | "attention";
  /** Which TCP connection (1, 2, ...) sent it. */
  connectionId: number;
  /** Batch SQL; `begin`/`commit`/`rollback` for txn; the `insert bulk` statement for bulk. */
  text?: string;
  /** RPC procedure name (`sp_executesql` for tedious' execSql). */
  proc?: string;
  /** RPC parameters, decoded where the double knows the type. */
  params?: Array<{ name: string; value: unknown }>;
  /** Rows in this bulk-load message (one chunk). */
  rows?: number;
  /** The first row of a bulk-load chunk, decoded, to check value encoding. */
  firstRow?: unknown[];
  /** The request's ALL_HEADERS carried a transaction descriptor the double handed out. */
  inTransaction: boolean;
  /** True for the SET batch tedious sends right after login on every connection. */
  connectionSetup: boolean;
}

export interface ResultSet {
  columns: ScriptedColumn[];
  rows: unknown[][];
}

/** What the double answers to a request a rule matches. */
export interface Reply {
  resultSets?: ResultSet[];
  error?: ScriptedError;
  /** Row count reported in the final DONE (default 0; for bulk, the rows received). */
  rowCount?: number;
  /**
   * Send nothing, as a server still running a long statement would, until the client sends an
   * attention; then the request ends with DONE(ATTN) like any other (batch and RPC requests only).
   */
  hold?: boolean;
}

interface Rule {
  match: (e: RecordedEvent) => boolean;
  reply: Reply | ((e: RecordedEvent) => Reply);
  remaining: number;
}

interface ConnectionState {
  id: number;
  packetSize: number;
  loggedIn: boolean;
  batches: number;
  transaction: Buffer | null;
  pendingInsertBulk: string | null;
  queue: Promise<void>;
  /** A request whose reply is held (Reply.hold) until the client sends an attention. */
  held: boolean;
}

export interface LoginRecord {
  connectionId: number;
  user: string;
  database: string;
}

export class TdsTestDouble {
  readonly events: RecordedEvent[] = [];
  readonly logins: LoginRecord[] = [];
  private readonly rules: Rule[] = [];
  private readonly sockets = new Set<net.Socket>();
  private server: net.Server | null = null;
  private nextConnectionId = 1;
  private nextTransaction = 1;
  private bulkRowsReceived = 0;

  /** Starts listening on 127.0.0.1 on an ephemeral port. */
  async start(): Promise<number> {
    const server = net.createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    return this.port;
  }

  get port(): number {
    const address = this.server?.address();
    if (!address || typeof address === "string") throw new Error("TDS test double is not listening");
    return address.port;
  }

  /** Rows received in bulk-load messages so far, across connections. */
  get bulkRows(): number {
    return this.bulkRowsReceived;
  }

  /** Answers requests that `match` accepts with `reply`, `times` times (default: always). First rule wins. */
  when(
    match: (e: RecordedEvent) => boolean,
    reply: Reply | ((e: RecordedEvent) => Reply),
    times = Infinity,
  ): void {
    this.rules.push({ match, reply, remaining: times });
  }

  /** Recorded requests other than the driver's per-connection setup batch. */
  requests(): RecordedEvent[] {
    return this.events.filter((e) => !e.connectionSetup);
  }

  /** Forgets recorded events and rules (logins stay). */
  reset(): void {
    this.events.length = 0;
    this.rules.length = 0;
    this.bulkRowsReceived = 0;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    const state: ConnectionState = {
      id: this.nextConnectionId++,
      packetSize: 4096,
      loggedIn: false,
      batches: 0,
      transaction: null,
      pendingInsertBulk: null,
      queue: Promise.resolve(),
      held: false,
    };
    const reader = new MessageReader();
    socket.on("data", (chunk: Buffer) => {
      let messages: ReturnType<MessageReader["push"]>;
      try {
        messages = reader.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const m of messages) {
        state.queue = state.queue
          .then(() => this.handle(socket, state, m.type, m.payload))
          .catch(() => {
            socket.destroy();
          });
      }
    });
    socket.on("error", () => socket.destroy());
    socket.on("close", () => this.sockets.delete(socket));
  }

  private send(socket: net.Socket, state: ConnectionState, payload: Buffer): void {
    if (!socket.destroyed) socket.write(framePackets(PACKET.TABULAR_RESULT, payload, state.packetSize));
  }

  private async handle(
    socket: net.Socket,
    state: ConnectionState,
    type: number,
    payload: Buffer,
  ): Promise<void> {
    switch (type) {
      case PACKET.PRELOGIN:
        this.send(socket, state, preloginReply());
        return;
      case PACKET.LOGIN7:
        this.login(socket, state, payload);
        return;
      case PACKET.SQL_BATCH:
        this.batch(socket, state, payload);
        return;
      case PACKET.RPC_REQUEST:
        this.rpc(socket, state, payload);
        return;
      case PACKET.TRANSACTION_MANAGER:
        this.transactionManager(socket, state, payload);
        return;
      case PACKET.BULK_LOAD:
        this.bulkLoad(socket, state, payload);
        return;
      case PACKET.ATTENTION:
        this.events.push({
          kind: "attention",
          connectionId: state.id,
          inTransaction: false,
          connectionSetup: false,
        });
        // A held request's response ends first, then the acknowledgement comes in a message of
        // its own: tedious reads one message as the request's response, the next as the ack.
        if (state.held) this.send(socket, state, done(DONE_STATUS.FINAL));
        state.held = false;
        this.send(socket, state, done(DONE_STATUS.ATTN));
        return;
      default:
        socket.destroy();
    }
  }

  private login(socket: net.Socket, state: ConnectionState, payload: Buffer): void {
    // LOGIN7 fixed part (MS-TDS 2.2.6.4): PacketSize at 8; offset/length pairs from 36.
    state.packetSize = payload.readUInt32LE(8) || 4096;
    const field = (at: number): string => {
      const offset = payload.readUInt16LE(at);
      const chars = payload.readUInt16LE(at + 2);
      return payload.subarray(offset, offset + chars * 2).toString("ucs2");
    };
    const user = field(40);
    const database = field(68) || "master";
    this.logins.push({ connectionId: state.id, user, database });
    state.loggedIn = true;
    this.send(
      socket,
      state,
      Buffer.concat([
        loginAck("sluice TDS test double"),
        envChangeString(1, database, "master"),
        collationChange(),
        envChangeString(4, String(state.packetSize), String(state.packetSize)),
        done(DONE_STATUS.FINAL),
      ]),
    );
  }

  /** Skips ALL_HEADERS (MS-TDS 2.2.5.3) and reports whether it named a live transaction. */
  private allHeaders(payload: Buffer, state: ConnectionState): { offset: number; inTransaction: boolean } {
    const total = payload.readUInt32LE(0);
    let inTransaction = false;
    let at = 4;
    while (at < total) {
      const length = payload.readUInt32LE(at);
      const headerType = payload.readUInt16LE(at + 4);
      if (headerType === 2) {
        const descriptor = payload.subarray(at + 6, at + 14);
        inTransaction = state.transaction !== null && descriptor.equals(state.transaction);
      }
      at += length;
    }
    return { offset: total, inTransaction };
  }

  private batch(socket: net.Socket, state: ConnectionState, payload: Buffer): void {
    const { offset, inTransaction } = this.allHeaders(payload, state);
    const text = payload.subarray(offset).toString("ucs2");
    state.batches += 1;
    if (/^\s*insert\s+bulk\b/i.test(text)) {
      // The first half of a bulk load; recorded with the BULK_LOAD message that follows.
      state.pendingInsertBulk = text;
      this.send(socket, state, done(DONE_STATUS.FINAL));
      return;
    }
    const event: RecordedEvent = {
      kind: "batch",
      connectionId: state.id,
      text,
      inTransaction,
      connectionSetup: state.batches === 1,
    };
    this.events.push(event);
    const reply = this.replyFor(event);
    if (reply.hold) state.held = true;
    else this.send(socket, state, this.render(reply, false));
  }

  private rpc(socket: net.Socket, state: ConnectionState, payload: Buffer): void {
    const { offset, inTransaction } = this.allHeaders(payload, state);
    const r = new ByteReader(payload, offset);
    const nameLength = r.u16le();
    const proc =
      nameLength === 0xffff ? specialProcedure(r.u16le()) : r.bytes(nameLength * 2).toString("ucs2");
    r.u16le(); // option flags
    const params: Array<{ name: string; value: unknown }> = [];
    try {
      while (r.remaining > 0) {
        const name = r.bVarchar();
        r.u8(); // status flags
        const typeInfo = readTypeInfo(r);
        params.push({ name, value: readValue(r, typeInfo) });
      }
    } catch (e) {
      params.push({ name: "(undecoded)", value: (e as Error).message });
    }
    const event: RecordedEvent = {
      kind: "rpc",
      connectionId: state.id,
      proc,
      params,
      inTransaction,
      connectionSetup: false,
    };
    this.events.push(event);
    const reply = this.replyFor(event);
    if (reply.hold) state.held = true;
    else this.send(socket, state, this.render(reply, true));
  }

  private transactionManager(socket: net.Socket, state: ConnectionState, payload: Buffer): void {
    const { offset, inTransaction } = this.allHeaders(payload, state);
    const requestType = payload.readUInt16LE(offset);
    const text =
      requestType === 5
        ? "begin"
        : requestType === 7
          ? "commit"
          : requestType === 8
            ? "rollback"
            : `tm-${requestType}`;
    const event: RecordedEvent = {
      kind: "txn",
      connectionId: state.id,
      text,
      inTransaction,
      connectionSetup: false,
    };
    this.events.push(event);
    const scripted = this.replyFor(event);
    if (scripted.error) {
      this.send(socket, state, this.render(scripted, false));
      return;
    }
    let env: Buffer = Buffer.alloc(0);
    if (requestType === 5) {
      const descriptor = Buffer.alloc(8);
      descriptor.writeUInt32LE(this.nextTransaction++, 0);
      descriptor.writeUInt32LE(state.id, 4);
      state.transaction = descriptor;
      env = envChangeBytes(8, descriptor, Buffer.alloc(0));
    } else if ((requestType === 7 || requestType === 8) && state.transaction) {
      env = envChangeBytes(requestType === 7 ? 9 : 10, Buffer.alloc(0), state.transaction);
      state.transaction = null;
    }
    this.send(socket, state, Buffer.concat([env, done(DONE_STATUS.FINAL)]));
  }

  private bulkLoad(socket: net.Socket, state: ConnectionState, payload: Buffer): void {
    const r = new ByteReader(payload);
    const types: TypeInfo[] = [];
    const names: string[] = [];
    let rows = 0;
    let firstRow: unknown[] | undefined;
    let failure: string | undefined;
    try {
      while (r.remaining > 0) {
        const token = r.u8();
        if (token === 0x81) {
          const count = r.u16le();
          for (let i = 0; i < count; i++) {
            r.u32le(); // user type
            r.u16le(); // flags
            types.push(readTypeInfo(r));
            names.push(r.bVarchar());
          }
        } else if (token === 0xd1) {
          const values = types.map((t) => readValue(r, t));
          if (rows === 0) firstRow = values;
          rows += 1;
        } else if (token === 0xfd) {
          r.bytes(12);
        } else {
          throw new Error(`unexpected token 0x${token.toString(16)} in bulk load`);
        }
      }
    } catch (e) {
      failure = (e as Error).message;
    }
    this.bulkRowsReceived += rows;
    const event: RecordedEvent = {
      kind: "bulk",
      connectionId: state.id,
      text: state.pendingInsertBulk ?? undefined,
      params: names.map((name) => ({ name, value: null })),
      rows,
      firstRow,
      inTransaction: state.transaction !== null,
      connectionSetup: false,
    };
    state.pendingInsertBulk = null;
    this.events.push(event);
    const reply = failure
      ? { error: { number: 4866, message: `TDS test double could not read bulk data: ${failure}` } }
      : this.replyFor(event);
    this.send(socket, state, this.render({ rowCount: rows, ...reply }, false));
  }

  private replyFor(event: RecordedEvent): Reply {
    for (const rule of this.rules) {
      if (rule.remaining > 0 && rule.match(event)) {
        rule.remaining -= 1;
        return typeof rule.reply === "function" ? rule.reply(event) : rule.reply;
      }
    }
    return {};
  }

  private render(reply: Reply, rpc: boolean): Buffer {
    const parts: Buffer[] = [];
    for (const set of reply.resultSets ?? []) {
      parts.push(colMetadata(set.columns));
      for (const values of set.rows) parts.push(row(set.columns, values));
      parts.push(done(DONE_STATUS.MORE | DONE_STATUS.COUNT, set.rows.length, rpc ? 0xff : 0xfd));
    }
    if (reply.error) {
      parts.push(errorToken(reply.error));
      parts.push(rpc ? doneProc(DONE_STATUS.ERROR) : done(DONE_STATUS.ERROR));
    } else if (rpc) {
      parts.push(returnStatus(0), doneProc(DONE_STATUS.COUNT, reply.rowCount ?? 0));
    } else {
      parts.push(done(DONE_STATUS.COUNT, reply.rowCount ?? 0));
    }
    return Buffer.concat(parts);
  }
}

/** Names of the procedures that RPC requests may name by id (MS-TDS 2.2.6.6). */
function specialProcedure(id: number): string {
  const names: Record<number, string> = {
    10: "sp_executesql",
    11: "sp_prepare",
    12: "sp_execute",
    13: "sp_prepexec",
    15: "sp_unprepare",
  };
  return names[id] ?? `proc#${id}`;
}
