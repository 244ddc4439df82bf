import { crc32 } from 'node:zlib';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import { at, call } from './client.js';

let mock: MockServer;
const sig = (akid = 'AKIDEXAMPLE') => ({
  authorization: `AWS4-HMAC-SHA256 Credential=${akid}/20240101/us-east-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=${'a1'.repeat(32)}`,
  'x-amz-date': '20240101T000000Z',
});
const model = 'anthropic.claude-3-sonnet-20240229-v1%3A0';
const messages = [{ role: 'user', content: [{ text: 'What is 1 + 1?' }] }];

beforeAll(async () => {
  mock = await startMock();
});
afterAll(async () => {
  await mock.close();
});

interface Frame {
  headers: Record<string, string>;
  payload: unknown;
}

/** An independent AWS event-stream decoder: checks both CRCs with zlib's crc32. */
function decodeFrames(buf: Buffer): Frame[] {
  const frames: Frame[] = [];
  let off = 0;
  while (off < buf.length) {
    const total = buf.readUInt32BE(off);
    const headersLen = buf.readUInt32BE(off + 4);
    expect(buf.readUInt32BE(off + 8)).toBe(crc32(buf.subarray(off, off + 8)));
    expect(buf.readUInt32BE(off + total - 4)).toBe(crc32(buf.subarray(off, off + total - 4)));
    const headers: Record<string, string> = {};
    let h = off + 12;
    while (h < off + 12 + headersLen) {
      const nameLen = buf.readUInt8(h);
      const name = buf.subarray(h + 1, h + 1 + nameLen).toString('utf8');
      expect(buf.readUInt8(h + 1 + nameLen)).toBe(7);
      const valueLen = buf.readUInt16BE(h + 2 + nameLen);
      headers[name] = buf.subarray(h + 4 + nameLen, h + 4 + nameLen + valueLen).toString('utf8');
      h += 4 + nameLen + valueLen;
    }
    const payload = buf.subarray(off + 12 + headersLen, off + total - 4).toString('utf8');
    frames.push({ headers, payload: JSON.parse(payload) as unknown });
    off += total;
  }
  return frames;
}

