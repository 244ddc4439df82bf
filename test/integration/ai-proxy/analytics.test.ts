/** Analytics: `ai.proxy.meta` / `ai.proxy.usage` in the log record (payloads only with log_payloads), and the prometheus AI series. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';
import { request } from '../../helpers/net.js';
import { KEY, logFor, postJson } from './setup.js';

const Q = { messages: [{ role: 'user', content: 'What is 1 + 1?' }] };

describe('ai-proxy analytics', () => {
  let mock: MockServer;
  let gw: TestGateway;
  const logPath = join(mkdtempSync(join(tmpdir(), 'aigw-ai-an-')), 'ai.log');
  const plugin = (logging: string, extra = '') => `
    - name: ai-proxy
      config:
        route_type: llm/v1/chat
        logging: ${logging}
        auth: { header_name: Authorization, header_value: "Bearer ${KEY}" }
        model: { provider: openai, name: gpt-4o, options: { upstream_url: "${mock.url}/v1/chat/completions", input_cost: 10, output_cost: 10${extra} } }`;

  beforeAll(async () => {
    mock = await startMock({ requireKey: KEY });
    gw = await gatewayFrom(`
_format_version: "3.0"
plugins:
- name: file-log
  config: { path: ${logPath} }
- name: prometheus
  config: { ai_metrics: true }
services:
- name: llm
  url: http://localhost:32000
  routes:
  - name: stats
    paths: [/stats]
    plugins:${plugin('{ log_statistics: true }')}
  - name: payloads
    paths: [/payloads]
    plugins:${plugin('{ log_statistics: true, log_payloads: true }')}
  - name: quiet
    paths: [/quiet]
    plugins:${plugin('{ log_statistics: false }')}
`);
  });
  afterAll(async () => {
    await gw.close(100);
    await mock.close();
  });

  it('writes ai.proxy.meta and ai.proxy.usage, without payloads', async () => {
    const r = await postJson(`${gw.proxyUrl}/stats`, Q, { authorization: 'Bearer secret-client' });
    const body = JSON.parse(r.text) as { usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } };
    const rec = await logFor(logPath, String(r.headers['x-kong-request-id']));
    const ai = rec.ai?.proxy;
    expect(ai?.meta).toMatchObject({ provider_name: 'openai', request_model: 'gpt-4o', response_model: 'gpt-4o' });
    expect(typeof ai?.meta.plugin_id).toBe('string');
    expect(ai?.meta.llm_latency).toBeGreaterThanOrEqual(0);
    const u = ai?.usage as Record<string, number>;
    // the counts as the answer gave them; of its breakdowns only the cached prompt tokens (they are priced)
    expect(u).toMatchObject({ prompt_tokens: body.usage.prompt_tokens, completion_tokens: body.usage.completion_tokens, total_tokens: body.usage.total_tokens, prompt_tokens_details: { cached_tokens: 0 } });
    expect(u.cost).toBeCloseTo((body.usage.total_tokens * 10) / 1e6, 12);
    expect(u.time_per_token).toBeCloseTo((ai?.meta.llm_latency as number) / body.usage.completion_tokens, 6);
    expect(ai?.payload).toBeUndefined();
    expect(JSON.stringify(rec)).not.toContain('secret-client');
  });

  it('adds payloads only with log_payloads, streams included', async () => {
    const r = await postJson(`${gw.proxyUrl}/payloads`, Q);
    const rec = await logFor(logPath, String(r.headers['x-kong-request-id']));
    const p = rec.ai?.proxy?.payload as { request: string; response: string };
    expect(JSON.parse(p.request)).toEqual(Q);
    expect(JSON.parse(p.response)).toEqual(JSON.parse(r.text));
    const s = await postJson(`${gw.proxyUrl}/payloads`, { ...Q, stream: true });
    const srec = await logFor(logPath, String(s.headers['x-kong-request-id']));
    const sp = srec.ai?.proxy?.payload as { response: string };
    expect((JSON.parse(sp.response) as { choices: Array<{ message: { content: string } }> }).choices[0].message.content).toBe('The answer to 1 + 1 is 2.');
    expect((srec.ai?.proxy?.usage as Record<string, number>).completion_tokens).toBeGreaterThan(0);
  });

  it('writes nothing under ai when log_statistics is off', async () => {
    const r = await postJson(`${gw.proxyUrl}/quiet`, Q);
    const rec = await logFor(logPath, String(r.headers['x-kong-request-id']));
    expect(rec.ai).toBeUndefined();
  });

  it('exposes the Kong AI metrics on /metrics', async () => {
    await postJson(`${gw.proxyUrl}/stats`, Q);
    await postJson(`${gw.proxyUrl}/stats`, { ...Q, stream: true });
    await new Promise((r) => setTimeout(r, 50));
    const m = await request(`${gw.adminUrl}/metrics`);
    const line = (name: string, extra = ''): number => {
      const re = new RegExp(`^${name}\\{ai_provider="openai",ai_model="gpt-4o",cache_status="",vector_db="",embeddings_provider="",embeddings_model="",workspace="default"${extra}\\} ([0-9.e-]+)$`, 'm');
      const hit = re.exec(m.text);
      if (!hit) throw new Error(`no ${name}${extra} in\n${m.text.split('\n').filter((l) => l.includes('kong_ai')).join('\n')}`);
      return Number(hit[1]);
    };
    expect(line('kong_ai_llm_requests_total')).toBeGreaterThanOrEqual(4);
    expect(line('kong_ai_llm_tokens_total', ',token_type="prompt_tokens"')).toBeGreaterThan(0);
    expect(line('kong_ai_llm_tokens_total', ',token_type="completion_tokens"')).toBeGreaterThan(0);
    expect(line('kong_ai_llm_tokens_total', ',token_type="total_tokens"')).toBeGreaterThan(0);
    expect(line('kong_ai_llm_cost_total')).toBeGreaterThan(0);
    expect(m.text).toMatch(/kong_ai_llm_provider_latency_ms_bucket\{le="250",ai_provider="openai"/);
    expect(m.text).toMatch(/kong_ai_llm_provider_latency_ms_bucket\{le="60000",/);
  });
});
