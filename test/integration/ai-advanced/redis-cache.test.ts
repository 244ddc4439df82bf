/**
 * The redis vector store on a real redis-server (plain Redis, no modules): the store itself, and
 * two gateways sharing one cache.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { RedisVectorStore } from '../../../src/gateway/vectordb/redis-store.js';
import { nearestOne, type VectorEntry as CacheEntry } from '../../../src/gateway/vectordb/store.js';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';
import { startRedis, type TestRedis } from '../../helpers/redis.js';
import { KEY, postJson } from '../ai-proxy/setup.js';

const entry = (id: string, vector: number[], createdAt: number, ttl = 60_000, exactKey = `x-${id}`): CacheEntry => ({
  id, exactKey, vector, payload: JSON.stringify({ id }), createdAt, expiresAt: createdAt + ttl,
});

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

describe('RedisVectorStore', () => {
  let store: RedisVectorStore;
  const now = Date.now();
  beforeAll(() => {
    store = RedisVectorStore.connect({ host: '127.0.0.1', port: redis.port } as never, { prefix: 'test:', maxCandidates: 3 });
  });
  afterAll(async () => {
    await store.close();
  });

  it('finds the nearest vector within the threshold, server-side, for both metrics', async () => {
    await store.put('s', entry('a', [1, 0, 0], now));
    await store.put('s', entry('b', [0.8, 0.6, 0], now));
    const hit = await nearestOne(store, 's', [0.9, 0.1, 0], 'cosine', 0.1, now);
    expect(hit?.entry.id).toBe('a');
    expect(hit?.entry.payload).toBe('{"id":"a"}');
    expect(hit?.distance).toBeCloseTo(1 - 0.9 / Math.hypot(0.9, 0.1), 5);
    expect(await nearestOne(store, 's', [0, 0, 1], 'cosine', 0.5, now)).toBeNull();
    expect((await nearestOne(store, 's', [0.8, 0.5, 0], 'euclidean', 0.2, now))?.entry.id).toBe('b');
  });

  it('keeps scopes apart and finds exact keys', async () => {
    expect(await nearestOne(store, 'other', [1, 0, 0], 'cosine', 1, now)).toBeNull();
    expect((await store.findExact('s', 'x-a', now))?.id).toBe('a');
    expect(await store.findExact('other', 'x-a', now)).toBeNull();
    expect(await store.findExact('s', 'missing', now)).toBeNull();
  });

  it('ignores expired entries and trims them from the index', async () => {
    await store.put('exp', entry('old', [0, 1, 0], now - 10_000, 5_000));
    expect(await nearestOne(store, 'exp', [0, 1, 0], 'cosine', 0.1, now)).toBeNull();
    expect(await store.findExact('exp', 'x-old', now)).toBeNull();
    expect(await store.client.zcard('test:i:' + (await import('node:crypto')).createHash('sha1').update('exp').digest('hex').slice(0, 20))).toBe(0);
  });

  it('sets TTLs on every key and keeps at most maxCandidates per scope', async () => {
    for (let i = 0; i < 5; i++) await store.put('cap', entry(`c${i}`, [i + 1, 1, 0], now + i));
    const keys = await store.client.keys('test:*');
    for (const k of keys) expect(await store.client.pttl(k)).toBeGreaterThan(0);
    expect((await nearestOne(store, 'cap', [1, 1, 0], 'cosine', 2, now))?.entry.id).not.toBe('c0');
  });

  it('reloads its scripts after SCRIPT FLUSH', async () => {
    await store.client.script('FLUSH');
    expect((await nearestOne(store, 's', [1, 0, 0], 'cosine', 0.1, now))?.entry.id).toBe('a');
  });

  it('fails (for the plugin to handle) when redis is unreachable', async () => {
    const dead = RedisVectorStore.connect({ host: '127.0.0.1', port: 1, connect_timeout: 200, read_timeout: 200 } as never, { prefix: 'x:' });
    await expect(nearestOne(dead, 's', [1], 'cosine', 1, now)).rejects.toThrow();
    await dead.close();
  });
});

describe('ai-semantic-cache with vectordb.strategy redis', () => {
  let mock: MockServer;
  const gws: TestGateway[] = [];
  beforeAll(async () => {
    mock = await startMock({ requireKey: KEY });
    const yaml = (redisPort: number, stop: boolean): string => `
_format_version: "3.0"
services:
- name: llm
  url: http://localhost:32000
  routes:
  - name: chat
    paths: [/chat]
    plugins:
    - name: ai-proxy
      id: 5f0e0a52-9a53-4d8a-9a50-000000000001
      config:
        route_type: llm/v1/chat
        auth: { header_name: Authorization, header_value: "Bearer ${KEY}" }
        model: { provider: openai, name: gpt-4o, options: { upstream_url: "${mock.url}/v1/chat/completions" } }
    - name: ai-semantic-cache
      id: 5f0e0a52-9a53-4d8a-9a50-000000000002
      config:
        stop_on_failure: ${stop}
        embeddings:
          auth: { header_name: Authorization, header_value: "Bearer ${KEY}" }
          model: { provider: openai, name: text-embedding-3-small, options: { upstream_url: "${mock.url}/v1/embeddings" } }
        vectordb:
          strategy: redis
          dimensions: 64
          distance_metric: cosine
          threshold: 0.2
          redis: { host: 127.0.0.1, port: ${redisPort}, connect_timeout: 300, read_timeout: 300, send_timeout: 300 }
`;
    gws.push(await gatewayFrom(yaml(redis.port, false)), await gatewayFrom(yaml(redis.port, false)), await gatewayFrom(yaml(1, false)), await gatewayFrom(yaml(1, true)));
  });
  afterAll(async () => {
    await Promise.all(gws.map((g) => g.close(100)));
    await mock.close();
  });

  it('shares answers between gateways through redis', async () => {
    const a = await postJson(`${gws[0].proxyUrl}/chat`, { messages: [{ role: 'user', content: 'What is the boiling point of water?' }] });
    expect(a.headers['x-cache-status']).toBe('Miss');
    await new Promise((r) => setTimeout(r, 50));
    const b = await postJson(`${gws[1].proxyUrl}/chat`, { messages: [{ role: 'user', content: 'Tell me the boiling point of water' }] });
    expect(b.headers['x-cache-status']).toBe('Hit');
    expect(b.text).toContain('boiling point of water');
    const client = new Redis({ port: redis.port, host: '127.0.0.1' });
    expect((await client.keys('aigw:semantic-cache:5f0e0a52-9a53-4d8a-9a50-000000000002:*')).length).toBeGreaterThan(0);
    client.disconnect();
  });

  it('serves without the cache when redis is down, or fails with stop_on_failure', async () => {
    const r = await postJson(`${gws[2].proxyUrl}/chat`, { messages: [{ role: 'user', content: 'Hello there, how are you?' }] });
    expect(r.status).toBe(200);
    expect(r.headers['x-cache-status']).toBe('Bypass');
    const s = await postJson(`${gws[3].proxyUrl}/chat`, { messages: [{ role: 'user', content: 'Hello there, how are you?' }] });
    expect(s.status).toBe(500);
    expect(s.text).toContain('semantic cache failed');
  });
});
