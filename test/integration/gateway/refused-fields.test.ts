/**
 * Kong fields aigw serve has not implemented are refused, never accepted and then ignored: at
 * startup (naming the entity, the field and why), on reload and POST /config (the last good
 * configuration keeps serving), and in database-mode Admin API writes. Fields it implements
 * (keyauth_credentials ttl) do what Kong does.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferIo } from '../../../src/cli/io.js';
import { serve } from '../../../src/commands/serve.js';
import { memoryLogger } from '../../../src/gateway/log.js';
import { startGateway } from '../../../src/gateway/server.js';
import { gatewayFrom, stateFrom } from '../../helpers/gateway.js';
import { request, startUpstream, type TestUpstream } from '../../helpers/net.js';
import { json, startServeDb, startServeFiles, until, type RunningServe } from '../../helpers/serve-db.js';

const SERVICE_ID = '5f0c1d9e-2b3a-4c5d-8e7f-9a0b1c2d3e4f';
const file = (up: string, extra = '', routeExtra = '', plugins = '') => `_format_version: "3.0"
services:
- name: echo
  id: ${SERVICE_ID}
  url: ${up}
${extra}  routes:
  - name: main
    paths: [/v1]
${routeExtra}${plugins}`;

describe('aigw serve refuses the Kong fields it does not run', () => {
  const REFUSED: Array<[string, string, string, string, RegExp]> = [
    ['a service client CA list', '  ca_certificates: [0a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d]\n', '', '',
      /service 'echo' \(5f0c1d9e-2b3a-4c5d-8e7f-9a0b1c2d3e4f\): ca_certificates is set, and aigw serve does not run it: aigw serve verifies upstream TLS against the system CA store/],
    ['a route SNI on an https route', '', '    protocols: [https]\n    snis: [api.example.com]\n', '',
      /route 'main' \([0-9a-f-]+\): snis is set, and aigw serve does not run it: aigw serve has no TLS listener/],
    ['circular plugin ordering', '', '', '    plugins:\n    - name: key-auth\n      ordering: { before: { access: [cors] } }\n    - name: cors\n      ordering: { before: { access: [key-auth] } }\n',
      /route 'main': plugin ordering: There is a circular dependency in the graph\. It is not possible to derive a topological sort\. \((cors → key-auth → cors|key-auth → cors → key-auth)\)/],
    ['a sticky-sessions upstream', '', '', '',
      /upstream 'pool' \([0-9a-f-]+\): algorithm 'sticky-sessions' is not served: aigw serve does not implement sticky sessions/],
    ['an Azure managed identity', '', '', '    plugins:\n    - name: ai-proxy\n      config: { route_type: llm/v1/chat, auth: { azure_use_managed_identity: true }, model: { provider: azure, name: gpt-4o, options: { azure_instance: i, azure_deployment_id: d } } }\n',
      /plugin 'ai-proxy' \([0-9a-f-]+\): config\.auth\.azure_use_managed_identity is set, and aigw serve does not run it: Azure managed identity/],
    ['Lua log fields', '', '', '    plugins:\n    - name: file-log\n      config: { path: /tmp/aigw-refused.log, custom_fields_by_lua: { tenant: "return 1" } }\n',
      /plugin 'file-log' \([0-9a-f-]+\): config\.custom_fields_by_lua is set, and aigw serve does not run it: Lua code cannot run in aigw/],
    ['active health checks', '', '', '',
      /upstream 'pool' \([0-9a-f-]+\): healthchecks\.active\.healthy\.interval is set, and aigw serve does not run it: active health checks/],
  ];

  it.each(REFUSED)('%s: startup refuses it, naming the entity and the field', async (what, extra, route, plugins, message) => {
    const pool = what === 'active health checks' ? 'upstreams:\n- name: pool\n  healthchecks: { active: { healthy: { interval: 5 } } }\n'
      : what === 'a sticky-sessions upstream' ? 'upstreams:\n- name: pool\n  algorithm: sticky-sessions\n  sticky_sessions_cookie: s\n' : '';
    const state = await stateFrom(file('http://127.0.0.1:1', extra, route, plugins) + pool);
    await expect(startGateway({ state, listen: '127.0.0.1:0', adminListen: null, logger: memoryLogger(), accessLog: 'off' })).rejects.toThrow(message);
  });

});

describe('serve and reload with a refused field', () => {
  let up: TestUpstream;
  const dir = mkdtempSync(join(tmpdir(), 'aigw-refused-fields-'));
  const path = join(dir, 'kong.yaml');
  let running: RunningServe;
  let proxyUrl = '';
  let adminUrl = '';

  beforeAll(async () => {
    up = await startUpstream();
    writeFileSync(path, file(up.url));
    running = await startServeFiles([path]);
    proxyUrl = running.proxy;
    adminUrl = running.admin;
  });
  afterAll(async () => {
    await running.stop();
    await up.close();
  });

  it('a reload that sets one keeps the last good configuration and says why', async () => {
    expect((await request(`${proxyUrl}/v1`)).status).toBe(200);
    writeFileSync(path, file(up.url, '  tls_verify_depth: 3\n').replace('paths: [/v1]', 'paths: [/v2]'));
    await until(async () => running.stderr().includes('tls_verify_depth is set'));
    expect(running.stderr()).toMatch(/service 'echo' \([0-9a-f-]+\): tls_verify_depth is set, and aigw serve does not run it/);
    expect((await request(`${proxyUrl}/v1`)).status).toBe(200);
    expect((await request(`${proxyUrl}/v2`)).status).toBe(404);
  });

  it('POST /config with one answers 400 with the reason and keeps the configuration', async () => {
    const body = file(up.url, '', '', '    plugins:\n    - name: file-log\n      config: { path: /tmp/aigw-refused.log, custom_fields_by_lua: { tenant: "return 1" } }\n').replace('paths: [/v1]', 'paths: [/v3]');
    const res = await request(`${adminUrl}/config`, { method: 'POST', headers: { 'content-type': 'text/yaml' }, body });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/custom_fields_by_lua is set, and aigw serve does not run it/);
    expect((await request(`${proxyUrl}/v1`)).status).toBe(200);
    expect((await request(`${proxyUrl}/v3`)).status).toBe(404);
  });
});

describe('the reproduction: route sources and a key ttl', () => {
  it("a route's sources on an http route is Kong's own error, at its position", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aigw-sources-'));
    const path = join(dir, 'kong.yaml');
    writeFileSync(path, file('http://127.0.0.1:1', '', '    sources: [{ ip: 10.0.0.1 }]\n'));
    const io = bufferIo({ env: {} });
    const code = await serve({ args: [path], opts: { listen: '127.0.0.1:0', adminListen: null, logFormat: 'json', accessLog: false } }, io, { stop: Promise.resolve() });
    expect(code).not.toBe(0);
    expect(io.stderr()).toMatch(/kong\.yaml:9:5\s+error\s+AIGW_ENTITY_CHECK\s+cannot set 'sources' when 'protocols' is 'http' or 'https'/);
  });

  it('a key with a ttl stops authenticating ttl seconds after the load (injected clock)', async () => {
    let clock = 1_700_000_000_000;
    const gw = await gatewayFrom(`_format_version: "3.0"
consumers:
- username: alice
  keyauth_credentials:
  - key: short-lived
    ttl: 10
  - key: forever
services:
- name: echo
  url: http://127.0.0.1:1
  routes:
  - name: main
    paths: [/v1]
    plugins:
    - name: key-auth
    - name: request-termination
      config: { status_code: 200, message: ok }
`, { now: () => clock });
    try {
      const ask = async (key: string) => (await request(`${gw.proxyUrl}/v1`, { headers: { apikey: key } })).status;
      expect(await ask('short-lived')).toBe(200);
      clock += 9_999;
      expect(await ask('short-lived')).toBe(200);
      clock += 1;
      expect(await ask('short-lived')).toBe(401);
      expect(await ask('forever')).toBe(200);
    } finally {
      await gw.close();
    }
  });
});

describe('database mode', () => {
  it('refuses an Admin API write that sets one, naming the field, and stores nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aigw-refused-db-'));
    const db = await startServeDb(join(dir, 'aigw.db'));
    try {
      const res = await request(`${db.admin}/services`, json('POST', { name: 'tls', url: 'https://127.0.0.1:1', tls_verify_depth: 2 }));
      expect(res.status).toBe(400);
      expect(res.text).toMatch(/tls_verify_depth is set, and aigw serve does not run it/);
      expect((await request(`${db.admin}/services/tls`)).status).toBe(404);
    } finally {
      await db.stop();
    }
  });
});
