/**
 * AWS event-stream framing (application/vnd.amazon.eventstream), as Bedrock's *-stream APIs send it:
 *
 *   ┌ prelude ───────────────────────────────┐
 *   │ total length u32 │ headers length u32  │ prelude CRC32 u32 │ headers │ payload │ message CRC32 u32 │
 *
 * Header: name length u8, name, value type u8 (7 = string), value length u16, value. The message
 * CRC covers every byte before it, prelude CRC included.
 */

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE, as zlib). */
export function crc32(buf: Uint8Array, start = 0, end = buf.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function encodeHeaders(headers: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const n = Buffer.from(name, 'utf8');
    const v = Buffer.from(value, 'utf8');
    const h = Buffer.alloc(1 + n.length + 1 + 2);
    h.writeUInt8(n.length, 0);
    n.copy(h, 1);
    h.writeUInt8(7, 1 + n.length);
    h.writeUInt16BE(v.length, 2 + n.length);
    parts.push(h, v);
  }
  return Buffer.concat(parts);
}

export function encodeFrame(headers: Record<string, string>, payload: Buffer): Buffer {
  const head = encodeHeaders(headers);
  const total = 12 + head.length + payload.length + 4;
  const frame = Buffer.alloc(total);
  frame.writeUInt32BE(total, 0);
  frame.writeUInt32BE(head.length, 4);
  frame.writeUInt32BE(crc32(frame, 0, 8), 8);
  head.copy(frame, 12);
  payload.copy(frame, 12 + head.length);
  frame.writeUInt32BE(crc32(frame, 0, total - 4), total - 4);
  return frame;
}

/** A Bedrock stream event frame: `:event-type`, `:content-type: application/json`, `:message-type: event`. */
export function eventFrame(eventType: string, body: unknown): Buffer {
  return encodeFrame(
    { ':event-type': eventType, ':content-type': 'application/json', ':message-type': 'event' },
    Buffer.from(JSON.stringify(body), 'utf8'),
  );
}
