import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AdminApiError, AdminClient, retryAfterMs } from '../../../src/kong/client.js';
import { clientFrom, parseHeaders } from '../../../src/commands/deck/connect.js';

const BASE = 'http://kong.test:8001';
let agent: MockAgent;
let sleeps: number[];

function client(extra: Partial<ConstructorParameters<typeof AdminClient>[0]> = {}): AdminClient {
  return new AdminClient({ baseUrl: BASE, dispatcher: agent, sleep: async (ms) => void sleeps.push(ms), retryBaseMs: 100, ...extra });
}

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  sleeps = [];
});
afterEach(async () => {
  await agent.close();
});

describe('AdminClient', () => {
  it('follows next through every page with size=1000 and keeps the workspace prefix', async () => {
    const pool = agent.get(BASE);
    pool.intercept({ path: '/ws1/services?size=1000', method: 'GET' }).reply(200, { data: [{ id: 'a' }], next: '/services?offset=x&size=1000' });
    pool.intercept({ path: '/ws1/services?offset=x&size=1000', method: 'GET' }).reply(200, { data: [{ id: 'b' }], next: null });
    const c = client({ workspace: 'ws1' });
    expect((await c.listAll(c.scoped('/services'))).map((e) => e.id)).toEqual(['a', 'b']);
  });

  it('sends headers and the admin token', async () => {
    agent
      .get(BASE)
      .intercept({ path: '/', method: 'GET', headers: { 'kong-admin-token': 't0k', 'x-team': 'a' } })
      .reply(200, { version: '3.10.0' });
    expect(await client({ token: 't0k', headers: { 'x-team': 'a' } }).get('/')).toEqual({ version: '3.10.0' });
  });

  it('retries 5xx and 429 (honouring Retry-After) for idempotent calls, with exponential backoff', async () => {
    const pool = agent.get(BASE);
    pool.intercept({ path: '/services/x', method: 'PUT' }).reply(500, { message: 'boom' });
    pool.intercept({ path: '/services/x', method: 'PUT' }).reply(429, { message: 'slow down' }, { headers: { 'retry-after': '3' } });
    pool.intercept({ path: '/services/x', method: 'PUT' }).reply(503, { message: 'later' });
    pool.intercept({ path: '/services/x', method: 'PUT' }).reply(200, { id: 'x' });
    const r = await client().call('PUT', '/services/x', { name: 'x' });
    expect(r.status).toBe(200);
    // a 429 is its own count: the 5xx backoff continues where it was
    expect(sleeps).toEqual([100, 3000, 200]);
  });

  it('retries a 429 on any method (it was not processed) up to rateLimitRetries; a bearer token is sent, never in errors', async () => {
    const pool = agent.get(BASE);
    for (let i = 0; i < 3; i++) pool.intercept({ path: '/consumer_groups/g/consumers', method: 'POST', headers: { authorization: 'Bearer kpat_secret' } }).reply(429, { message: 'API rate limit exceeded' }, { headers: { 'retry-after': '1' } });
    pool.intercept({ path: '/consumer_groups/g/consumers', method: 'POST' }).reply(201, {});
    const ok = await client({ bearerToken: 'kpat_secret', rateLimitRetries: 3 }).call('POST', '/consumer_groups/g/consumers', { consumer: 'c' });
    expect(ok.status).toBe(201);
    expect(sleeps).toEqual([1000, 1000, 1000]);
    for (let i = 0; i < 3; i++) pool.intercept({ path: '/services/y', method: 'PUT' }).reply(429, { message: 'API rate limit exceeded' });
    const err = await client({ bearerToken: 'kpat_secret', rateLimitRetries: 2 }).call('PUT', '/services/y', {}).catch((e: Error) => e);
    expect(String(err)).toContain('HTTP 429: API rate limit exceeded');
    expect(JSON.stringify(err) + String(err)).not.toContain('kpat_secret');
  });

  it('does not retry POST, and turns non-2xx into AdminApiError with Kong message', async () => {
    const pool = agent.get(BASE);
    pool.intercept({ path: '/services', method: 'POST' }).reply(500, { message: 'An unexpected error occurred' });
    const err = await client().call('POST', '/services', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdminApiError);
    expect(err).toMatchObject({ method: 'POST', path: '/services', status: 500, kongMessage: 'An unexpected error occurred' });
    expect(sleeps).toEqual([]);
    pool.intercept({ path: '/services/nope', method: 'GET' }).reply(404, { message: 'Not found' });
    await expect(client().get('/services/nope')).rejects.toMatchObject({ status: 404, message: 'GET /services/nope: HTTP 404: Not found' });
  });

  it('gives up after the retry budget on connection errors, as status 0', async () => {
    const pool = agent.get(BASE);
    for (let i = 0; i < 3; i++) pool.intercept({ path: '/', method: 'GET' }).replyWithError(new Error('socket hang up'));
    const err = await client({ retries: 2 }).get('/').catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 0 });
    expect((err as Error).message).toContain('socket hang up');
    expect(sleeps).toEqual([100, 200]);
  });

  it('rejects a list body without data', async () => {
    agent.get(BASE).intercept({ path: '/routes?size=1000', method: 'GET' }).reply(200, { nope: true });
    await expect(client().listAll('/routes')).rejects.toThrow(/unexpected list body/);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});

describe('connection options', () => {
  it('parses headers and validates flags', () => {
    expect(parseHeaders(['X-A: 1', 'x-b:two:three'])).toEqual({ 'x-a': '1', 'x-b': 'two:three' });
    expect(() => parseHeaders(['bad'])).toThrow(/key:value/);
    // decK's message for a certificate without its key
    expect(() => clientFrom({ tlsClientCert: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----' }, {}, '/')).toThrow(/must be used in conjunction but only one was provided/);
    expect(() => clientFrom({ headers: ['x-a:1'], header: ['x-b:2'], kongAdminToken: 't' }, {}, '/')).not.toThrow();
    expect(() => clientFrom({ timeout: '-1' }, {}, '/')).toThrow(/--timeout/);
    expect(() => clientFrom({ caCert: '/nonexistent/ca.pem' }, {}, '/')).toThrow(/cannot read CA certificate/);
  });
});
