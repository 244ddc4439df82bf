/**
 * rate-limiting-advanced and request-validator (Kong Enterprise plugins) end to end through the
 * gateway of aigw serve: a real upstream, a real redis-server shared by two gateways, and consumers
 * in consumer groups.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { fakeClock } from '../../helpers/clock.js';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';
import { request, startUpstream, type Res, type TestUpstream } from '../../helpers/net.js';
import { startRedis, type TestRedis } from '../../helpers/redis.js';

const h = (res: Res, name: string): string | undefined => res.headers[name.toLowerCase()] as string | undefined;

function yaml(up: string, redisPort: number): string {
  const rla = (name: string, config: string, extra = '') => `
  - name: ${name}
    paths: [/${name}]
    plugins:${extra}
    - name: rate-limiting-advanced
      config: ${config}`;
  const rv = (name: string, config: string) => `
  - name: ${name}
    paths: ["~/${name}/(?<id>[^/]+)$", /${name}]
    plugins:
    - name: request-validator
      config: ${config}`;
  return `
_format_version: "3.0"
consumer_groups:
- name: gold
  plugins:
  - name: rate-limiting-advanced
    config: { limit: [1], window_size: [3600], identifier: consumer-group, namespace: gold }
consumers:
- username: alice
  keyauth_credentials: [{ key: alice-key }]
  groups: [{ name: gold }]
- username: bob
  keyauth_credentials: [{ key: bob-key }]
services:
- name: up
  url: ${up}
  routes:${rla('fixed', '{ limit: [2, 100], window_size: [60, 3600], window_type: fixed, identifier: header, header_name: x-team }')}${rla('hidden', '{ limit: [1], window_size: [60], identifier: ip, hide_client_headers: true, error_code: 403, error_message: "slow down" }')}${rla('shared', `{ limit: [3], window_size: [3600], identifier: header, header_name: x-team, strategy: redis, sync_rate: 0, namespace: team, redis: { host: 127.0.0.1, port: ${redisPort} } }`)}${rla('grouped', '{ limit: [5], window_size: [3600] }', `
    - name: key-auth`)}${rv('params', `{ parameter_schema: [{ in: path, name: id, required: true, style: simple, explode: false, schema: '{"type":"integer","minimum":1}' }, { in: query, name: tags, required: false, style: form, explode: false, schema: '{"type":"array","items":{"type":"string","maxLength":3}}' }, { in: header, name: x-version, required: true, style: simple, explode: false, schema: '{"type":"string","enum":["v1","v2"]}' }] }`)}${rv('verbose', `{ verbose_response: true, version: draft4, body_schema: '{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]}', parameter_schema: [{ in: header, name: x-version, required: true }] }`)}${rv('kong', `{ body_schema: '[{"name":{"type":"string","required":true}},{"age":{"type":"integer","between":[0,150]}}]', allowed_content_types: [application/json, "text/plain"] }`)}
`;
}

describe('rate-limiting-advanced and request-validator through aigw serve', () => {
  let up: TestUpstream;
  let redis: TestRedis;
  let a: TestGateway;
  let b: TestGateway;

  beforeAll(async () => {
    up = await startUpstream();
    redis = await startRedis();
    const config = yaml(up.url, redis.port);
    // one fake clock for both: on the wall clock a minute or an hour may turn between two requests
    const { now } = fakeClock();
    a = await gatewayFrom(config, { now });
    b = await gatewayFrom(config, { now });
  });

  afterAll(async () => {
    await a.close();
    await b.close();
    await up.close();
    await redis.stop();
  });

  it('counts fixed windows per identifier with Kong headers, then refuses with Retry-After', async () => {
    const get = () => request(`${a.proxyUrl}/fixed`, { headers: { 'x-team': 'red' } });
    const r1 = await get();
    expect(r1.status).toBe(200);
    expect(h(r1, 'X-RateLimit-Limit-minute')).toBe('2');
    expect(h(r1, 'X-RateLimit-Remaining-minute')).toBe('1');
    expect(h(r1, 'X-RateLimit-Limit-hour')).toBe('100');
    expect(h(r1, 'X-RateLimit-Remaining-hour')).toBe('99');
    expect(h(r1, 'RateLimit-Limit')).toBe('2');
    expect(h(r1, 'RateLimit-Remaining')).toBe('1');
    expect(Number(h(r1, 'RateLimit-Reset'))).toBeGreaterThan(0);
    expect((await get()).status).toBe(200);
    const r3 = await get();
    expect(r3.status).toBe(429);
    expect(r3.json()).toEqual({ message: 'API rate limit exceeded' });
    expect(h(r3, 'X-RateLimit-Remaining-minute')).toBe('0');
    expect(Number(h(r3, 'Retry-After'))).toBe(Number(h(r3, 'RateLimit-Reset')));
    // another identifier has its own counters
    expect((await request(`${a.proxyUrl}/fixed`, { headers: { 'x-team': 'blue' } })).status).toBe(200);
  });

  it('hides the headers and answers with error_code / error_message', async () => {
    expect((await request(`${a.proxyUrl}/hidden`)).headers['x-ratelimit-limit-minute']).toBeUndefined();
    const r = await request(`${a.proxyUrl}/hidden`);
    expect(r.status).toBe(403);
    expect(r.json()).toEqual({ message: 'slow down' });
    expect(r.headers['retry-after']).toBeUndefined();
  });

  it('shares redis counters between two gateways', async () => {
    const get = (g: TestGateway) => request(`${g.proxyUrl}/shared`, { headers: { 'x-team': 'ops' } });
    expect((await get(a)).status).toBe(200);
    expect((await get(b)).status).toBe(200);
    const third = await get(a);
    expect(third.status).toBe(200);
    expect(h(third, 'X-RateLimit-Remaining-hour')).toBe('0');
    expect((await get(b)).status).toBe(429);
    const client = new Redis({ port: redis.port, host: '127.0.0.1' });
    try {
      expect(await client.keys('aigw:rla:{team:header:ops}:3600:*')).toHaveLength(1);
    } finally {
      client.disconnect();
    }
  });

  it('runs a consumer-group plugin for its members only, counting per group', async () => {
    const get = (key: string) => request(`${a.proxyUrl}/grouped`, { headers: { apikey: key } });
    const first = await get('alice-key');
    expect(first.status).toBe(200);
    expect((await get('alice-key')).status).toBe(429); // gold: 1 per hour
    const bob = await get('bob-key');
    expect(bob.status).toBe(200); // not in gold: the route's own limit of 5
    expect(h(bob, 'X-RateLimit-Limit-hour')).toBe('5');
  });

  it('checks path, query and header parameters with Kong messages', async () => {
    const get = (path: string, headers: Record<string, string> = { 'x-version': 'v1' }) => request(`${a.proxyUrl}${path}`, { headers });
    expect((await get('/params/12?tags=a,bc')).status).toBe(200);
    const bad = [await get('/params/0'), await get('/params/x1'), await get('/params/3?tags=a,toolong'), await get('/params/3', {}), await get('/params/3', { 'x-version': 'v3' })];
    for (const r of bad) {
      expect(r.status).toBe(400);
      expect(r.json()).toEqual({ message: "request param doesn't conform to schema" });
    }
  });

  it('says what failed with verbose_response', async () => {
    const post = (body: string, headers: Record<string, string> = {}) => request(`${a.proxyUrl}/verbose`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-version': 'v1', ...headers } });
    expect((await post('{"n": 3}')).status).toBe(200);
    const missing = await request(`${a.proxyUrl}/verbose`, { method: 'POST', body: '{"n": 3}', headers: { 'content-type': 'application/json' } });
    expect(missing.json()).toEqual({ message: "header 'x-version' validation failed, [error] required parameter missing" });
    expect((await post('{"n": "three"}')).json()).toEqual({ message: 'property n validation failed: must be integer' });
    expect((await post('{}')).json()).toEqual({ message: 'property n is required' });
    expect((await post('{"n": 3', {})).json()).toEqual({ message: 'request body is not valid JSON' });
    const ct = await post('{"n": 3}', { 'content-type': 'application/xml' });
    expect(ct.status).toBe(400);
    expect(ct.json()).toEqual({ message: 'specified Content-Type is not allowed' });
  });

  it("validates bodies with Kong's own schema format", async () => {
    const post = (body: string, ct = 'application/json') => request(`${a.proxyUrl}/kong`, { method: 'POST', body, headers: { 'content-type': ct } });
    expect((await post('{"name": "ann", "age": 30}')).status).toBe(200);
    for (const body of ['{}', '{"name": ""}', '{"name": "ann", "age": 200}', '{"name": "ann", "extra": 1}', '{"name": 5}']) {
      const r = await post(body);
      expect(r.status, body).toBe(400);
      expect(r.json()).toEqual({ message: "request body doesn't conform to schema" });
    }
    expect((await post('not json', 'text/plain')).status).toBe(200); // allowed, not JSON: not checked
    expect((await post('{}', 'application/json; charset=utf-8')).status).toBe(400); // parameters must match
  });
});
