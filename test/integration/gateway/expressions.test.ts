/**
 * Kong's expressions language in `aigw serve`: expression routes (priority order, before the
 * traditional routes, regex captures, headers, lower(), path segments, queries, source ranges,
 * strip_path) and plugin conditions (an auth plugin, a termination, a consumer condition). One
 * gateway, one echo upstream on loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';
import { request, startUpstream, type TestUpstream } from '../../helpers/net.js';

let up: TestUpstream;
let gw: TestGateway;

beforeAll(async () => {
  up = await startUpstream();
  gw = await gatewayFrom(`
_format_version: "3.0"
consumers:
- username: alice
  keyauth_credentials: [{ key: alice-key }]
- username: bob
  keyauth_credentials: [{ key: bob-key }]
services:
- name: exprs
  url: ${up.url}/base
  routes:
  - name: exact-high
    expression: 'http.path == "/api/special" && http.method == "GET"'
    priority: 200
    strip_path: false
  - name: api-prefix
    expression: 'http.path ^= "/api" && http.method == "GET"'
    priority: 100
  - name: beta
    expression: 'http.headers.x_channel == "beta" && lower(http.host) == "beta.example.test"'
    priority: 300
  - name: versioned
    expression: 'http.path ~ r#"^/v(?P<ver>\\d+)/items"#'
    priority: 50
    plugins:
    - { name: request-transformer, config: { add: { headers: ["x-ver:$(uri_captures.ver)"] } } }
  - name: segments
    expression: 'http.path.segments.0 == "seg" && http.path.segments.len == 3 && net.src.ip in 127.0.0.0/8'
    strip_path: false
  - name: by-query
    expression: 'http.queries.mode == "debug" && http.path ^= "/q"'
  - name: classic-api
    paths: [/api]
    strip_path: false
- name: guarded
  url: ${up.url}
  plugins:
  - name: key-auth
    condition: route.name != "health"
    config: { key_names: [apikey] }
  routes:
  - { name: health, paths: [/health] }
  - { name: orders, paths: [/orders] }
  - name: vip
    paths: [/vip]
    plugins:
    - name: request-termination
      condition: consumer.username == "alice"
      config: { status_code: 418, message: alice is blocked here }
- name: path-auth
  url: ${up.url}
  routes:
  - name: mixed
    paths: [/open, /private]
    plugins:
    - { name: key-auth, condition: 'http.path ^= "/private"', config: { key_names: [apikey] } }
plugins:
- name: request-termination
  condition: 'http.headers.x_block == "true"'
  config: { status_code: 403, message: blocked by condition }
`);
});

afterAll(async () => {
  await gw.close(100);
  await up.close();
});

const upstreamUrl = async (path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<[number, string]> => {
  const r = await request(`${gw.proxyUrl}${path}`, { headers, method });
  return [r.status, r.status === 200 ? r.json<{ url: string }>().url : r.text];
};

describe('expression routes in aigw serve', () => {
  it('match in descending priority, before every traditional route, stripping the matched prefix', async () => {
    expect(await upstreamUrl('/api/special')).toEqual([200, '/base/api/special']);
    expect(await upstreamUrl('/api/x?y=1')).toEqual([200, '/base/x?y=1']);
    // not GET: no expression route matches, the traditional route does
    expect(await upstreamUrl('/api/x', {}, 'POST')).toEqual([200, '/base/api/x']);
    // the higher-priority header + lower(host) route wins over the path prefix, and strips nothing
    expect(await upstreamUrl('/api/x', { host: 'Beta.Example.TEST', 'x-channel': 'beta' })).toEqual([200, '/base/api/x']);
    expect(await upstreamUrl('/api/x', { host: 'beta.example.test', 'x-channel': 'stable' })).toEqual([200, '/base/x']);
  });

  it('hands regex captures to plugins and strips the regex match', async () => {
    const r = await request(`${gw.proxyUrl}/v12/items/7`);
    expect(r.status).toBe(200);
    const seen = r.json<{ url: string; headers: Record<string, string> }>();
    expect([seen.url, seen.headers['x-ver']]).toEqual(['/base/7', '12']);
  });

  it('reads path segments, query arguments and the client address', async () => {
    expect(await upstreamUrl('/seg/a/b/')).toEqual([200, '/base/seg/a/b/']);
    expect(await upstreamUrl('/q/1?mode=debug')).toEqual([200, '/base/1?mode=debug']);
  });

  it("answers Kong's 404 when no route matches", async () => {
    for (const path of ['/seg/a', '/q?mode=other', '/nothing']) {
      const r = await request(`${gw.proxyUrl}${path}`);
      expect([r.status, r.json().message]).toEqual([404, 'no Route matched with those values']);
    }
  });
});

describe('plugin conditions in aigw serve', () => {
  it('run key-auth everywhere but on the route its condition excludes', async () => {
    expect((await request(`${gw.proxyUrl}/health`)).status).toBe(200);
    const r = await request(`${gw.proxyUrl}/orders`);
    expect([r.status, r.json().message]).toEqual([401, 'No API key found in request']);
    expect((await request(`${gw.proxyUrl}/orders`, { headers: { apikey: 'bob-key' } })).status).toBe(200);
  });

  it('run key-auth for one path of a route only', async () => {
    expect((await request(`${gw.proxyUrl}/open`)).status).toBe(200);
    expect((await request(`${gw.proxyUrl}/private`)).status).toBe(401);
    expect((await request(`${gw.proxyUrl}/private`, { headers: { apikey: 'alice-key' } })).status).toBe(200);
  });

  it('gate a global request-termination by a header', async () => {
    const r = await request(`${gw.proxyUrl}/open`, { headers: { 'x-block': 'true' } });
    expect([r.status, r.json().message]).toEqual([403, 'blocked by condition']);
    expect((await request(`${gw.proxyUrl}/open`, { headers: { 'x-block': 'false' } })).status).toBe(200);
  });

  it('see the consumer an earlier (higher-priority) auth plugin identified', async () => {
    const a = await request(`${gw.proxyUrl}/vip`, { headers: { apikey: 'alice-key' } });
    expect([a.status, a.json().message]).toEqual([418, 'alice is blocked here']);
    expect((await request(`${gw.proxyUrl}/vip`, { headers: { apikey: 'bob-key' } })).status).toBe(200);
  });
});
