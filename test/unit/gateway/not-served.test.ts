/**
 * The serve-refusal table (src/gateway/not-served.ts): Kong 3.14 values that validate but that
 * `aigw serve` does not run are refused at startup, naming the field; the served ones pass.
 */
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { kongProfile, useKongProfile } from '../../../src/config/schemas.js';
import { AigwError } from '../../../src/errors.js';
import { createLlmCaller } from '../../../src/gateway/llm/call/caller.js';
import { memoryLogger } from '../../../src/gateway/log.js';
import { NOT_SERVED, notServed } from '../../../src/gateway/not-served.js';
import { buildRuntime } from '../../../src/gateway/runtime.js';
import { PluginStores } from '../../../src/gateway/stores.js';
import { stateFrom } from '../../helpers/gateway.js';

const chat = { route_type: 'llm/v1/chat', model: { provider: 'openai', name: 'gpt-4o' } };

describe('not served: the refusal table', () => {
  it('passes what serve runs: chat, completions, embeddings, preserve; registered providers; openai and anthropic formats', () => {
    for (const route_type of ['llm/v1/chat', 'llm/v1/completions', 'llm/v1/embeddings', 'preserve']) {
      expect(notServed('ai-proxy', { ...chat, route_type })).toEqual([]);
    }
    expect(notServed('ai-proxy', { ...chat, llm_format: 'anthropic', genai_category: 'text/generation', max_request_body_size: 0 })).toEqual([]);
    expect(notServed('ai-proxy', { ...chat, model: { provider: 'deepseek', model_alias: null, options: { cache_read_cost: null } } })).toEqual([]);
    expect(notServed('ai-proxy-advanced', { targets: [chat], balancer: { max_fails: 0, fail_timeout: 10000 }, acls: null })).toEqual([]);
    expect(notServed('key-auth', { identity_realms: [{ scope: 'cp', id: null, region: null }] })).toEqual([]);
    expect(notServed('unknown-plugin', { anything: 1 })).toEqual([]);
  });

  it('names the field and the value of each refused one', () => {
    expect(notServed('ai-request-transformer', { llm: { ...chat, route_type: 'llm/v1/responses' } })).toEqual([
      "config.llm.route_type 'llm/v1/responses' is not served: the transformers call an LLM for text (llm/v1/chat); the other route types run with ai-proxy only",
    ]);
    // ai-proxy serves the Responses API and the API route types (but the Assistants API, refused by ai-proxy itself)
    expect(notServed('ai-proxy', { ...chat, route_type: 'llm/v1/responses' })).toEqual([]);
    // every provider of the schemas has a translator today; the row asks the registry
    expect(notServed('ai-proxy', { ...chat, model: { provider: 'acme' } })[0]).toMatch(/^config\.model\.provider 'acme' is not served: /);
    expect(notServed('ai-proxy', { ...chat, model: { provider: 'xai' } })).toEqual([]);
    expect(notServed('ai-proxy', { ...chat, llm_format: 'gemini' })[0]).toMatch(/^config\.llm_format 'gemini' is not served: /);
    expect(notServed('ai-prompt-guard', { llm_format: 'bedrock' })[0]).toMatch(/^config\.llm_format 'bedrock'/);
    expect(notServed('ai-proxy-advanced', { targets: [chat], genai_category: 'audio/speech' })[0]).toMatch(/^config\.genai_category 'audio\/speech'/);
  });

  it('walks arrays: the index of the target is in the path', () => {
    const config = {
      targets: [chat, { ...chat, model: { provider: 'gemini', options: { gemini: { endpoint_id: 'e1' }, bedrock: { performance_config_latency: 'optimized' } } } }],
    };
    expect(notServed('ai-proxy-advanced', config).map((m) => m.split(' ')[0])).toEqual([
      'config.targets[1].model.options.gemini.endpoint_id',
      'config.targets[1].model.options.bedrock.performance_config_latency',
    ]);
  });

  it('serves the circuit breaker, model ACLs, model_alias and metadata of ai-proxy-advanced, model_alias of ai-proxy; the transformers refuse both', () => {
    const config = {
      targets: [chat, { ...chat, metadata: { team: 'a' }, model: { provider: 'openai', name: 'gpt-4o', model_alias: 'fast' } }],
      balancer: { max_fails: 3, fail_timeout: 1000 },
      acls: { deny: [{ match: [{ type: 'model', values: ['x'] }] }] },
    };
    expect(notServed('ai-proxy-advanced', config)).toEqual([]);
    expect(notServed('ai-proxy', { ...chat, model: { provider: 'openai', model_alias: 'fast' } })).toEqual([]);
    expect(notServed('ai-response-transformer', { llm: { ...chat, model: { provider: 'openai', model_alias: 'fast' } } })[0]).toMatch(/^config\.llm\.model\.model_alias 'fast' is not served: /);
    expect(notServed('ai-request-transformer', { llm: { ...chat, metadata: { a: 1 } } })[0]).toMatch(/^config\.llm\.metadata /);
  });

  it('covers the Redis cloud authentication of every plugin with a Redis record', () => {
    const cloud = { cloud_authentication: { auth_provider: 'aws', aws_is_serverless: true } };
    expect(notServed('rate-limiting', { redis: cloud })).toHaveLength(1);
    expect(notServed('ai-semantic-cache', { vectordb: { redis: cloud } })).toHaveLength(1);
    expect(notServed('rate-limiting', { redis: { cloud_authentication: { auth_provider: null, aws_is_serverless: true } } })).toEqual([]);
  });

  it('Kong 3.15 (Konnect) fields: their defaults pass, a value serve does not run is refused, naming the field', () => {
    expect(notServed('rate-limiting-advanced', { identifier: 'consumer', counter_key: null })).toEqual([]);
    expect(notServed('rate-limiting-advanced', { identifier: 'consumer', counter_key: 'consumer.username' })).toEqual([
      "config.counter_key 'consumer.username' is not served: aigw serve keys consumer counters by consumer id only (Konnect counter_key not implemented)",
    ]);
    const principals = { directory: 'default', enabled: false, error_on_miss: true };
    expect(notServed('key-auth', { principals })).toEqual([]);
    expect(notServed('basic-auth', { principals: { ...principals, enabled: true } })[0]).toMatch(/^config\.principals\.enabled true is not served: /);
    expect(notServed('http-log', { client_certificate: null })).toEqual([]);
  });

  it('every row names plugins, a field and a reason', () => {
    for (const row of NOT_SERVED) {
      expect(Object.keys(row.at).length).toBeGreaterThan(0);
      expect(row.field).toMatch(/^[a-z_]+(\[\])?(\.[a-z_]+(\[\])?)*$/);
      expect(row.why.length).toBeGreaterThan(10);
    }
  });
});

