/**
 * openid-connect and kafka-log through `aigw serve --db` (issue 11): the Admin API stores a schema-valid
 * config as Kong would (defaults filled) and refuses an invalid one with Kong's 400 schema violation; the
 * gateway cannot run either plugin, so every request in its scope is refused (500, never proxied) and the
 * plugin is listed by GET /status; and decK-style files using them round-trip: sync → dump → diff = no change.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferIo } from '../../../src/cli/io.js';
import { command as diff } from '../../../src/commands/diff.js';
import { command as dump } from '../../../src/commands/dump.js';
import { command as sync } from '../../../src/commands/sync.js';
import { loadState } from '../../../src/config/index.js';
import { request, startUpstream, type TestUpstream } from '../../helpers/net.js';
import { expectSchemaViolation, json, startServeDb, until, type RunningServe } from '../../helpers/serve-db.js';

let up: TestUpstream;
let gw: RunningServe;
const dir = mkdtempSync(join(tmpdir(), 'aigw-oidc-kafka-'));

beforeAll(async () => {
  up = await startUpstream();
  gw = await startServeDb(join(dir, 'gw.db'));
});
afterAll(async () => {
  await gw?.stop();
  await up?.close();
  rmSync(dir, { recursive: true, force: true });
});

type Status = { configuration_errors: Array<{ entity: string; id: string; message: string }> };

describe('serve --db: stored as Kong would, served fail closed', () => {
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    expect((await request(`${gw.admin}/services`, json('POST', { name: 'echo', url: up.url }))).status).toBe(201);
    for (const [name, path] of [['open', '/open'], ['sso', '/sso'], ['logged', '/logged']]) {
      expect((await request(`${gw.admin}/services/echo/routes`, json('POST', { name, paths: [path] }))).status).toBe(201);
    }
    await until(async () => (await request(`${gw.proxy}/sso`)).status === 200);
  });

  it('accepts a valid openid-connect config and returns it filled with Kong\'s defaults', async () => {
    const res = await request(`${gw.admin}/routes/sso/plugins`, json('POST', {
      name: 'openid-connect',
      config: { issuer: 'https://idp.example.com/', client_id: ['kong'], client_secret: ['s3cret'], auth_methods: ['bearer'] },
    }));
    expect(res.status, res.text).toBe(201);
    const plugin = res.json<{ id: string; config: Record<string, unknown> }>();
    ids.oidc = plugin.id;
    expect(plugin.config).toMatchObject({ issuer: 'https://idp.example.com/', client_secret: ['s3cret'], ssl_verify: true, scopes: ['openid'], token_exchange: null });
    const read = (await request(`${gw.admin}/plugins/${plugin.id}`)).json<{ config: unknown }>();
    expect(read.config).toEqual(plugin.config);
  });

  it('accepts kafka-log and stores it', async () => {
    const res = await request(`${gw.admin}/routes/logged/plugins`, json('POST', {
      name: 'kafka-log',
      config: { topic: 'access', bootstrap_servers: [{ host: 'kafka', port: 9092 }], authentication: { strategy: 'sasl', mechanism: 'PLAIN', user: 'u', password: 'p' } },
    }));
    expect(res.status, res.text).toBe(201);
    ids.kafka = res.json<{ id: string }>().id;
  });

  it('refuses requests in their scope (500, nothing proxied), serves the rest, and lists them on GET /status', async () => {
    await until(async () => (await request(`${gw.proxy}/sso`)).status === 500);
    await until(async () => (await request(`${gw.proxy}/logged`)).status === 500);
    const seen = up.seen.length;
    expect((await request(`${gw.proxy}/sso`, { headers: { authorization: 'Bearer x' } })).status).toBe(500);
    expect(up.seen.length).toBe(seen);
    expect((await request(`${gw.proxy}/open`)).status).toBe(200);
    const status = (await request(`${gw.admin}/status`)).json<Status>();
    const byId = new Map(status.configuration_errors.map((e) => [e.id, e]));
    expect(byId.get(ids.oidc)).toMatchObject({ entity: 'plugins', message: expect.stringMatching(/^openid-connect cannot run in aigw serve: /) });
    expect(byId.get(ids.kafka)).toMatchObject({ entity: 'plugins', message: 'kafka-log cannot run in aigw serve: aigw serve has no Kafka producer' });
    expect(gw.stderr()).toMatch(/plugin 'openid-connect' \([0-9a-f-]+\) is stored but not run: openid-connect cannot run in aigw serve: .*; requests in its scope answer 500 until it is disabled or deleted/);
  });

  it('refuses configs that are not schema-valid with Kong\'s 400 body, storing nothing', async () => {
    const before = (await request(`${gw.admin}/plugins`)).json<{ data: unknown[] }>().data.length;
    expectSchemaViolation(await request(`${gw.admin}/routes/open/plugins`, json('POST', { name: 'openid-connect', config: { client_id: ['kong'] } })), /^schema violation \(config\.issuer: required field missing\)$/);
    expectSchemaViolation(await request(`${gw.admin}/routes/open/plugins`, json('POST', {
      name: 'kafka-log', config: { topic: 't', authentication: { strategy: 'sasl', mechanism: 'PLAIN' } },
    })), /you have to set user and password/);
    expectSchemaViolation(await request(`${gw.admin}/plugins/${ids.oidc}`, json('PATCH', { config: { session_cookie_same_site: 'lax' } })), /expected one of: Strict, Lax, None, Default/);
    expect((await request(`${gw.admin}/plugins`)).json<{ data: unknown[] }>().data.length).toBe(before);
    expect((await request(`${gw.proxy}/open`)).status).toBe(200);
  });

  it('deleting the plugin clears the report and opens its scope again', async () => {
    expect((await request(`${gw.admin}/plugins/${ids.oidc}`, { method: 'DELETE' })).status).toBe(204);
    expect((await request(`${gw.admin}/plugins/${ids.kafka}`, { method: 'DELETE' })).status).toBe(204);
    await until(async () => (await request(`${gw.admin}/status`)).json<Status>().configuration_errors.length === 0);
    expect((await request(`${gw.proxy}/sso`)).status).toBe(200);
  });
});

/**
 * Files of the kinds decK's testdata uses these plugins in (tests/integration/testdata: a set field in another
 * order, kafka-log's brokers in another order, a redis-ee partial linked to openid-connect's redis, a full dump
 * carrying the deprecated fields Kong still returns), written for this test.
 */
