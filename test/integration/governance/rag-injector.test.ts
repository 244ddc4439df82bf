/**
 * ai-rag-injector end to end: chunks ingested through the plugin's Admin API endpoints (Kong's
 * `ingest_chunk` / `lookup_chunks`), then injected into prompts proxied to the mock LLM, whose
 * embeddings are a hashed bag of content words; memory and Redis stores; collection ACLs.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import { createAdminApi } from '../../../src/gateway/admin-api/api.js';
import { memoryStore } from '../../../src/gateway/admin-api/store.js';
import { gatewayFrom, stateFrom, type TestGateway } from '../../helpers/gateway.js';
import { startRedis, type TestRedis } from '../../helpers/redis.js';
import { aiProxy, chat, KEY, postJson } from './setup.js';

const ID = { mem: '11111111-1111-4111-8111-111111111111', redis: '22222222-2222-4222-8222-222222222222', acl: '33333333-3333-4333-8333-333333333333' };

describe('ai-rag-injector', () => {
  let mock: MockServer;
  let redis: TestRedis;
  let gw: TestGateway;
  const sent = (): Array<{ role: string; content: string }> => (JSON.parse(mock.requests().at(-1)?.raw ?? '{}') as { messages: Array<{ role: string; content: string }> }).messages;
  const admin = (id: string, action: string, body: unknown) => postJson(`${gw.adminUrl}/ai-rag-injector/${id}/${action}`, body);

  beforeAll(async () => {
    mock = await startMock({ requireKey: KEY });
    redis = await startRedis();
    const emb = `embeddings: { auth: { header_name: Authorization, header_value: "Bearer ${KEY}" }, model: { provider: openai, name: text-embedding-3-small, options: { upstream_url: "${mock.url}/v1/embeddings" } } }`;
    const db = (strategy: string) => `vectordb: { strategy: ${strategy}, dimensions: 256, distance_metric: cosine, threshold: 0.6${strategy === 'redis' ? `, redis: { host: 127.0.0.1, port: ${redis.port} }` : ''} }`;
    const route = (name: string, id: string, config: string, extra = '') => `
  - name: ${name}
    paths: [/${name}]
    plugins:${aiProxy(mock.url)}${extra}
    - name: ai-rag-injector
      id: ${id}
      config: { ${emb}, ${config} }`;
    const yaml = `
_format_version: "3.0"
consumer_groups: [{ name: staff }, { name: hr }]
consumers:
- { username: ann, groups: [{ name: hr }], keyauth_credentials: [{ key: ann-key }] }
- { username: bob, groups: [{ name: staff }], keyauth_credentials: [{ key: bob-key }] }
services:
- name: llm
  url: http://127.0.0.1:9
  routes:${route('mem', ID.mem, `${db('memory')}, fetch_chunks_count: 2, inject_template: "Context:\\n<CONTEXT>\\nQuestion: <PROMPT>"`)}${route('redis', ID.redis, `${db('redis')}, inject_as_role: system, inject_template: "Use this context: <CONTEXT>"`)}${route('acl', ID.acl, `${db('memory')}, global_acl_config: { allow: [staff] }, collection_acl_config: { payroll: { allow: [hr] } }, inject_template: "<CONTEXT> | <PROMPT>"`, `
    - name: key-auth`)}
`;
    const handler = createAdminApi({ store: memoryStore(await stateFrom(yaml)), mode: 'declarative', version: '3.14.0', onChange: () => undefined, pluginInstance: (id) => (gw as TestGateway | undefined)?.runtime().pluginInstances.get(id) });
    gw = await gatewayFrom(yaml, { adminHandler: handler });
    for (const content of ['The Eiffel Tower is in Paris.', 'Our refund policy allows returns within 30 days.', 'The Colosseum is in Rome.']) {
      expect((await admin(ID.mem, 'ingest_chunk', { content })).status).toBe(200);
    }
  });

  afterAll(async () => {
    await gw.close();
    await redis.stop();
    await mock.close();
  });

  beforeEach(() => mock.reset());

  it("ingest_chunk and lookup_chunks answer Kong's shapes", async () => {
    const ingested = await admin(ID.mem, 'ingest_chunk', { content: 'Bicycles are allowed on the night train.' });
    expect(ingested.json()).toEqual({ metadata: { chunk_id: expect.stringMatching(/^[0-9a-f-]{36}$/), ingest_duration: expect.any(Number), embeddings_tokens_count: 7 } });
    const found = await admin(ID.mem, 'lookup_chunks', { prompt: 'Where is the Eiffel Tower?' });
    expect(found.json()).toEqual({ contents: ['The Eiffel Tower is in Paris.'], metadata: { chunk_ids: [expect.any(String)] } });
    expect((await admin(ID.mem, 'lookup_chunks', { prompt: 'Where is the Eiffel Tower?', exclude_contents: true })).json()).toEqual({ metadata: { chunk_ids: [expect.any(String)] } });
    expect((await admin(ID.mem, 'ingest_chunk', {})).status).toBe(400);
    expect((await admin(ID.mem, 'unknown_action', {})).status).toBe(404);
    expect((await admin('44444444-4444-4444-8444-444444444444', 'lookup_chunks', { prompt: 'x' })).status).toBe(404);
  });

  it('the chunks near the prompt fill the template; unrelated prompts go unchanged', async () => {
    expect((await postJson(`${gw.proxyUrl}/mem`, chat('Where is the Eiffel Tower?'))).status).toBe(200);
    expect(sent()).toEqual([{ role: 'user', content: 'Context:\nThe Eiffel Tower is in Paris.\nQuestion: Where is the Eiffel Tower?' }]);
    await postJson(`${gw.proxyUrl}/mem`, chat('How do I bake bread?'));
    expect(sent()).toEqual([{ role: 'user', content: 'How do I bake bread?' }]);
  });

  it('redis store, injected as a system message before the prompt', async () => {
    expect((await admin(ID.redis, 'ingest_chunk', { content: 'Returns are accepted within 30 days with a receipt.' })).status).toBe(200);
    await postJson(`${gw.proxyUrl}/redis`, chat('Are returns accepted after 30 days?'));
    expect(sent()).toEqual([
      { role: 'system', content: 'Use this context: Returns are accepted within 30 days with a receipt.' },
      { role: 'user', content: 'Are returns accepted after 30 days?' },
    ]);
  });

  it('collection ACLs: hr reads payroll, staff reads the handbook, neither reads the other', async () => {
    await admin(ID.acl, 'ingest_chunk', { content: 'Payroll dates are the 25th of each month.', metadata: { collection: 'payroll' } });
    await admin(ID.acl, 'ingest_chunk', { content: 'Payroll dates are listed in the handbook.', metadata: { collection: 'handbook' } });
    await postJson(`${gw.proxyUrl}/acl`, chat('When are payroll dates?'), { apikey: 'ann-key' });
    expect(sent()[0].content).toBe('Payroll dates are the 25th of each month. | When are payroll dates?');
    await postJson(`${gw.proxyUrl}/acl`, chat('When are payroll dates?'), { apikey: 'bob-key' });
    expect(sent()[0].content).toBe('Payroll dates are listed in the handbook. | When are payroll dates?');
  });
});