describe('not served: aigw serve refuses at startup', () => {
  const deps = () => ({ logger: memoryLogger(), stores: new PluginStores(), metrics: new Registry(), env: {}, llm: createLlmCaller({ env: {} }) });

  it('a route with a model alias does not start, and the error names the plugin and the field', async () => {
    const state = await stateFrom(`
_format_version: "3.0"
services:
- name: s
  url: http://127.0.0.1:1
  routes:
  - name: r
    paths: [/r]
    plugins:
    - name: ai-request-transformer
      config: { prompt: "x", llm: { route_type: llm/v1/chat, model: { provider: openai, name: gpt-4.1, model_alias: fast } } }
`);
    let err: unknown;
    try {
      buildRuntime(state, deps());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AigwError);
    expect((err as AigwError).code).toBe('AIGW_SERVE');
    expect((err as Error).message).toMatch(/^plugin 'ai-request-transformer' \([0-9a-f-]+\): config\.llm\.model\.model_alias 'fast' is not served/);
  });

  const initial = kongProfile();
  afterEach(() => useKongProfile(initial));
  const konnectState = (counterKey: string) => {
    useKongProfile('konnect');
    return stateFrom(`
_format_version: "3.0"
plugins:
- name: rate-limiting-advanced
  config: { limit: [10], window_size: [60], identifier: consumer, counter_key: ${counterKey} }
- name: key-auth
  config: { principals: { directory: default, enabled: false, error_on_miss: true } }
`);
  };

  it('Konnect (Kong 3.15): the default counter_key and principals start; counter_key set is refused, naming the field', async () => {
    const defaults = await konnectState('null');
    expect(() => buildRuntime(defaults, deps())).not.toThrow();
    const state = await konnectState('consumer.username');
    expect(() => buildRuntime(state, deps())).toThrow(
      /^plugin 'rate-limiting-advanced' \([0-9a-f-]+\): config\.counter_key 'consumer\.username' is not served: aigw serve keys consumer counters by consumer id only/,
    );
  });

  it('a disabled plugin with such a value does not stop the gateway', async () => {
    const state = await stateFrom(`
_format_version: "3.0"
plugins:
- name: ai-proxy
  enabled: false
  config: { route_type: llm/v1/responses, model: { provider: openai, name: gpt-4.1 } }
`);
    expect(() => buildRuntime(state, deps())).not.toThrow();
  });
});
