/**
 * Dynamic plugin ordering (`ordering.before/after.access`, Kong Enterprise and Konnect) served end
 * to end: the access phase runs in the rules' order, the other phases keep priority order; a cycle
 * is refused at startup and on an Admin API write, and a consumer-scoped rule is refused, naming why.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../src/gateway/log.js';
import { startGateway } from '../../../src/gateway/server.js';
import { gatewayFrom, stateFrom, type TestGateway } from '../../helpers/gateway.js';
import { request, startUpstream, type TestUpstream } from '../../helpers/net.js';
import { expectSchemaViolation, json, startServeDb, type RunningServe } from '../../helpers/serve-db.js';

const file = (up: string, plugins: string) => `_format_version: "3.0"
services:
- name: echo
  url: ${up}
  routes:
  - name: main
    paths: [/v1]
    plugins:
${plugins}
consumers:
- username: alice
  keyauth_credentials: [{ key: alice-key }]
`;

describe('dynamic plugin ordering in aigw serve', () => {
  let up: TestUpstream;
  beforeAll(async () => {
    up = await startUpstream();
  });
  afterAll(async () => {
    await up.close();
  });

  const serveWith = async (plugins: string, fn: (gw: TestGateway) => Promise<void>) => {
    const gw = await gatewayFrom(file(up.url, plugins));
    try {
      await fn(gw);
    } finally {
      await gw.close();
    }
  };

  it('without rules, key-auth (priority 1250) answers before request-termination (2)', async () => {
    await serveWith('    - name: key-auth\n    - name: request-termination\n      config: { status_code: 418, message: stopped }\n', async (gw) => {
      expect((await request(`${gw.proxyUrl}/v1`)).status).toBe(401);
    });
  });

  it('request-termination with before: [key-auth] answers first, for a request without a key', async () => {
    await serveWith('    - name: key-auth\n    - name: request-termination\n      config: { status_code: 418, message: stopped }\n      ordering: { before: { access: [key-auth] } }\n', async (gw) => {
      const res = await request(`${gw.proxyUrl}/v1`);
      expect(res.status).toBe(418);
      expect(res.json()).toEqual({ message: 'stopped' });
    });
  });

  it('the same edge written as after: on key-auth', async () => {
    await serveWith('    - name: key-auth\n      ordering: { after: { access: [request-termination] } }\n    - name: request-termination\n      config: { status_code: 418, message: stopped }\n', async (gw) => {
      expect((await request(`${gw.proxyUrl}/v1`)).status).toBe(418);
    });
  });

  it('moves only the access phase: response headers keep priority order', async () => {
    // both response-transformers would be one plugin; two header writers of different priority instead:
    // cors (2000) and response-transformer (800) both act after the upstream answers, in priority order
    await serveWith(
      '    - name: response-transformer\n      config: { add: { headers: ["x-order:transformer"] } }\n      ordering: { before: { access: [cors] } }\n    - name: cors\n      config: { origins: ["http://a.example"] }\n',
      async (gw) => {
        const res = await request(`${gw.proxyUrl}/v1`, { headers: { origin: 'http://a.example' } });
        expect(res.status).toBe(200);
        expect(res.headers['x-order']).toBe('transformer');
        expect(res.headers['access-control-allow-origin']).toBe('http://a.example');
        const chain = gw.runtime().chains.get(gw.runtime().router.routes[0].id);
        expect(chain?.access.map((e) => e.name)).toEqual(['response-transformer', 'cors']);
        expect(chain?.entries.map((e) => e.name)).toEqual(['cors', 'response-transformer']);
      },
    );
  });

  it('a rule naming a plugin that is not on the route changes nothing', async () => {
    await serveWith('    - name: key-auth\n      ordering: { after: { access: [opentelemetry] } }\n    - name: request-termination\n      config: { status_code: 418 }\n', async (gw) => {
      expect((await request(`${gw.proxyUrl}/v1`)).status).toBe(401);
    });
  });

  it('a cycle is refused at startup with Kong\'s message, naming the route and the plugins', async () => {
    const state = await stateFrom(file(up.url, '    - name: key-auth\n      ordering: { before: { access: [request-termination] } }\n    - name: request-termination\n      ordering: { before: { access: [key-auth] } }\n'));
    await expect(startGateway({ state, listen: '127.0.0.1:0', adminListen: null, logger: memoryLogger(), accessLog: 'off' }))
      .rejects.toThrow(/route 'main': plugin ordering: There is a circular dependency in the graph\. It is not possible to derive a topological sort\. \(key-auth → request-termination → key-auth\)/);
  });

  it('a rule on a consumer-scoped plugin is refused, saying why', async () => {
    const state = await stateFrom(`${file(up.url, '    - name: key-auth\n')}plugins:
- name: request-termination
  consumer: alice
  ordering: { before: { access: [key-auth] } }
`);
    await expect(startGateway({ state, listen: '127.0.0.1:0', adminListen: null, logger: memoryLogger(), accessLog: 'off' }))
      .rejects.toThrow(/plugin 'request-termination' \([0-9a-f-]+\): ordering is set on a consumer- or consumer-group-scoped plugin/);
  });
});

describe('dynamic plugin ordering through the Admin API (database mode)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aigw-ordering-'));
  let gw: RunningServe;
  let up: TestUpstream;
  beforeAll(async () => {
    up = await startUpstream();
    gw = await startServeDb(join(dir, 'gw.db'));
  });
  afterAll(async () => {
    await gw.stop();
    await up.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves a rule written through the Admin API, and refuses the write that would close a cycle', async () => {
    expect((await request(`${gw.admin}/services`, json('POST', { name: 'echo', url: up.url }))).status).toBe(201);
    expect((await request(`${gw.admin}/services/echo/routes`, json('POST', { name: 'main', paths: ['/v1'] }))).status).toBe(201);
    expect((await request(`${gw.admin}/routes/main/plugins`, json('POST', { name: 'key-auth' }))).status).toBe(201);
    const rt = await request(`${gw.admin}/routes/main/plugins`, json('POST', { name: 'request-termination', config: { status_code: 418 }, ordering: { before: { access: ['key-auth'] } } }));
    expect(rt.status, rt.text).toBe(201);
    expect(rt.json<{ ordering: unknown }>().ordering).toMatchObject({ before: { access: ['key-auth'] } });
    let status = 0;
    for (let i = 0; i < 300 && status !== 418; i++) {
      status = (await request(`${gw.proxy}/v1`)).status;
      if (status !== 418) await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(418);
    const keyAuth = (await request(`${gw.admin}/routes/main/plugins`)).json<{ data: Array<{ id: string; name: string }> }>().data.find((p) => p.name === 'key-auth');
    const cyclic = await request(`${gw.admin}/plugins/${keyAuth?.id}`, json('PATCH', { ordering: { before: { access: ['request-termination'] } } }));
    expectSchemaViolation(cyclic, /There is a circular dependency in the graph/);
    // nothing changed: the gateway still answers in the rule's order
    expect((await request(`${gw.proxy}/v1`)).status).toBe(418);
  });
});
