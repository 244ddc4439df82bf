// Kong 3.10 entities in decK's state-file form: one entity, possibly with nested children.
import {
  KONG_REFERENCE, UUID_PATTERN, arr, bool, el, elRec, enumOf, headerName, int, map, num, onlySince, port, rec, set, str, since, tags, timestamp, uuid,
} from './dsl.mjs';

const ref = (file) => ({ $ref: file });
const children = (d, file) => arr(d, ref(file));

/** A foreign key: a name or id string (top-level form), or an `{id}` / `{name}` object (wire form). */
function fk(description, keys = ['id', 'name'], extra = {}) {
  const branch = (k) => ({
    type: 'object',
    properties: {
      [k]: k === 'id'
        ? { description: 'Id of the referenced entity.', type: 'string', pattern: UUID_PATTERN }
        : { description: `${k} of the referenced entity.`, type: 'string', minLength: 1 },
    },
    required: [k],
    additionalProperties: false,
  });
  return { description, anyOf: [{ type: 'string', minLength: 1 }, ...keys.map(branch), { type: 'null' }], ...extra };
}

const UPSTREAM_TLS = 'aigw serve verifies upstream TLS against the system CA store (tls_verify) only: no client certificate, CA list or verify depth';
// on a stream route (every protocol tcp, tls, udp or tls_passthrough) these match stream connections, which aigw
// serve does not take (src/config/stream.ts: the route is stored, not routed); on any other route they are refused
const STREAM_MATCH = 'aigw serve has no TLS listener and routes HTTP requests only: it cannot match an HTTP route on it, and a route that ignored it would match more than it says';

const common = () => ({
  id: uuid('Unique id (UUID); generated when absent.'),
  created_at: timestamp('Creation time (Unix epoch seconds); ignored in comparisons.'),
  updated_at: timestamp('Last update time (Unix epoch seconds); ignored in comparisons.'),
  tags: tags(),
});

function entity(kind, description, props, o = {}) {
  const body = rec(description, { ...common(), ...props }, { required: true, root: true, checks: o.checks });
  return { $schema: 'http://json-schema.org/draft-07/schema#', $id: `entities/${kind}.json`, title: kind, ...body };
}

const pluginsOf = (owner) => children(`Plugins scoped to this ${owner}.`, 'plugin.json');
const nameOrId = { at_least_one_of: ['name', 'id'] };

const PROTOCOLS = ['http', 'https', 'grpc', 'grpcs', 'tcp', 'tls', 'tls_passthrough', 'udp', 'ws', 'wss'];

function service() {
  const tmo = (d) => int(d, { default: 60000, min: 1, max: 2147483646 });
  return entity('service', 'An upstream API or microservice.', {
    name: str('Unique name of the service.', { len_min: 1, len_max: 128 }),
    url: str('Shorthand for protocol, host, port and path at once (file form only).', { len_min: 1 }),
    protocol: str('Protocol used to talk to the upstream.', { required: true, default: 'http', one_of: PROTOCOLS }),
    host: str('Host of the upstream server (hostname or upstream name); required unless url is set.', { len_min: 1 }),
    port: port('Upstream server port.', { required: true, default: 80 }),
    path: str('Path prefix of requests to the upstream server.', { pattern: '^/' }),
    retries: int('Retries on proxy failure.', { default: 5, min: 0, max: 32767 }),
    connect_timeout: tmo('Connect timeout to the upstream (ms).'),
    write_timeout: tmo('Timeout between two writes to the upstream (ms).'),
    read_timeout: tmo('Timeout between two reads from the upstream (ms).'),
    client_certificate: fk('Certificate presented as client certificate for upstream TLS.', ['id'], { 'x-aigw-unsupported': UPSTREAM_TLS }),
    tls_verify: bool('Verify the upstream TLS certificate (null: the global setting).'),
    tls_verify_depth: int('Maximum depth of the upstream certificate chain (null: the global setting).', { min: 0, max: 64, unsupported: UPSTREAM_TLS }),
    ca_certificates: arr('CA certificate ids used to verify the upstream certificate.', el('string', { pattern: UUID_PATTERN }), { unsupported: UPSTREAM_TLS }),
    tls_sans: rec('Subject alternative names accepted on the upstream certificate besides host, when tls_verify is on (Kong EE 3.10+).', {
      dnsnames: arr('DNS names accepted on the upstream certificate.', el('string', { len_min: 1 })),
      uris: arr('URIs (e.g. SPIFFE ids) accepted on the upstream certificate.', el('string', { len_min: 1 })),
    }),
    enabled: bool('Whether the service is active; routes of a disabled service answer 404.', { required: true, default: true }),
    routes: children('Routes of this service.', 'route.json'),
    plugins: pluginsOf('service'),
    filter_chains: children('Proxy-Wasm filter chains of this service.', 'filter_chain.json'),
  }, {
    checks: [nameOrId, { at_least_one_of: ['host', 'url'] }],
  });
}

