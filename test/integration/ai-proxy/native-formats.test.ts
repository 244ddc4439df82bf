/** `llm_format` values without a client-format adapter (Kong's native Gemini/Bedrock inputs) are refused clearly. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';
import { request } from '../../helpers/net.js';

describe('unsupported native client formats', () => {
  let mock: MockServer;
  let gw: TestGateway;

  beforeAll(async () => {
    mock = await startMock();
    gw = await gatewayFrom(`
_format_version: "3.0"
routes:
- name: gemini-native
  paths: [/gemini]
  plugins:
  - name: ai-proxy
    config:
      route_type: llm/v1/chat
      llm_format: gemini
      auth: { param_name: key, param_value: k, param_location: query }
      model: { provider: gemini, name: gemini-1.5-flash, options: { upstream_url: "${mock.url}/v1beta/models/gemini-1.5-flash:generateContent" } }
`);
  });

  afterAll(async () => {
    await gw.close(100);
    await mock.close();
  });

  it('answers 400 with a message naming the format, and never calls the provider', async () => {
    const res = await request(`${gw.proxyUrl}/gemini`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }) });
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ error: { message: "llm_format 'gemini' is not supported by aigw serve; send OpenAI-format requests" } });
    expect(mock.requests()).toHaveLength(0);
  });
});
