import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogRecord } from '../../../src/gateway/log-record.js';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';
import { request, startUpstream, type Seen, type TestUpstream } from '../../helpers/net.js';

type Echo = { method: string; url: string; headers: Record<string, string>; body: string };

const waitFor = async (check: () => boolean, ms = 30_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('core plugins', () => {
  let up: TestUpstream;
  let collector: TestUpstream;
  let gw: TestGateway;
  const dir = mkdtempSync(join(tmpdir(), 'aigw-filelog-'));
  const logPath = join(dir, 'access.log');

  beforeAll(async () => {
    up = await startUpstream();
    collector = await startUpstream((_req, res) => {
      res.writeHead(200);
      res.end('ok');
    });
    gw = await gatewayFrom(`
_format_version: "3.0"
services:
- name: echo
  url: ${up.url}
  routes:
  - name: cors
    paths: [/cors]
    plugins:
    - name: cors
      config: { origins: ["https://a.test", "https://.*\\\\.b\\\\.test"], credentials: true, max_age: 600, exposed_headers: [x-up] }
    - name: key-auth
  - name: ip
    paths: [/ip]
    plugins:
    - name: ip-restriction
      config: { deny: ["127.0.0.0/8", "::1"] }
  - name: ip-allow
    paths: [/ip-allow]
    plugins:
    - name: ip-restriction
      config: { allow: ["127.0.0.1"] }
  - name: size
    paths: [/size]
    plugins:
    - name: request-size-limiting
      config: { allowed_payload_size: 1, size_unit: kilobytes }
  - name: size-cl
    paths: [/size-cl]
    plugins:
    - name: request-size-limiting
      config: { require_content_length: true }
  - name: transform
    paths: ["~/tx/(?<item>\\\\w+)"]
    plugins:
    - name: request-transformer
      config:
        http_method: PUT
        remove: { headers: [x-drop], querystring: [drop] }
        rename: { headers: ["x-old:x-new"] }
        replace: { uri: "/items/$(uri_captures.item)" }
        add: { headers: ["x-added:$(headers.x-src)"], querystring: ["q:1"], body: ["extra:true"] }
        append: { headers: ["x-multi:two"] }
  - name: host-change
    paths: [/host-change]
    plugins:
    - name: request-transformer
      config: { add: { headers: ["host:rewritten.test"] } }
  - name: corr
    paths: [/corr]
    plugins:
    - name: correlation-id
      config: { echo_downstream: true }
  - name: logged
    paths: [/logged]
    plugins:
    - name: key-auth
    - name: file-log
      config: { path: ${logPath} }
    # a full batch (2) is sent at once; the 5 s wait for a second entry (was 50 ms) keeps the test's
    # two requests in one batch on a slow machine
    - name: http-log
      config: { http_endpoint: "${collector.url}/logs", headers: { x-token: "{vault://env/my-secret}" }, queue: { max_batch_size: 2, max_coalescing_delay: 5 } }
    - name: prometheus
      config: { status_code_metrics: true, latency_metrics: true, bandwidth_metrics: true, per_consumer: true }
consumers:
- username: alice
  keyauth_credentials: [{ key: alice-key }]
`, { env: { MY_SECRET: 'from-env' } });
  });
  afterAll(async () => {
    await gw.close(100);
    await up.close();
    await collector.close();
  });

  describe('cors', () => {
    it('answers preflights before authentication', async () => {
      const res = await request(`${gw.proxyUrl}/cors`, {
        method: 'OPTIONS',
        headers: { origin: 'https://x.b.test', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-a' },
      });
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe('https://x.b.test');
      expect(res.headers['access-control-allow-credentials']).toBe('true');
      expect(res.headers['access-control-allow-methods']).toBe('GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT');
      expect(res.headers['access-control-allow-headers']).toBe('x-a');
      expect(res.headers['access-control-max-age']).toBe('600');
      expect(res.headers.vary).toBe('Origin');
    });
    it('adds headers to normal responses, including errors, and omits the origin when not allowed', async () => {
      const ok = await request(`${gw.proxyUrl}/cors`, { headers: { origin: 'https://a.test', apikey: 'alice-key' } });
      expect(ok.status).toBe(200);
      expect(ok.headers['access-control-allow-origin']).toBe('https://a.test');
      expect(ok.headers['access-control-expose-headers']).toBe('x-up');
      const denied = await request(`${gw.proxyUrl}/cors`, { headers: { origin: 'https://evil.test' } });
      expect(denied.status).toBe(401);
      expect(denied.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('ip-restriction', () => {
    it('denies listed addresses with Kong\'s message, allows listed ones', async () => {
      const res = await request(`${gw.proxyUrl}/ip`);
      expect(res.status).toBe(403);
      expect(res.json().message).toBe('IP address not allowed: 127.0.0.1');
      expect((await request(`${gw.proxyUrl}/ip-allow`)).status).toBe(200);
    });
  });

  describe('request-size-limiting', () => {
    it('413s bodies over the limit by Content-Length and when chunked', async () => {
      const big = 'x'.repeat(2000);
      const res = await request(`${gw.proxyUrl}/size`, { method: 'POST', body: big });
      expect(res.status).toBe(413);
      expect(res.json().message).toBe('Request size limit exceeded');
      const chunked = await request(`${gw.proxyUrl}/size`, { method: 'POST', body: big, headers: { 'transfer-encoding': 'chunked' } });
      expect(chunked.status).toBe(413);
      const small = await request(`${gw.proxyUrl}/size`, { method: 'POST', body: 'x'.repeat(500) });
      expect(small.status).toBe(200);
      expect(small.json<Echo>().body).toHaveLength(500);
    });
    it('411s without Content-Length when required', async () => {
      const res = await request(`${gw.proxyUrl}/size-cl`, { method: 'POST', body: 'abc', headers: { 'transfer-encoding': 'chunked' } });
      expect(res.status).toBe(411);
      expect(res.json().message).toBe('A valid Content-Length header is required');
    });
  });

  describe('request-transformer', () => {
    it('applies remove, rename, replace (uri with captures), add and append', async () => {
      const res = await request(`${gw.proxyUrl}/tx/abc?drop=1&keep=2`, {
        method: 'POST',
        headers: { 'x-drop': '1', 'x-old': 'v', 'x-src': 'copied', 'x-multi': 'one', 'content-type': 'application/json' },
        body: JSON.stringify({ a: 1 }),
      });
      const seen = res.json<Echo & { headers: Record<string, string> }>();
      expect(seen.method).toBe('PUT');
      expect(seen.url).toBe('/items/abc?keep=2&q=1');
      expect(seen.headers['x-drop']).toBeUndefined();
      expect(seen.headers['x-new']).toBe('v');
      expect(seen.headers['x-old']).toBeUndefined();
      expect(seen.headers['x-added']).toBe('copied');
      expect(seen.headers['x-multi']).toBe('one, two');
      expect(JSON.parse(seen.body)).toEqual({ a: 1, extra: true });
    });
  });

  it('request-transformer can set the upstream Host', async () => {
    const seen = (await request(`${gw.proxyUrl}/host-change`)).json<Echo>();
    expect(seen.headers.host).toBe('rewritten.test');
  });

  describe('correlation-id', () => {
    it('adds a uuid#counter id upstream and echoes it; keeps an existing one', async () => {
      const res = await request(`${gw.proxyUrl}/corr`);
      const id = res.json<Echo>().headers['kong-request-id'];
      expect(id).toMatch(/^[0-9a-f-]{36}#\d+$/);
      expect(res.headers['kong-request-id']).toBe(id);
      const kept = await request(`${gw.proxyUrl}/corr`, { headers: { 'kong-request-id': 'mine' } });
      expect(kept.json<Echo>().headers['kong-request-id']).toBe('mine');
    });
  });

  describe('logging and metrics', () => {
    it('writes Kong log records to file-log and http-log (batched, vault-resolved headers), without secrets', async () => {
      const before = collector.seen.length;
      await request(`${gw.proxyUrl}/logged?apikey=alice-key`);
      await request(`${gw.proxyUrl}/logged`, { headers: { apikey: 'alice-key' } });
      await waitFor(() => collector.seen.length > before);
      const batch = JSON.parse((collector.seen.at(-1) as Seen).body) as LogRecord[];
      expect(batch).toHaveLength(2);
      expect((collector.seen.at(-1) as Seen).headers['x-token']).toBe('from-env');
      const rec = batch[1];
      expect(rec.request.headers.apikey).toBe('REDACTED');
      expect(batch[0].request.querystring.apikey).toBe('REDACTED');
      expect(batch[0].request.uri).not.toContain('alice-key');
      expect(rec.response.status).toBe(200);
      expect(rec.upstream_status).toBe('200');
      expect(rec.route?.name).toBe('logged');
      expect(rec.service?.name).toBe('echo');
      expect(rec.consumer?.username).toBe('alice');
      expect(rec.authenticated_entity?.consumer_id).toBe(rec.consumer?.id);
      expect(rec.latencies).toEqual({ kong: expect.any(Number), proxy: expect.any(Number), request: expect.any(Number), receive: 0 });
      expect(rec.source).toBe('service');
      await waitFor(() => {
        try {
          const text = readFileSync(logPath, 'utf8');
          return text.endsWith('\n') && text.trim().split('\n').length >= 2; // two complete lines
        } catch {
          return false;
        }
      });
      const lines = readFileSync(logPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(lines[0].request.method).toBe('GET');
      expect(readFileSync(logPath, 'utf8')).not.toContain('alice-key');
    });

    it('exports Kong metric names on /metrics', async () => {
      await request(`${gw.proxyUrl}/logged`);
      await new Promise((r) => setTimeout(r, 20));
      const text = (await request(`${gw.adminUrl}/metrics`)).text;
      expect(text).toMatch(/kong_http_requests_total\{service="echo",route="logged",code="200",source="service",workspace="default",consumer="alice"\} [1-9]/);
      expect(text).toMatch(/kong_http_requests_total\{service="echo",route="logged",code="401",source="exit",workspace="default",consumer=""\} 1/);
      expect(text).toContain('kong_request_latency_ms_bucket{le="1",service="echo",route="logged",workspace="default"}');
      expect(text).toContain('kong_upstream_latency_ms_count');
      expect(text).toContain('kong_kong_latency_ms_sum');
      expect(text).toMatch(/kong_bandwidth_bytes\{service="echo",route="logged",direction="egress",workspace="default",consumer="alice"\} [1-9]/);
    });
  });
});
