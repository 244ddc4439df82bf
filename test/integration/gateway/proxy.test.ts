import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';
import { freePort, request, startUpstream, type TestUpstream } from '../../helpers/net.js';

describe('proxying to services', () => {
  let up: TestUpstream;
  let gw: TestGateway;
  let deadPort: number;

  beforeAll(async () => {
    up = await startUpstream((req, res, body) => {
      if (req.url?.startsWith('/hang')) return;
      if (req.url?.startsWith('/base/reset')) {
        res.writeHead(200, { 'content-length': '100' });
        res.write('partial');
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': 'yes' });
      res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
    });
    deadPort = await freePort();
    gw = await gatewayFrom(`
_format_version: "3.0"
services:
- name: echo
  url: ${up.url}/base
  routes:
  - name: strip
    paths: [/s]
  - name: nostrip
    paths: [/keep]
    strip_path: false
  - name: preserve
    paths: [/ph]
    preserve_host: true
  - name: https-only
    paths: [/secure]
    protocols: [https]
- name: dead
  url: http://127.0.0.1:${deadPort}
  retries: 2
  routes:
  - name: dead
    paths: [/dead]
- name: slow
  url: ${up.url}/hang
  read_timeout: 200
  routes:
  - name: slow
    paths: [/slow]
- name: balanced
  host: pool
  routes:
  - name: balanced
    paths: [/lb]
- name: disabled
  url: ${up.url}
  enabled: false
  routes:
  - name: disabled
    paths: [/disabled]
- name: nopeers
  host: empty-pool
  routes:
  - name: nopeers
    paths: [/nopeers]
upstreams:
- name: pool
  targets:
  - target: 127.0.0.1:${deadPort}
  - target: 127.0.0.1:${up.port}
- name: empty-pool
`);
  });
  afterAll(async () => {
    await gw.close(100);
    await up.close();
  });

  it('strips the matched prefix and joins with the service path (v0)', async () => {
    const res = await request(`${gw.proxyUrl}/s/x/y?q=1`);
    expect(res.status).toBe(200);
    expect(res.json().url).toBe('/base/x/y?q=1');
    expect(res.headers['x-upstream']).toBe('yes');
    expect(res.headers.via).toBe('1.1 aigw/0.1.0');
    expect(res.headers['x-kong-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(res.headers['x-kong-upstream-latency']).toMatch(/^\d+$/);
    expect(res.headers['x-kong-proxy-latency']).toMatch(/^\d+$/);
  });

  it('sends X-Forwarded-* and the service host upstream', async () => {
    const res = await request(`${gw.proxyUrl}/s`, { headers: { host: 'client.test:1234', 'x-forwarded-for': '10.0.0.1' } });
    const seen = res.json<{ url: string; headers: Record<string, string> }>();
    expect(seen.url).toBe('/base');
    expect(seen.headers.host).toBe(`127.0.0.1:${up.port}`);
    expect(seen.headers['x-forwarded-for']).toBe('10.0.0.1, 127.0.0.1');
    expect(seen.headers['x-forwarded-host']).toBe('client.test');
    expect(seen.headers['x-forwarded-proto']).toBe('http');
    expect(seen.headers['x-forwarded-prefix']).toBe('/s');
    expect(seen.headers['x-real-ip']).toBe('127.0.0.1');
    expect(seen.headers['x-kong-request-id']).toBe(res.headers['x-kong-request-id']);
  });

  it('keeps the path with strip_path false and the Host with preserve_host', async () => {
    expect((await request(`${gw.proxyUrl}/keep/a`)).json().url).toBe('/base/keep/a');
    const res = await request(`${gw.proxyUrl}/ph`, { headers: { host: 'client.test' } });
    expect(res.json<{ headers: Record<string, string> }>().headers.host).toBe('client.test');
  });

  it('streams request bodies through', async () => {
    const body = 'x'.repeat(200_000);
    const res = await request(`${gw.proxyUrl}/s/post`, { method: 'POST', body, headers: { 'content-type': 'text/plain' } });
    expect(res.json().body).toBe(body);
  });

  it('answers 404 with Kong\'s message when no route matches', async () => {
    const res = await request(`${gw.proxyUrl}/nothing`);
    expect(res.status).toBe(404);
    expect(res.json()).toEqual({ message: 'no Route matched with those values', request_id: res.headers['x-kong-request-id'] });
    expect(res.headers['x-kong-response-latency']).toBeDefined();
  });

  it('does not route to disabled services', async () => {
    expect((await request(`${gw.proxyUrl}/disabled`)).status).toBe(404);
  });

  it('answers 426 on an https-only route', async () => {
    const res = await request(`${gw.proxyUrl}/secure`);
    expect(res.status).toBe(426);
    expect(res.json().message).toBe('Please use HTTPS protocol');
  });

  it('answers 502 when the upstream refuses connections', async () => {
    const res = await request(`${gw.proxyUrl}/dead`);
    expect(res.status).toBe(502);
    expect(res.json().message).toBe('An invalid response was received from the upstream server');
  });

  it('answers 504 when the upstream is too slow', async () => {
    const res = await request(`${gw.proxyUrl}/slow`);
    expect(res.status).toBe(504);
    expect(res.json().message).toBe('The upstream server is timing out');
  });

  it('retries another target of an upstream after a connection failure', async () => {
    for (let i = 0; i < 4; i++) {
      const res = await request(`${gw.proxyUrl}/lb/p`);
      expect(res.status).toBe(200);
    }
  });

  it('cuts the client connection when the upstream dies mid-body (no hang)', async () => {
    const t0 = Date.now();
    await expect(request(`${gw.proxyUrl}/s/reset`)).rejects.toThrow();
    expect(Date.now() - t0).toBeLessThan(10_000); // not the read timeout (60 s); generous for a loaded machine
  });

  it('answers 503 when an upstream has no target', async () => {
    const res = await request(`${gw.proxyUrl}/nopeers`);
    expect(res.status).toBe(503);
    expect(res.json().message).toBe('failure to get a peer from the ring-balancer');
  });

  it('serves /status and /metrics on the status listener, 404 for the rest', async () => {
    const st = await request(`${gw.adminUrl}/status`);
    expect(st.status).toBe(200);
    expect(st.json<{ server: { total_requests: number } }>().server.total_requests).toBeGreaterThan(0);
    expect(typeof st.json().configuration_hash).toBe('string');
    const m = await request(`${gw.adminUrl}/metrics`);
    expect(m.text).toContain('kong_nginx_connections_total');
    expect((await request(`${gw.adminUrl}/services`)).status).toBe(404);
  });
});
