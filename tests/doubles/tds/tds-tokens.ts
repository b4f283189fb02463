// Token-stream builders for the test double's replies (MS-TDS 2.2.7): LOGINACK, ENVCHANGE, DONE,
// DONEPROC, RETURNSTATUS, ERROR, COLMETADATA and ROW, plus the PRELOGIN reply payload.
import { COLLATION, type ScriptedColumn, writeTypeInfo, writeValue } from "./tds-types.js";
import { ByteWriter } from "./tds-wire.js";

const TOKEN = {
  COLMETADATA: 0x81,
  ROW: 0xd1,
  DONE: 0xfd,
  DONEPROC: 0xfe,
  ENVCHANGE: 0xe3,
  ERROR: 0xaa,
  LOGINACK: 0xad,
  RETURNSTATUS: 0x79,
} as const;

export const DONE_STATUS = { FINAL: 0x00, MORE: 0x01, ERROR: 0x02, COUNT: 0x10, ATTN: 0x20 } as const;

/** PRELOGIN reply: version, encryption NOT_SUP (so the client never starts TLS), no instance, no MARS. */
export function preloginReply(): Buffer {
  const options: Array<[number, Buffer]> = [
    [0x00, Buffer.from([16, 0, 0x10, 0x00, 0, 0])], // VERSION 16.0.4096.0
    [0x01, Buffer.from([0x02])], // ENCRYPTION: ENCRYPT_NOT_SUP
    [0x02, Buffer.from([0x00])], // INSTOPT
    [0x03, Buffer.alloc(0)], // THREADID (empty in a server reply)
    [0x04, Buffer.from([0x00])], // MARS off
  ];
  const header = new ByteWriter();
  const data = new ByteWriter();
  let offset = options.length * 5 + 1;
  for (const [token, value] of options) {
    header.u8(token).u16be(offset).u16be(value.length);
    data.raw(value);
    offset += value.length;
  }
  header.u8(0xff);
  return Buffer.concat([header.toBuffer(), data.toBuffer()]);
}

function withLength(token: number, body: Buffer): Buffer {
  return new ByteWriter().u8(token).u16le(body.length).raw(body).toBuffer();
}

/** LOGINACK for TDS 7.4, interface SQL_TSQL. */
export function loginAck(progName: string): Buffer {
  const body = new ByteWriter()
    .u8(1)
    .u32be(0x74000004)
    .bVarchar(progName)
    .u8(16)
    .u8(0)
    .u8(0x10)
    .u8(0x00)
    .toBuffer();
  return withLength(TOKEN.LOGINACK, body);
}

/** ENVCHANGE with string values: 1 database, 2 language, 4 packet size. */
export function envChangeString(type: 1 | 2 | 4, newValue: string, oldValue: string): Buffer {
  return withLength(
    TOKEN.ENVCHANGE,
    new ByteWriter().u8(type).bVarchar(newValue).bVarchar(oldValue).toBuffer(),
  );
}

/** ENVCHANGE with binary values: 7 collation, 8 begin, 9 commit, 10 rollback transaction. */
export function envChangeBytes(type: 7 | 8 | 9 | 10, newValue: Buffer, oldValue: Buffer): Buffer {
  return withLength(
    TOKEN.ENVCHANGE,
    new ByteWriter().u8(type).bVarbyte(newValue).bVarbyte(oldValue).toBuffer(),
  );
}

export function collationChange(): Buffer {
  return envChangeBytes(7, COLLATION, Buffer.alloc(0));
}

export function done(status: number, rowCount = 0, token: number = TOKEN.DONE): Buffer {
  return new ByteWriter().u8(token).u16le(status).u16le(0).u64le(BigInt(rowCount)).toBuffer();
}

export function doneProc(status: number, rowCount = 0): Buffer {
  return done(status, rowCount, TOKEN.DONEPROC);
}

export function returnStatus(value: number): Buffer {
  return new ByteWriter().u8(TOKEN.RETURNSTATUS).i32le(value).toBuffer();
}

export interface ScriptedError {
  number: number;
  message: string;
  state?: number;
  /** Severity; 13 is what SQL Server uses for a deadlock victim. */
  class?: number;
}

export function errorToken(e: ScriptedError): Buffer {
  const body = new ByteWriter()
    .i32le(e.number)
    .u8(e.state ?? 1)
    .u8(e.class ?? 16)
    .usVarchar(e.message)
    .bVarchar("tds-test-double")
    .bVarchar("")
    .i32le(1)
    .toBuffer();
  return withLength(TOKEN.ERROR, body);
}

export function colMetadata(columns: ScriptedColumn[]): Buffer {
  const w = new ByteWriter().u8(TOKEN.COLMETADATA).u16le(columns.length);
  for (const c of columns) {
    w.u32le(0).u16le(0x0001); // user type, flags: nullable
    writeTypeInfo(w, c.type);
    w.bVarchar(c.name);
  }
  return w.toBuffer();
}

export function row(columns: ScriptedColumn[], values: unknown[]): Buffer {
  const w = new ByteWriter().u8(TOKEN.ROW);
  for (const [i, c] of columns.entries()) writeValue(w, c.type, values[i]);
  return w.toBuffer();
}
