/** The Admin API with the real rules (schemas/ via src/config): validation, defaults, /config. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { parse } from 'yaml';
import { startAdmin, type Running } from './serve.js';

async function call(base: string, method: string, path: string, body?: unknown, contentType = 'application/json') {
  const res = await request(`${base}${path}`, {
    method: method as 'GET',
    headers: body === undefined ? {} : { 'content-type': contentType },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, body: text === '' ? null : (JSON.parse(text) as Record<string, any>) };
}

describe('db mode with schema rules', () => {
  let s: Running;
  beforeAll(async () => {
    s = await startAdmin();
  });
  afterAll(() => s.close());

  it('fills Kong defaults like the state file loader does', async () => {
    const r = await call(s.url, 'POST', '/services', { name: 'svc', host: 'api.example.com' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ port: 80, protocol: 'http', retries: 5, connect_timeout: 60000, enabled: true });
    const p = await call(s.url, 'POST', '/services/svc/plugins', { name: 'rate-limiting', config: { minute: 5 } });
    expect(p.status).toBe(201);
    expect(p.body!.config).toMatchObject({ minute: 5, policy: 'local' });
  });

  it('rejects bad fields, unknown plugins and bad plugin configs with code 2', async () => {
    const route = await call(s.url, 'POST', '/routes', { name: 'bad', paths: ['no-slash'] });
    expect(route.status).toBe(400);
    expect(route.body!.code).toBe(2);
    expect(route.body!.fields).toHaveProperty('paths');
    const unknown = await call(s.url, 'POST', '/plugins', { name: 'no-such-plugin' });
    expect(unknown.status).toBe(400);
    expect(unknown.body!.message).toContain("plugin 'no-such-plugin' not enabled");
    const badConfig = await call(s.url, 'POST', '/plugins', { name: 'rate-limiting', config: { minute: 'lots' } });
    expect(badConfig.status).toBe(400);
    expect(badConfig.body!.fields.config).toHaveProperty('minute');
    const form = await call(s.url, 'POST', '/consumers', 'username=formy&tags[]=a&tags[]=b', 'application/x-www-form-urlencoded');
    expect(form.status).toBe(201);
    expect(form.body).toMatchObject({ username: 'formy', tags: ['a', 'b'] });
  });

  it('refuses a vault reference outside a referenceable field, accepts one inside (issue 10, defect 4)', async () => {
    const cors = await call(s.url, 'POST', '/plugins', { name: 'cors', config: { exposed_headers: ['{vault://env/aigw-admin-token}'] } });
    expect(cors.status).toBe(400);
    expect(cors.body!.message).toContain("config.exposed_headers.0: 'exposed_headers' is not a referenceable field");
    const consumer = await call(s.url, 'POST', '/consumers', { username: 'v', custom_id: '{vault://env/x}' });
    expect(consumer.status).toBe(400);
    const log = await call(s.url, 'POST', '/plugins', { name: 'http-log', config: { http_endpoint: 'http://127.0.0.1:1/', headers: { 'x-t': '{vault://env/log-token}' } } });
    expect(log.status).toBe(201);
    await call(s.url, 'DELETE', `/plugins/${log.body!.id}`);
  });

  it("refuses a plugin whose protocols match none of its route's, or of its service's routes, with Kong's messages", async () => {
    const svc = await call(s.url, 'POST', '/services', { name: 'proto-svc', host: 'proto.example.com' });
    expect(svc.status).toBe(201);
    const route = await call(s.url, 'POST', '/services/proto-svc/routes', { name: 'proto-https', protocols: ['https'], paths: ['/proto'] });
    expect(route.status).toBe(201);
    const onRoute = await call(s.url, 'POST', '/routes/proto-https/plugins', { name: 'cors', protocols: ['http'] });
    expect(onRoute.status).toBe(400);
    expect(onRoute.body).toMatchObject({ code: 2, name: 'schema violation', message: "schema violation (protocols: must match the associated route's protocols)", fields: { protocols: "must match the associated route's protocols" } });
    const onService = await call(s.url, 'POST', '/services/proto-svc/plugins', { name: 'cors', protocols: ['http'] });
    expect(onService.status).toBe(400);
    expect(onService.body!.message).toBe("schema violation (protocols: must match the protocols of at least one route pointing to this Plugin's service)");
    // a shared protocol (the default protocols include https) passes, and so does a PATCH that keeps one
    const ok = await call(s.url, 'POST', '/routes/proto-https/plugins', { name: 'cors' });
    expect(ok.status).toBe(201);
    const patched = await call(s.url, 'PATCH', `/plugins/${ok.body!.id}`, { protocols: ['http'] });
    expect(patched.status).toBe(400);
    expect(patched.body!.fields).toEqual({ protocols: "must match the associated route's protocols" });
    expect((await call(s.url, 'GET', `/plugins/${ok.body!.id}`)).body!.protocols).toEqual(['grpc', 'grpcs', 'http', 'https']);
    // a service without routes takes any protocols, as Kong's check
    await call(s.url, 'POST', '/services', { name: 'proto-bare', host: 'bare.example.com' });
    expect((await call(s.url, 'POST', '/services/proto-bare/plugins', { name: 'cors', protocols: ['http'] })).status).toBe(201);
  });

  it('publishes schemas in Kong format and the enabled plugins', async () => {
    const enabled = await call(s.url, 'GET', '/plugins/enabled');
    expect(enabled.body!.enabled_plugins).toContain('ai-proxy');
    const schema = await call(s.url, 'GET', '/schemas/plugins/rate-limiting');
    const config = schema.body!.fields.find((f: Record<string, unknown>) => 'config' in f).config;
    expect(config.type).toBe('record');
    const policy = config.fields.find((f: Record<string, unknown>) => 'policy' in f).policy;
    expect(policy.default).toBe('local');
    const svc = await call(s.url, 'GET', '/schemas/services');
    expect(svc.body!.fields.find((f: Record<string, unknown>) => 'retries' in f).retries.default).toBe(5);
  });
});

describe('declarative mode /config', () => {
  let s: Running;
  beforeAll(async () => {
    s = await startAdmin({ mode: 'declarative' });
  });
  afterAll(() => s.close());
  const config = `_format_version: "3.0"\nservices:\n  - name: svc\n    url: http://a.example.com\n    routes:\n      - name: r\n        paths: [/r]\n`;

  it('replaces the whole config atomically and serves it back', async () => {
    const before = s.states.length;
    const r = await call(s.url, 'POST', '/config', { config });
    expect(r.status).toBe(201);
    expect(s.store.count('routes')).toBe(1);
    expect(s.states.length).toBe(before + 1);
    const got = await call(s.url, 'GET', '/config');
    expect(parse(got.body!.config as string).services[0].name).toBe('svc');
    expect((await call(s.url, 'POST', '/config?check_hash=1', { config })).status).toBe(304);
    const raw = await call(s.url, 'POST', '/config', config, 'application/yaml');
    expect(raw.status).toBe(201);
  });

  it('rejects an invalid config with code 14 and keeps the old one', async () => {
    const bad = await call(s.url, 'POST', '/config?flatten_errors=1', { config: '_format_version: "3.0"\nservices:\n  - name: x\n    port: nope\n' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 14, name: 'invalid declarative configuration' });
    expect(bad.body!.message).toMatch(/^declarative config is invalid: /);
    expect(bad.body!.flattened_errors.length).toBeGreaterThan(0);
    expect(s.store.count('services')).toBe(1);
  });

  it('reads a JSON body (config as text or object) in the configuration thread; a body that is not JSON is refused with code 14', async () => {
    const asObject = await call(s.url, 'POST', '/config', { config: { _format_version: '3.0', services: [{ name: 'svc2', url: 'http://b.example.com' }] } });
    expect(asObject.status).toBe(201);
    expect(s.store.list('services').map((e) => e.name)).toEqual(['svc2']);
    const notJson = await call(s.url, 'POST', '/config', '{"config": ', 'application/json');
    expect(notJson.status).toBe(400);
    expect(notJson.body).toMatchObject({ code: 14, name: 'invalid declarative configuration', message: 'declarative config is invalid: cannot parse JSON body' });
    const deep = await call(s.url, 'POST', '/config', `{"config": ${'['.repeat(1000)}${']'.repeat(1000)}}`, 'application/json');
    expect(deep.status).toBe(400);
    expect(deep.body!.message).toMatch(/^declarative config is invalid: cannot parse JSON body: nested more than \d+ levels deep$/);
    expect(s.store.list('services').map((e) => e.name)).toEqual(['svc2']);
    expect((await call(s.url, 'POST', '/config', { config })).status).toBe(201);
  });
});
