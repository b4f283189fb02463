// TDS packet framing for the test double: splits a byte stream into messages and frames replies.
// MS-TDS 2.2.3: every packet has an 8-byte header; a message ends with the packet whose status
// has the EOM bit set.

export const PACKET = {
  SQL_BATCH: 0x01,
  RPC_REQUEST: 0x03,
  TABULAR_RESULT: 0x04,
  ATTENTION: 0x06,
  BULK_LOAD: 0x07,
  TRANSACTION_MANAGER: 0x0e,
  LOGIN7: 0x10,
  PRELOGIN: 0x12,
} as const;

const HEADER_LENGTH = 8;
const STATUS_EOM = 0x01;

export interface Message {
  type: number;
  payload: Buffer;
}

/** Collects packets from TCP chunks and hands out whole messages. */
export class MessageReader {
  private pending: Buffer = Buffer.alloc(0);
  private parts: Buffer[] = [];

  /** Feeds bytes from the socket; returns every message that is now complete. */
  push(chunk: Buffer): Message[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const messages: Message[] = [];
    while (this.pending.length >= HEADER_LENGTH) {
      const length = this.pending.readUInt16BE(2);
      if (length < HEADER_LENGTH) throw new Error(`TDS test double: bad packet length ${length}`);
      if (this.pending.length < length) break;
      const type = this.pending.readUInt8(0);
      const status = this.pending.readUInt8(1);
      this.parts.push(this.pending.subarray(HEADER_LENGTH, length));
      this.pending = this.pending.subarray(length);
      if ((status & STATUS_EOM) !== 0) {
        messages.push({ type, payload: Buffer.concat(this.parts) });
        this.parts = [];
      }
    }
    return messages;
  }
}

/** Frames one reply message into packets no longer than `packetSize`. */
export function framePackets(type: number, payload: Buffer, packetSize: number): Buffer {
  const room = packetSize - HEADER_LENGTH;
  const packets: Buffer[] = [];
  let packetId = 1;
  let offset = 0;
  do {
    const body = payload.subarray(offset, offset + room);
    offset += body.length;
    const header = Buffer.alloc(HEADER_LENGTH);
    header.writeUInt8(type, 0);
    header.writeUInt8(offset >= payload.length ? STATUS_EOM : 0, 1);
    header.writeUInt16BE(HEADER_LENGTH + body.length, 2);
    header.writeUInt16BE(0, 4);
    header.writeUInt8(packetId % 256, 6);
    header.writeUInt8(0, 7);
    packets.push(header, body);
    packetId += 1;
  } while (offset < payload.length);
  return Buffer.concat(packets);
}

/** A growable little-endian byte writer. */
export class ByteWriter {
  private chunks: Buffer[] = [];

  u8(value: number): this {
    return this.raw(Buffer.from([value & 0xff]));
  }
  u16le(value: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(value);
    return this.raw(b);
  }
  u16be(value: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(value);
    return this.raw(b);
  }
  u32le(value: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(value);
    return this.raw(b);
  }
  i32le(value: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32LE(value);
    return this.raw(b);
  }
  u32be(value: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(value);
    return this.raw(b);
  }
  u64le(value: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(value);
    return this.raw(b);
  }
  /** B_VARCHAR: a one-byte character count, then UCS-2. */
  bVarchar(text: string): this {
    return this.u8(text.length).raw(Buffer.from(text, "ucs2"));
  }
  /** US_VARCHAR: a two-byte character count, then UCS-2. */
  usVarchar(text: string): this {
    return this.u16le(text.length).raw(Buffer.from(text, "ucs2"));
  }
  /** B_VARBYTE: a one-byte length, then the bytes. */
  bVarbyte(bytes: Buffer): this {
    return this.u8(bytes.length).raw(bytes);
  }
  raw(bytes: Buffer): this {
    this.chunks.push(bytes);
    return this;
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** A little-endian byte reader over one message payload. */
export class ByteReader {
  constructor(
    readonly buf: Buffer,
    public pos = 0,
  ) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }
  u8(): number {
    const v = this.buf.readUInt8(this.pos);
    this.pos += 1;
    return v;
  }
  u16le(): number {
    const v = this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }
  u32le(): number {
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  u64le(): bigint {
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return v;
  }
  bytes(n: number): Buffer {
    if (this.pos + n > this.buf.length)
      throw new Error(`TDS test double: read past end (${n} bytes at ${this.pos})`);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  bVarchar(): string {
    const chars = this.u8();
    return this.bytes(chars * 2).toString("ucs2");
  }
  usVarchar(): string {
    const chars = this.u16le();
    return this.bytes(chars * 2).toString("ucs2");
  }
}
