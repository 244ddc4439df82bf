import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { permissiveRules } from '../../../src/gateway/admin-api/rules.js';
import { sqliteStore } from '../../../src/gateway/admin-api/sqlite-store.js';
import { startAdmin, type Running } from './serve.js';

async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await request(`${base}${path}`, {
    method: method as 'GET',
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, body: text === '' ? null : (JSON.parse(text) as Record<string, any>) };
}

describe('Admin API (db mode, memory store)', () => {
  let s: Running;
  const rules = permissiveRules({
    fill: (kind, e) => (kind === 'services' ? { port: 80, protocol: 'http', path: null, ...e } : e),
    validate: (kind, e) => (kind === 'services' && typeof e.host !== 'string' ? [{ message: 'required field missing', path: ['host'] }] : []),
  });
  beforeAll(async () => {
    s = await startAdmin({ rules });
  });
  afterAll(() => s.close());
  const api = (m: string, p: string, b?: unknown) => call(s.url, m, p, b);

  it('creates, reads by id and name, fills defaults and timestamps', async () => {
    const r = await api('POST', '/services', { name: 'svc1', host: 'a.example.com' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ name: 'svc1', port: 80, protocol: 'http', path: null });
    expect(typeof r.body!.created_at).toBe('number');
    expect((await api('GET', `/services/${r.body!.id}`)).body!.name).toBe('svc1');
    expect((await api('GET', '/services/svc1')).body!.id).toBe(r.body!.id);
  });

  it('answers Kong error bodies: schema 400/2, unique 409/5, not found 404, bad size 400/9', async () => {
    const bad = await api('POST', '/services', { name: 'nohost' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 2, name: 'schema violation', message: 'schema violation (host: required field missing)', fields: { host: 'required field missing' } });
    const dup = await api('POST', '/services', { name: 'svc1', host: 'b' });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ code: 5, fields: { name: 'svc1' } });
    expect(dup.body!.message).toBe(`UNIQUE violation detected on '{name="svc1"}'`);
    expect((await api('GET', '/services/nope')).status).toBe(404);
    const size = await api('GET', '/services?size=0');
    expect(size.body).toMatchObject({ code: 9, message: 'size must be an integer between 1 and 1000' });
    expect((await api('GET', '/services?size=1001')).status).toBe(400);
    expect((await api('GET', '/services?offset=!!')).body).toMatchObject({ code: 7 });
    expect((await api('GET', '/services?tags=a,b/c')).body).toMatchObject({ code: 11 });
    const badId = await api('PUT', '/services/svc9', { id: 'not-a-uuid', host: 'x' });
    expect(badId.status).toBe(400);
  });

  it('nests children under parents, refuses unknown foreign keys (400/4)', async () => {
    const route = await api('POST', '/services/svc1/routes', { name: 'r1', paths: ['/a'] });
    expect(route.status).toBe(201);
    expect(route.body!.service).toEqual({ id: (await api('GET', '/services/svc1')).body!.id });
    const list = await api('GET', '/services/svc1/routes');
    expect(list.body!.data.map((r: { name: string }) => r.name)).toEqual(['r1']);
    expect((await api('GET', '/services/nope/routes')).status).toBe(404);
    const orphan = await api('POST', '/routes', { name: 'r2', service: { name: 'ghost' } });
    expect(orphan.status).toBe(400);
    expect(orphan.body!.code).toBe(4);
    const byName = await api('POST', '/routes', { name: 'r3', service: { name: 'svc1' } });
    expect(byName.status).toBe(201);
  });

  it('PUT upserts by name, PATCH merges records, DELETE is 204 even when missing', async () => {
    const put = await api('PUT', '/services/svc2', { host: 'c.example.com' });
    expect(put.status).toBe(200);
    expect(put.body!.name).toBe('svc2');
    const again = await api('PUT', '/services/svc2', { host: 'd.example.com' });
    expect(again.body!.id).toBe(put.body!.id);
    expect(again.body!.host).toBe('d.example.com');
    const plugin = await api('POST', '/services/svc2/plugins', { name: 'cors', config: { a: 1, nested: { x: 1, y: 2 } } });
    const patched = await api('PATCH', `/plugins/${plugin.body!.id}`, { config: { nested: { y: 3 } } });
    expect(patched.body!.config).toEqual({ a: 1, nested: { x: 1, y: 3 } });
    expect((await api('DELETE', '/services/never-existed')).status).toBe(204);
    expect((await api('PATCH', '/services/never-existed', { host: 'x' })).status).toBe(404);
  });

  it('cascades plugin deletes, refuses deleting a service that routes use', async () => {
    const refused = await api('DELETE', '/services/svc1');
    expect(refused.status).toBe(400);
    expect(refused.body!.code).toBe(4);
    const before = (await api('GET', '/plugins')).body!.data.length;
    expect((await api('DELETE', '/services/svc2')).status).toBe(204);
    expect((await api('GET', '/plugins')).body!.data.length).toBe(before - 1);
  });

  it('paginates with size/offset/next and filters tags with AND and OR', async () => {
    for (let i = 0; i < 7; i++) await api('POST', '/consumers', { username: `u${i}`, tags: i % 2 === 0 ? ['even', 'all'] : ['odd', 'all'] });
    const seen: string[] = [];
    let next: string | null = '/consumers?size=3';
    let pages = 0;
    while (next !== null) {
      const page: { body: Record<string, any> | null } = await api('GET', next);
      seen.push(...page.body!.data.map((c: { username: string }) => c.username));
      next = page.body!.next;
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual(['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6']);
    expect((await api('GET', '/consumers?tags=even,all')).body!.data).toHaveLength(4);
    expect((await api('GET', '/consumers?tags=even/odd')).body!.data).toHaveLength(7);
    expect((await api('GET', '/consumers?tags=even,odd')).body!.data).toHaveLength(0);
    const tagged = await api('GET', '/tags/odd');
    expect(tagged.body!.data).toHaveLength(3);
    expect(tagged.body!.data[0]).toMatchObject({ tag: 'odd', entity_name: 'consumers' });
    expect((await api('GET', '/consumers?custom_id=none')).body!.data).toHaveLength(0);
  });

  it('serves credentials nested and top-level, and memberships', async () => {
    const key = await api('POST', '/consumers/u1/key-auth', { key: 'secret-1' });
    expect(key.status).toBe(201);
    expect((await api('GET', '/key-auths')).body!.data).toHaveLength(1);
    expect((await api('POST', '/consumers/u2/key-auth', { key: 'secret-1' })).status).toBe(409);
    await api('POST', '/consumer_groups', { name: 'gold' });
    const m = await api('POST', '/consumer_groups/gold/consumers', { consumer: 'u1' });
    expect(m.status).toBe(201);
    const members = await api('GET', '/consumer_groups/gold/consumers');
    expect(members.body!.data.map((c: { username: string }) => c.username)).toEqual(['u1']);
    expect((await api('DELETE', '/consumer_groups/gold/consumers/u1')).status).toBe(204);
    expect((await api('GET', '/consumer_groups/gold/consumers')).body!.data).toHaveLength(0);
    // deleting a consumer cascades its credentials
    expect((await api('DELETE', '/consumers/u1')).status).toBe(204);
    expect((await api('GET', '/key-auths')).body!.data).toHaveLength(0);
  });

  it('node endpoints: /, /status, /plugins/enabled, /schemas, unknown paths not handled', async () => {
    const root = await api('GET', '/');
    expect(root.body).toMatchObject({ version: '3.10.0', configuration: { database: 'memory' } });
    expect((await api('GET', '/status')).body!.database).toEqual({ reachable: true });
    expect((await api('GET', '/plugins/enabled')).body).toEqual({ enabled_plugins: [] });
    expect((await api('GET', '/schemas/plugins/nope')).body).toEqual({ message: "No plugin named 'nope'" });
    expect((await api('GET', '/schemas/services')).status).toBe(200);
    expect((await api('POST', '/schemas/services/validate', { name: 'x' })).body!.code).toBe(2);
    expect((await api('POST', '/schemas/services/validate', { name: 'x', host: 'h' })).body).toEqual({ message: 'schema validation successful' });
    expect((await api('GET', '/nothing-here')).status).toBe(404);
    expect((await api('GET', '/config')).status).toBe(400);
  });

  it('coalesces bursts of writes into few onChange calls', async () => {
    s.handler.flush();
    const before = s.states.length;
    await Promise.all(Array.from({ length: 50 }, (_, i) => api('POST', '/upstreams', { name: `up${i}` })));
    await new Promise((r) => setTimeout(r, 60));
    const published = s.states.length - before;
    expect(published).toBeGreaterThanOrEqual(1);
    expect(published).toBeLessThan(10);
    expect(s.states[s.states.length - 1].entities.upstreams).toHaveLength(50);
  });
});

