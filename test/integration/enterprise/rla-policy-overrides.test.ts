/**
 * rate-limiting-advanced with Kong EE's legacy consumer-group policy overrides through aigw serve
 * (`_info.consumer_group_policy_overrides`, `enforce_consumer_groups`): the first group of
 * `config.consumer_groups` the consumer is in decides — its override's limits and windows, or the
 * plugin's own when it has none; consumers in none of the groups get the plugin's own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeClock } from '../../helpers/clock.js';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';
import { request, startUpstream, type Res, type TestUpstream } from '../../helpers/net.js';

const h = (res: Res, name: string): string | undefined => res.headers[name.toLowerCase()] as string | undefined;

const yaml = (up: string) => `
_format_version: "3.0"
_info:
  consumer_group_policy_overrides: true
consumer_groups:
- name: premium
  plugins:
  - name: rate-limiting-advanced
    config: { limit: [3], window_size: [60], window_type: fixed }
- name: silver
- name: bronze
  plugins:
  - name: rate-limiting-advanced
    config: { limit: [2], window_size: [3600] }
consumers:
- username: frank
  keyauth_credentials: [{ key: frank-key }]
  groups: [{ name: premium }]
- username: gina
  keyauth_credentials: [{ key: gina-key }]
  groups: [{ name: premium }, { name: silver }]
- username: ivy
  keyauth_credentials: [{ key: ivy-key }]
  groups: [{ name: premium }, { name: bronze }]
- username: hank
  keyauth_credentials: [{ key: hank-key }]
services:
- name: up
  url: ${up}
  routes:
  - name: r
    paths: [/r]
    plugins:
    - name: key-auth
    - name: rate-limiting-advanced
      config: { limit: [1], window_size: [60], window_type: fixed, consumer_groups: [silver, bronze, premium], enforce_consumer_groups: true, error_message: enough }
`;

describe('rate-limiting-advanced consumer-group policy overrides through aigw serve', () => {
  let up: TestUpstream;
  let gw: TestGateway;
  beforeAll(async () => {
    up = await startUpstream();
    // fixed windows on a fake clock: on the wall clock the minute may turn between two requests
    gw = await gatewayFrom(yaml(up.url), { now: fakeClock().now });
  });
  afterAll(async () => {
    await gw.close();
    await up.close();
  });
  const get = (key: string) => request(`${gw.proxyUrl}/r`, { headers: { apikey: key } });

  it("a member of the group gets the group's limit and window type, with Kong's headers", async () => {
    const seen: Res[] = [];
    for (let i = 0; i < 4; i++) seen.push(await get('frank-key'));
    expect(seen.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    expect(h(seen[0], 'X-RateLimit-Limit-minute')).toBe('3');
    expect(h(seen[0], 'X-RateLimit-Remaining-minute')).toBe('2');
    expect(h(seen[0], 'RateLimit-Limit')).toBe('3');
    expect(seen[3].json()).toEqual({ message: 'enough' }); // the plugin's own error message
    expect(Number(h(seen[3], 'Retry-After'))).toBeGreaterThan(0);
  });

  it("a consumer in none of the groups gets the plugin's own limit", async () => {
    const a = await get('hank-key');
    expect(a.status).toBe(200);
    expect(h(a, 'X-RateLimit-Limit-minute')).toBe('1');
    expect((await get('hank-key')).status).toBe(429);
  });

  it("the first listed group the consumer is in decides: without an override, the plugin's own", async () => {
    // gina: silver (no override) comes before premium in config.consumer_groups
    const a = await get('gina-key');
    expect(h(a, 'X-RateLimit-Limit-minute')).toBe('1');
    expect((await get('gina-key')).status).toBe(429);
    expect(gw.logger.lines.some((l) => l.msg.includes('consumer group silver enforced but no consumer group configurations provided'))).toBe(true);
    // ivy: bronze (2 per hour) comes before premium
    const b = await get('ivy-key');
    expect(h(b, 'X-RateLimit-Limit-hour')).toBe('2');
    expect(h(b, 'X-RateLimit-Limit-minute')).toBeUndefined();
    expect((await get('ivy-key')).status).toBe(200);
    expect((await get('ivy-key')).status).toBe(429);
  });
});