function route() {
  const endpoint = elRec({
    ip: str('IP address or CIDR range.'),
    port: port('Port number.'),
  });
  return entity('route', 'Matching rules that send requests to a service.', {
    name: str('Unique name of the route.', { len_min: 1, len_max: 128 }),
    protocols: set('Protocols the route accepts.', el('string', { one_of: PROTOCOLS }), {
      required: true, default: ['http', 'https'], minItems: 1,
    }),
    methods: set('HTTP methods that match.', el('string', { pattern: '^[A-Z]+$' })),
    hosts: arr('Host header values that match (wildcards allowed at either end).', el('string', { len_min: 1 })),
    paths: arr("Path prefixes, or regexes prefixed with '~', that match.", el('string', { pattern: '^[/~]' })),
    headers: map('Header values that match, by header name.', arr(undefined, el('string'), { required: true }), {
      keys: { pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$" },
    }),
    https_redirect_status_code: int('Status code of the redirect when an http request hits an https-only route.', {
      required: true, default: 426, one_of: [426, 301, 302, 307, 308],
    }),
    regex_priority: int('Priority among regex paths (higher first).', { default: 0 }),
    strip_path: bool('Strip the matched path prefix before proxying.', { required: true, default: true }),
    path_handling: str('How the service path and the request path are joined.', { default: 'v0', one_of: ['v0', 'v1'] }),
    preserve_host: bool('Send the client Host header upstream.', { required: true, default: false }),
    request_buffering: bool('Buffer the request body before proxying.', { required: true, default: true }),
    response_buffering: bool('Buffer the response body before sending it.', { required: true, default: true }),
    snis: set('TLS SNIs that match.', el('string', { len_min: 1 }), { unsupported: STREAM_MATCH }),
    sources: set('Source IP/port pairs that match (stream routes).', endpoint, { unsupported: STREAM_MATCH }),
    destinations: set('Destination IP/port pairs that match (stream routes).', endpoint, { unsupported: STREAM_MATCH }),
    expression: str('Route expression in Kong\'s expressions language (ATC), e.g. http.path ^= "/api" && http.method == "GET" (expressions router flavor).', {}),
    priority: int('Matching order of expression routes: higher first (expressions router flavor).', { min: 0, max: 2 ** 46 - 1 }),
    service: fk('The service this route sends to: {name}, {id}, or a name/id string.'),
    plugins: pluginsOf('route'),
    filter_chains: children('Proxy-Wasm filter chains of this route.', 'filter_chain.json'),
  }, {
    checks: [nameOrId, {
      custom: 'route-snis-protocols', message: "'snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or 'tls_passthrough'",
    }, {
      custom: 'route-http-sources', message: "cannot set 'sources' when 'protocols' is 'http' or 'https'",
    }, {
      custom: 'route-http-destinations', message: "cannot set 'destinations' when 'protocols' is 'http' or 'https'",
    }, {
      custom: 'route-protocol-subsets',
      message: "these sets are mutually exclusive: ('http', 'https'), ('tcp', 'tls', 'udp'), ('tls_passthrough'), ('grpc', 'grpcs') (the sets the route mixes)",
    },
    ...['methods', 'hosts', 'paths', 'headers'].map((f) => ({
      custom: `route-stream-${f}`, message: `cannot set '${f}' when 'protocols' is 'tcp', 'tls', 'tls_passthrough' or 'udp'`,
    })), {
      custom: 'route-stream-matchers',
      message: "must set one of 'sources', 'destinations', 'snis' when 'protocols' is 'tcp', 'tls' or 'udp'; must set snis when 'protocols' is 'tls_passthrough'",
    }, {
      custom: 'route-matching-fields',
      message: "must set one of 'methods', 'hosts', 'headers', 'paths' when 'protocols' is 'http' "
        + "(plus 'snis' for 'https'; 'sources', 'destinations', 'snis' for stream protocols; 'expression' under the expressions router)",
    }],
  });
}

function consumer() {
  return entity('consumer', 'A user or application that consumes services.', {
    username: str('Unique username.', { len_min: 1 }),
    custom_id: str('Unique id from an external system.', { len_min: 1 }),
    plugins: pluginsOf('consumer'),
    keyauth_credentials: children('key-auth credentials of this consumer.', 'keyauth_credential.json'),
    basicauth_credentials: children('basic-auth credentials of this consumer.', 'basicauth_credential.json'),
    jwt_secrets: children('JWT credentials of this consumer.', 'jwt_secret.json'),
    hmacauth_credentials: children('hmac-auth credentials of this consumer.', 'hmacauth_credential.json'),
    oauth2_credentials: children('oauth2 applications of this consumer.', 'oauth2_credential.json'),
    mtls_auth_credentials: children('mtls-auth credentials of this consumer (Kong Enterprise).', 'mtls_auth_credential.json'),
    acls: children('ACL groups of this consumer.', 'acl.json'),
    groups: children('Consumer groups this consumer belongs to.', 'consumer_group_consumer.json'),
  }, {
    checks: [{
      at_least_one_of: ['username', 'custom_id'],
      message: "at least one of these fields must be non-empty: 'custom_id', 'username'",
    }],
  });
}

function consumerGroup() {
  return entity('consumer_group', 'A named group of consumers that plugins can be scoped to.', {
    name: str('Unique name of the group.', { required: true, len_min: 1 }),
    plugins: pluginsOf('consumer group'),
    consumers: arr('Members of the group (decK): each item is a consumer, defined here unless written under consumers[] too.', elRec({
      ...common(),
      username: str('Username of the consumer.', { len_min: 1 }),
      custom_id: str('Custom id of the consumer.', { len_min: 1 }),
    })),
  });
}

function consumerGroupConsumer() {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'entities/consumer_group_consumer.json',
    title: 'consumer_group_consumer',
    ...rec('Membership of a consumer in a consumer group, as an item of consumers[].groups[]: the group by id, else by name; '
      + 'its other consumer-group fields (decK writes them in dumps) are ignored.', {
      ...common(),
      id: uuid('Id of the consumer group.'),
      name: str('Name of the consumer group.', { len_min: 1 }),
    }, { required: true, root: true, checks: [nameOrId] }),
  };
}

