/** Kong's ai-proxy error table (kong.md §1.2), provider error passthrough, and dead / slow / garbage upstreams. */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';
import { freePort, startUpstream, type TestUpstream } from '../../helpers/net.js';
import { KEY, parseSse, postJson } from './setup.js';

const HI = { messages: [{ role: 'user', content: 'hi' }] };

describe('ai-proxy errors', () => {
  let mock: MockServer;
  let odd: TestUpstream;
  let hang: TestUpstream;
  const hangClosed: number[] = [];
  let trickle: TestUpstream;
  /** Streams that `trickle` ended: 'closed' when its client (the gateway) left first, 'finished' when it sent every chunk. */
  const trickleEnds: Array<'closed' | 'finished'> = [];
  let gw: TestGateway;
  let deadPort: number;

  beforeAll(async () => {
    mock = await startMock({ requireKey: KEY });
    odd = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"object":"chat.completion","id":"x"}');
    });
    // Never answers; records when the gateway closes the request.
    hang = await startUpstream((req) => req.socket.once('close', () => hangClosed.push(Date.now())));
    // An OpenAI stream of 100 chunks, one every 100 ms: records whether its client closed it first.
    trickle = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let i = 0;
      let ended = false;
      const timer = setInterval(() => {
        if (i++ < 100) {
          res.write(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', model: 'gpt-4o', choices: [{ index: 0, delta: { content: `w${i} ` }, finish_reason: null }] })}\n\n`);
          return;
        }
        clearInterval(timer);
        ended = true;
        trickleEnds.push('finished');
        res.end('data: [DONE]\n\n');
      }, 100);
      res.once('close', () => {
        clearInterval(timer);
        if (!ended) trickleEnds.push('closed');
      });
    });
    deadPort = await freePort();
    const openai = (name: string | null, extra = '') => `{ provider: openai, ${name ? `name: ${name}, ` : ''}options: { upstream_url: "${mock.url}/v1/chat/completions"${extra} } }`;
    const auth = `{ header_name: Authorization, header_value: "Bearer ${KEY}" }`;
    gw = await gatewayFrom(`
_format_version: "3.0"
services:
- name: llm
  url: http://localhost:32000
  routes:
  - name: chat
    paths: [/chat]
    plugins:
    - name: ai-proxy
      config: { route_type: llm/v1/chat, auth: ${auth}, max_request_body_size: 300, model: ${openai('gpt-4o')} }
  - name: nomodel
    paths: [/nomodel]
    plugins:
    - name: ai-proxy
      config: { route_type: llm/v1/chat, auth: ${auth}, model: ${openai(null)} }
  - name: completions
    paths: [/completions]
    plugins:
    - name: ai-proxy
      config: { route_type: llm/v1/completions, auth: ${auth}, model: { provider: openai, name: gpt-3.5-turbo-instruct, options: { upstream_url: "${mock.url}/v1/completions" } } }
  - name: deny
    paths: [/deny]
    plugins:
    - name: ai-proxy
      config: { route_type: llm/v1/chat, auth: ${auth}, response_streaming: deny, model: ${openai('gpt-4o')} }
  - name: odd
    paths: [/odd]
    plugins:
    - name: ai-proxy
      config: { route_type: llm/v1/chat, model: { provider: openai, name: gpt-4o, options: { upstream_url: "${odd.url}/v1/chat/completions" } } }
  - name: hang
    paths: [/hang]
    plugins:
    - name: ai-proxy
      config: { route_type: llm/v1/chat, model: { provider: openai, name: gpt-4o, options: { upstream_url: "${hang.url}/v1/chat/completions" } } }
  - name: trickle
    paths: [/trickle]
    plugins:
    - name: ai-proxy
      config: { route_type: llm/v1/chat, model: { provider: openai, name: gpt-4o, options: { upstream_url: "${trickle.url}/v1/chat/completions" } } }
  - name: bedrock-nocreds
    paths: [/bedrock]
    plugins:
    - name: ai-proxy
      config: { route_type: llm/v1/chat, model: { provider: bedrock, name: m, options: { bedrock: { aws_region: us-east-1 }, upstream_url: "${mock.url}/model/m/converse" } } }
  - name: wrongkey
    paths: [/wrongkey]
    plugins:
    - name: ai-proxy
      config: { route_type: llm/v1/chat, auth: { header_name: Authorization, header_value: "Bearer wrong" }, model: ${openai('gpt-4o')} }
  - name: anthropic-wrongkey
    paths: [/anthropic-wrongkey]
    plugins:
    - name: ai-proxy
      config: { route_type: llm/v1/chat, auth: { header_name: x-api-key, header_value: wrong }, model: { provider: anthropic, name: claude, options: { anthropic_version: "2023-06-01", upstream_url: "${mock.url}/v1/messages" } } }
  - name: dead
    paths: [/dead]
    plugins:
    - name: ai-proxy
      config: { route_type: llm/v1/chat, model: { provider: openai, name: gpt-4o, options: { upstream_url: "http://127.0.0.1:${deadPort}/v1/chat/completions" } } }
- name: slow
  url: http://localhost:32000
  read_timeout: 300
  routes:
  - name: slow
    paths: [/slow]
    plugins:
    - name: ai-proxy
      config: { route_type: llm/v1/chat, auth: ${auth}, model: ${openai('gpt-4o')} }
`);
  });
  afterAll(async () => {
    await gw.close(100);
    await mock.close();
    await odd.close();
    await hang.close();
    await trickle.close();
  });

  const expectError = (r: { status: number; text: string }, status: number, message: string): void => {
    expect(r.status, r.text).toBe(status);
    expect(JSON.parse(r.text)).toEqual({ error: { message } });
  };
  const BAD_BODY = 'content-type header does not match request body, or bad JSON formatting';

  it('400 for bad JSON and a non-JSON content type; 413 naming the limit for a body over max_request_body_size', async () => {
    expectError(await postJson(`${gw.proxyUrl}/chat`, '{"messages": ['), 400, BAD_BODY);
    expectError(await postJson(`${gw.proxyUrl}/chat`, JSON.stringify(HI), { 'content-type': 'application/x-www-form-urlencoded' }), 400, BAD_BODY);
    // Kong answers its generic 400 here; aigw says which limit to raise (a coding agent's first request is 50–130 KB)
    expectError(await postJson(`${gw.proxyUrl}/chat`, { messages: [{ role: 'user', content: 'x'.repeat(400) }] }), 413,
      'request body is larger than max_request_body_size (300 bytes) of the ai-proxy plugin on this route; raise config.max_request_body_size');
    expect(mock.requests()).toHaveLength(0);
  });

  it('400 when there is no valid prompt', async () => {
    expectError(await postJson(`${gw.proxyUrl}/chat`, {}), 400, "request body doesn't contain valid prompts");
    expectError(await postJson(`${gw.proxyUrl}/chat`, { messages: [] }), 400, "request body doesn't contain valid prompts");
  });

  it('400 cannot use own model, and model not found anywhere', async () => {
    expectError(await postJson(`${gw.proxyUrl}/chat`, { ...HI, model: 'gpt-3.5-turbo' }), 400, 'cannot use own model - must be: gpt-4o');
    expectError(await postJson(`${gw.proxyUrl}/nomodel`, HI), 400, 'model parameter not found in request, nor in gateway configuration');
    const ok = await postJson(`${gw.proxyUrl}/chat`, { ...HI, model: 'gpt-4o' });
    expect(ok.status).toBe(200);
    const own = await postJson(`${gw.proxyUrl}/nomodel`, { ...HI, model: 'gpt-4o-mini' });
    expect(own.status).toBe(200);
    expect(own.headers['x-kong-llm-model']).toBe('openai/gpt-4o-mini');
    expect((mock.requests().at(-1)?.body as { model: string }).model).toBe('gpt-4o-mini');
  });

  it('400 when the format does not match the route type', async () => {
    expectError(await postJson(`${gw.proxyUrl}/completions`, HI), 400, '[llm/v1/chat] message format is not compatible with [llm/v1/completions] route type');
    expectError(await postJson(`${gw.proxyUrl}/chat`, { prompt: 'hi' }), 400, '[llm/v1/completions] message format is not compatible with [llm/v1/chat] route type');
    expectError(await postJson(`${gw.proxyUrl}/chat`, { ...HI, prompt: 'hi' }), 400, 'request matches multiple LLM request formats');
  });

  it('400 when streaming is denied', async () => {
    expectError(await postJson(`${gw.proxyUrl}/deny`, { ...HI, stream: true }), 400, 'response streaming is not enabled for this LLM');
    expect((await postJson(`${gw.proxyUrl}/deny`, HI)).status).toBe(200);
  });

  it('500 transformation failed for a 200 reply that cannot be converted', async () => {
    expectError(await postJson(`${gw.proxyUrl}/odd`, HI), 500, "transformation failed from type openai://llm/v1/chat: 'choices' not in llm/v1/chat response");
  });

  it('500 LLM request failed before proxying when cloud credentials are missing', async () => {
    expectError(await postJson(`${gw.proxyUrl}/bedrock`, HI), 500, 'LLM request failed before proxying');
  });

  it('passes provider errors through raw, without X-Kong-LLM-Model', async () => {
    const r = await postJson(`${gw.proxyUrl}/wrongkey`, HI);
    expect(r.status).toBe(401);
    expect(JSON.parse(r.text)).toMatchObject({ error: { code: 'invalid_api_key' } });
    expect(r.headers['x-kong-llm-model']).toBeUndefined();
    const a = await postJson(`${gw.proxyUrl}/anthropic-wrongkey`, HI);
    expect(a.status).toBe(401);
    expect(JSON.parse(a.text)).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    const limited = await postJson(`${gw.proxyUrl}/chat`, HI, { 'x-mock-rate-limit': '7' });
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('7');
  });

  it('502 with a clear body when the upstream is down', async () => {
    const r = await postJson(`${gw.proxyUrl}/dead`, HI);
    expect(r.status).toBe(502);
    expect((JSON.parse(r.text) as { error: { message: string } }).error.message).toMatch(/^The upstream LLM could not be reached/);
  });

  it('504 within read_timeout when the upstream hangs', async () => {
    const t0 = Date.now();
    const r = await postJson(`${gw.proxyUrl}/slow`, HI, { 'x-mock-hang': '1' });
    const elapsed = Date.now() - t0;
    expectError(r, 504, 'The upstream LLM is timing out');
    expect(elapsed).toBeGreaterThanOrEqual(280);
    // the service's read_timeout (300 ms), not the default (60 s); generous for a loaded machine
    expect(elapsed).toBeLessThan(10_000);
  });

  it('502 for a garbage 200 body, plain and streamed', async () => {
    expectError(await postJson(`${gw.proxyUrl}/chat`, HI, { 'x-mock-garbage': '1' }), 502, 'The upstream LLM returned an invalid response (not JSON)');
    expectError(await postJson(`${gw.proxyUrl}/chat`, { ...HI, stream: true }, { 'x-mock-garbage': '1' }), 502, 'The upstream LLM returned an invalid response (not JSON)');
  });

  it('a stream broken midway ends with an error event and no [DONE]', async () => {
    const r = await postJson(`${gw.proxyUrl}/chat`, { messages: [{ role: 'user', content: 'tell me a long story about the sea' }], stream: true }, { 'x-mock-break-stream-after': '3' });
    expect(r.status).toBe(200);
    const events = parseSse(r.text);
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events.some((e) => e.data === '[DONE]')).toBe(false);
    const last = JSON.parse(events.at(-1)?.data ?? '{}') as { error?: { message: string; type: string } };
    expect(last.error?.type).toBe('upstream_stream_error');
    expect(last.error?.message).toMatch(/stream broke/);
  });

  it('a client that goes away mid-stream closes the upstream call', async () => {
    await new Promise<void>((resolve, reject) => {
      const req = http.request(`${gw.proxyUrl}/trickle`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (e) => (e.message.includes('socket hang up') || e.message.includes('aborted') ? resolve() : reject(e)));
      req.end(JSON.stringify({ messages: [{ role: 'user', content: 'a long story about the sea and ships' }], stream: true }));
    });
    // the upstream's stream lasts 10 s; the gateway must close it as soon as its client is gone
    const end = Date.now() + 8000;
    while (trickleEnds.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(trickleEnds).toEqual(['closed']);
    const probe = await postJson(`${gw.proxyUrl}/chat`, HI);
    expect(probe.status).toBe(200);
  });

  it('a client that leaves before the LLM answers closes the upstream request at once', async () => {
    const left = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${gw.proxyUrl}/hang`, { method: 'POST', headers: { 'content-type': 'application/json' } });
      req.on('error', () => {});
      req.end(JSON.stringify(HI));
      const wait = setInterval(() => {
        if (hang.seen.length === 0) return;
        clearInterval(wait);
        req.destroy();
        resolve(Date.now());
      }, 10);
      setTimeout(() => reject(new Error('the upstream never saw the request')), 3000);
    });
    for (let i = 0; i < 1000 && hangClosed.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(hangClosed).toHaveLength(1);
    // at once, not at the route's read_timeout (the default, 60 s); generous for a loaded machine
    expect(hangClosed[0] - left).toBeLessThan(5000);
  });

  it('a stream that stops sending is cut at read_timeout', async () => {
    const t0 = Date.now();
    // the next chunk would come after 20 s; read_timeout (300 ms) cuts long before (generous for a loaded machine)
    const r = await postJson(`${gw.proxyUrl}/slow`, { ...HI, stream: true }, { 'x-mock-chunk-delay-ms': '20000' });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.status).toBe(200);
    const last = JSON.parse(parseSse(r.text).at(-1)?.data ?? '{}') as { error?: { message: string } };
    expect(last.error?.message).toBe('the upstream LLM stopped sending (read timeout)');
  });
});
