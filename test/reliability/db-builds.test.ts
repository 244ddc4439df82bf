/**
 * Reliability, issue 10 defect 2 in database mode: what the Admin API accepts builds (a write whose
 * entity would not compile into the running gateway is a 400 and nothing is stored), and one bad
 * entity never freezes the control plane (a database holding one, written by an older aigw, still
 * starts: the rest is served, the bad entity is reported and fails closed, later writes reach the proxy).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteStore } from '../../src/gateway/admin-api/sqlite-store.js';
import { request, startUpstream, type TestUpstream } from '../helpers/net.js';
import { expectSchemaViolation, json, startServeDb as start, until, type RunningServe as Running } from '../helpers/serve-db.js';

const ID = {
  service: '00000000-0000-4000-8000-00000000000a',
  good: '00000000-0000-4000-8000-00000000000b',
  badRegex: '00000000-0000-4000-8000-00000000000c',
  guarded: '00000000-0000-4000-8000-00000000000d',
  badPlugin: '00000000-0000-4000-8000-00000000000e',
};

const aiProxy = (headerValue: string) => ({ route_type: 'llm/v1/chat', auth: { header_name: 'Authorization', header_value: headerValue }, model: { provider: 'openai', name: 'gpt-4o' } });

describe('database mode: the Admin API stores only what builds', () => {
  let up: TestUpstream;
  let gw: Running;
  const dir = mkdtempSync(join(tmpdir(), 'aigw-db-builds-'));

  beforeAll(async () => {
    up = await startUpstream();
    gw = await start(join(dir, 'gw.db'));
    expect((await request(`${gw.admin}/services`, json('POST', { id: ID.service, name: 'echo', url: up.url }))).status).toBe(201);
    expect((await request(`${gw.admin}/services/echo/routes`, json('POST', { name: 'main', paths: ['/v1'] }))).status).toBe(201);
    await until(async () => (await request(`${gw.proxy}/v1`)).status === 200);
  });
  afterAll(async () => {
    await gw?.stop();
    await up.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses routes whose regex path or header regex does not compile, storing nothing', async () => {
    expectSchemaViolation(await request(`${gw.admin}/services/echo/routes`, json('POST', { name: 'bad', paths: ['~/a('] })), /invalid regex path '~\/a\('/);
    expectSchemaViolation(await request(`${gw.admin}/routes/main`, json('PATCH', { headers: { 'x-v': ['~*['] } })), /invalid regex '\['/);
    expectSchemaViolation(await request(`${gw.admin}/routes/other`, json('PUT', { paths: ['~/(?<a>x)(?<a>y)'], service: { id: ID.service } })), /invalid regex path/);
    const routes = (await request(`${gw.admin}/routes`)).json<{ data: Array<{ name: string; headers: unknown }> }>().data;
    expect(routes.map((r) => r.name)).toEqual(['main']);
    expect(routes[0].headers).toBeNull();
  });

  it('refuses cors origins that are neither * nor a regex, and serves * (Kong)', async () => {
    expectSchemaViolation(await request(`${gw.admin}/routes/main/plugins`, json('POST', { name: 'cors', config: { origins: ['('] } })), /origins/);
    const star = await request(`${gw.admin}/routes/main/plugins`, json('POST', { name: 'cors', config: { origins: ['*'] } }));
    expect(star.status, star.text).toBe(201);
    await until(async () => (await request(`${gw.proxy}/v1`, { headers: { origin: 'https://a.test' } })).headers['access-control-allow-origin'] === '*');
    expect((await request(`${gw.admin}/plugins/${star.json<{ id: string }>().id}`, { method: 'DELETE' })).status).toBe(204);
  });

  it('refuses a plugin whose config validates but does not build (an unresolvable vault reference)', async () => {
    const plugin = { name: 'ai-proxy', config: aiProxy('{vault://env/aigw-missing-key}') };
    // the schema check alone accepts it
    expect((await request(`${gw.admin}/schemas/plugins/validate`, json('POST', plugin))).status).toBe(200);
    expectSchemaViolation(await request(`${gw.admin}/routes/main/plugins`, json('POST', plugin)), /environment variable AIGW_MISSING_KEY is not set/);
    expect((await request(`${gw.admin}/plugins`)).json<{ data: unknown[] }>().data).toEqual([]);
    // and the control plane still moves: a good change reaches the proxy
    expect((await request(`${gw.admin}/routes/main`, json('PATCH', { paths: ['/v1', '/v2'] }))).status).toBe(200);
    await until(async () => (await request(`${gw.proxy}/v2`)).status === 200);
    expect(gw.stderr()).not.toContain('configuration change rejected');
  });
});

describe('serve --db on a database that holds entities that do not build', () => {
  let up: TestUpstream;
  let gw: Running;
  const dir = mkdtempSync(join(tmpdir(), 'aigw-db-broken-'));
  const db = join(dir, 'gw.db');

  beforeAll(async () => {
    up = await startUpstream();
    // rows as an older aigw stored them, before the Admin API checked that they build
    const store = sqliteStore(db);
    const route = (id: string, name: string, paths: string[]) => ({ id, name, paths, service: { id: ID.service }, protocols: ['http', 'https'], strip_path: true, preserve_host: false });
    store.write([
      { kind: 'services', put: { id: ID.service, name: 'echo', protocol: 'http', host: new URL(up.url).hostname, port: up.port, path: null, enabled: true } },
      { kind: 'routes', put: route(ID.good, 'good', ['/good']) },
      { kind: 'routes', put: route(ID.badRegex, 'bad-regex', ['~/x(']) },
      { kind: 'routes', put: route(ID.guarded, 'guarded', ['/guarded']) },
      { kind: 'plugins', put: { id: ID.badPlugin, name: 'ai-proxy', route: { id: ID.guarded }, enabled: true, protocols: ['http', 'https'], config: aiProxy('{vault://env/aigw-missing-key}') } },
    ]);
    store.close();
    gw = await start(db);
  });
  afterAll(async () => {
    await gw?.stop();
    await up.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts, serves the rest, and fails closed where the bad plugin applies', async () => {
    expect((await request(`${gw.proxy}/good`)).status).toBe(200);
    const guarded = await request(`${gw.proxy}/guarded`);
    expect(guarded.status).toBe(500);
    expect(up.seen.some((s) => s.url.startsWith('/guarded'))).toBe(false);
  });

  it('reports each bad entity in the log and on GET /status', async () => {
    expect(gw.stderr()).toMatch(/route 'bad-regex' \(0+-0+-4000-8000-00000000000c\) does not build: invalid regex path '~\/x\('/);
    expect(gw.stderr()).toMatch(/plugin 'ai-proxy' \(0+-0+-4000-8000-00000000000e\) does not build: could not resolve \{vault:\/\/env\/aigw-missing-key\}: environment variable AIGW_MISSING_KEY is not set; requests in its scope answer 500/);
    const status = (await request(`${gw.admin}/status`)).json<{ configuration_errors: Array<{ entity: string; id: string; message: string }> }>();
    expect(status.configuration_errors.map((e) => [e.entity, e.id]).sort()).toEqual([['plugins', ID.badPlugin], ['routes', ID.badRegex]]);
  });

  it('lets Admin API changes reach the proxy, and a fix clears the report', async () => {
    expect((await request(`${gw.admin}/services/echo/routes`, json('POST', { name: 'later', paths: ['/later'] }))).status).toBe(201);
    await until(async () => (await request(`${gw.proxy}/later`)).status === 200);
    // a change to the bad entity is checked like any other write
    expectSchemaViolation(await request(`${gw.admin}/plugins/${ID.badPlugin}`, json('PATCH', { config: { auth: { header_value: '{vault://env/aigw-other-missing}' } } })), /AIGW_OTHER_MISSING is not set/);
    expect((await request(`${gw.admin}/plugins/${ID.badPlugin}`, { method: 'DELETE' })).status).toBe(204);
    expect((await request(`${gw.admin}/routes/bad-regex`, { method: 'DELETE' })).status).toBe(204);
    await until(async () => (await request(`${gw.admin}/status`)).json<{ configuration_errors: unknown[] }>().configuration_errors.length === 0);
    expect((await request(`${gw.proxy}/guarded`)).status).toBe(200);
  });
});
