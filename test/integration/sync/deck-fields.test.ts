/**
 * decK files with fields and kinds Kong has and aigw once refused (issue 11): legacy `redis_*`
 * plugin shorthands, keys and key sets, target failover and service tls_sans, plugin conditions,
 * expression routes. Each file validates, then sync → dump → diff of the dump and of the file
 * show no change, through one Admin API (db mode) reused by every case.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferIo } from '../../../src/cli/io.js';
import { command as diff } from '../../../src/commands/diff.js';
import { command as dump } from '../../../src/commands/dump.js';
import { command as sync } from '../../../src/commands/sync.js';
import { loadState } from '../../../src/config/index.js';
import { unbuildable } from '../../../src/gateway/build-check.js';
import { createLlmCaller } from '../../../src/gateway/llm/call/caller.js';
import { startAdmin, type Running } from '../admin-api/serve.js';

let dir: string;
let admin: Running;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aigw-deck-fields-'));
  // as aigw serve --db: a write whose entities would not build is refused (build-check.ts)
  const llm = createLlmCaller({ env: {} });
  admin = await startAdmin({ version: '3.14.0', unbuildable: (candidate, changed) => unbuildable(candidate, changed, { env: {}, llm }) });
});
afterAll(async () => {
  await admin.close();
  rmSync(dir, { recursive: true, force: true });
});

async function errorsOf(name: string, text: string): Promise<string[]> {
  writeFileSync(join(dir, name), text);
  const r = await loadState([join(dir, name)], { env: {}, cwd: dir });
  return r.issues.filter((i) => i.severity === 'error').map((i) => `${i.line}:${i.message}`);
}

/** validate, sync, dump, then diff the dump and the file: no change either way. */
async function roundTrip(name: string, text: string): Promise<string> {
  expect(await errorsOf(name, text)).toEqual([]);
  const opts = { kongAddr: admin.url };
  const io = () => bufferIo({ cwd: dir });
  const synced = io();
  expect(await sync.run({ args: [name], opts }, synced), synced.stderr()).toBe(0);
  const dumped = io();
  const out = join(dir, `${name}.dump.yaml`);
  expect(await dump.run({ args: [], opts: { ...opts, showSecrets: true, outputFile: out } }, dumped), dumped.stderr()).toBe(0);
  for (const file of [out, name]) {
    const again = io();
    expect(await diff.run({ args: [file], opts: { ...opts, exitCode: true } }, again), again.stdout() + again.stderr()).toBe(0);
  }
  return synced.stdout();
}

const REDIS_LEGACY = `_format_version: "3.0"
services:
  - name: rl
    url: http://127.0.0.1:9/
    plugins:
      - name: rate-limiting
        config:
          minute: 10
          policy: redis
          redis_host: 127.0.0.1
          redis_port: 6380
          redis_timeout: 1500
    routes:
      - name: rl-route
        paths: [/rl]
        plugins:
          - name: rate-limiting
            config: { minute: 5, policy: local, redis: { port: 6000 } }
`;

