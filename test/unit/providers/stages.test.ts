import { describe, expect, it } from 'vitest';
import { amzDate, rfc3986, signV4 } from '../../../src/gateway/llm/wire/aws-sigv4.js';
import { TranslationError } from '../../../src/gateway/llm/wire/errors.js';
import { createDeframer, eventJson, framingForContentType } from '../../../src/gateway/llm/wire/framing.js';
import { parseCanonicalRequest } from '../../../src/gateway/llm/wire/openai-types.js';
import { SSE_DONE, emptyEvent, sseFrames, sseNamedFrame } from '../../../src/gateway/llm/wire/sse-writer.js';
import { costOf } from '../../../src/gateway/llm/wire/pricing.js';
import { countWords, estimateCompletionTokens, estimatePromptTokens, parseOpenAIUsage, resolveUsage } from '../../../src/gateway/llm/wire/usage.js';

const EXAMPLE = {
  region: 'us-east-1', service: 'service', body: '', headers: {},
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
  now: new Date('2015-08-30T12:36:00Z'),
};

describe('signV4 (AWS SigV4 test suite vectors)', () => {
  it('get-vanilla', () => {
    const h = signV4({ ...EXAMPLE, method: 'GET', url: new URL('https://example.amazonaws.com/') });
    expect(h.Authorization).toBe('AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, '
      + 'SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
    expect(h['X-Amz-Date']).toBe('20150830T123600Z');
    expect(h['X-Amz-Security-Token']).toBeUndefined();
  });

  it('get-vanilla-query-order-key-case sorts the query', () => {
    const h = signV4({ ...EXAMPLE, method: 'GET', url: new URL('https://example.amazonaws.com/?Param2=value2&Param1=value1') });
    expect(h.Authorization).toMatch(/Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500$/);
  });

  it('signs and returns a session token, changing the signature', () => {
    const h = signV4({ ...EXAMPLE, method: 'GET', url: new URL('https://example.amazonaws.com/'), credentials: { ...EXAMPLE.credentials, sessionToken: 'tok' } });
    expect(h['X-Amz-Security-Token']).toBe('tok');
    expect(h.Authorization).toContain('SignedHeaders=host;x-amz-date;x-amz-security-token');
    expect(h.Authorization).not.toContain('5fa00fa3');
  });

  it('encodes like AWS and formats dates', () => {
    expect(rfc3986("a:b/c*!'()~")).toBe('a%3Ab%2Fc%2A%21%27%28%29~');
    expect(amzDate(new Date('2024-01-02T03:04:05.678Z'))).toBe('20240102T030405Z');
  });
});

describe('usage', () => {
  it('follows Kong estimates: words, ×1.8 when streaming, ceil(chars/4)', () => {
    const req = { messages: [{ role: 'user', content: 'one two  three' }, { role: 'user', content: [{ type: 'text' as const, text: 'four' }] }] };
    expect(countWords(' a  b\nc ')).toBe(3);
    expect(estimatePromptTokens(req, false)).toBe(4);
    expect(estimatePromptTokens(req, true)).toBe(8); // ceil(4 × 1.8)
    expect(estimateCompletionTokens('12345')).toBe(2);
  });

  it('prefers upstream usage and falls back to estimates, never a string', () => {
    expect(resolveUsage({ prompt_tokens: 25, completion_tokens: 12, total_tokens: 37 }, 3, 'xx')).toEqual({ prompt_tokens: 25, completion_tokens: 12, total_tokens: 37 });
    expect(resolveUsage(null, 3, 'abcdefgh')).toEqual({ prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 });
    expect(resolveUsage({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }, 3, '')).toEqual({ prompt_tokens: 3, completion_tokens: 0, total_tokens: 3 });
    expect(resolveUsage({ prompt_tokens: 0, completion_tokens: 9, total_tokens: 9 }, 4, '')).toEqual({ prompt_tokens: 4, completion_tokens: 9, total_tokens: 13 });
  });

  it('keeps the details and the service tier, in the wire order, and numbers only', () => {
    const wire = {
      prompt_tokens: 19, completion_tokens: 10, total_tokens: 29,
      prompt_tokens_details: { cached_tokens: 3, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 4, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    };
    const u = parseOpenAIUsage(wire, 'default')!;
    expect(JSON.stringify(u)).toBe(JSON.stringify({ ...wire, service_tier: 'default' }));
    const r = resolveUsage(u, 0, '');
    expect(Object.keys(r)).toEqual(['prompt_tokens', 'completion_tokens', 'total_tokens', 'prompt_tokens_details', 'completion_tokens_details', 'service_tier']);
    expect(r).toEqual(u);
    // with an estimated prompt, the total is recomputed and the details stay
    expect(resolveUsage({ ...u, prompt_tokens: 0 }, 7, '')).toMatchObject({ prompt_tokens: 7, completion_tokens: 10, total_tokens: 17, prompt_tokens_details: { cached_tokens: 3 } });
    // members that are not finite numbers are dropped; a details object without numbers is no details
    const mixed = parseOpenAIUsage({ prompt_tokens: 1, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 2, audio_tokens: null, note: 'x' }, completion_tokens_details: { reasoning_tokens: 'many' } })!;
    expect(mixed.prompt_tokens_details).toEqual({ cached_tokens: 2 });
    expect('completion_tokens_details' in mixed).toBe(false);
    expect(resolveUsage(mixed, 0, '')).not.toHaveProperty('completion_tokens_details');
  });

  it('computes cost per 1M tokens, 0 unless both prices are set', () => {
    const u = { prompt_tokens: 25, completion_tokens: 12, total_tokens: 37 };
    expect(costOf(u, { input_cost: 10, output_cost: 10 })).toBeCloseTo(0.00037, 10);
    expect(costOf(u, { input_cost: 10 })).toBe(0);
  });
});

describe('parseCanonicalRequest', () => {
  const err = (rt: Parameters<typeof parseCanonicalRequest>[0], body: unknown): TranslationError => {
    try {
      parseCanonicalRequest(rt, body);
    } catch (e) {
      if (e instanceof TranslationError) return e;
    }
    throw new Error('expected a TranslationError');
  };

  it('uses Kong messages for bad bodies', () => {
    expect(err('llm/v1/chat', { messages: [] }).message).toBe("request body doesn't contain valid prompts");
    expect(err('llm/v1/chat', 'x').status).toBe(400);
    expect(err('llm/v1/completions', { messages: [{ role: 'user', content: 'hi' }] }).message)
      .toBe('[llm/v1/chat] message format is not compatible with [llm/v1/completions] route type');
    expect(err('llm/v1/chat', { messages: [{ role: 'user', content: 'x' }], prompt: 'y' }).message).toBe('request matches multiple LLM request formats');
    expect(err('llm/v1/chat', { messages: [{ content: 'no role' }] }).message).toBe("request body doesn't contain valid prompts");
  });

  it('narrows messages, tools and tool_choice and keeps unknown fields', () => {
    const req = parseCanonicalRequest('llm/v1/chat', {
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image_url', image_url: { url: 'https://x/y.png' } }] }],
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }, { bogus: true }],
      tool_choice: { type: 'function', function: { name: 'f' } }, temperature: 'hot', seed: 4,
    });
    expect(req.messages?.[0].content).toEqual([{ type: 'text', text: 'hi' }, { type: 'image_url', image_url: { url: 'https://x/y.png' } }]);
    expect(req.tools).toEqual([{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }]);
    expect(req.tool_choice).toEqual({ type: 'function', function: { name: 'f' } });
    expect(req.temperature).toBeUndefined();
    expect(req.seed).toBe(4);
  });
});

