import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createLlmCaller } from '../../../src/gateway/llm/call/caller.js';
import { createEmbedder, EmbeddingsError, type Embedder } from '../../../src/gateway/llm/call/embeddings.js';
import { routingPrompt, SemanticRouter } from '../../../src/gateway/plugins/ai-proxy-advanced/semantic.js';
import { parseTargets } from '../../../src/gateway/plugins/ai-proxy-advanced/plan.js';
import { memoryLogger } from '../../../src/gateway/log.js';
import type { PluginDeps } from '../../../src/gateway/plugin.js';
import { type ReplyError } from '../../../src/gateway/plugin.js';
import { PluginStores } from '../../../src/gateway/stores.js';
import { aiProxyAdvanced } from '../../../src/gateway/plugins/ai-proxy-advanced/index.js';
import { aiSemanticCache } from '../../../src/gateway/plugins/ai-semantic-cache/index.js';
import { parseInstructions } from '../../../src/gateway/plugins/ai-response-transformer/index.js';
import type { Embeddings } from '../../../src/config/generated/plugin-configs.js';
import { startMock, type MockServer } from '../../../src/mock/index.js';

const llm = createLlmCaller({ env: {} });
afterAll(() => llm.close());

function deps(): PluginDeps & { logger: ReturnType<typeof memoryLogger> } {
  const stores = new PluginStores();
  return {
    logger: memoryLogger(), store: stores.store('x'), shared: (k) => stores.store(`shared:${k}`), metrics: new Registry(),
    consumers: {} as PluginDeps['consumers'], env: {}, llm, pluginId: 'p1', scope: { route: null, service: null, consumer: null }, now: () => 0,
  };
}

const embeddingsConf = (url: string, key = 'k'): Embeddings => ({
  auth: { header_name: 'Authorization', header_value: `Bearer ${key}`, azure_use_managed_identity: false, gcp_use_service_account: false, allow_override: false },
  model: { provider: 'openai', name: 'text-embedding-3-small', options: { upstream_url: `${url}/v1/embeddings`, azure: null, bedrock: null, gemini: null, huggingface: null } },
});

describe('embeddings client (against the mock)', () => {
  let mock: MockServer;
  beforeAll(async () => {
    mock = await startMock({ requireKey: 'k' });
  });
  afterAll(async () => {
    await mock.close();
  });

  it('asks for vectordb.dimensions and returns the vector', async () => {
    const v = await createEmbedder(embeddingsConf(mock.url), 32, llm).embed('hello world', { requestId: 'r' });
    expect(v).toHaveLength(32);
    expect((mock.requests().at(-1)?.body as { dimensions: number }).dimensions).toBe(32);
  });
  it('fails with a clear EmbeddingsError on a rejected key or an unreachable endpoint', async () => {
    await expect(createEmbedder(embeddingsConf(mock.url, 'wrong'), 16, llm).embed('x', { requestId: 'r' })).rejects.toThrow(new EmbeddingsError('embeddings request failed with status 401'));
    await expect(createEmbedder(embeddingsConf('http://127.0.0.1:1'), 16, llm).embed('x', { requestId: 'r' })).rejects.toThrow(EmbeddingsError);
  });
});

describe('semantic routing', () => {
  it('routes on the last user message, or the completion prompt', () => {
    expect(routingPrompt({ messages: [{ role: 'user', content: 'first' }, { role: 'assistant', content: 'a' }, { role: 'user', content: 'last' }] })).toBe('last');
    expect(routingPrompt({ prompt: 'complete' })).toBe('complete');
    expect(routingPrompt({ messages: [{ role: 'system', content: 'only system' }] })).toBeNull();
  });

  it('embeds descriptions once, retries them after a failure, and ranks targets by distance', async () => {
    let calls = 0;
    let fail = true;
    const fake: Embedder = {
      provider: 'fake', model: 'fake',
      async embed(text) {
        calls++;
        if (text === 'maths' && fail) throw new EmbeddingsError('down');
        return text.includes('math') ? [1, 0] : [0, 1];
      },
    };
    const router = new SemanticRouter(fake, ['maths', null, 'cooking'], 'cosine');
    await expect(router.distances('math question', { requestId: 'r' })).rejects.toThrow('down');
    fail = false;
    const d = await router.distances('math question', { requestId: 'r' });
    expect(d[0]).toBeCloseTo(0);
    expect(d[1]).toBe(Number.POSITIVE_INFINITY);
    expect(d[2]).toBeCloseTo(1);
    const before = calls;
    await router.distances('cook', { requestId: 'r' });
    expect(calls - before).toBe(1);
  });
});