/**
 * A legacy consumer-group override (Kong Enterprise's consumer_group_plugins, read from
 * consumer_groups[].plugins with decK's `_info.consumer_group_policy_overrides`): the limits that
 * replace rate-limiting-advanced's own for members of the group when the plugin enforces consumer
 * groups. Admin API: /consumer_groups/{group}/overrides/plugins/rate-limiting-advanced.
 */
function consumerGroupPlugin() {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'entities/consumer_group_plugin.json',
    title: 'consumer_group_plugin',
    ...rec('A consumer-group policy override of rate-limiting-advanced (decK: consumer_groups[].plugins with '
      + '_info.consumer_group_policy_overrides): its limits replace the plugin\'s own for members of the group.', {
      id: uuid('Unique id (UUID); generated when absent.'),
      created_at: timestamp('Creation time (Unix epoch seconds); ignored in comparisons.'),
      name: str('The plugin overridden: Kong has overrides of rate-limiting-advanced only.', { required: true, one_of: ['rate-limiting-advanced'] }),
      config: rec('The limits that replace the plugin\'s own for members of the group.', {
        window_size: arr('Window sizes in seconds, one per limit.', el('number'), { required: true }),
        window_type: str('sliding (the previous window counts, weighted) or fixed windows.', { required: true, default: 'sliding', one_of: ['fixed', 'sliding'] }),
        limit: arr('Requests allowed per window, one per window size.', el('number'), { required: true }),
        retry_after_jitter_max: num('Upper bound (s) of a random delay added to Retry-After.', { required: true, default: 0 }),
      }, { required: true, checks: [{ custom: 'consumer-group-override', message: 'You must provide the same number of windows and limits; Non-negative retry_after_jitter_max value is expected' }] }),
      consumer_group: fk('The consumer group (name or id).'),
    }, { required: true, root: true }),
  };
}

