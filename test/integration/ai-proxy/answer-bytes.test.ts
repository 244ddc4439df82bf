/**
 * What ai-proxy sends, byte for byte: the client's answer (status, headers in their order, body) and
 * the request the upstream LLM gets (body, headers), for chat, a stream, the errors, and the
 * Anthropic client format; with nothing logging (the lean path) and with a per-request subscriber.
 * The expected values were taken from the gateway before the request path was trimmed for speed
 * (branch hotpath, before its first change); they pin that
 * the trimming changed nothing a client or an upstream can see, but for one deliberate change (branch
 * hotpath2): an unchanged OpenAI answer is the upstream's bytes ("chat, loose upstream JSON").
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';

const KEY = 'sk-bytes';
/**
 * Not in JSON.stringify's form (spaces, escapes, a float written `1.0`). An answer the gateway does not change is
 * passed on as the upstream's bytes (as Kong does; before branch hotpath2 it was serialised again).
 */
const LOOSE = '{ "id": "chatcmpl-9", "object": "chat.completion", "created": 1700000000, "model": "gpt-4o-2024-08-06",\n'
  + '  "service_tier": "default", "choices": [ { "index": 0, "message": { "role": "assistant", "content": "Tw\\u006f \\/ \\"q\\" \u00e9", "refusal": null },'
  + ' "logprobs": null, "finish_reason": "stop" } ], "usage": { "prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15,'
  + ' "prompt_tokens_details": { "cached_tokens": 4 } }, "x_score": 1.0, "x_big": 1e21 }';
/** What the mock answers: already in JSON.stringify's form. */
const COMPACT = '{"id":"chatcmpl-c3","created":1700000000,"model":"gpt-4o","system_fingerprint":"fp_mock","object":"chat.completion",'
  + '"choices":[{"index":0,"message":{"role":"assistant","content":"Mock answer","refusal":null},"logprobs":null,"finish_reason":"stop"}],'
  + '"usage":{"prompt_tokens":2,"completion_tokens":5,"total_tokens":7}}';
/** No usage at all: the gateway estimates it (and adds it to the answer). */
const NO_USAGE = '{"id":"chatcmpl-n","object":"chat.completion","created":1700000000,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"one two three"},"finish_reason":"stop"}]}';
const chunk = (delta: unknown, finish: string | null, usage?: unknown) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-s', object: 'chat.completion.chunk', created: 1700000000, model: 'gpt-4o', choices: delta === null ? [] : [{ index: 0, delta, finish_reason: finish }], ...(usage ? { usage } : {}) })}\n\n`;
const STREAM = [chunk({ role: 'assistant', content: 'Tw' }, null), chunk({ content: 'o.' }, 'stop'), chunk(null, null, { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 }), 'data: [DONE]\n\n'];
/** Chunks not in JSON.stringify's form (spaces, `\u` and `\/` escapes, `1.0`, a duplicate key): re-serialised. */
const LOOSE_STREAM = [
  'data: { "id": "chatcmpl-l", "object": "chat.completion.chunk", "created": 1700000000, "model": "gpt-4o", "choices": [ { "index": 0, "delta": { "role": "assistant", "content": "\\u0041 \\/" }, "finish_reason": null } ] }\n\n',
  'data: {"id":"chatcmpl-l","object":"chat.completion.chunk","created":1.0,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"b"},"finish_reason":"stop"}],"x":1,"x":2}\n\n',
  'data: {"id":"chatcmpl-l","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11},"2":"n"}\n\n',
  'data: [DONE]\n\n',
];

interface Received { body: string; headers: Record<string, string | string[] | undefined> }