describe('legacy redis_* shorthands (rate-limiting)', () => {
  it('validate translates them into config.redis and sync → dump → diff shows no change', async () => {
    await roundTrip('redis-legacy.yaml', REDIS_LEGACY);
    const svcPlugin = admin.store.list('plugins').find((p) => p.service !== null);
    expect(svcPlugin?.config).toMatchObject({ redis: { host: '127.0.0.1', port: 6380, timeout: 1500 } });
    expect(svcPlugin?.config).not.toHaveProperty('redis_host');
  });

  it('the Admin API shows both forms, as Kong does', async () => {
    const res = await fetch(`${admin.url}/plugins`);
    const body = (await res.json()) as { data: Array<{ service: unknown; config: Record<string, unknown> }> };
    const svc = body.data.find((p) => p.service !== null);
    expect(svc?.config).toMatchObject({ redis_host: '127.0.0.1', redis_port: 6380, redis_timeout: 1500, redis: { host: '127.0.0.1', port: 6380 } });
    // Kong's schema endpoint lists shorthands apart from the config's fields
    const schema = JSON.stringify(await (await fetch(`${admin.url}/schemas/plugins/rate-limiting`)).json());
    expect(schema).toContain('"redis"');
    expect(schema).not.toContain('redis_host');
  });

  it('the new form only, diffed against the gateway, shows no change either', async () => {
    const newForm = REDIS_LEGACY.replace('redis_host: 127.0.0.1\n          redis_port: 6380\n          redis_timeout: 1500', 'redis: { host: 127.0.0.1, port: 6380, timeout: 1500 }');
    writeFileSync(join(dir, 'redis-new.yaml'), newForm);
    const io = bufferIo({ cwd: dir });
    expect(await diff.run({ args: ['redis-new.yaml'], opts: { kongAddr: admin.url, exitCode: true } }, io), io.stdout()).toBe(0);
  });

  it("both forms with different values: Kong's mismatch message at the shorthand", async () => {
    const both = REDIS_LEGACY.replace('redis_timeout: 1500', 'redis_timeout: 1500\n          redis: { port: 6381 }');
    expect(await errorsOf('redis-both.yaml', both)).toEqual([
      '11:both deprecated and new field are used but their values mismatch: redis_port = 6380 vs redis.port = 6381',
    ]);
  });

  it('the Admin API refuses a mismatch with the same message', async () => {
    const res = await fetch(`${admin.url}/plugins`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'rate-limiting', config: { minute: 1, redis_port: 6000, redis: { port: 6001 } } }),
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('both deprecated and new field are used but their values mismatch: redis_port = 6000 vs redis.port = 6001');
  });
});

const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const PRIVATE_JWK = JSON.stringify({ ...pair.privateKey.export({ format: 'jwk' }), kid: 'ec-1' });
const PUBLIC_PEM = pair.publicKey.export({ format: 'pem', type: 'spki' }).toString();
const KEYS = `_format_version: "3.0"
key_sets:
  - name: signing
  - name: other
keys:
  - name: ec-jwk
    kid: ec-1
    set: { name: signing }
    jwk: '${PRIVATE_JWK}'
  - name: ec-pem
    kid: ec-pem-1
    set: signing
    pem:
      public_key: |
${PUBLIC_PEM.trim().split('\n').map((l) => `        ${l}`).join('\n')}
`;

describe('keys and key_sets', () => {
  it('validate, then sync → dump → diff shows no change; keys land in their set', async () => {
    await roundTrip('keys.yaml', KEYS);
    const sets = admin.store.list('key_sets');
    const signing = sets.find((s) => s.name === 'signing');
    expect(admin.store.list('keys').map((k) => [k.name, k.set])).toEqual(expect.arrayContaining([
      ['ec-jwk', { id: signing?.id }], ['ec-pem', { id: signing?.id }],
    ]));
    const res = await fetch(`${admin.url}/key-sets/signing`);
    expect(res.status).toBe(200);
  });

  it('a key moved to another set is one update; the private JWK never shows in the diff', async () => {
    writeFileSync(join(dir, 'keys-moved.yaml'), KEYS.replace('set: { name: signing }', 'set: { name: other }'));
    const io = bufferIo({ cwd: dir });
    expect(await diff.run({ args: ['keys-moved.yaml'], opts: { kongAddr: admin.url, exitCode: true } }, io), io.stdout()).toBe(2);
    expect(io.stdout()).toContain('updating key ec-jwk');
    expect(io.stdout()).not.toContain(JSON.parse(PRIVATE_JWK).d as string);
  });

  it("refuses Kong's bad keys: kid mismatch, both formats, neither, an unknown set", async () => {
    const bad = `_format_version: "3.0"
key_sets:
  - name: s
keys:
  - name: a
    kid: not-ec-1
    jwk: '${PRIVATE_JWK}'
  - name: b
    kid: b
    jwk: '{"kid": "b"}'
    pem: { public_key: x }
  - name: c
    kid: c
  - name: d
    kid: d
    jwk: '{"kid": "d"}'
    set: { name: nope }
`;
    expect(await errorsOf('keys-bad.yaml', bad)).toEqual([
      "6:kid in jwk.kid must be equal to keys.kid",
      "11:only one or none of these fields must be set: 'jwk', 'pem'", // at the second of the two fields set
      "12:at least one of these fields must be non-empty: 'jwk', 'pem'",
      "17:key_set 'nope' referenced by key 'd' (field 'set') does not exist",
    ]);
  });
});

