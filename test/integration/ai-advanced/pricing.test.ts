/**
 * Kong 3.14's pricing options (cache_read_cost, cache_write_cost(_list), context_window_factor,
 * service_tier_factor) in the cost `aigw serve` writes to the log, from the cache tokens and service
 * tier the providers report. `aigw mock` reports no prompt caching, so a loopback server answers
 * with OpenAI's and Anthropic's documented usage fields. On a build without the options the
 * gateway refuses to start (gateway/not-served.ts).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';
import { logFor, postJson } from '../ai-proxy/setup.js';

const OPENAI = {
  id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'gpt-5', service_tier: 'priority',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 1000, completion_tokens: 100, total_tokens: 1100, prompt_tokens_details: { cached_tokens: 600, audio_tokens: 0 } },
};
const ANTHROPIC = {
  id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-x', content: [{ type: 'text', text: 'hi' }], stop_reason: 'end_turn', stop_sequence: null,
  usage: {
    input_tokens: 100, output_tokens: 50, cache_read_input_tokens: 2000, cache_creation_input_tokens: 400,
    cache_creation: { ephemeral_5m_input_tokens: 300, ephemeral_1h_input_tokens: 100 }, service_tier: 'standard',
  },
};

function upstream(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.url?.includes('/v1/messages') ? ANTHROPIC : OPENAI));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

describe('cost accounting with the 3.14 pricing options', () => {
  let up: { server: Server; url: string };
  let gw: TestGateway;
  const logPath = join(mkdtempSync(join(tmpdir(), 'aigw-pricing-')), 'ai.log');

  beforeAll(async () => {
    up = await upstream();
    gw = await gatewayFrom(`
_format_version: "3.0"
plugins:
- name: file-log
  config: { path: ${logPath} }
services:
- name: llm
  url: http://localhost:32000
  routes:
  - name: openai
    paths: [/openai]
    plugins:
    - name: ai-proxy
      config:
        route_type: llm/v1/chat
        auth: { header_name: Authorization, header_value: "Bearer k" }
        logging: { log_statistics: true }
        model:
          provider: openai
          name: gpt-5
          options:
            upstream_url: "${up.url}/v1/chat/completions"
            input_cost: 4
            output_cost: 24
            cache_read_cost: 0.4
            service_tier_factor: [{ tier: priority, factor: 2 }, { tier: flex, factor: 0.5 }]
  - name: claude
    paths: [/claude]
    plugins:
    - name: ai-proxy-advanced
      config:
        targets:
        - route_type: llm/v1/chat
          auth: { header_name: x-api-key, header_value: k }
          logging: { log_statistics: true }
          model:
            provider: anthropic
            name: claude-x
            options:
              upstream_url: "${up.url}/v1/messages"
              anthropic_version: "2023-06-01"
              max_tokens: 256
              input_cost: 3
              output_cost: 15
              cache_read_cost: 0.3
              cache_write_cost: 3.75
              cache_write_cost_list: [{ ttl: 1h, cost: 6 }]
              context_window_factor: [{ above: 2k, input_factor: 2, output_factor: 1.5 }, { above: 1m, input_factor: 9, output_factor: 9 }]
  - name: claude-native
    paths: [/claude-native]
    plugins:
    - name: ai-proxy-advanced
      config:
        llm_format: anthropic
        targets:
        - route_type: llm/v1/chat
          auth: { header_name: x-api-key, header_value: k }
          logging: { log_statistics: true }
          model:
            provider: anthropic
            name: claude-x
            options:
              upstream_url: "${up.url}/v1/messages"
              anthropic_version: "2023-06-01"
              max_tokens: 256
              input_cost: 3
              output_cost: 15
              cache_read_cost: 0.3
              cache_write_cost: 3.75
              cache_write_cost_list: [{ ttl: 1h, cost: 6 }]
              context_window_factor: [{ above: 2k, input_factor: 2, output_factor: 1.5 }, { above: 1m, input_factor: 9, output_factor: 9 }]
`);
  });
  afterAll(async () => {
    await gw.close(100);
    await new Promise((r) => up.server.close(r));
  });

  it('OpenAI: cached tokens at cache_read_cost, the reported priority tier doubles the cost; the log has cached_tokens', async () => {
    const r = await postJson(`${gw.proxyUrl}/openai`, { messages: [{ role: 'user', content: 'hello' }] });
    expect(r.status, r.text).toBe(200);
    const body = JSON.parse(r.text) as { service_tier: string; usage: Record<string, unknown> };
    expect(body.service_tier).toBe('priority');
    // the upstream's usage as it came (details included): OpenAI's clients read them
    expect(body.usage).toEqual(OPENAI.usage);
    const rec = await logFor(logPath, String(r.headers['x-kong-request-id']));
    const usage = rec.ai?.proxy?.usage as Record<string, unknown>;
    expect(usage).toMatchObject({ prompt_tokens: 1000, completion_tokens: 100, prompt_tokens_details: { cached_tokens: 600 } });
    expect(usage.cost).toBeCloseTo((2 * (400 * 4 + 600 * 0.4 + 100 * 24)) / 1e6, 12);
  });

  it('Anthropic: prompt tokens include cache reads and writes; writes priced by TTL; the context window factor applies above 2k', async () => {
    const r = await postJson(`${gw.proxyUrl}/claude`, { messages: [{ role: 'user', content: 'hello' }] });
    expect(r.status, r.text).toBe(200);
    // the OpenAI-format client sees the cache reads among its prompt tokens
    const body = JSON.parse(r.text) as { service_tier: string; usage: Record<string, unknown> };
    expect(body.usage).toMatchObject({ prompt_tokens: 2500, completion_tokens: 50, prompt_tokens_details: { cached_tokens: 2000 } });
    expect(body.service_tier).toBe('standard');
    expect(body.usage.service_tier).toBeUndefined();
    const rec = await logFor(logPath, String(r.headers['x-kong-request-id']));
    const usage = rec.ai?.proxy?.usage as Record<string, unknown>;
    expect(usage).toMatchObject({ prompt_tokens: 2500, completion_tokens: 50, prompt_tokens_details: { cached_tokens: 2000 } });
    const input = 100 * 3 + 2000 * 0.3 + 300 * 3.75 + 100 * 6;
    expect(usage.cost).toBeCloseTo((2 * input + 1.5 * 50 * 15) / 1e6, 12);
  });

  it('an Anthropic client gets input_tokens without the cache tokens, and the cache fields', async () => {
    const r = await postJson(`${gw.proxyUrl}/claude-native`, { model: 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: 'hello' }] }, { 'anthropic-version': '2023-06-01' });
    expect(r.status, r.text).toBe(200);
    const body = JSON.parse(r.text) as { usage: Record<string, unknown> };
    expect(body.usage).toEqual({ input_tokens: 100, output_tokens: 50, cache_read_input_tokens: 2000, cache_creation_input_tokens: 400 });
  });
});
