/** Gemini on Vertex with a GCP service account: a signed JWT-bearer grant, the token cached and sent as Bearer. */
import { generateKeyPairSync } from 'node:crypto';
import { importSPKI, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';
import { startUpstream, type TestUpstream } from '../../helpers/net.js';
import { postJson } from './setup.js';

describe('ai-proxy: Vertex with gcp_use_service_account', () => {
  let mock: MockServer;
  let tokens: TestUpstream;
  let gw: TestGateway;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const spki = publicKey.export({ type: 'spki', format: 'pem' }).toString();

  beforeAll(async () => {
    mock = await startMock();
    tokens = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: 'ya29.from-sa', expires_in: 3600, token_type: 'Bearer' }));
    });
    const sa = JSON.stringify({ type: 'service_account', client_email: 'bot@proj.iam.gserviceaccount.com', private_key: pem, token_uri: `${tokens.url}/token` });
    const vertex = (name: string, json: string) => `
  - name: ${name}
    paths: [/${name}]
    plugins:
    - name: ai-proxy
      config:
        route_type: llm/v1/chat
        auth: { gcp_use_service_account: true, gcp_service_account_json: '${json}' }
        model: { provider: gemini, name: gemini-1.5-pro, options: { gemini: { api_endpoint: x, project_id: p1, location_id: l1 }, upstream_url: "${mock.url}/v1/projects/p1/locations/l1/publishers/google/models/gemini-1.5-pro:generateContent" } }`;
    gw = await gatewayFrom(`
_format_version: "3.0"
services:
- name: llm
  url: http://localhost:32000
  routes:${vertex('vertex', sa)}${vertex('vertex-bad', '{"client_email":"x"}')}
`);
  });
  afterAll(async () => {
    await gw.close(100);
    await mock.close();
    await tokens.close();
  });

  it('fetches a token with a valid RS256 assertion, sends it as Bearer, and caches it', async () => {
    const HI = { messages: [{ role: 'user', content: 'What is 1 + 1?' }] };
    const r = await postJson(`${gw.proxyUrl}/vertex`, HI);
    expect(r.status, r.text).toBe(200);
    expect(mock.requests().at(-1)?.headers.authorization).toBe('Bearer ya29.from-sa');
    const grant = new URLSearchParams(tokens.seen[0].body);
    expect(grant.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    const { payload } = await jwtVerify(grant.get('assertion') ?? '', await importSPKI(spki, 'RS256'), { audience: `${tokens.url}/token`, issuer: 'bot@proj.iam.gserviceaccount.com' });
    expect(payload.scope).toBe('https://www.googleapis.com/auth/cloud-platform');
    expect((await postJson(`${gw.proxyUrl}/vertex`, HI)).status).toBe(200);
    expect(tokens.seen).toHaveLength(1);
  });

  it("a broken service account is Kong's 500 before proxying", async () => {
    const before = mock.requests().length;
    const r = await postJson(`${gw.proxyUrl}/vertex-bad`, { messages: [{ role: 'user', content: 'hi' }] });
    expect(r.status).toBe(500);
    expect(JSON.parse(r.text)).toEqual({ error: { message: 'LLM request failed before proxying' } });
    expect(mock.requests().length).toBe(before);
  });
});