/** A deterministic OpenAI upstream: the first message's content picks the answer; it keeps what it received. */
function upstream(received: Received[]): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(parts).toString('utf8');
      const { host: _h, 'content-length': _l, connection: _c, ...headers } = req.headers;
      received.push({ body: raw, headers });
      const body = JSON.parse(raw) as { stream?: boolean; messages: Array<{ content: string }> };
      const what = body.messages[0]?.content;
      const json = (status: number, text: string, extra: Record<string, string> = {}) =>
        res.writeHead(status, { 'content-type': 'application/json', 'x-upstream': 'yes', ...extra }).end(text);
      if (what === 'limit') json(429, '{"error":{"message":"slow down","type":"rate_limit"}}', { 'retry-after': '7' });
      else if (what === 'garbage') json(200, 'not json');
      else if (what === 'compact') json(200, COMPACT);
      else if (what === 'no usage') json(200, NO_USAGE);
      else if (body.stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'x-upstream': 'yes' });
        for (const c of what === 'loose' ? LOOSE_STREAM : STREAM) res.write(c);
        res.end();
      } else json(200, LOOSE, { 'openai-processing-ms': '5', 'set-cookie': 'a=b' });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const plugin = (url: string, extra = '') => `
    - name: ai-proxy
      config:
        route_type: llm/v1/chat${extra}
        auth: { header_name: Authorization, header_value: "Bearer ${KEY}" }
        model: { provider: openai, name: gpt-4o, options: { max_tokens: 64, temperature: 0.25, upstream_url: "${url}/v1/chat/completions" } }`;

const yaml = (url: string) => `
_format_version: "3.0"
services:
- name: llm
  url: http://localhost:32000
  routes:
  - name: chat
    paths: [/chat]
    plugins:${plugin(url)}
  - name: claude
    paths: [/claude]
    plugins:${plugin(url, '\n        llm_format: anthropic')}
  - name: dead
    paths: [/dead]
    plugins:${plugin('http://127.0.0.1:1')}
`;

/** Status, raw headers in order (values that change per request or per second masked), body. */
function post(url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: string[]; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'x-client': 'c1', ...headers } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        const h = res.rawHeaders.map((v, i) => {
          const name = res.rawHeaders[i - 1]?.toLowerCase();
          if (i % 2 === 0) return v;
          if (name === 'date') return '…';
          if (name === 'x-kong-request-id') return /^[0-9a-f]{32}$/.test(v) ? '…' : v;
          if (name?.startsWith('x-kong-') && name.endsWith('-latency')) return /^\d+$/.test(v) ? '…' : v;
          return v;
        });
        resolve({ status: res.statusCode ?? 0, headers: h, body: Buffer.concat(parts).toString('utf8').replace(/"request_id":"[0-9a-f]{32}"/g, '"request_id":"…"') });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const msg = (content: string, extra = '') => `{"messages":[{"role":"user","content":"${content}"}]${extra}}`;
const CASES: Array<{ name: string; path: string; body: string; headers?: Record<string, string> }> = [
  { name: 'chat, loose upstream JSON', path: '/chat', body: msg('hi', ',"temperature":0.5,"user":"u1"') },
  { name: 'chat, compact upstream JSON, kong-debug', path: '/chat', body: msg('compact'), headers: { 'kong-debug': '1' } },
  { name: 'chat, upstream without usage', path: '/chat', body: msg('no usage') },
  { name: 'chat, client body with __proto__', path: '/chat', body: '{"__proto__":{"polluted":1},"messages":[{"role":"user","content":"compact"}]}' },
  { name: 'stream', path: '/chat', body: msg('hi', ',"stream":true') },
  { name: 'stream with usage', path: '/chat', body: msg('hi', ',"stream":true,"stream_options":{"include_usage":true}') },
  { name: 'stream, loose upstream JSON', path: '/chat', body: msg('loose', ',"stream":true,"stream_options":{"include_usage":true}') },
  { name: 'upstream 429', path: '/chat', body: msg('limit') },
  { name: 'upstream garbage', path: '/chat', body: msg('garbage') },
  { name: 'upstream unreachable', path: '/dead', body: msg('hi') },
  { name: 'bad JSON', path: '/chat', body: '{"messages": [' },
  { name: 'own model', path: '/chat', body: '{"model":"gpt-3.5","messages":[{"role":"user","content":"hi"}]}' },
  { name: 'anthropic client', path: '/claude', body: '{"model":"claude-x","max_tokens":10,"messages":[{"role":"user","content":"compact"}]}' },
  { name: 'anthropic client, stream', path: '/claude', body: '{"model":"claude-x","max_tokens":10,"stream":true,"messages":[{"role":"user","content":"hi"}]}' },
  { name: 'anthropic client, upstream 429', path: '/claude', body: '{"model":"claude-x","max_tokens":10,"messages":[{"role":"user","content":"limit"}]}' },
];

