/** examples/tracing.yaml as the README walks through it: the quick-start request arrives at an OTLP receiver as a trace with GenAI attributes. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';
import { request } from '../../helpers/net.js';
import { startOtlpReceiver, type OtlpReceiver } from '../../helpers/otlp-receiver.js';

const file = join(__dirname, '..', '..', '..', 'examples', 'tracing.yaml');
let receiver: OtlpReceiver;
let mock: MockServer;
let gw: TestGateway;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  mock = await startMock();
  const text = readFileSync(file, 'utf8');
  expect(text).toContain('traces_endpoint: http://127.0.0.1:4318/v1/traces');
  expect(text).toContain('http://127.0.0.1:9000/v1/chat/completions');
  gw = await gatewayFrom(text.replace('http://127.0.0.1:4318/v1/traces', receiver.url).replace('http://127.0.0.1:9000', mock.url));
});
afterAll(async () => {
  await gw?.close(100);
  await mock?.close();
  await receiver?.close();
});

it('the README curl shows up as a trace: key-auth, rate-limiting, ai-proxy, then openai/gpt-4o with its tokens', async () => {
  const res = await request(`${gw.proxyUrl}/ai/chat`, { method: 'POST', headers: { apikey: 'demo-key', 'content-type': 'application/json' }, body: JSON.stringify({ messages: [{ role: 'user', content: 'What is 1 + 1?' }] }) });
  expect(res.status).toBe(200);
  const traceId = String(res.headers['x-trace-id']);
  const spans = (await receiver.waitFor((s) => s.some((x) => x.traceId === traceId && x.name === 'chat gpt-4o'))).filter((s) => s.traceId === traceId);
  expect(spans.filter((s) => s.name.startsWith('kong.access.plugin.')).map((s) => s.name)).toEqual(['kong.access.plugin.key-auth', 'kong.access.plugin.rate-limiting', 'kong.access.plugin.ai-proxy']);
  const llm = spans.find((s) => s.name === 'chat gpt-4o');
  expect(llm?.attributes).toMatchObject({ 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 5, 'gen_ai.usage.output_tokens': 8, 'gen_ai.response.finish_reasons': ['stop'], 'gen_ai.request.max_tokens': 512 });
  expect(llm?.resource['service.name']).toBe('aigw-quickstart');
});