const FAILOVER_SANS = `_format_version: "3.0"
upstreams:
  - name: pool
    targets:
      - target: 127.0.0.1:9001
      - target: 127.0.0.1:9002
        failover: true
services:
  - name: sans
    url: https://127.0.0.1:9443/
    tls_verify: true
    tls_sans:
      dnsnames: [upstream.example.test]
      uris: [spiffe://example.test/upstream]
`;

describe('targets[].failover and services[].tls_sans', () => {
  it('validate, then sync → dump → diff shows no change; failover defaults to false', async () => {
    await roundTrip('failover-sans.yaml', FAILOVER_SANS);
    expect(admin.store.list('targets').map((t) => [t.target, t.failover])).toEqual(expect.arrayContaining([
      ['127.0.0.1:9001', false], ['127.0.0.1:9002', true],
    ]));
    expect(admin.store.list('services')[0]?.tls_sans).toEqual({ dnsnames: ['upstream.example.test'], uris: ['spiffe://example.test/upstream'] });
  });
});

const CONDITION = `_format_version: "3.0"
services:
  - name: cond
    url: http://127.0.0.1:9/
    routes:
      - name: health
        paths: [/health]
plugins:
  - name: key-auth
    condition: route.name != "health"
    config: { key_names: [apikey] }
`;

const EXPRESSION = `_format_version: "3.0"
services:
  - name: expr
    url: http://127.0.0.1:9/
    routes:
      - name: by-expression
        expression: 'http.path ^= "/expr" && http.method == "GET"'
        priority: 10
      - name: classic
        paths: [/classic]
`;

describe('plugin condition (3.14) and expression routes', () => {
  it('a plugin condition validates and round-trips', async () => {
    await roundTrip('condition.yaml', CONDITION);
    expect(admin.store.list('plugins')[0]?.condition).toBe('route.name != "health"');
  });

  it('expression routes next to traditional ones validate and round-trip', async () => {
    await roundTrip('expression.yaml', EXPRESSION);
    expect(admin.store.list('routes').find((r) => r.name === 'by-expression')).toMatchObject({ priority: 10, paths: null });
  });

  it("an expression with paths is Kong's error", async () => {
    const both = EXPRESSION.replace('priority: 10', 'priority: 10\n        paths: [/x]');
    expect(await errorsOf('expression-bad.yaml', both)).toEqual([
      "9:Router Expression failed validation: cannot set 'expression' with 'methods', 'hosts', 'paths', 'headers', 'snis', 'sources' or 'destinations' simultaneously",
    ]);
  });

  it('one file with both: the Admin API (db mode) builds them, and sync → dump → diff shows no change', async () => {
    const both = EXPRESSION.replace('        paths: [/classic]', '        paths: [/classic]\n        plugins:\n          - name: key-auth\n            condition: \'http.headers.x_open != "yes" && route.name == "classic"\'\n            config: { key_names: [apikey] }');
    await roundTrip('both.yaml', both);
    expect(admin.store.list('plugins').map((p) => p.condition)).toEqual(['http.headers.x_open != "yes" && route.name == "classic"']);
    expect(admin.store.list('routes').map((r) => r.expression ?? null).sort()).toEqual(['http.path ^= "/expr" && http.method == "GET"', null]);
  });

  it("the Admin API refuses an expression or a condition that does not check, with Kong's message", async () => {
    const post = (path: string, body: unknown) => fetch(`${admin.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const svc = await (await post('/services', { name: 'check-svc', url: 'http://127.0.0.1:9/' })).json() as { id: string };
    const ok = await post('/routes', { name: 'expr-ok', expression: 'http.path ~ r#"^/ok/\\d+"#', priority: 5, service: { id: svc.id } });
    expect(ok.status).toBe(201);
    const bad = await post('/routes', { name: 'expr-bad', expression: 'http.path == 1', service: { id: svc.id } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('Router Expression failed validation: Type mismatch between the LHS and RHS values of predicate');
    const cond = await post('/plugins', { name: 'key-auth', condition: 'route.nope == "x"' });
    expect(cond.status).toBe(400);
    expect(JSON.stringify(await cond.json())).toContain('condition failed validation: Unknown LHS field');
  });
});
