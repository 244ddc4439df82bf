import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { answer, answerText, conversation, countWords, sampleObject } from '../../../src/mock/answer.js';
import { embedding, embeddingBase64 } from '../../../src/mock/embedding.js';
import { crc32, encodeFrame } from '../../../src/mock/eventstream.js';
import { readFaults } from '../../../src/mock/faults.js';

describe('answers', () => {
  it('counts words and builds the default answers', () => {
    expect(countWords('  a  b\nc ')).toBe(3);
    expect(countWords('')).toBe(0);
    expect(answerText('')).toBe('Mock answer.');
    expect(answerText('x'.repeat(100))).toBe(`Mock answer to: ${'x'.repeat(80)}…`);
  });

  it('samples nested schemas, enums and type arrays', () => {
    const schema = {
      type: 'object',
      properties: {
        city: { type: 'string' },
        unit: { enum: ['c', 'f'] },
        opts: { type: 'object', properties: { deep: { type: ['boolean', 'null'] } } },
        list: { type: 'array' },
        n: { type: 'number' },
      },
    };
    expect(sampleObject(schema)).toEqual({ city: 'San Francisco, CA', unit: 'c', opts: { deep: true }, list: [], n: 1 });
    expect(sampleObject({ type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } }, required: ['b', 'ghost'] })).toEqual({ b: 'mock' });
    expect(sampleObject(undefined)).toEqual({});
  });

  it('does not call a tool again after a tool result, even with a named choice', () => {
    const tools = [{ name: 't', schema: {} }];
    const a = answer(conversation({ lastUser: 'weather', tools, toolChoice: { mode: 'named', name: 't' }, toolResult: '42' }));
    expect(a.toolCall).toBeUndefined();
    expect(a.text).toBe('The tool returned: 42');
    const b = answer(conversation({ lastUser: 'weather', tools, toolChoice: { mode: 'named', name: 'unknown' } }));
    expect(b.toolCall?.name).toBe('t');
    expect(b.finish).toBe('tool');
  });

  it('cuts at maxTokens 0 to an empty answer', () => {
    const a = answer(conversation({ lastUser: 'What is 1 + 1?', maxTokens: 0 }));
    expect(a.text).toBe('');
    expect(a.finish).toBe('length');
    expect(a.completionTokens).toBe(0);
  });
});

describe('embeddings and frames', () => {
  it('is deterministic, unit length, float32-exact in base64', () => {
    const v = embedding('hello', 100);
    expect(v).toEqual(embedding('hello', 100));
    expect(v).toHaveLength(100);
    expect(Math.hypot(...v)).toBeCloseTo(1, 5);
    const back = Buffer.from(embeddingBase64(v), 'base64');
    expect(Array.from({ length: 100 }, (_, i) => back.readFloatLE(i * 4))).toEqual(v);
  });

  it('computes CRC32 as zlib does and frames with both CRCs', () => {
    const data = Buffer.from('The quick brown fox');
    expect(crc32(data)).toBe(zlibCrc32(data));
    const frame = encodeFrame({ ':event-type': 'x' }, Buffer.from('{}'));
    expect(frame.readUInt32BE(0)).toBe(frame.length);
    expect(frame.readUInt32BE(8)).toBe(zlibCrc32(frame.subarray(0, 8)));
    expect(frame.readUInt32BE(frame.length - 4)).toBe(zlibCrc32(frame.subarray(0, frame.length - 4)));
  });
});

describe('fault headers', () => {
  const globals = { latencyMs: 5, chunkDelayMs: 0, failRate: 0 };
  it('parses values and falls back to the globals', () => {
    expect(readFaults({}, globals)).toMatchObject({ latencyMs: 5, garbage: false, hang: false, testId: 'default' });
    const f = readFaults({ 'x-mock-latency-ms': '0', 'x-mock-rate-limit': 'yes', 'x-mock-fail-first': '3:429', 'x-mock-status': '200', 'x-mock-hang': 'true' }, globals);
    expect(f).toMatchObject({ latencyMs: 0, rateLimit: 1, failFirst: { count: 3, status: 429 }, status: undefined, hang: true });
    expect(readFaults({ 'x-mock-fail-first': '2:999' }, globals).failFirst).toEqual({ count: 2, status: 500 });
  });
});
