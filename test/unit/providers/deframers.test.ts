import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AwsEventStreamDeframer, encodeFrame } from '../../../src/gateway/llm/wire/aws-eventstream.js';
import { StreamFramingError } from '../../../src/gateway/llm/wire/errors.js';
import { JsonArrayDeframer } from '../../../src/gateway/llm/wire/json-array.js';
import { NdjsonDeframer } from '../../../src/gateway/llm/wire/ndjson.js';
import { SseDeframer } from '../../../src/gateway/llm/wire/sse.js';

interface Feeder<T> { feed(b: Uint8Array): T[]; end(): T[] }

/** Feeds `bytes` split at `cuts` and returns every output. */
function run<T>(make: () => Feeder<T>, bytes: Buffer, cuts: number[]): T[] {
  const d = make();
  const out: T[] = [];
  let prev = 0;
  for (const c of [...cuts, bytes.length]) {
    out.push(...d.feed(bytes.subarray(prev, c)));
    prev = c;
  }
  out.push(...d.end());
  return out;
}

/** Every two-piece split and the one-byte-at-a-time split must equal the unsplit result. */
function expectSplitInvariant<T>(make: () => Feeder<T>, bytes: Buffer): T[] {
  const whole = run(make, bytes, []);
  for (let i = 1; i < bytes.length; i++) expect(run(make, bytes, [i])).toEqual(whole);
  expect(run(make, bytes, Array.from({ length: bytes.length - 1 }, (_, i) => i + 1))).toEqual(whole);
  return whole;
}

describe('SseDeframer', () => {
  const input = Buffer.from(
    ': keep-alive comment\r\n' +
    'event: message_start\r\ndata: {"type":"message_start","é":"ü"}\r\n\r\n' +
    'data: line one\ndata: line two\nid: 7\n\n' +
    'data:no-space\r\r' +
    'event: ping\ndata: {}\n\n' +
    'data: [DONE]\n\n',
    'utf8',
  );

  it('yields the same events for every split point, CRLF/CR/LF, comments and multi-line data', () => {
    const events = expectSplitInvariant(() => new SseDeframer(), input);
    expect(events).toEqual([
      { event: 'message_start', data: '{"type":"message_start","é":"ü"}' },
      { data: 'line one\nline two', id: '7' },
      // the last event id persists, as the SSE spec says
      { data: 'no-space', id: '7' },
      { event: 'ping', data: '{}', id: '7' },
      { data: '[DONE]', id: '7' },
    ]);
  });

  it('flushes a final event that lacks the blank line at end()', () => {
    const d = new SseDeframer();
    expect(d.feed(Buffer.from('data: tail'))).toEqual([]);
    expect(d.end()).toEqual([{ data: 'tail' }]);
  });

  it('drops events without data and resets the event name', () => {
    const d = new SseDeframer();
    expect(d.feed(Buffer.from('event: x\n\ndata: y\n\n'))).toEqual([{ data: 'y' }]);
  });
});

describe('NdjsonDeframer', () => {
  const input = Buffer.from('{"a":1,"s":"ü"}\n\n{"b":[1,2]}\r\n{"c":"x"}', 'utf8');

  it('parses every line for every split point, including an unterminated last line', () => {
    expect(expectSplitInvariant(() => new NdjsonDeframer(), input)).toEqual([{ a: 1, s: 'ü' }, { b: [1, 2] }, { c: 'x' }]);
  });

  it('rejects a line that is not JSON', () => {
    const d = new NdjsonDeframer();
    expect(() => d.feed(Buffer.from('{"ok":1}\nnot json\n'))).toThrow(StreamFramingError);
  });
});

describe('JsonArrayDeframer', () => {
  const input = Buffer.from('[{"t":"a } ] { \\" [","n":{"d":[1,{"x":2}]}}\r\n,\r\n{"t":"ü"}\r\n]', 'utf8');

  it('yields each array element as soon as it closes, for every split point', () => {
    expect(expectSplitInvariant(() => new JsonArrayDeframer(), input)).toEqual([
      { t: 'a } ] { " [', n: { d: [1, { x: 2 }] } },
      { t: 'ü' },
    ]);
  });

  it('accepts a bare object', () => {
    const d = new JsonArrayDeframer();
    expect([...d.feed(Buffer.from('{"a":1}')), ...d.end()]).toEqual([{ a: 1 }]);
  });

  it('rejects garbage between elements and a stream that ends inside an object', () => {
    expect(() => new JsonArrayDeframer().feed(Buffer.from('[{"a":1} x'))).toThrow(StreamFramingError);
    const d = new JsonArrayDeframer();
    d.feed(Buffer.from('[{"a":'));
    expect(() => d.end()).toThrow(/ended inside/);
  });
});

