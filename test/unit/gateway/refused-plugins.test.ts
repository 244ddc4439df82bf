/**
 * Plugins aigw validates but cannot run: `aigw serve` refuses the configuration at startup, naming
 * the plugin, its id and the reason; it never starts with the plugin silently skipped.
 */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../src/gateway/log.js';
import { buildRuntime } from '../../../src/gateway/runtime.js';
import { createLlmCaller } from '../../../src/gateway/llm/call/caller.js';
import { PluginStores } from '../../../src/gateway/stores.js';
import { stateFrom } from '../../helpers/gateway.js';

const build = async (plugin: string) => {
  const state = await stateFrom(`
_format_version: "3.0"
services:
- name: s
  url: http://127.0.0.1:1
  routes:
  - name: r
    paths: [/r]
    plugins:
${plugin}
`);
  return () => buildRuntime(state, { logger: memoryLogger(), stores: new PluginStores(), metrics: new Registry(), env: {}, llm: createLlmCaller({ env: {} }) });
};

const REFUSED: Array<[string, string, RegExp]> = [
  ['ai-a2a-proxy', '{}', /no A2A/],
  ['ai-mcp-proxy', '{ mode: passthrough-listener }', /no MCP server/],
  ['ai-mcp-oauth2', '{ resource: "https://api.example.com/mcp", authorization_servers: ["https://auth.example.com"] }', /no MCP OAuth2/],
  ['ai-prompt-compressor', '{ compressor_url: "http://127.0.0.1:1", compression_ranges: [{ min_tokens: 1, max_tokens: 100, value: 0.5 }] }', /prompt-compression service/],
  ['ai-gcp-model-armor', '{ project_id: p, location_id: l, template_id: t }', /Model Armor/],
  ['ai-aws-guardrails', '{ guardrails_id: g, guardrails_version: "1", aws_region: eu-west-1 }', /ApplyGuardrail/],
  ['openid-connect', '{ issuer: "https://idp.example.com/", client_id: [kong], client_secret: [s] }', /no OpenID Connect relying party/],
  ['kafka-log', '{ topic: access, bootstrap_servers: [{ host: kafka, port: 9092 }] }', /no Kafka producer/],
];

describe('plugins aigw serve cannot run', () => {
  it.each(REFUSED)('%s: refused at startup, naming the plugin and the reason', async (name, config, why) => {
    const run = await build(`    - name: ${name}\n      id: 0a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d\n      config: ${config}`);
    expect(run).toThrowError(new RegExp(`plugin '${name}' \\(0a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d\\): ${name} cannot run in aigw serve: `));
    expect(run).toThrowError(why);
  });

  it.each([
    ['ai-custom-guardrail', '{ request: { url: "http://127.0.0.1:1" }, response: { block: "$(check(resp))", block_message: no }, functions: { check: "return function(r) return true end" } }', /functions: Lua functions cannot run/],
    ['ai-custom-guardrail', '{ request: { url: "http://127.0.0.1:1", body: { input: "$(string.upper(content))" } }, response: { block: "$(resp.flagged)", block_message: no } }', /request\.body\.input: the expression/],
    ['ai-custom-guardrail', '{ request: { url: "http://127.0.0.1:1" }, response: { block: "$(resp.flagged)", block_message: no }, allow_masking: true }', /allow_masking/],
    ['ai-azure-content-safety', '{ content_safety_url: "http://127.0.0.1:1/x", azure_use_managed_identity: true }', /managed identity is not implemented/],
    ['ai-rate-limiting-advanced', '{ policies: [{ id: p1, limits: [{ limit: 10, window_size: 60 }] }] }', /'id' references a reusable ai_rate_limiting_policies entity/],
    ['ai-rate-limiting-advanced', '{ llm_providers: [{ name: customCost, limit: [1], window_size: [60] }], custom_cost_count_function: "return 1" }', /custom_cost_count_function: Lua code/],
    ['ai-rate-limiting-advanced', '{ namespace: shared, llm_providers: [{ name: openai, limit: [1], window_size: [60] }] }', /namespace: aigw keeps local counters per plugin instance/],
    ['ai-semantic-prompt-guard', '{ embeddings: { model: { provider: openai, name: e } }, vectordb: { strategy: pgvector, dimensions: 8, distance_metric: cosine }, rules: { deny_prompts: [x] } }', /vectordb.strategy 'pgvector' is not served: pgvector is not implemented/],
  ])('%s: a configuration serve cannot honour is refused at startup (%#)', async (name, config, why) => {
    const run = await build(`    - name: ${name}\n      config: ${config}`);
    expect(run).toThrowError(new RegExp(`plugin '${name}' `));
    expect(run).toThrowError(why);
  });

  it('a disabled one is not refused', async () => {
    const run = await build('    - name: ai-a2a-proxy\n      enabled: false');
    expect(run).not.toThrow();
  });
});
