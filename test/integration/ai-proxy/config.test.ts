/** ai-proxy config fields: allow_override, templating, response_streaming, option overrides, headers, route types. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer, type Recorded } from '../../../src/mock/index.js';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';
import { request } from '../../helpers/net.js';
import { KEY, parseSse, postJson } from './setup.js';

const HI = { messages: [{ role: 'user', content: 'hi' }] };
type Body = Record<string, unknown>;

describe('ai-proxy config', () => {
  let mock: MockServer;
  let gw: TestGateway;
  const last = (): Recorded => {
    const r = mock.requests().at(-1);
    if (!r) throw new Error('the mock saw no request');
    return r;
  };

  beforeAll(async () => {
    mock = await startMock();
    const up = `upstream_url: "${mock.url}/v1/chat/completions"`;
    gw = await gatewayFrom(`
_format_version: "3.0"
services:
- name: llm
  url: http://localhost:32000
  routes:
  - name: override
    paths: [/override]
    plugins:
    - name: ai-proxy
      config: { route_type: llm/v1/chat, auth: { header_name: Authorization, header_value: "Bearer ${KEY}", allow_override: true }, model: { provider: openai, name: gpt-4o, options: { ${up} } } }
  - name: fixed
    paths: [/fixed]
    plugins:
    - name: ai-proxy
      config: { route_type: llm/v1/chat, auth: { header_name: Authorization, header_value: "Bearer ${KEY}" }, model: { provider: openai, name: gpt-4o, options: { ${up} } } }
  - name: query-auth
    paths: [/query-auth]
    plugins:
    - name: ai-proxy
      config: { route_type: llm/v1/chat, auth: { header_name: Authorization, header_value: "Bearer ${KEY}", param_name: key, param_value: "${KEY}", param_location: query, allow_override: true }, model: { provider: openai, name: gpt-4o, options: { ${up} } } }
  - name: tpl-header
    paths: [/tpl-header]
    plugins:
    - name: ai-proxy
      config: { route_type: llm/v1/chat, auth: { header_name: Authorization, header_value: "Bearer ${KEY}" }, model: { provider: openai, name: "$(headers.x-model)", options: { ${up} } } }
  - name: tpl-query
    paths: [/tpl-query]
    plugins:
    - name: ai-proxy
      config: { route_type: llm/v1/chat, auth: { header_name: Authorization, header_value: "Bearer ${KEY}" }, model: { provider: openai, name: "$(query_params.model)", options: { ${up} } } }
  - name: tpl-capture
    paths: ["~/tpl-capture/(?<model>[a-z0-9.-]+)$"]
    plugins:
    - name: ai-proxy
      config: { route_type: llm/v1/chat, auth: { header_name: Authorization, header_value: "Bearer ${KEY}" }, model: { provider: openai, name: "$(uri_captures.model)", options: { ${up} } } }
  - name: tpl-bad
    paths: [/tpl-bad]
    plugins:
    - name: ai-proxy
      config: { route_type: llm/v1/chat, auth: { header_name: Authorization, header_value: "Bearer ${KEY}" }, model: { provider: openai, name: "$(cookies.x)", options: { ${up} } } }
  - name: always
    paths: [/always]
    plugins:
    - name: ai-proxy
      config: { route_type: llm/v1/chat, response_streaming: always, auth: { header_name: Authorization, header_value: "Bearer ${KEY}" }, model: { provider: openai, name: gpt-4o, options: { ${up} } } }
  - name: options
    paths: [/options]
    plugins:
    - name: ai-proxy
      config: { route_type: llm/v1/chat, model_name_header: false, auth: { header_name: Authorization, header_value: "Bearer ${KEY}" }, model: { provider: openai, name: gpt-4o, options: { ${up}, max_tokens: 7, temperature: 0.5, top_p: 0.9 } } }
  - name: completions
    paths: [/completions]
    plugins:
    - name: ai-proxy
      config: { route_type: llm/v1/completions, auth: { header_name: Authorization, header_value: "Bearer ${KEY}" }, model: { provider: openai, name: gpt-3.5-turbo-instruct, options: { upstream_url: "${mock.url}/v1/completions" } } }
  - name: embeddings
    paths: [/embeddings]
    plugins:
    - name: ai-proxy
      config: { route_type: llm/v1/embeddings, auth: { header_name: Authorization, header_value: "Bearer ${KEY}" }, model: { provider: openai, name: text-embedding-3-small, options: { upstream_url: "${mock.url}/v1/embeddings" } } }
  - name: preserve
    paths: [/preserve]
    strip_path: true
    plugins:
    - name: ai-proxy
      config: { route_type: preserve, auth: { header_name: Authorization, header_value: "Bearer ${KEY}" }, model: { provider: openai, options: { upstream_url: "${mock.url}" } } }
`);
  });
  afterAll(async () => {
    await gw.close(100);
    await mock.close();
  });

  it('allow_override: a client credential wins; without it the configured one is sent', async () => {
    expect((await postJson(`${gw.proxyUrl}/override`, HI, { authorization: 'Bearer client-own' })).status).toBe(200);
    expect(last().headers.authorization).toBe('Bearer client-own');
    expect((await postJson(`${gw.proxyUrl}/override`, HI)).status).toBe(200);
    expect(last().headers.authorization).toBe(`Bearer ${KEY}`);
    expect((await postJson(`${gw.proxyUrl}/fixed`, HI, { authorization: 'Bearer client-own' })).status).toBe(200);
    expect(last().headers.authorization).toBe(`Bearer ${KEY}`);
    expect((await postJson(`${gw.proxyUrl}/query-auth?key=client-q`, HI)).status).toBe(200);
    expect(last().query.key).toBe('client-q');
    expect((await postJson(`${gw.proxyUrl}/query-auth`, HI)).status).toBe(200);
    expect(last().query.key).toBe(KEY);
  });

  it('templating from headers, query params and uri captures', async () => {
    const h = await postJson(`${gw.proxyUrl}/tpl-header`, HI, { 'x-model': 'gpt-4o-mini' });
    expect(h.status).toBe(200);
    expect((last().body as Body).model).toBe('gpt-4o-mini');
    expect(h.headers['x-kong-llm-model']).toBe('openai/gpt-4o-mini');
    expect((await postJson(`${gw.proxyUrl}/tpl-query?model=o1`, HI)).status).toBe(200);
    expect((last().body as Body).model).toBe('o1');
    expect((await postJson(`${gw.proxyUrl}/tpl-capture/gpt-4.1`, HI)).status).toBe(200);
    expect((last().body as Body).model).toBe('gpt-4.1');
  });

  it("templating errors are Kong's 400s", async () => {
    const missing = await postJson(`${gw.proxyUrl}/tpl-header`, HI);
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.text)).toEqual({ error: { message: 'headers key x-model was not provided' } });
    const q = await postJson(`${gw.proxyUrl}/tpl-query`, HI);
    expect(JSON.parse(q.text)).toEqual({ error: { message: 'query_params key model was not provided' } });
    const bad = await postJson(`${gw.proxyUrl}/tpl-bad`, HI);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toEqual({ error: { message: "cannot parse expression for field '$(cookies.x)'" } });
  });

  it('response_streaming: always streams even when the client did not ask', async () => {
    const r = await postJson(`${gw.proxyUrl}/always`, HI);
    expect(r.headers['content-type']).toContain('text/event-stream');
    expect(parseSse(r.text).at(-1)?.data).toBe('[DONE]');
    expect((last().body as Body).stream).toBe(true);
    expect((last().body as Body).stream_options).toEqual({ include_usage: true });
  });

  it('plugin sampling options override the client; model_name_header false hides the header unless Kong-Debug', async () => {
    const r = await postJson(`${gw.proxyUrl}/options`, { ...HI, max_tokens: 1000, temperature: 1.5, top_p: 0.1, top_k: 3 });
    expect(r.status).toBe(200);
    const body = last().body as Body;
    expect(body).toMatchObject({ model: 'gpt-4o', max_tokens: 7, temperature: 0.5, top_p: 0.9, stream: false });
    expect(body.top_k).toBeUndefined();
    expect(r.headers['x-kong-llm-model']).toBeUndefined();
    const dbg = await postJson(`${gw.proxyUrl}/options`, HI, { 'kong-debug': '1' });
    expect(dbg.headers['x-kong-llm-model']).toBe('openai/gpt-4o');
  });

  it('llm/v1/completions answers text_completion, plain and streamed', async () => {
    const r = await postJson(`${gw.proxyUrl}/completions`, { prompt: 'What is 1 + 1?' });
    expect(r.status).toBe(200);
    const body = JSON.parse(r.text) as { object: string; choices: Array<{ text: string }> };
    expect(body.object).toBe('text_completion');
    expect(body.choices[0].text).toContain('2');
    const s = await postJson(`${gw.proxyUrl}/completions`, { prompt: 'What is 1 + 1?', stream: true });
    const events = parseSse(s.text);
    expect(events.at(-1)?.data).toBe('[DONE]');
    expect(JSON.parse(events[0].data).object).toBe('text_completion');
  });

  it('llm/v1/embeddings answers an embeddings list and never streams', async () => {
    const r = await postJson(`${gw.proxyUrl}/embeddings`, { input: 'hello', stream: true });
    expect(r.status).toBe(200);
    const body = JSON.parse(r.text) as { object: string; data: Array<{ embedding: number[] }>; usage: { prompt_tokens: number } };
    expect(body.object).toBe('list');
    expect(body.data[0].embedding).toHaveLength(16);
    expect((last().body as Body).stream).toBeUndefined();
  });

  it('preserve: path, method and body pass through untouched, with the configured key', async () => {
    const raw = '{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"custom_field":1}';
    const r = await postJson(`${gw.proxyUrl}/preserve/v1/chat/completions`, raw);
    expect(r.status).toBe(200);
    expect(last().path).toBe('/v1/chat/completions');
    expect(last().raw).toBe(raw);
    expect(last().headers.authorization).toBe(`Bearer ${KEY}`);
    const models = await request(`${gw.proxyUrl}/preserve/v1/models`);
    expect(models.status).toBe(200);
    expect(last().method).toBe('GET');
    expect(models.json<{ data: unknown[] }>().data.length).toBeGreaterThan(0);
  });
});