function plugin() {
  return entity('plugin', 'A plugin instance, global or scoped to a service, route, consumer and/or consumer group.', {
    name: str('Plugin name, e.g. key-auth or ai-proxy.', { required: true, len_min: 1 }),
    instance_name: str('Unique instance name.', { len_min: 1 }),
    config: { description: "The plugin's configuration, validated against schemas/plugins/<name>.json.", type: ['object', 'null'] },
    enabled: bool('Whether the plugin runs.', { required: true, default: true }),
    protocols: set('Request protocols the plugin runs on.', el('string', { one_of: PROTOCOLS }), {
      required: true, default: ['grpc', 'grpcs', 'http', 'https'], minItems: 1,
    }),
    ordering: rec('Dynamic plugin ordering (Kong Enterprise, Konnect): run this plugin\'s access phase before or after other plugins on the same request, whatever their priorities (Kong\'s default algorithm, legacy; the other phases keep priority order).', {
      before: rec('Run before these plugins.', { access: arr('Plugin names.', el('string')) }),
      after: rec('Run after these plugins.', { access: arr('Plugin names.', el('string')) }),
    }),
    service: fk('Scope: the service (name or id).'),
    route: fk('Scope: the route (name or id).'),
    consumer: fk('Scope: the consumer (username or id).', ['id', 'name', 'username']),
    consumer_group: fk('Scope: the consumer group (name or id).'),
    ...onlySince('3.14', {
      condition: str('ATC expression evaluated before the plugin\'s access phase; false skips the plugin for the request (Kong 3.14, beta).', {
        len_max: 1024,
      }),
    }),
    partials: arr('Partials linked to the plugin: each fills a part of its config (Kong Enterprise).', elRec({
      id: uuid('Id of the partial.'),
      name: str('Name of the partial.', { len_min: 1 }),
      path: str("Config path the partial fills, e.g. config.redis (default: the plugin's path for the partial's type)."),
    }, { checks: [nameOrId] })),
  });
}

/** A partial: a named, typed config record that plugins link (Kong Enterprise, `partials`). */
function partial() {
  const e = entity('partial', 'A shared configuration record (Redis, vector database, embeddings or model) that plugins link.', {
    name: str('Unique name of the partial.', { len_min: 1 }),
    type: str('Type of the partial: which record its config is.', { required: true, ...enumOf(['redis-ce', 'redis-ee'], { vectordb: '3.13', embeddings: '3.13', model: '3.13' }) }),
    config: { description: "The partial's configuration, validated against schemas/partials/<type>.json.", type: 'object' },
  });
  e.required = [...(e.required ?? []), 'config'];
  return e;
}

function healthchecks() {
  const statuses = (d, def) => arr(d, el('integer', { min: 100, max: 999 }), { default: def });
  const counter = (d) => int(d, { default: 0, min: 0, max: 255 });
  const interval = () => num('Seconds between active probes (0 disables them).', {
    default: 0, min: 0, max: 65535, unsupported: 'active health checks are not implemented by aigw serve (passive checks are)',
  });
  const healthy = (active) => rec('When a target is considered healthy.', {
    ...(active ? { interval: interval() } : {}),
    http_statuses: statuses('Statuses counted as successes.', active ? [200, 302]
      : [200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 306, 307, 308]),
    successes: counter('Successes needed to mark a target healthy.'),
  }, { required: true });
  const unhealthy = (active) => rec('When a target is considered unhealthy.', {
    ...(active ? { interval: interval() } : {}),
    http_statuses: statuses('Statuses counted as failures.', active ? [429, 404, 500, 501, 502, 503, 504, 505] : [429, 500, 503]),
    tcp_failures: counter('TCP failures needed to mark a target unhealthy.'),
    timeouts: counter('Timeouts needed to mark a target unhealthy.'),
    http_failures: counter('HTTP failures needed to mark a target unhealthy.'),
  }, { required: true });
  const kind = () => str('Kind of health check.', { default: 'http', one_of: ['tcp', 'http', 'https', 'grpc', 'grpcs'] });
  return rec('Active and passive health checks of the targets.', {
    active: rec('Active probes.', {
      type: kind(),
      timeout: num('Probe timeout (s).', { default: 1 }),
      concurrency: int('Concurrent probes.', { default: 10, min: 1, max: 2147483648 }),
      http_path: str('Path probed.', { default: '/', pattern: '^/' }),
      https_sni: str('SNI of https probes.'),
      https_verify_certificate: bool('Verify the certificate of https probes.', { default: true }),
      headers: map('Headers of the probes.', arr(undefined, el('string'), { required: true })),
      healthy: healthy(true),
      unhealthy: unhealthy(true),
    }, { required: true }),
    passive: rec('Passive checks from proxied traffic.', { type: kind(), healthy: healthy(false), unhealthy: unhealthy(false) }, { required: true }),
    threshold: num('Minimum percentage of healthy weight for the upstream to be healthy.', { default: 0, min: 0, max: 100 }),
  }, { required: true });
}

