import { SignJWT, exportSPKI, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayFrom, type TestGateway } from '../../helpers/gateway.js';
import { request, startUpstream, type TestUpstream } from '../../helpers/net.js';

type Echo = { url: string; headers: Record<string, string>; body: string };

describe('auth plugins, acl and consumer-scoped plugins', () => {
  let up: TestUpstream;
  let gw: TestGateway;
  let esPrivate: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  let rsPrivate: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

  beforeAll(async () => {
    up = await startUpstream();
    const es = await generateKeyPair('ES256');
    esPrivate = es.privateKey;
    const pem = (await exportSPKI(es.publicKey)).replace(/\n/g, '\n      ');
    const rs = await generateKeyPair('RS256');
    rsPrivate = rs.privateKey;
    const rsPem = (await exportSPKI(rs.publicKey)).replace(/\n/g, '\n      ');
    gw = await gatewayFrom(`
_format_version: "3.0"
services:
- name: echo
  url: ${up.url}
  routes:
  - name: keyed
    paths: [/key]
    plugins:
    - name: key-auth
      config: { hide_credentials: true, key_in_body: true }
    - name: request-transformer
      consumer: bob
      config: { add: { headers: ["x-bob:yes"] } }
  - name: realm
    paths: [/realm]
    plugins:
    - name: key-auth
      config: { realm: gw }
  - name: anon
    paths: [/anon]
    plugins:
    - name: key-auth
      config: { anonymous: guest }
  - name: basic
    paths: [/basic]
    plugins:
    - name: basic-auth
      config: { hide_credentials: true }
  - name: jwt
    paths: [/jwt]
    plugins:
    - name: jwt
      config: { claims_to_verify: [exp], maximum_expiration: 3600 }
  - name: acl
    paths: [/acl]
    plugins:
    - name: key-auth
    - name: acl
      config: { allow: [admins] }
  - name: acl-deny
    paths: [/acl-deny]
    plugins:
    - name: key-auth
    - name: acl
      config: { deny: [admins], hide_groups_header: true }
  - name: acl-noauth
    paths: [/acl-noauth]
    plugins:
    - name: acl
      config: { allow: [admins] }
consumers:
- username: alice
  custom_id: c-alice
  keyauth_credentials: [{ key: alice-key }]
  basicauth_credentials: [{ username: alice, password: s3cret }]
  acls: [{ group: admins }, { group: ops }]
  jwt_secrets:
  - key: alice-iss
    secret: jwt-secret-of-alice
  - key: alice-es
    algorithm: ES256
    rsa_public_key: |
      ${pem}
  - key: alice-rs
    algorithm: RS256
    rsa_public_key: |
      ${rsPem}
- username: bob
  keyauth_credentials: [{ key: bob-key }]
- username: guest
`);
  });
  afterAll(async () => {
    await gw.close(100);
    await up.close();
  });

  describe('key-auth', () => {
    it('401s without a key, with WWW-Authenticate', async () => {
      const res = await request(`${gw.proxyUrl}/key`);
      expect(res.status).toBe(401);
      expect(res.json().message).toBe('No API key found in request');
      expect(res.headers['www-authenticate']).toBe('Key');
      const realm = await request(`${gw.proxyUrl}/realm`);
      expect(realm.headers['www-authenticate']).toBe('Key realm="gw"');
    });

    it('401s Unauthorized for an unknown key and on duplicate keys', async () => {
      expect((await request(`${gw.proxyUrl}/key`, { headers: { apikey: 'nope' } })).json().message).toBe('Unauthorized');
      const dup = await request(`${gw.proxyUrl}/key?apikey=a&apikey=b`);
      expect(dup.status).toBe(401);
      expect(dup.json().message).toBe('Duplicate API key found');
    });

    it('accepts the key in a header, sets consumer headers and hides the key', async () => {
      const res = await request(`${gw.proxyUrl}/key`, { headers: { apikey: 'alice-key', 'x-consumer-id': 'forged' } });
      expect(res.status).toBe(200);
      const seen = res.json<Echo>();
      expect(seen.headers.apikey).toBeUndefined();
      expect(seen.headers['x-consumer-username']).toBe('alice');
      expect(seen.headers['x-consumer-custom-id']).toBe('c-alice');
      expect(seen.headers['x-consumer-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(seen.headers['x-credential-identifier']).toMatch(/^[0-9a-f-]{36}$/);
      expect(seen.headers['x-anonymous-consumer']).toBeUndefined();
    });

    it('accepts the key in the query string and in a JSON body, removing it', async () => {
      const q = (await request(`${gw.proxyUrl}/key?apikey=alice-key&x=1`)).json<Echo>();
      expect(q.url).toBe('/?x=1');
      const b = await request(`${gw.proxyUrl}/key`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apikey: 'alice-key', a: 1 }) });
      expect(b.status).toBe(200);
      expect(JSON.parse(b.json<Echo>().body)).toEqual({ a: 1 });
    });

    it('applies consumer-scoped plugins after authentication', async () => {
      const bob = (await request(`${gw.proxyUrl}/key`, { headers: { apikey: 'bob-key' } })).json<Echo>();
      expect(bob.headers['x-bob']).toBe('yes');
      const alice = (await request(`${gw.proxyUrl}/key`, { headers: { apikey: 'alice-key' } })).json<Echo>();
      expect(alice.headers['x-bob']).toBeUndefined();
    });

    it('falls back to the anonymous consumer', async () => {
      const res = await request(`${gw.proxyUrl}/anon`);
      expect(res.status).toBe(200);
      const seen = res.json<Echo>();
      expect(seen.headers['x-anonymous-consumer']).toBe('true');
      expect(seen.headers['x-consumer-username']).toBe('guest');
      expect(seen.headers['x-credential-identifier']).toBeUndefined();
    });
  });

  describe('basic-auth', () => {
    const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
    it('accepts valid credentials and hides them', async () => {
      const res = await request(`${gw.proxyUrl}/basic`, { headers: { authorization: basic('alice', 's3cret') } });
      expect(res.status).toBe(200);
      const seen = res.json<Echo>();
      expect(seen.headers.authorization).toBeUndefined();
      expect(seen.headers['x-credential-identifier']).toBe('alice');
    });
    it('401s for a wrong password or missing header, with the realm', async () => {
      const bad = await request(`${gw.proxyUrl}/basic`, { headers: { authorization: basic('alice', 'nope') } });
      expect(bad.status).toBe(401);
      expect(bad.json().message).toBe('Unauthorized');
      const none = await request(`${gw.proxyUrl}/basic`);
      expect(none.status).toBe(401);
      expect(none.headers['www-authenticate']).toBe('Basic realm="service"');
    });
  });

  describe('jwt', () => {
    const hs = (claims: Record<string, unknown>, secret = 'jwt-secret-of-alice') =>
      new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));
    const exp = () => Math.floor(Date.now() / 1000) + 600;

    it('accepts an HS256 token from the Authorization header', async () => {
      const token = await hs({ iss: 'alice-iss', exp: exp() });
      const res = await request(`${gw.proxyUrl}/jwt`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(res.json<Echo>().headers['x-credential-identifier']).toBe('alice-iss');
    });

    it('accepts an ES256 token from the jwt query parameter', async () => {
      const token = await new SignJWT({ iss: 'alice-es', exp: exp() }).setProtectedHeader({ alg: 'ES256' }).sign(esPrivate);
      const res = await request(`${gw.proxyUrl}/jwt?jwt=${token}`);
      expect(res.status).toBe(200);
    });

    it('accepts an RS256 token and rejects one signed by another key', async () => {
      const token = await new SignJWT({ iss: 'alice-rs', exp: exp() }).setProtectedHeader({ alg: 'RS256' }).sign(rsPrivate);
      expect((await request(`${gw.proxyUrl}/jwt`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      const other = (await generateKeyPair('RS256')).privateKey;
      const forged = await new SignJWT({ iss: 'alice-rs', exp: exp() }).setProtectedHeader({ alg: 'RS256' }).sign(other);
      const res = await request(`${gw.proxyUrl}/jwt`, { headers: { authorization: `Bearer ${forged}` } });
      expect(res.status).toBe(401);
      expect(res.json().message).toBe('Invalid signature');
    });

    it('rejects bad signatures, unknown issuers, wrong algorithms and expired tokens', async () => {
      const call = async (t: string) => request(`${gw.proxyUrl}/jwt`, { headers: { authorization: `Bearer ${t}` } });
      expect((await call(await hs({ iss: 'alice-iss', exp: exp() }, 'wrong'))).json().message).toBe('Invalid signature');
      expect((await call(await hs({ iss: 'nobody', exp: exp() }))).json().message).toBe("No credentials found for given 'iss'");
      expect((await call(await hs({ exp: exp() }))).json().message).toBe("No mandatory 'iss' in claims");
      expect((await call(await hs({ iss: 'alice-es', exp: exp() }))).json().message).toBe('Invalid algorithm');
      expect((await call('not.a.token')).json().message).toMatch(/^Bad token; /);
      const expired = await call(await hs({ iss: 'alice-iss', exp: 1000 }));
      expect(expired.status).toBe(401);
      expect(expired.json()).toEqual({ exp: 'token expired' });
      const tooLong = await call(await hs({ iss: 'alice-iss', exp: exp() + 7200 }));
      expect(tooLong.json()).toEqual({ exp: 'exceeds maximum allowed expiration' });
      const none = await request(`${gw.proxyUrl}/jwt`);
      expect(none.status).toBe(401);
      expect(none.json().message).toBe('Unauthorized');
    });
  });

  describe('acl', () => {
    it('lets allowed groups through with X-Consumer-Groups', async () => {
      const res = await request(`${gw.proxyUrl}/acl`, { headers: { apikey: 'alice-key' } });
      expect(res.status).toBe(200);
      expect(res.json<Echo>().headers['x-consumer-groups']).toBe('admins, ops');
    });
    it('403s consumers outside the allow list or inside the deny list', async () => {
      const bob = await request(`${gw.proxyUrl}/acl`, { headers: { apikey: 'bob-key' } });
      expect(bob.status).toBe(403);
      expect(bob.json().message).toBe('You cannot consume this service');
      expect((await request(`${gw.proxyUrl}/acl-deny`, { headers: { apikey: 'alice-key' } })).status).toBe(403);
      const ok = await request(`${gw.proxyUrl}/acl-deny`, { headers: { apikey: 'bob-key' } });
      expect(ok.status).toBe(200);
    });
    it('401s when no consumer was identified', async () => {
      const res = await request(`${gw.proxyUrl}/acl-noauth`);
      expect(res.status).toBe(401);
    });
  });
});
