/**
 * Gemini on Vertex with `gcp_use_service_account` under every LLM-calling plugin other than
 * ai-proxy (which gcp.test.ts covers): each gets its GCP token source from the gateway's LLM
 * caller. A loopback token endpoint plays Google's OAuth server; the mock plays Vertex and only
 * accepts the token that endpoint hands out.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';
import { request, startUpstream, type TestUpstream } from '../../helpers/net.js';
import { postJson } from '../ai-proxy/setup.js';

const TOKEN = 'ya29.vertex-token';
const HI = { messages: [{ role: 'user', content: 'What is 1 + 1?' }] };

describe('Vertex with gcp_use_service_account under ai-proxy-advanced, the AI transformers and semantic-cache embeddings', () => {
  let mock: MockServer;
  let tokens: TestUpstream;
  let echo: TestUpstream;
  let gw: TestGateway;
  const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const vertexPath = (model: string, op: string): string => `/v1/projects/p1/locations/l1/publishers/google/models/${model}:${op}`;
  const vertexCalls = (op: string): number => mock.requests().filter((r) => r.path.endsWith(`:${op}`)).length;

  beforeAll(async () => {
    mock = await startMock({ requireKey: TOKEN });
    tokens = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: TOKEN, expires_in: 3600, token_type: 'Bearer' }));
    });
    echo = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"answer":"from the service"}');
    });
    const sa = JSON.stringify({ type: 'service_account', client_email: 'bot@p1.iam.gserviceaccount.com', private_key: pem, token_uri: `${tokens.url}/token` });
    const auth = `{ gcp_use_service_account: true, gcp_service_account_json: '${sa}' }`;
    const gemini = (model: string, op: string): string =>
      `{ provider: gemini, name: ${model}, options: { gemini: { api_endpoint: x, project_id: p1, location_id: l1 }, upstream_url: "${mock.url}${vertexPath(model, op)}" } }`;
    const llm = `{ route_type: llm/v1/chat, auth: ${auth}, logging: { log_statistics: false, log_payloads: false }, model: ${gemini('gemini-1.5-pro', 'generateContent')} }`;
    gw = await gatewayFrom(`
_format_version: "3.0"
services:
- name: echo
  url: ${echo.url}
  routes:
  - name: request-transformer
    paths: [/request-transformer]
    plugins:
    - name: ai-request-transformer
      config: { prompt: "Rewrite the body.", llm: ${llm} }
  - name: response-transformer
    paths: [/response-transformer]
    plugins:
    - name: ai-response-transformer
      config: { prompt: "Rewrite the answer.", llm: ${llm} }
- name: llm
  url: http://localhost:32000
  routes:
  - name: advanced
    paths: [/advanced]
    plugins:
    - name: ai-proxy-advanced
      config:
        targets:
        - route_type: llm/v1/chat
          auth: ${auth}
          model: ${gemini('gemini-1.5-pro', 'generateContent')}
  - name: cached
    paths: [/cached]
    plugins:
    - name: ai-proxy
      config:
        route_type: llm/v1/chat
        auth: ${auth}
        model: ${gemini('gemini-1.5-pro', 'generateContent')}
    - name: ai-semantic-cache
      config:
        embeddings: { auth: ${auth}, model: ${gemini('text-embedding-004', 'predict')} }
        vectordb: { strategy: memory, dimensions: 16, distance_metric: cosine, threshold: 0.2 }
`);
  });
  afterAll(async () => {
    await gw.close(100);
    await Promise.all([mock.close(), tokens.close(), echo.close()]);
  });

  it('ai-proxy-advanced: a Vertex target gets its token and answers', async () => {
    const r = await postJson(`${gw.proxyUrl}/advanced`, HI);
    expect(r.status, r.text).toBe(200);
    expect(mock.requests().at(-1)?.path).toBe(vertexPath('gemini-1.5-pro', 'generateContent'));
    expect(mock.requests().at(-1)?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('ai-request-transformer: the Vertex LLM rewrites the body sent to the service', async () => {
    const before = echo.seen.length;
    const r = await request(`${gw.proxyUrl}/request-transformer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(r.status, r.text).toBe(200);
    expect(echo.seen.length).toBe(before + 1);
    expect(echo.seen.at(-1)?.body).toBe('Mock answer to: {"a":1}');
    expect(mock.requests().at(-1)?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it("ai-response-transformer: the Vertex LLM rewrites the service's answer", async () => {
    const r = await request(`${gw.proxyUrl}/response-transformer`, { method: 'GET' });
    expect(r.status, r.text).toBe(200);
    expect(r.text).toBe('Mock answer to: {"answer":"from the service"}');
    expect(mock.requests().at(-1)?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('ai-semantic-cache: prompts are embedded on Vertex, and a repeat is served from the cache', async () => {
    const predicts = vertexCalls('predict');
    const first = await postJson(`${gw.proxyUrl}/cached`, HI);
    expect(first.status, first.text).toBe(200);
    expect(vertexCalls('predict')).toBe(predicts + 1);
    const generates = vertexCalls('generateContent');
    const again = await postJson(`${gw.proxyUrl}/cached`, HI);
    expect(again.status).toBe(200);
    expect(again.headers['x-cache-status']).toBe('Hit');
    expect(vertexCalls('generateContent')).toBe(generates);
  });

  it('one token for every plugin: the caller caches it per service account', () => {
    expect(tokens.seen).toHaveLength(1);
  });
});