const FILES: Record<string, string> = {
  'unordered-sets.yaml': `_format_version: "3.0"
plugins:
- name: openid-connect
  config:
    issuer: https://login.example.org/
    extra_jwks_uris: [https://keys.example.org/b, https://keys.example.org/a]
    cache_tokens_salt: Xq3m9TzLw2PaR7cVb8NdK4eH1sJuY6oA
- name: kafka-log
  enabled: true
  config:
    cluster_name: events
    topic: gateway-events
    bootstrap_servers:
    - { host: broker-c.example.org, port: 9094 }
    - { host: broker-a.example.org, port: 9094 }
    - { host: broker-b.example.org, port: 9094 }
`,
  'partial-redis.yaml': `_format_version: "3.0"
partials:
- name: sessions-redis
  type: redis-ee
  config: { host: cache.example.org, port: 6380, ssl_verify: false }
services:
- name: portal
  url: http://portal.example.org
  routes:
  - name: portal
    paths: [/portal]
    plugins:
    - name: openid-connect
      partials: [{ name: sessions-redis }]
      config:
        issuer: https://login.example.org/
        client_id: [portal]
        client_secret: [portal-secret]
        session_storage: redis
        auth_methods: [authorization_code, session]
`,
  'deprecated-fields.yaml': `_format_version: "3.0"
consumers:
- username: alice
plugins:
- name: openid-connect
  config:
    issuer: https://login.example.org/
    client_id: [legacy]
    client_secret: [legacy-secret]
    consumer_claim: [email]
    session_compressor: none
    session_cookie_maxsize: 4000
    session_cookie_renew: 600
    session_strategy: default
    session_redis_host: 10.0.0.7
    redis: { host: 10.0.0.7, timeout: 2000, sentinel_addresses: null }
`,
};

describe('decK-style files with openid-connect and kafka-log round-trip through serve --db', () => {
  const io = () => bufferIo({ cwd: dir });
  const run = async (cmd: typeof sync, args: string[], opts: Record<string, unknown> = {}) => {
    const b = io();
    const rc = await cmd.run({ args, opts: { kongAddr: gw.admin, ...opts } }, b);
    return { rc, out: b.stdout(), err: b.stderr() };
  };
  const errorsOf = async (path: string) => (await loadState([path], { env: {}, cwd: dir })).issues.filter((i) => i.severity === 'error').map((i) => `${i.line}:${i.column} ${i.message}`);

  it.each(Object.keys(FILES))('%s: validate → sync → dump (valid) → diff = no change', async (name) => {
    const file = join(dir, name);
    writeFileSync(file, FILES[name]!);
    expect(await errorsOf(file)).toEqual([]);
    const synced = await run(sync, [file]);
    expect(synced.rc, synced.err + synced.out).toBe(0);
    const out = join(dir, `${name}.dump.yaml`);
    expect((await run(dump, [], { showSecrets: true, outputFile: out })).rc).toBe(0);
    expect(await errorsOf(out)).toEqual([]);
    const d = await run(diff, [file], { exitCode: true });
    expect(d.out).toContain('Created: 0\n  Updated: 0\n  Deleted: 0');
    expect(d.rc, d.out).toBe(0);
  });

  it('diff masks openid-connect\'s secrets', async () => {
    const base = join(dir, 'partial-redis.yaml');
    expect((await run(sync, [base])).rc).toBe(0);
    const file = join(dir, 'changed-secret.yaml');
    writeFileSync(file, FILES['partial-redis.yaml']!.replace('[portal-secret]', '[rotated-secret]'));
    const d = await run(diff, [file]);
    expect(d.out).toContain('Updated: 1');
    expect(d.out).toContain('client_secret');
    expect(d.out).not.toContain('rotated-secret');
    expect(d.out).not.toContain('portal-secret');
  });
});