describe('plugin configs', () => {
  const target = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    route_type: 'llm/v1/chat', auth: null, logging: { log_statistics: false, log_payloads: false },
    model: { provider: 'openai', name: 'gpt-4o', options: null }, weight: 100, ...extra,
  });
  const balancer = { algorithm: 'round-robin', tokens_count_strategy: 'total-tokens', latency_strategy: 'tpot', hash_on_header: 'X-Kong-LLM-Request-ID', slots: 100, retries: 5, connect_timeout: 1000, read_timeout: 1000, write_timeout: 1000, failover_criteria: ['error', 'timeout'] };
  const top = { response_streaming: 'deny', max_request_body_size: 100, model_name_header: false, llm_format: 'openai' };

  it('targets inherit the plugin-level fields and get a provider/model label', () => {
    const [t] = parseTargets({ ...top, targets: [target({ description: 'd', weight: 7 })] });
    expect(t).toMatchObject({ weight: 7, description: 'd', label: 'openai/gpt-4o', routeType: 'llm/v1/chat' });
    expect(t.config).toMatchObject({ responseStreaming: 'deny', maxRequestBodySize: 100, modelNameHeader: false });
    expect(parseTargets({ ...top, targets: [target({ model: { provider: 'openai', name: null, options: null } })] })[0].label).toBe('openai/*');
  });
  it('rejects preserve targets, semantic routing without embeddings, and empty target lists', () => {
    expect(() => parseTargets({ ...top, targets: [target({ route_type: 'preserve' })] })).toThrow(/preserve/);
    const create = (b: Record<string, unknown>, targets: unknown[]): unknown => aiProxyAdvanced.create({ ...top, balancer: { ...balancer, ...b }, targets } as never, deps());
    expect(() => create({ algorithm: 'semantic' }, [target()])).toThrow(/requires 'embeddings'/);
    expect(() => create({}, [])).toThrow(/no targets/);
  });
  it('warns about failover criteria that cannot fire without non_idempotent', () => {
    const d = deps();
    aiProxyAdvanced.create({ ...top, balancer: { ...balancer, failover_criteria: ['error', 'http_500'] }, targets: [target()] } as never, d);
    expect(d.logger.lines.some((l) => l.level === 'warn' && String(l.fields?.criteria) === 'http_500')).toBe(true);
  });
  it('refuses the pgvector strategy of the semantic cache', () => {
    const conf = { embeddings: embeddingsConf('http://127.0.0.1:1'), vectordb: { strategy: 'pgvector', dimensions: 8, distance_metric: 'cosine', threshold: 0.1, redis: null, pgvector: null } };
    expect(() => aiSemanticCache.create(conf as never, deps())).toThrow(/pgvector' is not supported/);
  });
});

describe('response transformer JSON instructions', () => {
  it('reads status, headers and body, with Kong’s defaults', () => {
    expect(parseInstructions('{"status":209,"headers":{"Content-Type":"application/xml"},"body":"<a/>"}')).toEqual({ status: 209, headers: { 'content-type': 'application/xml' }, body: '<a/>' });
    expect(parseInstructions('{"body":{"x":1}}')).toEqual({ status: 200, headers: {}, body: '{"x":1}' });
    expect(parseInstructions('{"a":1}')).toEqual({ status: 200, headers: {}, body: '{"a":1}' });
  });
  it('fails with Kong’s 500 message', () => {
    const err = (text: string): ReplyError => {
      try {
        parseInstructions(text);
      } catch (e) {
        return e as ReplyError;
      }
      throw new Error('did not throw');
    };
    expect(err('nope').reply.status).toBe(500);
    expect(JSON.stringify(err('nope').reply.json)).toContain('failed to parse JSON response instructions from AI backend: ');
    expect(err('[1,2]').reply.json).toEqual({ error: { message: 'failed to parse JSON response instructions from AI backend: input not table or string' } });
  });
});