async function stream(body: unknown): Promise<{ type: string | string[] | undefined; frames: Frame[] }> {
  const res = await request(`${mock.url}/model/${model}/converse-stream`, { method: 'POST', headers: { ...sig(), 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.statusCode).toBe(200);
  return { type: res.headers['content-type'], frames: decodeFrames(Buffer.from(await res.body.arrayBuffer())) };
}

describe('bedrock converse', () => {
  it('answers converse with usage and a decoded model id', async () => {
    const r = await call(`${mock.url}/model/${model}/converse`, { headers: sig(), body: { messages, system: [{ text: 'Be brief.' }] } });
    expect(r.status).toBe(200);
    expect(r.json()).toMatchObject({
      output: { message: { role: 'assistant', content: [{ text: 'The answer to 1 + 1 is 2.' }] } },
      stopReason: 'end_turn',
      usage: { inputTokens: 7, outputTokens: 8, totalTokens: 15 },
    });
    expect(mock.requests().at(-1)?.path).toBe(`/model/${model}/converse`);
  });

  it('streams event-stream frames with valid CRCs in the right order', async () => {
    const { type, frames } = await stream({ messages });
    expect(type).toBe('application/vnd.amazon.eventstream');
    expect(frames.every((f) => f.headers[':message-type'] === 'event' && f.headers[':content-type'] === 'application/json')).toBe(true);
    expect(frames.map((f) => f.headers[':event-type'])).toEqual(['messageStart', ...Array(8).fill('contentBlockDelta'), 'contentBlockStop', 'messageStop', 'metadata']);
    expect(frames.filter((f) => f.headers[':event-type'] === 'contentBlockDelta').map((f) => at(f.payload, 'delta', 'text')).join('')).toBe('The answer to 1 + 1 is 2.');
    expect(at(frames.at(-2)?.payload, 'stopReason')).toBe('end_turn');
    expect(at(frames.at(-1)?.payload, 'usage')).toEqual({ inputTokens: 5, outputTokens: 8, totalTokens: 13 });
  });

  it('streams a tool use: contentBlockStart then toolUse input deltas', async () => {
    const toolConfig = { tools: [{ toolSpec: { name: 'get_weather', inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } } }] };
    const { frames } = await stream({ messages: [{ role: 'user', content: [{ text: 'weather in Oslo?' }] }], toolConfig });
    const start = frames.find((f) => f.headers[':event-type'] === 'contentBlockStart');
    expect(at(start?.payload, 'start', 'toolUse', 'name')).toBe('get_weather');
    const input = frames.filter((f) => f.headers[':event-type'] === 'contentBlockDelta').map((f) => at(f.payload, 'delta', 'toolUse', 'input')).join('');
    expect(JSON.parse(input)).toEqual({ city: 'San Francisco, CA' });
    expect(at(frames.find((f) => f.headers[':event-type'] === 'messageStop')?.payload, 'stopReason')).toBe('tool_use');
  });

  it('answers a toolResult with text', async () => {
    const r = await call(`${mock.url}/model/${model}/converse`, {
      headers: sig(),
      body: {
        messages: [
          { role: 'user', content: [{ text: 'weather?' }] },
          { role: 'assistant', content: [{ toolUse: { toolUseId: 't1', name: 'w', input: {} } }] },
          { role: 'user', content: [{ toolResult: { toolUseId: 't1', content: [{ json: { temp: 3 } }] } }] },
        ],
        toolConfig: { tools: [{ toolSpec: { name: 'w', inputSchema: { json: {} } } }] },
      },
    });
    expect(at(r.json(), 'output', 'message', 'content', 0, 'text')).toBe('The tool returned: {"temp":3}');
  });
});

describe('bedrock invoke', () => {
  it('serves titan and cohere embeddings, titan text and claude messages', async () => {
    const titan = await call(`${mock.url}/model/amazon.titan-embed-text-v2:0/invoke`, { headers: sig(), body: { inputText: 'hello world', dimensions: 4 } });
    expect(titan.json()).toMatchObject({ inputTextTokenCount: 2 });
    expect((at(titan.json(), 'embedding') as number[]).length).toBe(4);
    const coh = await call(`${mock.url}/model/cohere.embed-english-v3/invoke`, { headers: sig(), body: { texts: ['a', 'b'], input_type: 'search_document' } });
    expect((at(coh.json(), 'embeddings') as unknown[]).length).toBe(2);
    const text = await call(`${mock.url}/model/amazon.titan-text-express-v1/invoke`, { headers: sig(), body: { inputText: 'What is 1 + 1?' } });
    expect(at(text.json(), 'results', 0, 'outputText')).toBe('The answer to 1 + 1 is 2.');
    const claude = await call(`${mock.url}/model/${model}/invoke`, {
      headers: sig(),
      body: { anthropic_version: 'bedrock-2023-05-31', max_tokens: 10, messages: [{ role: 'user', content: 'What is 1 + 1?' }] },
    });
    expect(at(claude.json(), 'content', 0, 'text')).toBe('The answer to 1 + 1 is 2.');
    const bad = await call(`${mock.url}/model/x/invoke`, { headers: sig(), body: { foo: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.headers['x-amzn-errortype']).toBe('ValidationException');
  });
});

describe('bedrock auth', () => {
  it('checks the SigV4 shape', async () => {
    const none = await call(`${mock.url}/model/${model}/converse`, { body: { messages } });
    expect(none.status).toBe(403);
    expect(none.json()).toEqual({ message: 'Missing Authentication Token' });
    expect(none.headers['x-amzn-errortype']).toBe('MissingAuthenticationTokenException');
    const short = await call(`${mock.url}/model/${model}/converse`, {
      headers: { ...sig(), authorization: 'AWS4-HMAC-SHA256 Credential=AK/20240101/us-east-1/bedrock/aws4_request, SignedHeaders=host, Signature=abc' },
      body: { messages },
    });
    expect(short.status).toBe(403);
    expect(short.headers['x-amzn-errortype']).toBe('IncompleteSignatureException');
    const noDate = await call(`${mock.url}/model/${model}/converse`, { headers: { authorization: sig().authorization }, body: { messages } });
    expect(noDate.status).toBe(403);
    const apiKey = await call(`${mock.url}/model/${model}/converse`, { headers: { authorization: 'Bearer bedrock-api-key' }, body: { messages } });
    expect(apiKey.status).toBe(200);
  });

  it('with requireKey, only that access key id passes; injected 429 is a ThrottlingException', async () => {
    const strict = await startMock({ requireKey: 'AKIDRIGHT' });
    try {
      const wrong = await call(`${strict.url}/model/${model}/converse`, { headers: sig('AKIDWRONG'), body: { messages } });
      expect(wrong.status).toBe(403);
      expect(wrong.headers['x-amzn-errortype']).toBe('UnrecognizedClientException');
      const right = await call(`${strict.url}/model/${model}/converse`, { headers: sig('AKIDRIGHT'), body: { messages } });
      expect(right.status).toBe(200);
      const limited = await call(`${strict.url}/model/${model}/converse`, { headers: { ...sig('AKIDRIGHT'), 'x-mock-rate-limit': '1' }, body: { messages } });
      expect(limited.status).toBe(429);
      expect(limited.headers['x-amzn-errortype']).toBe('ThrottlingException');
    } finally {
      await strict.close();
    }
  });
});
