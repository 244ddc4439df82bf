/** The Konnect test server speaks Konnect's API as documented (see test/helpers/konnect-server.ts). */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreBase, konnectCaller, TEST_TOKEN as TOKEN, withKonnectServer as withServer, type CallResult as Res } from '../helpers/konnect/calls.js';
import { startKonnectServer, type JsonObject, type KonnectServer } from '../helpers/konnect-server.js';

let srv: KonnectServer;
const call = konnectCaller(() => srv);
let core = '';
const ids = { svc: '7c0fd1c1-3f35-4b6a-9b0e-3c0a1a2b3c4d', route: '0b5b1e5a-6a2e-4d7f-8c3d-1a2b3c4d5e6f' };

beforeAll(async () => {
  srv = await startKonnectServer();
  core = coreBase(srv);
});
afterAll(() => srv.close());

describe('auth and request log', () => {
  it('answers 401 without a kpat_/spat_ bearer token, in the shape of each API family', async () => {
    for (const headers of [{}, { authorization: 'Bearer abc' }, { authorization: `Basic ${TOKEN}` }] as Array<Record<string, string>>) {
      const r = await call('GET', `${core}/services`, undefined, headers);
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ message: 'Unauthorized', status: 401 });
    }
    const platform = await call('GET', '/v2/control-planes', undefined, {});
    expect(platform.status).toBe(401);
    expect(platform.headers['content-type']).toBe('application/problem+json');
    expect(platform.body).toMatchObject({ status: 401, title: 'Unauthenticated', detail: 'A valid token is required' });
    expect((await call('GET', `${core}/services`, undefined, { authorization: 'Bearer spat_system0123' })).status).toBe(200);
  });

  it('accepts only the configured tokens when given', () =>
    withServer({ tokens: ['spat_only1'] }, async (c) => {
      expect((await c('GET', '/v2/organizations/me', undefined, { authorization: 'Bearer spat_only1' })).status).toBe(200);
      expect((await c('GET', '/v2/organizations/me')).status).toBe(401);
    }));

  it('records requests and finds a token that leaked outside the Authorization header', async () => {
    srv.clearRequests();
    await call('GET', `${core}/services?size=5&tags=a`, undefined, { authorization: `Bearer ${TOKEN}`, 'user-agent': 'aigw-test' });
    const rec = srv.requests.at(-1);
    expect(rec).toMatchObject({ method: 'GET', path: `${core}/services`, query: { size: '5', tags: 'a' }, status: 200, body: '' });
    expect(rec?.headers['user-agent']).toBe('aigw-test');
    expect(srv.tokensSeen()).toContain(TOKEN);
    expect(srv.requestsLeakingToken()).toEqual([]);
    expect(srv.leakedTokens(`log: using ${TOKEN}`)).toEqual([TOKEN]);
    expect(srv.leakedTokens('log: using kpat_***')).toEqual([]);
    await call('GET', `${core}/services?token=${TOKEN}`);
    expect(srv.requestsLeakingToken().map((r) => r.path)).toEqual([`${core}/services`]);
  });
});

describe('control planes', () => {
  it('finds a control plane by name with the documented v2 shape', async () => {
    const r = await call('GET', '/v2/control-planes?filter[name][eq]=default&page[size]=10&page[number]=1');
    expect(r.status).toBe(200);
    expect(r.body.meta).toEqual({ page: { number: 1, size: 10, total: 1 } });
    const [cp] = r.body.data as JsonObject[];
    expect(Object.keys(cp as JsonObject).sort()).toEqual(['config', 'created_at', 'description', 'id', 'labels', 'name', 'updated_at']);
    expect((cp as JsonObject).config).toMatchObject({
      cluster_type: 'CLUSTER_TYPE_CONTROL_PLANE',
      auth_type: 'pinned_client_certs',
      cloud_gateway: false,
      proxy_urls: [],
    });
    expect(String(((cp as JsonObject).config as JsonObject).control_plane_endpoint)).toMatch(/^https:\/\/[0-9a-f]+\..*cp\.konghq\.com$/);
  });

  it('filters by contains / cluster_type, pages, and refuses unknown filters', async () => {
    const kic = await call('GET', '/v2/control-planes?filter[cluster_type][eq]=CLUSTER_TYPE_K8S_INGRESS_CONTROLLER');
    expect((kic.body.data as JsonObject[]).map((c) => c.name)).toEqual(['kic-cp']);
    const group = await call('GET', '/v2/control-planes?filter[name][contains]=group');
    expect(((group.body.data as JsonObject[])[0]?.config as JsonObject).cluster_type).toBe('CLUSTER_TYPE_CONTROL_PLANE_GROUP');
    const p2 = await call('GET', '/v2/control-planes?page[size]=1&page[number]=2');
    expect((p2.body.data as JsonObject[]).map((c) => c.name)).toEqual(['kic-cp']);
    const bad = await call('GET', '/v2/control-planes?filter[color][eq]=x');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ status: 400, title: 'Bad Request', invalid_parameters: [{ field: 'filter[color][eq]' }] });
  });

  it('serves the legacy runtime_groups listing decK pages through', async () => {
    const first = await call('GET', '/konnect-api/api/runtime_groups?size=2');
    expect(first.body).toMatchObject({ page: 1, pageCount: 2 });
    const second = await call('GET', '/konnect-api/api/runtime_groups?page=2&size=2');
    expect((second.body.data as JsonObject[]).map((c) => Object.keys(c).sort())).toEqual([['id', 'name']]);
  });

  it('creates a control plane, refuses duplicates and unknown properties, gets one by id', async () => {
    const made = await call('POST', '/v2/control-planes', { name: 'tutorial', labels: { env: 'test' } });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ name: 'tutorial', labels: { env: 'test' }, config: { cluster_type: 'CLUSTER_TYPE_CONTROL_PLANE' } });
    expect((await call('GET', `/v2/control-planes/${made.body.id as string}`)).body.name).toBe('tutorial');
    expect((await call('GET', `/v2/control-planes/${crypto.randomUUID()}`)).status).toBe(404);
    const dup = await call('POST', '/v2/control-planes', { name: 'tutorial' });
    expect(dup).toMatchObject({ status: 409, body: { detail: 'Control Plane with provided name already exists.' } });
    const unknown = await call('POST', '/v2/control-planes', { name: 'x1', id: 'nope' });
    expect(unknown.body).toMatchObject({
      status: 400,
      detail: 'Request contains unknown property',
      invalid_parameters: [{ field: 'id', reason: 'property id should not exist' }],
    });
    expect((await call('POST', '/v2/control-planes', { name: 'y' })).status).toBe(400);
  });

  it('answers the organization for ping', async () => {
    expect(Object.keys((await call('GET', '/v2/organizations/me')).body).sort()).toEqual(['id', 'name']);
  });
});

