import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeClock } from '../../helpers/clock.js';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';
import { freePort, request, startUpstream, type TestUpstream } from '../../helpers/net.js';
import { startRedis, type TestRedis } from '../../helpers/redis.js';

const config = (upstream: string, redisPort: number, deadPort: number) => `
_format_version: "3.0"
services:
- name: echo
  url: ${upstream}
  routes:
  - name: local
    paths: [/local]
    plugins:
    - name: rate-limiting
      config: { minute: 3, hour: 10, limit_by: ip }
  - name: by-header
    paths: [/by-header]
    plugins:
    - name: rate-limiting
      config: { minute: 1, hour: 100, limit_by: header, header_name: x-user, hide_client_headers: true, error_code: 403, error_message: slow down }
  - name: redis
    paths: [/redis]
    plugins:
    - name: rate-limiting
      config: { hour: 4, policy: redis, limit_by: ip, redis: { host: 127.0.0.1, port: ${redisPort} } }
  - name: dead-tolerant
    paths: [/dead-tolerant]
    plugins:
    - name: rate-limiting
      config: { minute: 1, policy: redis, fault_tolerant: true, redis: { host: 127.0.0.1, port: ${deadPort}, timeout: 300 } }
  - name: dead-strict
    paths: [/dead-strict]
    plugins:
    - name: rate-limiting
      config: { minute: 1, policy: redis, fault_tolerant: false, redis: { host: 127.0.0.1, port: ${deadPort}, timeout: 300 } }
`;

describe('rate-limiting', () => {
  // the windows are counted on a fake clock: on the wall clock a minute (or hour) may turn between
  // two requests of one test and start a fresh count
  const clock = fakeClock();
  let up: TestUpstream;
  let redis: TestRedis;
  let a: TestGateway;
  let b: TestGateway;
  let yaml: string;

  beforeAll(async () => {
    up = await startUpstream();
    redis = await startRedis();
    yaml = config(up.url, redis.port, await freePort());
    a = await gatewayFrom(yaml, { now: clock.now });
    b = await gatewayFrom(yaml, { now: clock.now });
  });
  afterAll(async () => {
    try {
      await Promise.all([a?.close(100), b?.close(100)]);
    } finally {
      await redis?.stop();
      await up?.close();
    }
  });

  it('counts locally and sends Kong\'s headers, then 429 with Retry-After', async () => {
    const r1 = await request(`${a.proxyUrl}/local`);
    expect(r1.status).toBe(200);
    expect(r1.headers['x-ratelimit-limit-minute']).toBe('3');
    expect(r1.headers['x-ratelimit-remaining-minute']).toBe('2');
    expect(r1.headers['x-ratelimit-limit-hour']).toBe('10');
    expect(r1.headers['x-ratelimit-remaining-hour']).toBe('9');
    expect(r1.headers['ratelimit-limit']).toBe('3');
    expect(r1.headers['ratelimit-remaining']).toBe('2');
    expect(Number(r1.headers['ratelimit-reset'])).toBeGreaterThan(0);
    await request(`${a.proxyUrl}/local`);
    const r3 = await request(`${a.proxyUrl}/local`);
    expect(r3.headers['ratelimit-remaining']).toBe('0');
    const r4 = await request(`${a.proxyUrl}/local`);
    expect(r4.status).toBe(429);
    expect(r4.json().message).toBe('API rate limit exceeded');
    expect(Number(r4.headers['retry-after'])).toBeGreaterThan(0);
    expect(r4.headers['x-ratelimit-remaining-minute']).toBe('0');
  });

  it('counts afresh when the minute turns, and the hour keeps counting', async () => {
    clock.advance(60_000);
    const r = await request(`${a.proxyUrl}/local`);
    expect(r.status).toBe(200);
    expect(r.headers['x-ratelimit-remaining-minute']).toBe('2');
    expect(r.headers['x-ratelimit-remaining-hour']).toBe('6'); // the 3 let through in the first minute and this one
  });

  it('keys by header, honours error_code/error_message and hide_client_headers', async () => {
    const first = await request(`${a.proxyUrl}/by-header`, { headers: { 'x-user': 'u1' } });
    expect(first.status).toBe(200);
    expect(first.headers['x-ratelimit-limit-minute']).toBeUndefined();
    const second = await request(`${a.proxyUrl}/by-header`, { headers: { 'x-user': 'u1' } });
    expect(second.status).toBe(403);
    expect(second.json().message).toBe('slow down');
    expect((await request(`${a.proxyUrl}/by-header`, { headers: { 'x-user': 'u2' } })).status).toBe(200);
  });

  it('keeps local counters across a reload when the plugin config is unchanged', async () => {
    const before = await request(`${b.proxyUrl}/local`);
    expect(before.headers['x-ratelimit-remaining-minute']).toBe('2');
    await b.reload(b.runtime().state);
    const after = await request(`${b.proxyUrl}/local`);
    expect(after.headers['x-ratelimit-remaining-minute']).toBe('1');
  });

  it('starts fresh counters when the plugin config changes on reload', async () => {
    const { stateFrom } = await import('../../helpers/gateway.js');
    await b.reload(await stateFrom(yaml.replace('minute: 3, hour: 10', 'minute: 5, hour: 10')));
    const res = await request(`${b.proxyUrl}/local`);
    expect(res.headers['x-ratelimit-limit-minute']).toBe('5');
    expect(res.headers['x-ratelimit-remaining-minute']).toBe('4');
  });

  it('shares one limit across two gateways on one Redis', async () => {
    const statuses: number[] = [];
    for (const gw of [a, b, a, b, a, b]) statuses.push((await request(`${gw.proxyUrl}/redis`)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  });

  it('lets traffic through with fault_tolerant=true when Redis is down, and logs', async () => {
    const res = await request(`${a.proxyUrl}/dead-tolerant`);
    expect(res.status).toBe(200);
    expect(res.headers['x-ratelimit-limit-minute']).toBeUndefined();
    expect(a.logger.lines.some((l) => l.level === 'error' && l.msg.includes('rate-limiting'))).toBe(true);
  });

  it('answers 500 with fault_tolerant=false when Redis is down', async () => {
    const res = await request(`${a.proxyUrl}/dead-strict`);
    expect(res.status).toBe(500);
    expect(res.json().message).toBe('An unexpected error occurred');
  });
});
