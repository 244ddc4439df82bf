import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayFrom } from '../../helpers/gateway.js';
import { request, startUpstream, type TestUpstream } from '../../helpers/net.js';

describe('graceful shutdown', () => {
  let up: TestUpstream;
  beforeAll(async () => {
    up = await startUpstream((req, res) => {
      const delay = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('delay') ?? 0);
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('done');
      }, delay);
    });
  });
  afterAll(async () => {
    await up.close();
  });

  const config = () => `
_format_version: "3.0"
services:
- name: s
  url: ${up.url}
  routes:
  - name: r
    paths: [/]
`;

  it('finishes in-flight requests, then refuses new connections', async () => {
    const gw = await gatewayFrom(config());
    const inflight = request(`${gw.proxyUrl}/?delay=300`);
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    const closing = gw.close(5000);
    const res = await inflight;
    expect(res.status).toBe(200);
    expect(res.text).toBe('done');
    await closing;
    expect(Date.now() - t0).toBeLessThan(2000);
    await expect(request(`${gw.proxyUrl}/`)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('cuts requests that outlive the drain bound', async () => {
    const gw = await gatewayFrom(config());
    const inflight = request(`${gw.proxyUrl}/?delay=3000`).then((r) => r.status, (e: Error) => e.message);
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    await gw.close(200);
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(await inflight).toMatch(/socket hang up|ECONNRESET/);
  });
});