const EXPECTED: Record<string, { status: number; headers: string[]; body: string; upstream?: Received }> = {
  "chat, loose upstream JSON": {"status":200,"headers":["content-type","application/json","x-upstream","yes","openai-processing-ms","5","date","…","x-kong-llm-model","openai/gpt-4o","content-length","453","via","1.1 aigw/0.1.0","x-kong-upstream-latency","…","x-kong-proxy-latency","…","x-kong-request-id","…","Connection","close"],"body":LOOSE,"upstream":{"body":"{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":0.25,\"user\":\"u1\",\"model\":\"gpt-4o\",\"max_tokens\":64,\"stream\":false}","headers":{"x-client":"c1","content-type":"application/json","accept-encoding":"gzip, identity","authorization":"Bearer sk-bytes"}}},
  "chat, compact upstream JSON, kong-debug": {"status":200,"headers":["content-type","application/json","x-upstream","yes","date","…","x-kong-llm-model","openai/gpt-4o","content-length","316","via","1.1 aigw/0.1.0","x-kong-upstream-latency","…","x-kong-proxy-latency","…","x-kong-request-id","…","Connection","close"],"body":"{\"id\":\"chatcmpl-c3\",\"created\":1700000000,\"model\":\"gpt-4o\",\"system_fingerprint\":\"fp_mock\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Mock answer\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":2,\"completion_tokens\":5,\"total_tokens\":7}}","upstream":{"body":"{\"messages\":[{\"role\":\"user\",\"content\":\"compact\"}],\"model\":\"gpt-4o\",\"max_tokens\":64,\"temperature\":0.25,\"stream\":false}","headers":{"x-client":"c1","kong-debug":"1","content-type":"application/json","accept-encoding":"gzip, identity","authorization":"Bearer sk-bytes"}}},
  "chat, upstream without usage": {"status":200,"headers":["content-type","application/json","x-upstream","yes","date","…","x-kong-llm-model","openai/gpt-4o","content-length","255","via","1.1 aigw/0.1.0","x-kong-upstream-latency","…","x-kong-proxy-latency","…","x-kong-request-id","…","Connection","close"],"body":"{\"id\":\"chatcmpl-n\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"one two three\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":2,\"completion_tokens\":4,\"total_tokens\":6}}","upstream":{"body":"{\"messages\":[{\"role\":\"user\",\"content\":\"no usage\"}],\"model\":\"gpt-4o\",\"max_tokens\":64,\"temperature\":0.25,\"stream\":false}","headers":{"x-client":"c1","content-type":"application/json","accept-encoding":"gzip, identity","authorization":"Bearer sk-bytes"}}},
  "chat, client body with __proto__": {"status":200,"headers":["content-type","application/json","x-upstream","yes","date","…","x-kong-llm-model","openai/gpt-4o","content-length","316","via","1.1 aigw/0.1.0","x-kong-upstream-latency","…","x-kong-proxy-latency","…","x-kong-request-id","…","Connection","close"],"body":"{\"id\":\"chatcmpl-c3\",\"created\":1700000000,\"model\":\"gpt-4o\",\"system_fingerprint\":\"fp_mock\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Mock answer\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":2,\"completion_tokens\":5,\"total_tokens\":7}}","upstream":{"body":"{\"__proto__\":{\"polluted\":1},\"messages\":[{\"role\":\"user\",\"content\":\"compact\"}],\"model\":\"gpt-4o\",\"max_tokens\":64,\"temperature\":0.25,\"stream\":false}","headers":{"x-client":"c1","content-type":"application/json","accept-encoding":"gzip, identity","authorization":"Bearer sk-bytes"}}},
  "stream": {"status":200,"headers":["content-type","text/event-stream","x-upstream","yes","date","…","cache-control","no-cache","x-kong-llm-model","openai/gpt-4o","via","1.1 aigw/0.1.0","x-kong-upstream-latency","…","x-kong-proxy-latency","…","x-kong-request-id","…","Connection","close","Transfer-Encoding","chunked"],"body":"data: {\"id\":\"chatcmpl-s\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Tw\"},\"finish_reason\":null}]}\n\ndata: {\"id\":\"chatcmpl-s\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"o.\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n","upstream":{"body":"{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true,\"model\":\"gpt-4o\",\"max_tokens\":64,\"temperature\":0.25,\"stream_options\":{\"include_usage\":true}}","headers":{"x-client":"c1","content-type":"application/json","accept-encoding":"gzip, identity","authorization":"Bearer sk-bytes"}}},
  "stream with usage": {"status":200,"headers":["content-type","text/event-stream","x-upstream","yes","date","…","cache-control","no-cache","x-kong-llm-model","openai/gpt-4o","via","1.1 aigw/0.1.0","x-kong-upstream-latency","…","x-kong-proxy-latency","…","x-kong-request-id","…","Connection","close","Transfer-Encoding","chunked"],"body":"data: {\"id\":\"chatcmpl-s\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Tw\"},\"finish_reason\":null}]}\n\ndata: {\"id\":\"chatcmpl-s\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"o.\"},\"finish_reason\":\"stop\"}]}\n\ndata: {\"id\":\"chatcmpl-s\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-4o\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"total_tokens\":11}}\n\ndata: [DONE]\n\n","upstream":{"body":"{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true,\"stream_options\":{\"include_usage\":true},\"model\":\"gpt-4o\",\"max_tokens\":64,\"temperature\":0.25}","headers":{"x-client":"c1","content-type":"application/json","accept-encoding":"gzip, identity","authorization":"Bearer sk-bytes"}}},
  "stream, loose upstream JSON": {"status":200,"headers":["content-type","text/event-stream","x-upstream","yes","date","…","cache-control","no-cache","x-kong-llm-model","openai/gpt-4o","via","1.1 aigw/0.1.0","x-kong-upstream-latency","…","x-kong-proxy-latency","…","x-kong-request-id","…","Connection","close","Transfer-Encoding","chunked"],"body":"data: {\"id\":\"chatcmpl-l\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"A /\"},\"finish_reason\":null}]}\n\ndata: {\"id\":\"chatcmpl-l\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"},\"finish_reason\":\"stop\"}],\"x\":2}\n\ndata: {\"2\":\"n\",\"id\":\"chatcmpl-l\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-4o\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"total_tokens\":11}}\n\ndata: [DONE]\n\n","upstream":{"body":"{\"messages\":[{\"role\":\"user\",\"content\":\"loose\"}],\"stream\":true,\"stream_options\":{\"include_usage\":true},\"model\":\"gpt-4o\",\"max_tokens\":64,\"temperature\":0.25}","headers":{"x-client":"c1","content-type":"application/json","accept-encoding":"gzip, identity","authorization":"Bearer sk-bytes"}}},
  "upstream 429": {"status":429,"headers":["content-type","application/json","x-upstream","yes","retry-after","7","date","…","content-length","53","via","1.1 aigw/0.1.0","x-kong-upstream-latency","…","x-kong-proxy-latency","…","x-kong-request-id","…","Connection","close"],"body":"{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit\"}}","upstream":{"body":"{\"messages\":[{\"role\":\"user\",\"content\":\"limit\"}],\"model\":\"gpt-4o\",\"max_tokens\":64,\"temperature\":0.25,\"stream\":false}","headers":{"x-client":"c1","content-type":"application/json","accept-encoding":"gzip, identity","authorization":"Bearer sk-bytes"}}},
  "upstream garbage": {"status":502,"headers":["content-type","application/json; charset=utf-8","content-length","80","x-kong-response-latency","…","server","aigw/0.1.0","x-kong-request-id","…","Date","…","Connection","close"],"body":"{\"error\":{\"message\":\"The upstream LLM returned an invalid response (not JSON)\"}}","upstream":{"body":"{\"messages\":[{\"role\":\"user\",\"content\":\"garbage\"}],\"model\":\"gpt-4o\",\"max_tokens\":64,\"temperature\":0.25,\"stream\":false}","headers":{"x-client":"c1","content-type":"application/json","accept-encoding":"gzip, identity","authorization":"Bearer sk-bytes"}}},
  "upstream unreachable": {"status":502,"headers":["content-type","application/json; charset=utf-8","content-length","76","x-kong-response-latency","…","server","aigw/0.1.0","x-kong-request-id","…","Date","…","Connection","close"],"body":"{\"error\":{\"message\":\"The upstream LLM could not be reached (ECONNREFUSED)\"}}"},
  "bad JSON": {"status":400,"headers":["content-type","application/json; charset=utf-8","content-length","95","x-kong-response-latency","…","server","aigw/0.1.0","x-kong-request-id","…","Date","…","Connection","close"],"body":"{\"error\":{\"message\":\"content-type header does not match request body, or bad JSON formatting\"}}"},
  "own model": {"status":400,"headers":["content-type","application/json; charset=utf-8","content-length","62","x-kong-response-latency","…","server","aigw/0.1.0","x-kong-request-id","…","Date","…","Connection","close"],"body":"{\"error\":{\"message\":\"cannot use own model - must be: gpt-4o\"}}"},
  "anthropic client": {"status":200,"headers":["content-type","application/json","x-upstream","yes","date","…","x-kong-llm-model","openai/gpt-4o","content-length","217","via","1.1 aigw/0.1.0","x-kong-upstream-latency","…","x-kong-proxy-latency","…","x-kong-request-id","…","Connection","close"],"body":"{\"id\":\"msg_chatcmpl-c3\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"gpt-4o\",\"content\":[{\"type\":\"text\",\"text\":\"Mock answer\"}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":2,\"output_tokens\":5}}","upstream":{"body":"{\"messages\":[{\"role\":\"user\",\"content\":\"compact\"}],\"model\":\"gpt-4o\",\"max_tokens\":64,\"temperature\":0.25,\"stream\":false}","headers":{"x-client":"c1","content-type":"application/json","accept-encoding":"gzip, identity","authorization":"Bearer sk-bytes"}}},
  "anthropic client, stream": {"status":200,"headers":["content-type","text/event-stream","x-upstream","yes","date","…","cache-control","no-cache","x-kong-llm-model","openai/gpt-4o","via","1.1 aigw/0.1.0","x-kong-upstream-latency","…","x-kong-proxy-latency","…","x-kong-request-id","…","Connection","close","Transfer-Encoding","chunked"],"body":"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_chatcmpl-s\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"gpt-4o\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":0,\"output_tokens\":0}}}\n\nevent: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\nevent: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Tw\"}}\n\nevent: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"o.\"}}\n\nevent: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\nevent: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"input_tokens\":9,\"output_tokens\":2}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n","upstream":{"body":"{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"model\":\"gpt-4o\",\"max_tokens\":64,\"stream\":true,\"temperature\":0.25,\"stream_options\":{\"include_usage\":true}}","headers":{"x-client":"c1","content-type":"application/json","accept-encoding":"gzip, identity","authorization":"Bearer sk-bytes"}}},
  "anthropic client, upstream 429": {"status":429,"headers":["content-type","application/json","x-upstream","yes","retry-after","7","date","…","content-length","74","via","1.1 aigw/0.1.0","x-kong-upstream-latency","…","x-kong-proxy-latency","…","x-kong-request-id","…","Connection","close"],"body":"{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow down\"}}","upstream":{"body":"{\"messages\":[{\"role\":\"user\",\"content\":\"limit\"}],\"model\":\"gpt-4o\",\"max_tokens\":64,\"temperature\":0.25,\"stream\":false}","headers":{"x-client":"c1","content-type":"application/json","accept-encoding":"gzip, identity","authorization":"Bearer sk-bytes"}}},
};

describe('ai-proxy answers and upstream requests, byte for byte', () => {
  let up: http.Server;
  const received: Received[] = [];
  const gateways: Array<[string, TestGateway]> = [];

  beforeAll(async () => {
    up = await upstream(received);
    const text = yaml(`http://127.0.0.1:${(up.address() as AddressInfo).port}`);
    gateways.push(['nothing logging', await gatewayFrom(text, { adminListen: null })]);
    gateways.push(['a per-request subscriber', await gatewayFrom(text, { adminListen: null, onRequest: () => {} })]);
  });
  afterAll(async () => {
    for (const [, gw] of gateways) await gw.close(100);
    await new Promise((r) => up.close(r));
  });

  for (const c of CASES) {
    it(c.name, async () => {
      for (const [, gw] of gateways) {
        const before = received.length;
        const got = await post(`${gw.proxyUrl}${c.path}`, c.body, c.headers);
        const upstreamSaw = received.length > before ? received[received.length - 1] : undefined;
        expect({ ...got, ...(upstreamSaw ? { upstream: upstreamSaw } : {}) }).toEqual(EXPECTED[c.name]);
      }
    });
  }
});