describe('AwsEventStreamDeframer', () => {
  const frames = [
    encodeFrame({ ':event-type': 'messageStart', ':message-type': 'event' }, Buffer.from('{"role":"assistant"}')),
    encodeFrame({ ':event-type': 'contentBlockDelta', ':message-type': 'event' }, Buffer.from('{"delta":{"text":"hé"}}')),
    encodeFrame({ ':event-type': 'metadata' }, Buffer.from('{"usage":{"inputTokens":3}}')),
  ];
  const input = Buffer.concat(frames);

  it('decodes frames split at every byte offset', () => {
    const msgs = expectSplitInvariant(() => new AwsEventStreamDeframer(), input);
    expect(msgs.map((m) => [m.headers[':event-type'], m.payload.toString('utf8')])).toEqual([
      ['messageStart', '{"role":"assistant"}'],
      ['contentBlockDelta', '{"delta":{"text":"hé"}}'],
      ['metadata', '{"usage":{"inputTokens":3}}'],
    ]);
  });

  it('decodes a hand-built frame with non-string header types', () => {
    const headers = Buffer.concat([
      Buffer.from([4]), Buffer.from('flag'), Buffer.from([0]),
      Buffer.from([3]), Buffer.from('num'), Buffer.from([4, 0, 0, 1, 0]),
    ]);
    const payload = Buffer.from('hi');
    const total = 12 + headers.length + payload.length + 4;
    const frame = Buffer.alloc(total);
    frame.writeUInt32BE(total, 0);
    frame.writeUInt32BE(headers.length, 4);
    frame.writeUInt32BE(crc32(frame.subarray(0, 8)), 8);
    headers.copy(frame, 12);
    payload.copy(frame, 12 + headers.length);
    frame.writeUInt32BE(crc32(frame.subarray(0, total - 4)), total - 4);
    const [msg] = new AwsEventStreamDeframer().feed(frame);
    expect(msg.headers).toEqual({ flag: true, num: 256 });
    expect(msg.payload.toString()).toBe('hi');
  });

  it('rejects a message CRC mismatch', () => {
    const bad = Buffer.from(frames[0]);
    bad[bad.length - 6] ^= 0xff; // corrupt a payload byte
    expect(() => new AwsEventStreamDeframer().feed(bad)).toThrow(/message CRC mismatch/);
  });

  it('rejects a prelude CRC mismatch', () => {
    const bad = Buffer.from(frames[0]);
    bad[9] ^= 0x01;
    expect(() => new AwsEventStreamDeframer().feed(bad)).toThrow(/prelude CRC mismatch/);
  });

  it('rejects a stream that ends inside a frame, and absurd frame lengths', () => {
    const d = new AwsEventStreamDeframer();
    d.feed(frames[0].subarray(0, 20));
    expect(() => d.end()).toThrow(StreamFramingError);
    expect(() => new AwsEventStreamDeframer().feed(Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0]))).toThrow(/frame length/);
  });
});

describe('random splits (fast-check)', () => {
  const cutsOf = (len: number) => fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, len - 1) }), { maxLength: 12 }).map((a) => a.filter((n) => n < len).sort((x, y) => x - y));

  it('SSE: any events, any line endings, any cut points', () => {
    const payload = fc.string({ unit: 'grapheme', maxLength: 20 }).filter((s) => !/[\r\n]/.test(s));
    const eventArb = fc.record({ event: fc.option(fc.constantFrom('a', 'message_delta'), { nil: undefined }), lines: fc.array(payload, { minLength: 1, maxLength: 3 }) });
    fc.assert(fc.property(fc.array(eventArb, { minLength: 1, maxLength: 5 }), fc.constantFrom('\n', '\r\n', '\r'), (events, eol) => {
      const text = events.map((e) => (e.event ? `event: ${e.event}${eol}` : '') + e.lines.map((l) => `data: ${l}${eol}`).join('') + eol).join('');
      const bytes = Buffer.from(text, 'utf8');
      const expected = events.map((e) => (e.event ? { event: e.event, data: e.lines.join('\n') } : { data: e.lines.join('\n') }));
      fc.assert(fc.property(cutsOf(bytes.length), (cuts) => {
        expect(run(() => new SseDeframer(), bytes, cuts)).toEqual(expected);
      }), { numRuns: 10 });
    }), { numRuns: 60 });
  });

  it('AWS event-stream: any frames, any cut points', () => {
    const frameArb = fc.record({ type: fc.constantFrom('messageStart', 'contentBlockDelta', 'metadata'), body: fc.string({ maxLength: 40 }) });
    fc.assert(fc.property(fc.array(frameArb, { minLength: 1, maxLength: 4 }), (frames) => {
      const bytes = Buffer.concat(frames.map((f) => encodeFrame({ ':event-type': f.type }, Buffer.from(f.body))));
      fc.assert(fc.property(cutsOf(bytes.length), (cuts) => {
        const got = run(() => new AwsEventStreamDeframer(), bytes, cuts).map((m) => [m.headers[':event-type'], m.payload.toString()]);
        expect(got).toEqual(frames.map((f) => [f.type, f.body]));
      }), { numRuns: 10 });
    }), { numRuns: 60 });
  });
});