describe('core entities', () => {
  it('PUT creates with Konnect defaults, GET returns it, PUT replaces the whole entity', async () => {
    const put = await call('PUT', `${core}/services/${ids.svc}`, { name: 'llm', host: 'api.openai.com', retries: 2, tags: ['ai'] });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      id: ids.svc,
      name: 'llm',
      protocol: 'http',
      port: 80,
      retries: 2,
      connect_timeout: 60000,
      read_timeout: 60000,
      write_timeout: 60000,
      enabled: true,
    });
    expect(typeof put.body.created_at).toBe('number');
    expect((await call('GET', `${core}/services/${ids.svc}`)).body).toEqual(put.body);
    expect((await call('GET', `${core}/services/llm`)).body.id).toBe(ids.svc);
    const replaced = await call('PUT', `${core}/services/${ids.svc}`, { name: 'llm', url: 'https://api.openai.com/v1' });
    expect(replaced.body).toMatchObject({ protocol: 'https', host: 'api.openai.com', port: 443, path: '/v1', retries: 5 });
    expect(replaced.body.tags).toBeUndefined();
    expect(replaced.body.created_at).toBe(put.body.created_at);
  });

  it('POST creates with a new id; PUT by name upserts; DELETE is 204 even when absent', async () => {
    const made = await call('POST', `${core}/services`, { name: 'posted', host: 'example.com' });
    expect(made.status).toBe(201);
    expect(made.body.id).toMatch(/^[0-9a-f-]{36}$/);
    const byName = await call('PUT', `${core}/services/by-name`, { host: 'example.org' });
    expect(byName.body).toMatchObject({ name: 'by-name', host: 'example.org' });
    expect((await call('DELETE', `${core}/services/${made.body.id as string}`)).status).toBe(204);
    expect((await call('DELETE', `${core}/services/${made.body.id as string}`)).status).toBe(204);
    const gone = await call('GET', `${core}/services/${made.body.id as string}`);
    expect(gone).toMatchObject({ status: 404, body: { code: 5 } });
  });

  it('has no PATCH, no GET /, no /status, no /config', async () => {
    const patch = await call('PATCH', `${core}/services/${ids.svc}`, { retries: 1 });
    expect(patch.status).toBe(405);
    expect(patch.headers.allow).toBe('GET, PUT, DELETE');
    for (const p of ['', '/', '/status', '/config']) expect((await call('GET', `${core}${p}`)).status).toBe(404);
    expect((await call('POST', `${core}/config`, { services: [] })).status).toBe(404);
  });

  it('maps validation problems to Konnect error details', async () => {
    const cases: Array<[unknown, JsonObject[]]> = [
      [{ host: 'a.com', foo: 1 }, [{ type: 'ERROR_TYPE_ENTITY', messages: ["additionalProperties 'foo' not allowed"] }]],
      [{ name: 'x' }, [{ type: 'ERROR_TYPE_ENTITY', messages: ["missing properties: 'host'"] }]],
      [{ host: 'a.com', port: '80' }, [{ type: 'ERROR_TYPE_FIELD', field: 'port', messages: ['expected integer, but got string'] }]],
      [{ host: 'a.com', port: 70000 }, [{ type: 'ERROR_TYPE_FIELD', field: 'port', messages: ['must be <= 65535 but found 70000'] }]],
      [{ host: 'a.com', protocol: 'ftp' }, [{ field: 'protocol', messages: [expect.stringMatching(/^value must be one of "grpc", "grpcs", "http"/)] }]],
      [{ host: 'not a host' }, [{ field: 'host', messages: ['must be a valid hostname'] }]],
      [{ host: 'a.com', tags: ['ok', 'x'.repeat(129)] }, [{ field: 'tags[1]', messages: ['length must be <= 128, but got 129'] }]],
    ];
    for (const [body, details] of cases) {
      const r = await call('PUT', `${core}/services/${crypto.randomUUID()}`, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body).toMatchObject({
        code: 3,
        message: 'validation error',
        details: details.map((d) => ({ '@type': 'type.googleapis.com/kong.admin.model.v1.ErrorDetail', ...d })),
      });
    }
    const broken = await request(`${srv.url}${core}/services`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: '{"host":' });
    expect(broken.statusCode).toBe(400);
    expect(((await broken.body.json()) as JsonObject).code).toBe(3);
  });

  it('routes: nested create, default protocols, reference integrity, uniqueness, matching rules', async () => {
    const r = await call('PUT', `${core}/services/${ids.svc}/routes/${ids.route}`, { name: 'chat', paths: ['/chat'] });
    expect(r.body).toMatchObject({
      service: { id: ids.svc },
      protocols: ['https'],
      strip_path: true,
      preserve_host: false,
      regex_priority: 0,
      https_redirect_status_code: 426,
      path_handling: 'v0',
      request_buffering: true,
      response_buffering: true,
    });
    const orphan = await call('PUT', `${core}/routes/${crypto.randomUUID()}`, { name: 'orphan', paths: ['/o'], service: { id: crypto.randomUUID() } });
    expect(orphan.body).toEqual({
      code: 3,
      message: 'data constraint error',
      details: [
        {
          '@type': 'type.googleapis.com/kong.admin.model.v1.ErrorDetail',
          type: 'ERROR_TYPE_REFERENCE',
          field: 'service.id',
          messages: ['service.id (type: foreign) constraint failed'],
        },
      ],
    });
    const dup = await call('POST', `${core}/routes`, { name: 'chat', paths: ['/other'] });
    expect(dup.body.details).toEqual([
      expect.objectContaining({ type: 'ERROR_TYPE_REFERENCE', field: 'name', messages: ['name (type: unique) constraint failed'] }),
    ]);
    const bare = await call('POST', `${core}/routes`, { name: 'bare', protocols: ['http', 'https'] });
    expect(bare.body.details).toEqual([
      expect.objectContaining({
        type: 'ERROR_TYPE_ENTITY',
        messages: [
          "when protocols has 'http', at least one of 'hosts', 'methods', 'paths' or 'headers' must be set",
          "when protocols has 'https', at least one of 'snis', 'hosts', 'methods', 'paths' or 'headers' must be set",
        ],
      }),
    ]);
    expect((await call('POST', `${core}/services/${crypto.randomUUID()}/routes`, { paths: ['/x'] })).status).toBe(404);
  });

  it('fills route protocols from the server option', () =>
    withServer({ routeProtocols: ['http', 'https'] }, async (c, s) => {
      const base = coreBase(s);
      expect((await c('POST', `${base}/routes`, { paths: ['/'] })).body.protocols).toEqual(['http', 'https']);
      expect((((await c('GET', `${base}/v1/schemas/json/route`)).body.properties as JsonObject).protocols as JsonObject).default).toEqual(['http', 'https']);
    }));

  it('pages with size/offset/next, filters tags (a,b = AND, a/b = OR) and names', async () => {
    for (let i = 0; i < 5; i++) await call('POST', `${core}/consumers`, { username: `user-${i}`, tags: i % 2 ? ['odd', 'team'] : ['even', 'team'] });
    const seen: string[] = [];
    let path: string | null = `${core}/consumers?size=2&tags=team`;
    let pages = 0;
    while (path) {
      const r: Res = await call('GET', path);
      seen.push(...(r.body.data as JsonObject[]).map((c) => c.username as string));
      if (r.body.next) expect(typeof r.body.offset).toBe('string');
      path = r.body.next as string | null;
      pages++;
    }
    expect([seen, pages]).toEqual([['user-0', 'user-1', 'user-2', 'user-3', 'user-4'], 3]);
    const names = async (q: string): Promise<string[]> =>
      ((await call('GET', `${core}/consumers?${q}`)).body.data as JsonObject[]).map((c) => c.username as string);
    expect(await names('tags=odd,team')).toEqual(['user-1', 'user-3']);
    expect(await names('tags=odd/even')).toHaveLength(5);
    expect(await names('filter[name][eq]=user-2')).toEqual(['user-2']);
    expect(await names('filter[name][contains]=er-4')).toEqual(['user-4']);
    for (const size of ['0', '1001', 'x'])
      expect((await call('GET', `${core}/consumers?size=${size}`)).body).toMatchObject({ code: 3, message: expect.stringContaining('invalid page_size') });
  });
});
