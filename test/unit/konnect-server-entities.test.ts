/** Konnect test server: plugins, consumer groups, credentials, upstreams/targets, certificates, schemas. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreBase, konnectCaller, withKonnectServer } from '../helpers/konnect/calls.js';
import { KONNECT_MANAGED_PLUGIN_TAG, KONNECT_MANAGED_TAG, startKonnectServer, type JsonObject, type KonnectServer } from '../helpers/konnect-server.js';

let srv: KonnectServer;
const call = konnectCaller(() => srv);
let core = '';
const detail = (d: JsonObject): JsonObject => ({ '@type': 'type.googleapis.com/kong.admin.model.v1.ErrorDetail', ...d });
const uuid = (): string => crypto.randomUUID();
const pem = (label: string, body = 'MIIBszCCAVmgAwIBAgIU'): string => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
const CERT = pem('CERTIFICATE');
const KEY = pem('PRIVATE KEY');

beforeAll(async () => {
  srv = await startKonnectServer();
  core = coreBase(srv);
});
afterAll(() => srv.close());

describe('plugins', () => {
  it('fills config and top-level defaults from the plugin schema', async () => {
    const svc = await call('POST', `${core}/services`, { name: 'p-svc', host: 'example.com' });
    const r = await call('POST', `${core}/services/${svc.body.id as string}/plugins`, { name: 'key-auth', config: { key_names: ['x-key'] } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ name: 'key-auth', enabled: true, protocols: ['grpc', 'grpcs', 'http', 'https'], service: { id: svc.body.id } });
    expect(r.body.config).toEqual({
      key_names: ['x-key'],
      hide_credentials: true,
      anonymous: null,
      key_in_header: true,
      key_in_query: true,
      key_in_body: false,
      run_on_preflight: true,
      realm: null,
      principals: { enabled: false, directory: 'default', error_on_miss: true },
      identity_realms: [{ scope: 'cp', id: null, region: null }],
    });
    const again = await call('POST', `${core}/plugins`, { name: 'key-auth', service: { id: svc.body.id } });
    expect(again.body.details).toEqual([detail({ type: 'ERROR_TYPE_REFERENCE', messages: ['unique-plugin-per-entity (type: unique) constraint failed'] })]);
  });

  it('reports config problems at config.<field> and entity checks without a field', async () => {
    const cases: Array<[JsonObject, JsonObject[]]> = [
      [{ name: 'key-auth', config: { nope: 1 } }, [{ type: 'ERROR_TYPE_FIELD', field: 'config.nope', messages: ['unknown field'] }]],
      [
        { name: 'key-auth', config: { hide_credentials: 'yes' } },
        [{ type: 'ERROR_TYPE_FIELD', field: 'config.hide_credentials', messages: ['expected a boolean'] }],
      ],
      [
        { name: 'rate-limiting-advanced', config: { window_size: [60] } },
        [{ type: 'ERROR_TYPE_FIELD', field: 'config.limit', messages: ['required field missing'] }],
      ],
      [
        { name: 'rate-limiting', config: { minute: 5, policy: 'cluster' } },
        [{ type: 'ERROR_TYPE_FIELD', field: 'config.policy', messages: ['expected one of: local, redis'] }],
      ],
      [
        { name: 'rate-limiting-advanced', config: { limit: [5], window_size: [60], strategy: 'cluster' } },
        [{ type: 'ERROR_TYPE_FIELD', field: 'config.strategy', messages: ['expected one of: local, redis'] }],
      ],
      [
        { name: 'rate-limiting', config: {} },
        [
          {
            type: 'ERROR_TYPE_ENTITY',
            messages: [
              "at least one of these fields must be non-empty: 'config.second', 'config.minute', 'config.hour', 'config.day', 'config.month', 'config.year'",
            ],
          },
        ],
      ],
      [
        { name: 'rate-limiting', config: { minute: 5, policy: 'redis' } },
        [
          { type: 'ERROR_TYPE_ENTITY', messages: ["failed conditional validation given value of field 'config.policy'"] },
          { type: 'ERROR_TYPE_FIELD', field: 'config.redis.host', messages: ['required field missing'] },
        ],
      ],
      [{ name: 'oauth2', config: {} }, [{ type: 'ERROR_TYPE_FIELD', field: 'name', messages: ['plugin(oauth2) does not exist'] }]],
      [{ name: 'key-auth', consumer: { id: uuid() } }, [{ type: 'ERROR_TYPE_FIELD', field: 'consumer', messages: ['value must be null'] }]],
      [
        { name: 'key-auth', protocols: ['http', 'gopher'] },
        [{ type: 'ERROR_TYPE_FIELD', field: 'protocols[1]', messages: [expect.stringMatching(/^value must be one of/)] }],
      ],
    ];
    for (const [body, details] of cases) {
      const r = await call('POST', `${core}/plugins`, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body, JSON.stringify(body)).toEqual({ code: 3, message: 'validation error', details: details.map(detail) });
    }
  });

  it("translates rate-limiting's deprecated redis_* fields into config.redis (answered mirrored, as Kong does), and takes rate-limiting-advanced's Enterprise fields", async () => {
    const rl = await call('POST', `${core}/plugins`, { name: 'rate-limiting', instance_name: 'rl-short', config: { minute: 5, policy: 'redis', redis_host: 'redis.test', redis_port: 6380 } });
    expect(rl.status, JSON.stringify(rl.body)).toBe(201);
    expect(rl.body.config).toMatchObject({ redis: { host: 'redis.test', port: 6380, database: 0 } });
    expect(rl.body.config).toMatchObject({ redis_host: 'redis.test', redis_port: 6380, redis_database: 0 });
    const rla = await call('POST', `${core}/plugins`, {
      name: 'rate-limiting-advanced', instance_name: 'rla-ee',
      config: { limit: [5], window_size: [60], lock_dictionary_name: 'kong_locks', throttling: { enabled: true, interval: 5 }, redis: { host: 'r', sentinel_role: 'master', cluster_max_redirections: 5, timeout: 2000 } },
    });
    expect(rla.status, JSON.stringify(rla.body)).toBe(201);
    expect(rla.body.config).toMatchObject({ enforce_consumer_groups: false, redis: { host: 'r', read_timeout: 2000, keepalive_pool_size: 256 } });
  });

  it('stores passthrough plugin configs (AI plugins) as sent', async () => {
    const config = { allow_patterns: ['.*weather.*'] };
    const r = await call('POST', `${core}/plugins`, { name: 'ai-prompt-guard', config });
    expect(r.body).toMatchObject({ name: 'ai-prompt-guard', config, enabled: true });
  });

  it("fills ai-proxy's 3.15 defaults (not Kong 3.10's) and checks its config", async () => {
    const config = { route_type: 'llm/v1/chat', model: { provider: 'openai', name: 'gpt-4o' } };
    const r = await call('POST', `${core}/plugins`, { name: 'ai-proxy', config, instance_name: 'aip-defaults' });
    expect(r.status).toBe(201);
    expect(r.body.protocols).toEqual(['grpc', 'grpcs', 'http', 'https', 'ws', 'wss']);
    expect(r.body.config).toMatchObject({ max_request_body_size: 1048576, response_streaming: 'allow', model_name_header: true, llm_format: 'openai' });
    const bad = await call('POST', `${core}/plugins`, { name: 'ai-proxy', config: { route_type: 'llm/v1/chat', model: { provider: 'nope' } } });
    expect(bad.body.details).toEqual([detail({ type: 'ERROR_TYPE_FIELD', field: 'config.model.provider', messages: [expect.stringMatching(/^expected one of: anthropic, azure/)] })]);
  });

  it('lists plugins per route and consumer; deleting a service cascades to its routes and their plugins', async () => {
    const svc = await call('POST', `${core}/services`, { name: 'cascade', host: 'example.com' });
    const route = await call('POST', `${core}/services/cascade/routes`, { name: 'cascade-r', paths: ['/c'] });
    const consumer = await call('POST', `${core}/consumers`, { username: 'dave' });
    const onRoute = await call('POST', `${core}/routes/cascade-r/plugins`, { name: 'request-termination' });
    expect(onRoute.body).toMatchObject({ route: { id: route.body.id }, config: { status_code: 503, echo: false } });
    await call('POST', `${core}/consumers/dave/plugins`, { name: 'rate-limiting', config: { minute: 10 } });
    const ids = async (path: string): Promise<unknown[]> => ((await call('GET', `${core}/${path}`)).body.data as JsonObject[]).map((p) => p.id);
    expect(await ids('routes/cascade-r/plugins')).toEqual([onRoute.body.id]);
    expect(await ids(`consumers/${consumer.body.id as string}/plugins`)).toHaveLength(1);
    expect((await call('DELETE', `${core}/services/${svc.body.id as string}`)).status).toBe(204);
    expect([(await call('GET', `${core}/routes/cascade-r`)).status, (await call('GET', `${core}/plugins/${onRoute.body.id as string}`)).status]).toEqual([
      404, 404,
    ]);
  });

  it('refuses to delete a certificate a service uses as its client certificate', async () => {
    const cert = await call('POST', `${core}/certificates`, { cert: CERT, key: '{vault://env/tls-key}' });
    expect(cert.status).toBe(201);
    await call('POST', `${core}/services`, { name: 'mtls', host: 'example.com', protocol: 'https', client_certificate: { id: cert.body.id } });
    const del = await call('DELETE', `${core}/certificates/${cert.body.id as string}`);
    expect(del.body).toEqual({
      code: 3,
      message: 'data constraint error',
      details: [detail({ type: 'ERROR_TYPE_REFERENCE', messages: ["an existing 'services' entity references this 'certificates' entity"] })],
    });
    await call('DELETE', `${core}/services/mtls`);
    expect((await call('DELETE', `${core}/certificates/${cert.body.id as string}`)).status).toBe(204);
  });
});

describe('consumer groups and credentials', () => {
  it('manages membership through its own endpoints and answers {consumer_group, consumers}', async () => {
    const group = await call('PUT', `${core}/consumer_groups/${uuid()}`, { name: 'gold' });
    const alice = await call('POST', `${core}/consumers`, { username: 'alice' });
    const bob = await call('POST', `${core}/consumers`, { username: 'bob', custom_id: 'b-1' });
    const add = await call('POST', `${core}/consumer_groups/gold/consumers`, { consumer: alice.body.id });
    expect(add.status).toBe(201);
    expect(add.body).toMatchObject({ consumer_group: { name: 'gold' }, consumers: [{ username: 'alice' }] });
    await call('POST', `${core}/consumers/bob/consumer_groups`, { group: group.body.id });
    const got = await call('GET', `${core}/consumer_groups/gold`);
    expect(got.body).toEqual({ consumer_group: group.body, consumers: [alice.body, bob.body] });
    expect((await call('GET', `${core}/consumer_groups/${group.body.id as string}?list_consumers=false`)).body).toEqual({ consumer_group: group.body });
    expect((await call('POST', `${core}/consumer_groups/gold/consumers`, { consumer: 'alice' })).body).toMatchObject({
      code: 3,
      message: 'data constraint error',
    });
    expect((await call('DELETE', `${core}/consumer_groups/gold/consumers/${alice.body.id as string}`)).status).toBe(204);
    expect(((await call('GET', `${core}/consumer_groups/gold/consumers`)).body.data as JsonObject[]).map((c) => c.username)).toEqual(['bob']);
    expect(((await call('GET', `${core}/consumers/bob/consumer_groups`)).body.data as JsonObject[]).map((g) => g.name)).toEqual(['gold']);
    expect(srv.controlPlane('default').members(group.body.id as string)).toEqual([bob.body.id]);
    expect((await call('PUT', `${core}/consumer_groups/${group.body.id as string}`, { name: 'gold', tags: ['t'] })).body).toMatchObject({
      name: 'gold',
      tags: ['t'],
    });
    expect((await call('GET', `${core}/consumer_groups/gold`)).body.consumers).toHaveLength(1);
  });

  it('writes credentials under a consumer only, generates keys, hashes basic-auth unless skip_hash, cascades deletes', async () => {
    const c = await call('POST', `${core}/consumers`, { username: 'carol' });
    const cid = c.body.id as string;
    const key = await call('POST', `${core}/consumers/carol/key-auth`, {});
    expect(key.body).toMatchObject({ consumer: { id: cid }, key: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect((await call('POST', `${core}/key-auths`, { key: 'k', consumer: { id: cid } })).status).toBe(405);
    expect(((await call('GET', `${core}/key-auths`)).body.data as JsonObject[]).map((k) => k.id)).toEqual([key.body.id]);
    const hashed = await call('PUT', `${core}/consumers/${cid}/basic-auth/${uuid()}`, { username: 'carol', password: 'secret' });
    expect(hashed.body.password).toMatch(/^[0-9a-f]{40}$/);
    const raw = await call('POST', `${core}/consumers/${cid}/basic-auth?skip_hash=true`, { username: 'carol2', password: 'already-hashed' });
    expect(raw.body.password).toBe('already-hashed');
    expect((await call('POST', `${core}/consumers/${cid}/jwt`, {})).body).toMatchObject({ algorithm: 'HS256' });
    expect((await call('POST', `${core}/consumers/${cid}/oauth2`, { name: 'app' })).status).toBe(404);
    await call('DELETE', `${core}/consumers/carol`);
    expect((await call('GET', `${core}/key-auths`)).body.data).toEqual([]);
    expect((await call('GET', `${core}/basic-auths`)).body.data).toEqual([]);
  });
});

describe('upstreams, targets, certificates, other entities', () => {
  it('fills upstream defaults; targets are written per upstream and listed at the top level', async () => {
    const up = await call('PUT', `${core}/upstreams/llm-pool`, {});
    expect(up.body).toMatchObject({
      name: 'llm-pool',
      algorithm: 'round-robin',
      slots: 10000,
      hash_on: 'none',
      hash_fallback: 'none',
      hash_on_cookie_path: '/',
      use_srv_name: false,
    });
    expect(up.body.healthchecks).toMatchObject({
      threshold: 0,
      active: { concurrency: 10, healthy: { http_statuses: [200, 302] } },
      passive: { unhealthy: { http_statuses: [429, 500, 503] } },
    });
    const t = await call('POST', `${core}/upstreams/llm-pool/targets`, { target: '10.0.0.1' });
    expect(t.body).toMatchObject({ target: '10.0.0.1:8000', weight: 100, upstream: { id: up.body.id } });
    expect(((await call('GET', `${core}/targets`)).body.data as JsonObject[]).map((x) => x.target)).toEqual(['10.0.0.1:8000']);
    expect((await call('GET', `${core}/targets/${t.body.id as string}`)).status).toBe(404);
    expect((await call('GET', `${core}/upstreams/llm-pool/targets/10.0.0.1:8000`)).body.id).toBe(t.body.id);
    await call('DELETE', `${core}/upstreams/llm-pool`);
    expect((await call('GET', `${core}/targets`)).body.data).toEqual([]);
  });

  it('creates SNIs from a certificate body, keeps them on a PUT without snis, cascades on delete', async () => {
    const id = uuid();
    const cert = await call('PUT', `${core}/certificates/${id}`, { cert: CERT, key: KEY, snis: ['a.example.com', 'b.example.com'] });
    expect(cert.body.snis).toEqual(['a.example.com', 'b.example.com']);
    expect(((await call('GET', `${core}/certificates/${id}/snis`)).body.data as JsonObject[]).map((s) => s.name)).toEqual(['a.example.com', 'b.example.com']);
    expect((await call('PUT', `${core}/certificates/${id}`, { cert: pem('CERTIFICATE', 'AAAA'), key: KEY })).body.snis).toHaveLength(2);
    const bad = await call('POST', `${core}/certificates`, { cert: 'not a pem', key: KEY });
    expect(bad.body.details).toEqual([detail({ type: 'ERROR_TYPE_FIELD', field: 'cert', messages: ["'not a pem' is not valid 'pem-encoded-cert'"] })]);
    const other = await call('PUT', `${core}/certificates/${uuid()}`, { cert: CERT, key: KEY, snis: ['a.example.com'] });
    expect(other.body).toMatchObject({ code: 3, message: 'data constraint error' });
    const sni = await call('PUT', `${core}/snis/${uuid()}`, { name: 'c.example.com', certificate: { id } });
    expect(sni.status).toBe(200);
    expect((await call('PUT', `${core}/certificates/${id}`, { cert: CERT, key: KEY, snis: ['c.example.com'] })).body.snis).toEqual(['c.example.com']);
    await call('DELETE', `${core}/certificates/${id}`);
    expect((await call('GET', `${core}/snis`)).body.data).toEqual([]);
  });

  it('serves vaults by prefix, keys under key sets, CA certificates with a digest, partials', async () => {
    expect((await call('PUT', `${core}/vaults/my-env`, { name: 'env', config: { prefix: 'AIGW_' } })).body).toMatchObject({ prefix: 'my-env', name: 'env' });
    expect((await call('GET', `${core}/vaults/my-env`)).body.name).toBe('env');
    const set = await call('PUT', `${core}/key-sets/jwks`, {});
    const key = await call('POST', `${core}/key-sets/jwks/keys`, { name: 'k1', kid: '1', jwk: '{"kty":"oct"}' });
    expect(key.body).toMatchObject({ set: { id: set.body.id } });
    expect((await call('POST', `${core}/keys`, { name: 'k2', kid: '2' })).body.details).toEqual([
      detail({ type: 'ERROR_TYPE_ENTITY', messages: ['Keys must be defined either in JWK or PEM format'] }),
    ]);
    expect((await call('POST', `${core}/ca_certificates`, { cert: CERT })).body.cert_digest).toMatch(/^[0-9a-f]{64}$/);
    expect((await call('POST', `${core}/partials`, { name: 'redis-shared', type: 'redis-ee', config: { host: 'r' } })).status).toBe(201);
  });
});

describe('schemas, validation, control-plane types, workspaces, konnect-managed fixtures', () => {
  it('serves JSON Schemas with defaults for the 16 entity names decK fetches', async () => {
    const names = [
      'service',
      'route',
      'upstream',
      'target',
      'consumer',
      'consumer_group',
      'certificate',
      'ca_certificate',
      'key',
      'key-set',
      'hmac-auth',
      'basic-auth',
      'mtls-auth',
      'sni',
      'vault',
      'jwt',
    ];
    for (const n of names) expect((await call('GET', `${core}/v1/schemas/json/${n}`)).body.type, n).toBe('object');
    const svc = (await call('GET', `${core}/v1/schemas/json/service`)).body.properties as Record<string, JsonObject>;
    expect([svc.protocol?.default, svc.port?.default, svc.retries?.default, svc.connect_timeout?.default, svc.enabled?.default]).toEqual([
      'http',
      80,
      5,
      60000,
      true,
    ]);
    expect(((await call('GET', `${core}/v1/schemas/json/route`)).body.properties as Record<string, JsonObject>).protocols?.default).toEqual(['https']);
    expect((await call('GET', `${core}/v1/schemas/json/services`)).body).toEqual({ message: 'Not Found' });
    expect((await call('GET', `${core}/v1/schemas/json/vault`)).body.allOf).toHaveLength(1);
  });

  it('can serve schemas without zero-valued defaults (koko generator quirk)', () =>
    withKonnectServer({ omitZeroDefaults: true }, async (c, s) => {
      const props = (await c('GET', `${coreBase(s)}/v1/schemas/json/route`)).body.properties as Record<string, JsonObject>;
      expect([props.preserve_host?.default, props.regex_priority?.default, props.strip_path?.default]).toEqual([undefined, undefined, true]);
    }));

  it('serves Lua plugin schemas and validates entities without storing them', async () => {
    const ka = await call('GET', `${core}/schemas/plugins/key-auth`);
    expect((ka.body.fields as JsonObject[]).map((f) => Object.keys(f)[0])).toEqual(['consumer', 'protocols', 'config']);
    expect((await call('GET', `${core}/schemas/plugins/oauth2`)).body).toEqual({ message: "no plugin-schema for 'oauth2'" });
    const before = srv.controlPlane('default').entities('services').length;
    expect((await call('POST', `${core}/schemas/services/validate`, { host: 'ok.com' })).body).toEqual({ message: 'schema validation successful' });
    expect((await call('POST', `${core}/schemas/plugins/validate`, { name: 'key-auth', config: { x: 1 } })).body.details).toEqual([
      detail({ type: 'ERROR_TYPE_FIELD', field: 'config.x', messages: ['unknown field'] }),
    ]);
    expect((await call('POST', `${core}/v1/schemas/json/plugin/validate`, { name: 'rate-limiting', config: { minute: 1 } })).status).toBe(200);
    expect((await call('POST', `${core}/schemas/routes/validate`, { paths: ['nope'] })).body.details).toEqual([
      detail({ type: 'ERROR_TYPE_FIELD', field: 'paths[0]', messages: ['must begin with `/` (prefix path) or `~/` (regex path)'] }),
    ]);
    expect(srv.controlPlane('default').entities('services')).toHaveLength(before);
  });

  it('reads but refuses writes on KIC and control-plane-group control planes', async () => {
    for (const [name, message] of [
      ['kic-cp', 'operation not permitted on KIC cluster'],
      ['cp-group', 'operation not permitted on control plane group'],
    ] as const) {
      expect((await call('GET', `${coreBase(srv, name)}/services`)).body).toEqual({ data: [], next: null });
      const w = await call('PUT', `${coreBase(srv, name)}/services/${uuid()}`, { host: 'x.com' });
      expect(w.status).toBe(403);
      expect(w.body).toEqual({
        code: 7,
        message: 'usage constraint error',
        details: [{ '@type': 'type.googleapis.com/kong.admin.model.v1.ErrorDetail', messages: [message] }],
      });
    }
  });

  it('keeps workspaces apart when a control plane has them', () =>
    withKonnectServer({ controlPlanes: [{ name: 'ws-cp', workspaces: ['team-a'] }] }, async (c, s) => {
      const base = coreBase(s, 'ws-cp');
      await c('POST', `${base}/team-a/services`, { name: 'a', host: 'a.com' });
      expect((await c('GET', `${base}/services`)).body.data).toEqual([]);
      expect(((await c('GET', `${base}/team-a/services`)).body.data as JsonObject[]).map((x) => x.name)).toEqual(['a']);
      expect((await c('GET', `${base}/workspaces/team-a`)).status).toBe(200);
      expect((await c('GET', `${base}/workspaces/team-b`)).status).toBe(404);
      expect(s.controlPlane('ws-cp').entities('services', 'team-a')).toHaveLength(1);
    }));

  it('seeds konnect-managed entities and plugins when asked', () =>
    withKonnectServer({ konnectManagedFixtures: true }, async (c, s) => {
      const base = coreBase(s);
      const tagsOf = async (kind: string): Promise<unknown[]> => ((await c('GET', `${base}/${kind}`)).body.data as JsonObject[]).map((e) => e.tags);
      expect(await tagsOf('services')).toEqual([[KONNECT_MANAGED_TAG]]);
      expect(await tagsOf('routes')).toEqual([[KONNECT_MANAGED_TAG]]);
      expect(await tagsOf('plugins')).toEqual([[KONNECT_MANAGED_PLUGIN_TAG]]);
      expect((await c('GET', `${coreBase(s, 'kic-cp')}/services`)).body.data).toEqual([]);
    }));
});