function upstream() {
  const HASH = ['none', 'consumer', 'ip', 'header', 'cookie', 'path', 'query_arg', 'uri_capture'];
  return entity('upstream', 'A virtual hostname that load-balances over targets.', {
    name: str('Hostname services use to refer to this upstream.', { required: true, len_min: 1 }),
    algorithm: str('Load-balancing algorithm.', {
      default: 'round-robin', one_of: ['consistent-hashing', 'least-connections', 'round-robin', 'latency', 'sticky-sessions'],
      unsupportedValues: {
        latency: 'aigw serve does not implement the latency algorithm',
        'sticky-sessions': 'aigw serve does not implement sticky sessions (no session cookie is issued)',
      },
    }),
    hash_on: str('What consistent-hashing hashes on.', { default: 'none', one_of: HASH }),
    hash_fallback: str('Fallback of hash_on when its value is missing.', { default: 'none', one_of: HASH }),
    hash_on_header: headerName('Header hashed when hash_on is header.'),
    hash_fallback_header: headerName('Header hashed when hash_fallback is header.'),
    hash_on_cookie: str('Cookie hashed when hash_on is cookie.'),
    hash_on_cookie_path: str('Path of the generated hash cookie.', { default: '/', pattern: '^/' }),
    hash_on_query_arg: str('Query argument hashed when hash_on is query_arg.', { len_min: 1 }),
    hash_fallback_query_arg: str('Query argument hashed when hash_fallback is query_arg.', { len_min: 1 }),
    hash_on_uri_capture: str('URI capture hashed when hash_on is uri_capture.', { len_min: 1 }),
    hash_fallback_uri_capture: str('URI capture hashed when hash_fallback is uri_capture.', { len_min: 1 }),
    slots: int('Number of slots of the balancer.', { default: 10000, min: 10, max: 65536 }),
    healthchecks: healthchecks(),
    host_header: str('Host header used when proxying to the targets.'),
    client_certificate: fk('Certificate presented as client certificate for upstream TLS.', ['id'], { 'x-aigw-unsupported': UPSTREAM_TLS }),
    use_srv_name: bool('Use the SRV record name as SNI.', { default: false }),
    sticky_sessions_cookie: str('Cookie of the sticky-sessions algorithm.'),
    sticky_sessions_cookie_path: str('Path of the sticky-sessions cookie.', { default: '/', pattern: '^/' }),
    targets: children('Targets of this upstream.', 'target.json'),
  });
}

function target() {
  return entity('target', 'A host:port the upstream balances to.', {
    target: str("host:port of the target (port defaults to 8000).", { required: true, len_min: 1 }),
    weight: int('Weight of the target (0 disables it).', { default: 100, min: 0, max: 65535 }),
    ...onlySince('3.12', { failover: bool('A backup target: it receives traffic only when no other target is healthy.', { default: false }) }),
    upstream: fk('The upstream (omitted when nested under upstreams[].targets).'),
  });
}

function certificate() {
  return entity('certificate', 'A PEM certificate and key for TLS.', {
    cert: str('PEM-encoded public certificate chain.', { required: true, referenceable: true }),
    key: str('PEM-encoded private key.', { required: true, referenceable: true, secret: true }),
    cert_alt: str('Alternate PEM certificate (other key type).', { referenceable: true }),
    key_alt: str('Alternate PEM private key.', { referenceable: true, secret: true }),
    snis: children('SNIs served with this certificate.', 'sni.json'),
  });
}

function sni() {
  return entity('sni', 'A server name served with a certificate.', {
    name: str('The SNI (hostname, wildcards allowed).', { required: true, len_min: 1 }),
    certificate: fk('The certificate (omitted when nested under certificates[].snis).', ['id']),
  });
}

function caCertificate() {
  return entity('ca_certificate', 'A trusted CA certificate.', {
    cert: str('PEM-encoded CA certificate.', { required: true }),
    cert_digest: str('SHA-256 hex digest of the certificate.'),
  });
}

