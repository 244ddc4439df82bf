/**
 * aigw-pii-sanitizer (placeholder mode) in front of ai-semantic-cache: the cache only ever holds
 * placeholders, and a hit is answered with the *current* requester's values restored — never the
 * values of whoever filled the cache, and never raw placeholders.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';
import { aiProxy, answerOf, chat, KEY, postJson, streamText } from './setup.js';

describe('sanitizer + semantic cache', () => {
  let mock: MockServer;
  let gw: TestGateway;

  beforeAll(async () => {
    mock = await startMock({ requireKey: KEY, embeddingDims: 64 });
    gw = await gatewayFrom(`
_format_version: "3.0"
services:
- name: llm
  url: http://127.0.0.1:9
  routes:
  - name: pii-cache
    paths: [/pii-cache]
    plugins:${aiProxy(mock.url)}
    - name: aigw-pii-sanitizer
      config: { anonymize: [email] }
    - name: ai-semantic-cache
      config:
        embeddings:
          auth: { header_name: Authorization, header_value: "Bearer ${KEY}" }
          model: { provider: openai, name: text-embedding-3-small, options: { upstream_url: "${mock.url}/v1/embeddings" } }
        vectordb: { strategy: memory, dimensions: 64, distance_metric: cosine, threshold: 0.05 }
`);
  });

  afterAll(async () => {
    await gw.close();
    await mock.close();
  });

  it('restores the second requester’s own value in a cached answer', async () => {
    const first = await postJson(`${gw.proxyUrl}/pii-cache`, chat('Please write to ann@example.com about the invoice'));
    expect(first.headers['x-cache-status']).toBe('Miss');
    expect(answerOf(first)).toBe('Mock answer to: Please write to ann@example.com about the invoice');
    await new Promise((r) => setTimeout(r, 100)); // the cache is filled after the answer
    const chats = mock.requests().filter((r) => r.path === '/v1/chat/completions').length;

    const second = await postJson(`${gw.proxyUrl}/pii-cache`, chat('Please write to bob@example.org about the invoice'));
    expect(second.headers['x-cache-status']).toBe('Hit');
    expect(answerOf(second)).toBe('Mock answer to: Please write to bob@example.org about the invoice');
    expect(mock.requests().filter((r) => r.path === '/v1/chat/completions').length).toBe(chats);

    const streamed = await postJson(`${gw.proxyUrl}/pii-cache`, chat('Please write to eve@example.net about the invoice', { stream: true }));
    expect(streamed.headers['x-cache-status']).toBe('Hit');
    expect(streamText(streamed.text)).toBe('Mock answer to: Please write to eve@example.net about the invoice');
    expect(streamed.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });
});
