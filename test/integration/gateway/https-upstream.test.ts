import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';
import { request } from '../../helpers/net.js';

describe('https upstreams', () => {
  let server: https.Server;
  let gw: TestGateway;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aigw-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
    server = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ url: req.url, host: req.headers.host }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    gw = await gatewayFrom(`
_format_version: "3.0"
services:
- name: tls
  url: https://127.0.0.1:${port}/api
  routes:
  - name: tls
    paths: [/tls]
- name: tls-verified
  url: https://127.0.0.1:${port}/api
  tls_verify: true
  retries: 0
  routes:
  - name: tls-verified
    paths: [/verified]
`);
  });
  afterAll(async () => {
    await gw?.close(100);
    server?.closeAllConnections();
    await new Promise<void>((r) => server?.close(() => r()));
  });

  it('proxies to an https service (tls_verify unset: not verified, as Kong)', async () => {
    const res = await request(`${gw.proxyUrl}/tls/x`);
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ url: '/api/x' });
  });

  it('answers 502 when tls_verify is on and the certificate is not trusted', async () => {
    const res = await request(`${gw.proxyUrl}/verified`);
    expect(res.status).toBe(502);
  });
});