/** Kong Enterprise's vault backends: valid on Kong EE, not implemented by aigw serve (only `env` is). */
const EE_VAULTS = ['aws', 'gcp', 'hcv', 'azure', 'konnect', 'conjur'];

/** The env vault's config (Kong `kong/vaults/env/schema.lua`; `base64_decode` since 3.11). */
function envVaultConfig(kong) {
  return rec('Configuration of the env vault.', {
    prefix: str('Prefix of the environment variable names (e.g. AIGW_ reads {vault://my-env/key} from AIGW_KEY).', {
      pattern: '^[A-Za-z_-][A-Za-z0-9_-]*$',
    }),
    ...(since(kong, '3.11') ? { base64_decode: bool('Base64-decode the variable value before use.', { default: false }) } : {}),
  });
}

function vault(kong = KONG_REFERENCE) {
  const EE = 'a Kong Enterprise vault backend: aigw serve implements the env vault only, and refuses this one';
  const s = entity('vault', 'A secret store referenced as {vault://prefix/...}.', {
    prefix: str('Prefix used in references, e.g. {vault://my-env/KEY}.', { required: true, pattern: '^[a-z][a-z0-9-]*[a-z0-9]$' }),
    name: str('Vault backend: env (the environment of the gateway); Kong Enterprise also has aws, gcp, hcv, azure, konnect, conjur.', {
      required: true, unsupportedValues: Object.fromEntries(EE_VAULTS.map((v) => [v, EE])),
    }),
    description: str('Description of the vault.'),
    config: { description: 'Configuration of the vault backend.', type: ['object', 'null'] },
  }, { checks: [{ custom: 'vault-backend', message: "vault '<name>' is not installed" }] });
  s.allOf = [{ if: { properties: { name: { const: 'env' } }, required: ['name'] }, then: { properties: { config: envVaultConfig(kong) } } }];
  return s;
}

const consumerFk = () => fk('The consumer (omitted when nested under consumers[]).', ['id', 'name', 'username']);

function keyauthCredential() {
  return entity('keyauth_credential', 'A key-auth API key of a consumer.', {
    key: str('The API key.', { required: true, len_min: 1, secret: true }),
    ttl: int('Seconds until the key expires: from its creation through the Admin API, from the load of the file in declarative mode.', { min: 0 }),
    consumer: consumerFk(),
  });
}

function basicauthCredential() {
  return entity('basicauth_credential', 'A basic-auth username/password of a consumer.', {
    username: str('Unique username.', { required: true, len_min: 1 }),
    password: str('Password (Kong stores a salted hash).', { required: true, secret: true }),
    consumer: consumerFk(),
  });
}

function jwtSecret() {
  const ASYM = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'EdDSA'];
  return entity('jwt_secret', 'A JWT credential of a consumer.', {
    key: str('Unique key matched against the key claim (generated when absent).'),
    secret: str('HMAC secret (generated when absent).', { secret: true }),
    algorithm: str('Signing algorithm.', {
      default: 'HS256', one_of: ['HS256', 'HS384', 'HS512', ...ASYM],
    }),
    rsa_public_key: str('PEM public key of asymmetric algorithms.'),
    consumer: consumerFk(),
  }, {
    checks: [{
      conditional: { if_field: 'algorithm', if_match: { one_of: ASYM }, then_field: 'rsa_public_key', then_match: { required: true } },
    }],
  });
}

function hmacauthCredential() {
  return entity('hmacauth_credential', 'An hmac-auth credential of a consumer (kong/plugins/hmac-auth/daos.lua).', {
    username: str('Unique username, the keyId of signed requests.', { required: true }),
    secret: str('The HMAC secret (Kong generates one when absent; set it in a declarative file).', { secret: true }),
    consumer: consumerFk(),
  });
}

function oauth2Credential() {
  return entity('oauth2_credential', 'An oauth2 application of a consumer (kong/plugins/oauth2/daos.lua).', {
    name: str('Name of the application.', { required: true }),
    client_id: str('Unique client id (Kong generates one when absent; set it in a declarative file).'),
    client_secret: str('Client secret (Kong generates one when absent).', { secret: true }),
    hash_secret: bool('Store the client secret hashed.', { required: true, default: false }),
    redirect_uris: arr('Redirect URIs of the application.', el('string')),
    client_type: str('The client type.', { required: true, default: 'confidential', one_of: ['confidential', 'public'] }),
    consumer: consumerFk(),
  }, { checks: [{ custom: 'redirect-uris', path: 'redirect_uris', message: "cannot parse '<uri>'" }] });
}