describe('sse writer', () => {
  it('frames chunks and ends with [DONE]', () => {
    const c = { id: 'a', object: 'chat.completion.chunk' as const, created: 1, model: 'm', choices: [] };
    expect(sseFrames([c]) + SSE_DONE).toBe(`data: ${JSON.stringify(c)}\n\ndata: [DONE]\n\n`);
    expect(sseNamedFrame('ping', { type: 'ping' })).toBe('event: ping\ndata: {"type":"ping"}\n\n');
    expect(emptyEvent()).toBe('data: {"error":true,"message":"empty or unsupported transformer response"}\n\n');
  });
});

describe('framing', () => {
  it('follows the upstream content type, falling back to the provider', () => {
    expect(framingForContentType('text/event-stream; charset=utf-8', 'json-array')).toBe('sse');
    expect(framingForContentType('application/vnd.amazon.eventstream', 'sse')).toBe('aws-eventstream');
    expect(framingForContentType('application/json', 'sse')).toBe('json-array');
    expect(framingForContentType('application/json', 'ndjson')).toBe('ndjson');
    expect(framingForContentType('application/x-ndjson', 'sse')).toBe('ndjson');
    expect(framingForContentType(undefined, 'ndjson')).toBe('ndjson');
  });

  it('the JSON-array deframer also reads newline-separated objects', () => {
    const d = createDeframer('json-array');
    const evs = [...d.feed(Buffer.from('{"a":1}\n{"b":2}\n')), ...d.end()];
    expect(evs.map(eventJson)).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it('eventJson returns null for [DONE] and non-JSON data', () => {
    expect(eventJson({ kind: 'sse', data: '[DONE]' })).toBeNull();
    expect(eventJson({ kind: 'sse', data: 'nope' })).toBeNull();
    expect(eventJson({ kind: 'aws', headers: {}, payload: Buffer.from('{"x":1}') })).toEqual({ x: 1 });
  });
});
