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
      }, delay).unref();
    });
  });
  afterAll(async () => {
    await up.close();
  });

  /** Waits until the upstream has the request (a fixed 50 ms was too short on a loaded machine: the
   * gateway closed before the request was in flight, and the client saw ECONNRESET). */
  const reached = async (before: number): Promise<void> => {
    for (let i = 0; i < 1000 && up.seen.length === before; i++) await new Promise((r) => setTimeout(r, 10));
    expect(up.seen.length).toBe(before + 1);
  };

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
    const seen = up.seen.length;
    const inflight = request(`${gw.proxyUrl}/?delay=300`);
    await reached(seen);
    const t0 = Date.now();
    const closing = gw.close(15_000);
    const res = await inflight;
    expect(res.status).toBe(200);
    expect(res.text).toBe('done');
    await closing;
    // done when the request is, not at the drain bound (15 s); generous for a loaded machine
    expect(Date.now() - t0).toBeLessThan(10_000);
    await expect(request(`${gw.proxyUrl}/`)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('cuts requests that outlive the drain bound', async () => {
    const gw = await gatewayFrom(config());
    const seen = up.seen.length;
    const inflight = request(`${gw.proxyUrl}/?delay=10000`).then((r) => r.status, (e: Error) => e.message);
    await reached(seen);
    const t0 = Date.now();
    await gw.close(200);
    // cut at the bound (200 ms), long before the answer (10 s); generous for a loaded machine
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(await inflight).toMatch(/socket hang up|ECONNRESET/);
  });
});