describe('Admin API modes and token', () => {
  it('declarative mode refuses entity writes with 405 code 12 and reads still work', async () => {
    const s = await startAdmin({ mode: 'declarative' });
    try {
      const r = await call(s.url, 'POST', '/services', { name: 'x', host: 'y' });
      expect(r.status).toBe(405);
      expect(r.body).toEqual({ code: 12, name: 'operation unsupported', message: "cannot create 'services' entities when not using a database" });
      expect((await call(s.url, 'DELETE', '/services/x')).body!.code).toBe(12);
      expect((await call(s.url, 'GET', '/services')).body).toEqual({ data: [], next: null });
      expect((await call(s.url, 'GET', '/')).body!.configuration.database).toBe('off');
      expect(typeof (await call(s.url, 'GET', '/status')).body!.configuration_hash).toBe('string');
    } finally {
      await s.close();
    }
  });

  it('checks the admin token on every request', async () => {
    const s = await startAdmin({ token: 's3cret' });
    try {
      expect((await call(s.url, 'GET', '/')).status).toBe(401);
      expect((await call(s.url, 'GET', '/services', undefined, { 'kong-admin-token': 'wrong' })).status).toBe(401);
      expect((await call(s.url, 'GET', '/services', undefined, { 'kong-admin-token': 's3cret' })).status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('SQLite store persists every accepted write across reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aigw-admin-'));
    try {
      const path = join(dir, 'gw.db');
      const s = await startAdmin({ store: sqliteStore(path) });
      expect((await call(s.url, 'POST', '/services', { name: 'kept', host: 'h' })).status).toBe(201);
      expect((await call(s.url, 'POST', '/services/kept/routes', { name: 'kept-r', paths: ['/k'] })).status).toBe(201);
      await call(s.url, 'POST', '/services', { name: 'gone', host: 'h' });
      await call(s.url, 'DELETE', '/services/gone');
      await s.close();
      // simulate a crash: never close the first handle's database explicitly
      const reopened = sqliteStore(path);
      expect(reopened.list('services').map((e) => e.name)).toEqual(['kept']);
      expect(reopened.list('routes')).toHaveLength(1);
      expect(reopened.idByUnique('services', 'name="kept"')).toBe(reopened.list('services')[0].id);
      reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
