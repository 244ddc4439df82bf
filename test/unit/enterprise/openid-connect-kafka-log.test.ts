/**
 * openid-connect and kafka-log (Kong Enterprise): aigw validates them against Kong's schemas (3.10, 3.14,
 * Konnect) — fields, types, defaults, enums, entity checks with Kong's messages, vault references only in
 * referenceable fields — instead of "config not checked". Valid configs follow Kong's documentation examples.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadText } from '../../../src/config/index.js';
import type { KongProfile } from '../../../src/config/kong-version.js';
import { kongProfile, schemas, useKongProfile } from '../../../src/config/schemas.js';

const initial = kongProfile();
afterEach(() => useKongProfile(initial));

const load = (plugins: string, profile: KongProfile = '3.14') => {
  useKongProfile(profile);
  return loadText(`_format_version: "3.0"\nplugins:\n${plugins}`, { env: { OIDC_SECRET: 's3cret' }, name: 'kong.yaml' });
};

/** Every issue as `line:col severity code message`. */
const issues = (plugins: string, profile?: KongProfile) =>
  load(plugins, profile).issues.map((i) => `${i.line}:${i.column} ${i.severity} ${i.code} ${i.message}`);

const errors = (plugins: string, profile?: KongProfile) => issues(plugins, profile).filter((i) => i.includes(' error '));

describe('openid-connect: valid configs (Kong documentation examples)', () => {
  const AUTH_CODE = `- name: openid-connect
  config:
    issuer: https://idp.example.com/realms/demo/.well-known/openid-configuration
    client_id: [kong]
    client_secret: ['{vault://env/oidc-secret}']
    auth_methods: [authorization_code, session]
    response_mode: form_post
    preserve_query_args: true
    login_action: redirect
    login_tokens: []
    login_redirect_uri: [https://app.example.com/]
`;
  const INTROSPECTION = `- name: openid-connect
  config:
    issuer: https://idp.example.com/
    client_id: [kong]
    client_secret: [secret]
    auth_methods: [introspection]
    introspection_endpoint: https://idp.example.com/introspect
    scopes_required: [read]
    consumer_claim: [sub]
    consumer_by: [username]
`;
  const SESSION_REDIS = `- name: openid-connect
  config:
    issuer: https://idp.example.com/
    session_storage: redis
    session_secret: '{vault://env/oidc-secret}'
    redis: { host: redis.internal, port: 6380, prefix: oidc }
    cluster_cache_strategy: redis
    cluster_cache_redis: { host: redis.internal }
    extra_jwks_uris: [https://idp.example.com/a, https://idp.example.com/b]
`;

  it.each([['3.10'], ['3.14'], ['konnect']] as const)('validate accepts them on %s with no issue', (profile) => {
    for (const p of [AUTH_CODE, INTROSPECTION, SESSION_REDIS]) expect(issues(p, profile)).toEqual([]);
  });

  it('fills Kong\'s defaults of each version (ssl_verify and hide_credentials flipped in 3.14), Kong\'s order kept', () => {
    const at = (profile: KongProfile) => load(AUTH_CODE, profile).state?.entities.plugins[0]?.config as Record<string, unknown>;
    expect(at('3.10')).toMatchObject({ ssl_verify: false, hide_credentials: false, session_cookie_same_site: 'Lax', scopes: ['openid'] });
    const v314 = at('3.14');
    expect(v314).toMatchObject({ ssl_verify: true, hide_credentials: true, logout_methods: ['POST', 'DELETE'], consumer_by: ['username', 'custom_id'] });
    expect(v314.bearer_token_param_type).toEqual(['header', 'query', 'body']);
    expect((v314.redis as Record<string, unknown>).ssl_verify).toBe(true);
    expect(v314.token_exchange).toBeNull();
  });

  it('3.14 fields are refused on 3.10; Konnect (3.15) fields on 3.14', () => {
    expect(errors(`- name: openid-connect
  config:
    issuer: https://idp.example.com/
    upstream_headers: [{ header: x-user, path: [sub] }]
`, '3.10')).toEqual(["6:5 error AIGW_UNKNOWN_FIELD unknown field 'upstream_headers'"]);
    expect(errors(`- name: openid-connect
  config:
    issuer: https://idp.example.com/
    principals: { enabled: true }
`)).toEqual(["6:5 error AIGW_UNKNOWN_FIELD unknown field 'principals'"]);
  });

  it('marks the secrets (masked in diff) and the referenceable fields', () => {
    const s = schemas().plugin('openid-connect');
    const props = s?.properties ?? {};
    // Kong's encrypted arrays: each element is a secret
    for (const f of ['client_secret', 'client_id']) expect(props[f]?.items?.['x-secret'], f).toBe(true);
    expect(props.session_secret?.['x-secret']).toBe(true);
    expect(props.issuer?.['x-referenceable']).toBe(true);
    expect(props.session_cookie_name?.['x-referenceable']).toBeUndefined();
  });
});

