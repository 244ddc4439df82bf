/**
 * Incremental decoder of the AWS binary event-stream framing (`application/vnd.amazon.eventstream`,
 * used by Bedrock `converse-stream`). A frame is:
 *
 *   total_len u32 | headers_len u32 | prelude_crc u32 | headers | payload | message_crc u32
 *
 * Both CRC32 checks are enforced. Frames may be split at any byte; only the unfinished frame is retained.
 */
import { crc32 } from 'node:zlib';
import { StreamFramingError } from './errors.js';

export type HeaderValue = string | number | boolean | Uint8Array;

export interface EventStreamMessage {
  headers: Record<string, HeaderValue>;
  payload: Buffer;
}

const PRELUDE = 12;
const MAX_FRAME = 16 * 1024 * 1024;

export class AwsEventStreamDeframer {
  private chunks: Buffer[] = [];
  private length = 0;
  /** Bytes needed before another frame can be decoded (prelude first, then the whole frame). */
  private needed = PRELUDE;

  feed(chunk: Uint8Array): EventStreamMessage[] {
    this.chunks.push(Buffer.from(chunk));
    this.length += chunk.byteLength;
    if (this.length < this.needed) return [];
    let buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.length);
    const out: EventStreamMessage[] = [];
    let offset = 0;
    this.needed = PRELUDE;
    while (buf.length - offset >= PRELUDE) {
      const total = buf.readUInt32BE(offset);
      if (total < PRELUDE + 4 || total > MAX_FRAME) throw new StreamFramingError(`invalid event-stream frame length ${total}`);
      if (buf.length - offset < total) {
        this.needed = total;
        break;
      }
      out.push(decodeFrame(buf.subarray(offset, offset + total)));
      offset += total;
    }
    buf = Buffer.from(buf.subarray(offset));
    this.chunks = buf.length > 0 ? [buf] : [];
    this.length = buf.length;
    return out;
  }

  end(): EventStreamMessage[] {
    if (this.length > 0) throw new StreamFramingError('event stream ended inside a frame');
    return [];
  }
}

/** Decodes one complete frame, verifying both checksums. */
export function decodeFrame(frame: Buffer): EventStreamMessage {
  const total = frame.readUInt32BE(0);
  const headersLen = frame.readUInt32BE(4);
  if (crc32(frame.subarray(0, 8)) !== frame.readUInt32BE(8)) throw new StreamFramingError('event-stream prelude CRC mismatch');
  if (crc32(frame.subarray(0, total - 4)) !== frame.readUInt32BE(total - 4)) {
    throw new StreamFramingError('event-stream message CRC mismatch');
  }
  if (PRELUDE + headersLen > total - 4) throw new StreamFramingError('event-stream headers exceed the frame');
  const headers = decodeHeaders(frame.subarray(PRELUDE, PRELUDE + headersLen));
  return { headers, payload: Buffer.from(frame.subarray(PRELUDE + headersLen, total - 4)) };
}

function decodeHeaders(buf: Buffer): Record<string, HeaderValue> {
  const headers: Record<string, HeaderValue> = {};
  let o = 0;
  try {
    while (o < buf.length) {
      const nameLen = buf.readUInt8(o);
      const name = buf.toString('utf8', o + 1, o + 1 + nameLen);
      o += 1 + nameLen;
      const [value, next] = decodeValue(buf, buf.readUInt8(o), o + 1);
      headers[name] = value;
      o = next;
    }
  } catch (err) {
    if (err instanceof StreamFramingError) throw err;
    throw new StreamFramingError('event-stream header block is truncated');
  }
  return headers;
}

function decodeValue(buf: Buffer, type: number, o: number): [HeaderValue, number] {
  switch (type) {
    case 0: return [true, o];
    case 1: return [false, o];
    case 2: return [buf.readInt8(o), o + 1];
    case 3: return [buf.readInt16BE(o), o + 2];
    case 4: return [buf.readInt32BE(o), o + 4];
    case 5: case 8: return [Number(buf.readBigInt64BE(o)), o + 8];
    case 6: { const n = buf.readUInt16BE(o); return [new Uint8Array(buf.subarray(o + 2, o + 2 + n)), o + 2 + n]; }
    case 7: { const n = buf.readUInt16BE(o); return [buf.toString('utf8', o + 2, o + 2 + n), o + 2 + n]; }
    case 9: return [new Uint8Array(buf.subarray(o, o + 16)), o + 16];
    default: throw new StreamFramingError(`unknown event-stream header type ${type}`);
  }
}

/** Encodes one frame with string headers (tests, the mock upstream). */
export function encodeFrame(headers: Record<string, string>, payload: Uint8Array): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const n = Buffer.from(name, 'utf8');
    const v = Buffer.from(value, 'utf8');
    const head = Buffer.alloc(1 + n.length + 3);
    head.writeUInt8(n.length, 0);
    n.copy(head, 1);
    head.writeUInt8(7, 1 + n.length);
    head.writeUInt16BE(v.length, 2 + n.length);
    parts.push(head, v);
  }
  const headerBytes = Buffer.concat(parts);
  const total = PRELUDE + headerBytes.length + payload.length + 4;
  const frame = Buffer.alloc(total);
  frame.writeUInt32BE(total, 0);
  frame.writeUInt32BE(headerBytes.length, 4);
  frame.writeUInt32BE(crc32(frame.subarray(0, 8)), 8);
  headerBytes.copy(frame, PRELUDE);
  Buffer.from(payload).copy(frame, PRELUDE + headerBytes.length);
  frame.writeUInt32BE(crc32(frame.subarray(0, total - 4)), total - 4);
  return frame;
}
