/**
 * The seed example for every provider: `POST` with only `messages` → aigw adds the key, the model
 * and `max_tokens: 512`, and answers in the OpenAI chat format, plain and streamed, with usage and
 * cost in the log record.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';
import { AWS_SECRET, KEY, PROVIDER_CASES, logFor, parseSse, postJson, streamText } from './setup.js';

const ANSWER = 'The answer to 1 + 1 is 2.';
const SEED = { messages: [{ role: 'user', content: 'What is 1 + 1?' }] };

describe('ai-proxy: the seed example for every provider', () => {
  let mock: MockServer;
  let gw: TestGateway;
  const logPath = join(mkdtempSync(join(tmpdir(), 'aigw-ai-')), 'ai.log');

  beforeAll(async () => {
    mock = await startMock({ requireKey: KEY, awsSecretKey: AWS_SECRET });
    const routes = PROVIDER_CASES.flatMap((p) => [false, true].map((stream) => `
  - name: ${stream ? 'stream' : 'plain'}-${p.id}
    paths: [/${stream ? 'stream' : 'plain'}/${p.id}]
    plugins:
    - name: ai-proxy
      config:
        route_type: llm/v1/chat
        logging: { log_statistics: true }
        auth: ${p.auth}
        model: ${p.model(mock.url, stream)}`)).join('');
    gw = await gatewayFrom(`
_format_version: "3.0"
plugins:
- name: file-log
  config: { path: ${logPath} }
services:
- name: llm
  url: http://localhost:32000
  routes:${routes}
`);
  });
  afterAll(async () => {
    await gw.close(100);
    await mock.close();
  });

  for (const p of PROVIDER_CASES) {
    it(`${p.id}: plain answer in OpenAI format, key + model + max_tokens added, usage and cost logged`, async () => {
      const r = await postJson(`${gw.proxyUrl}/plain/${p.id}`, SEED);
      expect(r.status, r.text).toBe(200);
      const body = JSON.parse(r.text) as { object: string; choices: Array<{ message: { role: string; content: string }; finish_reason: string }>; usage: Record<string, number> };
      expect(body.object).toBe('chat.completion');
      expect(body.choices[0].message.role).toBe('assistant');
      expect(body.choices[0].message.content).toBe(ANSWER);
      expect(body.choices[0].finish_reason).toBe('stop');
      expect(body.usage.prompt_tokens).toBeGreaterThan(0);
      expect(body.usage.completion_tokens).toBeGreaterThan(0);
      expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);
      expect(String(r.headers['x-kong-llm-model'])).toMatch(new RegExp(`^${p.provider}/`));
      const seen = mock.requests().at(-1);
      expect(seen?.status).toBe(200);
      expect(JSON.stringify(seen?.body)).toContain('512');
      expect(JSON.stringify(seen?.body)).toContain('1 + 1');
      const log = await logFor(logPath, String(r.headers['x-kong-request-id']));
      const usage = log.ai?.proxy?.usage as Record<string, number>;
      expect(usage.prompt_tokens).toBe(body.usage.prompt_tokens);
      expect(usage.completion_tokens).toBe(body.usage.completion_tokens);
      expect(usage.cost).toBeCloseTo((body.usage.prompt_tokens * 10 + body.usage.completion_tokens * 20) / 1e6, 12);
      expect(log.ai?.proxy?.meta.provider_name).toBe(p.provider);
      expect(log.ai?.proxy?.payload).toBeUndefined();
    });

    it(`${p.id}: streamed answer as chat.completion.chunk events ending with [DONE], usage counted`, async () => {
      const r = await postJson(`${gw.proxyUrl}/stream/${p.id}`, { ...SEED, stream: true });
      expect(r.status, r.text).toBe(200);
      expect(r.headers['content-type']).toContain('text/event-stream');
      const events = parseSse(r.text);
      expect(events.at(-1)?.data).toBe('[DONE]');
      expect(r.text.endsWith('data: [DONE]\n\n')).toBe(true);
      for (const e of events.slice(0, -1)) expect(JSON.parse(e.data).object).toBe('chat.completion.chunk');
      expect(streamText(events)).toBe(ANSWER);
      const log = await logFor(logPath, String(r.headers['x-kong-request-id']));
      const usage = log.ai?.proxy?.usage as Record<string, number>;
      expect(usage.prompt_tokens).toBeGreaterThan(0);
      expect(usage.completion_tokens).toBeGreaterThan(0);
      expect(usage.cost).toBeGreaterThan(0);
      expect(mock.requests().at(-1)?.status).toBe(200);
    });
  }
});