describe('openid-connect: invalid configs get Kong\'s messages at their position', () => {
  it('a missing issuer', () => {
    expect(errors(`- name: openid-connect
  config:
    client_id: [kong]
`)).toEqual(['4:3 error AIGW_REQUIRED issuer: required field missing']);
  });

  it('enums, types and cookie paths', () => {
    expect(errors(`- name: openid-connect
  config:
    issuer: https://idp.example.com/
    auth_methods: [bearer, magic]
    session_cookie_same_site: lax
    leeway: soon
`)).toEqual([
      '6:28 error AIGW_VALUE expected one of: password, client_credentials, authorization_code, bearer, introspection, userinfo, kong_oauth2, refresh_token, session',
      '7:31 error AIGW_VALUE expected one of: Strict, Lax, None, Default',
      '8:13 error AIGW_TYPE expected a number',
    ]);
  });

  it('Kong\'s entity checks: mutually exclusive mappings, token exchange request', () => {
    expect(errors(`- name: openid-connect
  config:
    issuer: https://idp.example.com/
    consumer_claims: [[sub]]
    consumer_groups_claim: [groups]
    upstream_headers: [{ header: x-user, path: [sub] }]
    upstream_headers_names: [x-user]
    token_exchange:
      subject_token_issuers: [{ issuer: https://other.example.com/ }]
      request: { empty_scopes: true, scopes: [a] }
`)).toEqual([
      "7:5 error AIGW_ENTITY_CHECK only one or none of these fields must be set: 'consumer_claims', 'consumer_groups_claim'",
      "9:5 error AIGW_ENTITY_CHECK only one or none of these fields must be set: 'upstream_headers', 'upstream_headers_names'",
      '12:38 error AIGW_ENTITY_CHECK scopes should not be set when using empty_scopes',
    ]);
  });

  it('the redis records\' entity checks (Kong EE redis)', () => {
    expect(errors(`- name: openid-connect
  config:
    issuer: https://idp.example.com/
    redis: { sentinel_master: mymaster, sentinel_role: master }
    cluster_cache_redis: { connect_timeout: 100, send_timeout: null }
`)).toEqual([
      "6:14 error AIGW_ENTITY_CHECK all or none of these fields must be set: 'sentinel_master', 'sentinel_role', 'sentinel_nodes'",
      "7:28 error AIGW_ENTITY_CHECK all or none of these fields must be set: 'connect_timeout', 'send_timeout', 'read_timeout'",
    ]);
  });

  it('a vault reference outside a referenceable field', () => {
    const out = issues(`- name: openid-connect
  config:
    issuer: https://idp.example.com/
    session_cookie_name: '{vault://env/oidc-secret}'
`);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^6:26 error AIGW_VAULT_REFERENCE 'session_cookie_name' is not a referenceable field: /);
  });
});

describe('kafka-log', () => {
  const SCRAM = `- name: kafka-log
  config:
    topic: access-logs
    bootstrap_servers: [{ host: kafka-1.internal, port: 9093 }, { host: kafka-2.internal, port: 9093 }]
    authentication: { strategy: sasl, mechanism: SCRAM-SHA-512, user: ariel, password: '{vault://env/oidc-secret}' }
    security: { ssl: true, certificate_id: 2daf6392-e62c-11eb-9625-172585559dbe }
`;
  const REGISTRY = `- name: kafka-log
  config:
    topic: access-logs
    schema_registry:
      confluent:
        url: https://registry.internal
        authentication: { mode: basic, basic: { username: u, password: p } }
        value_schema: { subject_name: access-logs-value, schema_version: latest }
`;

  it('valid documentation-like configs validate on every profile (the schema registry from 3.11)', () => {
    for (const profile of ['3.10', '3.14', 'konnect'] as const) expect(issues(SCRAM, profile)).toEqual([]);
    expect(issues(REGISTRY)).toEqual([]);
    expect(errors(REGISTRY, '3.10')).toEqual(["6:5 error AIGW_UNKNOWN_FIELD unknown field 'schema_registry'"]);
  });

  it('fills Kong\'s defaults: authentication and security records, ssl_verify from 3.13 (true from 3.14)', () => {
    useKongProfile('3.14');
    const cfg = load(`- name: kafka-log\n  config: { topic: t }\n`).state?.entities.plugins[0]?.config as Record<string, unknown>;
    expect(cfg).toMatchObject({ producer_request_acks: 1, timeout: 10000, security: { ssl: null, certificate_id: null, ssl_verify: true } });
    expect(cfg.authentication).toMatchObject({ strategy: null, mechanism: null });
    const old = load(`- name: kafka-log\n  config: { topic: t }\n`, '3.10').state?.entities.plugins[0]?.config as Record<string, unknown>;
    expect(old.security).toEqual({ ssl: null, certificate_id: null });
  });

  it('invalid configs: Kong\'s messages at their position', () => {
    expect(errors(`- name: kafka-log
  config:
    bootstrap_servers: [{ host: kafka, port: 70000 }]
    authentication: { strategy: sasl, mechanism: plain }
    security: { certificate_id: non-uuid-formatted }
    producer_request_acks: 2
`)).toEqual([
      '4:3 error AIGW_REQUIRED topic: required field missing',
      '5:46 error AIGW_VALUE value should be between 0 and 65535',
      '6:50 error AIGW_VALUE expected one of: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512',
      '7:33 error AIGW_VALUE expected a valid UUID',
      '8:28 error AIGW_VALUE expected one of: -1, 0, 1',
    ]);
    expect(errors(`- name: kafka-log
  config:
    topic: t
    authentication: { strategy: sasl, mechanism: PLAIN, user: admin }
`)).toEqual(['6:5 error AIGW_ENTITY_CHECK if authentication strategy is SASL and mechanism is PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, you have to set user and password']);
  });

  it('bootstrap_servers is a set: a server listed twice is refused', () => {
    expect(errors(`- name: kafka-log
  config:
    topic: t
    bootstrap_servers: [{ host: a, port: 9092 }, { host: a, port: 9092 }]
`)).toHaveLength(1);
  });
});