/**
 * An mtls-auth credential (Kong Enterprise mtls-auth DAO): the certificate subject that identifies the
 * consumer, optionally bound to a CA. It has no unique field but its id, so decK requires the id
 * (GDR builder.go ingestMTLSAuths: "schema validation requires the ID"): entity-rules.ts checks it in files.
 */
function mtlsAuthCredential() {
  return entity('mtls_auth_credential', 'An mtls-auth credential of a consumer (Kong Enterprise; the id is required in a file).', {
    subject_name: str('Subject name (or subject alternative name) of the client certificate.', { required: true, len_min: 1 }),
    ca_certificate: fk('The CA certificate the client certificate must be issued by (null: any trusted CA).', ['id']),
    consumer: consumerFk(),
  });
}

function acl() {
  return entity('acl', 'An ACL group of a consumer.', {
    group: str('The group name.', { required: true, len_min: 1 }),
    consumer: consumerFk(),
  });
}

/** A set of keys (Kong `key_sets`), referenced by name or id from keys and from plugins such as jwe-decrypt. */
function keySet() {
  return entity('key_set', 'A named set of keys (JWK or PEM).', {
    name: str('Unique name of the key set.'),
  });
}

/** A JWK or PEM key (Kong `keys`, kong/db/schema/entities/keys.lua); `kid` must match the JWK's. */
function key() {
  const setRef = {
    description: 'The key set this key belongs to: {id}, {name} (resolved in the file), or an id/name string.',
    anyOf: [
      { type: 'string', minLength: 1 },
      {
        type: 'object',
        properties: { id: uuid('Id of the key set.'), name: str('Name of the key set.', { len_min: 1 }) },
        additionalProperties: false,
        minProperties: 1,
      },
      { type: 'null' },
    ],
  };
  return entity('key', 'A JSON Web Key or a PEM key pair, in a key set or alone.', {
    name: str('Unique name of the key.'),
    kid: str('Key id; equals the kid of the JWK.', { required: true }),
    jwk: str('The JSON Web Key as a JSON string.', { referenceable: true, secret: true }),
    pem: rec('A PEM-encoded public and/or private key.', {
      private_key: str('PEM private key.', { referenceable: true, secret: true }),
      public_key: str('PEM public key.', { referenceable: true }),
    }, { checks: [{ at_least_one_of: ['private_key', 'public_key'] }] }),
    set: setRef,
  }, {
    checks: [
      { mutually_exclusive: ['jwk', 'pem'] },
      { at_least_one_of: ['jwk', 'pem'] },
      { custom: 'key-material', message: 'kid in jwk.kid must be equal to keys.kid' },
    ],
  });
}

/** A Proxy-Wasm filter chain on one service or one route (Kong 3.4+, kong/db/schema/entities/filter_chains.lua). */
function filterChain() {
  return entity('filter_chain', 'A chain of Proxy-Wasm filters run on the requests of one service or one route.', {
    name: str('Unique name of the filter chain.', { len_min: 1 }),
    enabled: bool('Whether the filter chain runs.', { required: true, default: true }),
    service: fk('The service the chain runs on (omitted when nested under services[].filter_chains).'),
    route: fk('The route the chain runs on (omitted when nested under routes[].filter_chains).'),
    filters: arr('The filters of the chain, run in order.', elRec({
      name: str('Name of an installed Wasm filter.', { required: true, len_min: 1 }),
      config: { description: "The filter's configuration: any JSON value (a JSON string in Kong 3.4).", anyOf: ['object', 'array', 'string', 'number', 'boolean', 'null'].map((type) => ({ type })) },
      enabled: bool('Whether the filter runs.', { required: true, default: true }),
    }), { required: true, minItems: 1 }),
  }, {
    checks: [{ mutually_exclusive: ['service', 'route'] }, { at_least_one_of: ['service', 'route'] }],
  });
}

export const ENTITIES = [
  service, route, consumer, consumerGroup, consumerGroupConsumer, consumerGroupPlugin, plugin, upstream, target, certificate, sni,
  caCertificate, vault, keyauthCredential, basicauthCredential, jwtSecret, hmacauthCredential, oauth2Credential, mtlsAuthCredential, acl, partial,
  keySet, key, filterChain,
];
