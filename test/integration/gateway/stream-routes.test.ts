/**
 * Kong's stream routes (protocols tcp, tls, udp, tls_passthrough) are served by Kong's stream
 * listener (`stream_listen`), never to HTTP requests. aigw serve has no stream listener: it starts
 * with them, leaves them (and the plugins scoped to them) out of routing, says so at startup naming
 * each one, and keeps them in its Admin API; an HTTP route sent to a stream service is refused.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../src/gateway/log.js';
import { startGateway } from '../../../src/gateway/server.js';
import { stateFrom } from '../../helpers/gateway.js';
import { request, startUpstream, type TestUpstream } from '../../helpers/net.js';
import { json, startServeDb, startServeFiles, type RunningServe } from '../../helpers/serve-db.js';

const file = (up: string) => `_format_version: "3.0"
services:
- name: web
  url: ${up}
  routes:
  - name: api
    paths: [/api]
- name: db
  protocol: tcp
  host: 127.0.0.1
  port: 5432
  routes:
  - name: pg
    protocols: [tcp]
    destinations: [{ port: 5432 }]
    plugins:
    - name: ip-restriction
      protocols: [tcp]
      ordering: { before: { access: [acl] } }
      config: { allow: [10.0.0.0/8] }
  - name: pass
    protocols: [tls_passthrough]
    snis: [db.example.com]
`;

describe('aigw serve with stream routes (declarative)', () => {
  let up: TestUpstream;
  let running: RunningServe;
  const dir = mkdtempSync(join(tmpdir(), 'aigw-stream-routes-'));

  beforeAll(async () => {
    up = await startUpstream();
    const path = join(dir, 'kong.yaml');
    writeFileSync(path, file(up.url));
    running = await startServeFiles([path]);
  });
  afterAll(async () => {
    await running.stop();
    await up.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts, and says at startup which routes and services it leaves out and why, with the plugins scoped to them', () => {
    const err = running.stderr();
    expect(err).toMatch(/route 'pg' \([0-9a-f-]+\) is a stream route \(protocols: tcp\): Kong serves it on its stream listener \(stream_listen\), never to HTTP requests; aigw serve has no stream listener, so it stores the route and leaves it out of routing, with the plugins scoped to it; not run: ip-restriction \([0-9a-f-]+\)/);
    expect(err).toMatch(/route 'pass' \([0-9a-f-]+\) is a stream route \(protocols: tls_passthrough\)/);
    expect(err).toMatch(/service 'db' \([0-9a-f-]+\): protocol 'tcp' is a stream protocol/);
    expect(err).toMatch(/1 route:/);
  });

  it('no HTTP request matches a stream route; the HTTP routes are served', async () => {
    for (const path of ['/', '/pg', '/anything']) {
      const res = await request(`${running.proxy}${path}`, { headers: { host: 'db.example.com' } });
      expect(res.status, path).toBe(404);
      expect(res.json<{ message: string }>().message).toBe('no Route matched with those values');
    }
    expect((await request(`${running.proxy}/api`)).status).toBe(200);
  });

  it('the Admin API keeps them as written', async () => {
    const res = await request(`${running.admin}/routes/pg`);
    expect(res.status).toBe(200);
    expect(res.json<{ protocols: string[]; destinations: unknown }>()).toMatchObject({ protocols: ['tcp'], destinations: [{ port: 5432 }] });
    const plugins = (await request(`${running.admin}/routes/pg/plugins`)).json<{ data: Array<{ name: string }> }>();
    expect(plugins.data.map((p) => p.name)).toEqual(['ip-restriction']);
  });
});

describe('an HTTP route sent to a stream service', () => {
  it('is refused at startup, naming the route and the service protocol', async () => {
    const state = await stateFrom(`_format_version: "3.0"
services:
- name: db
  protocol: tcp
  host: 127.0.0.1
  port: 5432
  routes:
  - name: web
    paths: [/db]
`);
    await expect(startGateway({ state, listen: '127.0.0.1:0', adminListen: null, logger: memoryLogger(), accessLog: 'off' }))
      .rejects.toThrow(/route 'web' \([0-9a-f-]+\): its service 'db' \([0-9a-f-]+\) has protocol 'tcp', a stream protocol that only stream routes reach in Kong; aigw serve proxies HTTP routes to http and https services only/);
  });
});

describe('stream routes through the Admin API (database mode)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aigw-stream-db-'));
  let running: RunningServe;

  beforeAll(async () => {
    running = await startServeDb(join(dir, 'gw.db'));
  });
  afterAll(async () => {
    await running.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("stores a stream route and never routes HTTP to it; Kong's stream rules are enforced", async () => {
    expect((await request(`${running.admin}/services`, json('POST', { name: 'db', protocol: 'tcp', host: '127.0.0.1', port: 5432 }))).status).toBe(201);
    const created = await request(`${running.admin}/services/db/routes`, json('POST', { name: 'pg', protocols: ['tcp'], destinations: [{ port: 5432 }] }));
    expect(created.status, created.text).toBe(201);
    expect((await request(`${running.admin}/routes/pg`)).json<{ protocols: string[] }>().protocols).toEqual(['tcp']);
    expect((await request(`${running.proxy}/`)).status).toBe(404);
    const bad = await request(`${running.admin}/services/db/routes`, json('POST', { name: 'bad', protocols: ['tcp'], paths: ['/x'] }));
    expect(bad.status, bad.text).toBe(400);
    expect(bad.text).toContain("cannot set 'paths' when 'protocols' is 'tcp', 'tls', 'tls_passthrough' or 'udp'");
  });
});
