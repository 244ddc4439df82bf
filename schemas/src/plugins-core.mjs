// Kong core (OSS) plugins' config schemas, Kong 3.10.
import {
  arr, bool, el, headerName, host, int, map, num, path, pluginConfig, port, rec, set, str, timeout, url,
} from './dsl.mjs';

const LUA = 'Lua code cannot run in aigw';

const anonymous = () => str('Consumer id or username used when authentication fails; unset fails with 401.', { len_min: 0 });
const hideCredentials = () => bool('Remove the credential from the request before proxying.', { required: true, default: false });
const runOnPreflight = () => bool('Authenticate OPTIONS preflight requests too.', { required: true, default: true });
const realm = () => str('Realm of the WWW-Authenticate header on 401 responses.');

function keyAuth() {
  return pluginConfig('key-auth', 1250, 'Authenticates consumers by API key.', {
    key_names: arr('Header, query or body parameter names that may carry the key.', el('string', {
      pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$",
    }), { required: true, default: ['apikey'] }),
    hide_credentials: hideCredentials(),
    anonymous: anonymous(),
    key_in_header: bool('Look for the key in headers.', { required: true, default: true }),
    key_in_query: bool('Look for the key in the query string.', { required: true, default: true }),
    key_in_body: bool('Look for the key in the request body (form, multipart or JSON).', { required: true, default: false }),
    run_on_preflight: runOnPreflight(),
    realm: realm(),
  });
}

function basicAuth() {
  return pluginConfig('basic-auth', 1100, 'Authenticates consumers by username and password (HTTP Basic).', {
    anonymous: anonymous(),
    hide_credentials: hideCredentials(),
    realm: str('Realm of the WWW-Authenticate header on 401 responses.', { required: true, default: 'service' }),
  });
}

function jwt() {
  return pluginConfig('jwt', 1450, 'Authenticates consumers by HS/RS/ES-signed JSON Web Tokens.', {
    uri_param_names: set('Query parameters inspected for a JWT.', el('string'), { required: true, default: ['jwt'] }),
    cookie_names: set('Cookies inspected for a JWT.', el('string'), { required: true, default: [] }),
    header_names: set('HTTP headers inspected for a JWT.', el('string', {
      pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$",
    }), { required: true, default: ['authorization'] }),
    key_claim_name: str('Claim holding the key that identifies the secret (jwt_secrets.key).', { required: true, default: 'iss' }),
    secret_is_base64: bool('The HS secret is base64-encoded.', { required: true, default: false }),
    claims_to_verify: set('Registered claims to verify.', el('string', { one_of: ['exp', 'nbf'] })),
    anonymous: anonymous(),
    run_on_preflight: runOnPreflight(),
    maximum_expiration: num("Maximum allowed lifetime of a token (s), 0 = unlimited; requires 'exp' in claims_to_verify.", {
      required: true, default: 0, min: 0, max: 31536000,
    }),
    realm: realm(),
  }, [{
    conditional: {
      if_field: 'maximum_expiration', if_match: { gt: 0 }, then_field: 'claims_to_verify', then_match: { contains: 'exp' },
    },
  }]);
}

function acl() {
  const groups = (d) => arr(d, el('string'));
  return pluginConfig('acl', 950, 'Allows or denies consumers by ACL group.', {
    allow: groups('Groups allowed to use the service or route.'),
    deny: groups('Groups denied from the service or route.'),
    hide_groups_header: bool('Do not send the X-Consumer-Groups header upstream.', { required: true, default: false }),
    include_consumer_groups: bool("Also match the consumer's consumer groups.", { required: true, default: false }),
    always_use_authenticated_groups: bool('Use the authenticated groups even when a consumer is identified.', {
      required: true, default: false,
    }),
  }, [{ only_one_of: ['allow', 'deny'] }, { at_least_one_of: ['allow', 'deny'] }]);
}

/** Kong's shared Redis record (kong/tools/redis/schema.lua). */
function redisOSS() {
  return rec('Redis connection of the redis policy.', {
    host: host('Redis host.'),
    port: port('Redis port.'),
    timeout: timeout('Redis timeout (ms).', { default: 2000 }),
    username: str('Redis ACL username (Redis 6+).', { referenceable: true }),
    password: str('Redis password; no AUTH is sent when unset.', { referenceable: true, secret: true, len_min: 0 }),
    database: int('Redis database number.', { default: 0 }),
    ssl: bool('Connect to Redis over TLS.', { default: false }),
    ssl_verify: bool('Verify the Redis server certificate.', { default: false }),
    server_name: str('SNI server name for TLS.'),
  }, { checks: [{ mutually_required: ['host', 'port'] }] });
}

function rateLimiting() {
  const limit = (unit) => num(`Requests allowed per ${unit}.`, { gt: 0 });
  const redisNeeds = (f) => ({
    conditional: { if_field: 'policy', if_match: { eq: 'redis' }, then_field: f, then_match: { required: true } },
  });
  return pluginConfig('rate-limiting', 910, 'Limits requests per second, minute, hour, day, month or year.', {
    second: limit('second'),
    minute: limit('minute'),
    hour: limit('hour'),
    day: limit('day'),
    month: limit('month'),
    year: limit('year'),
    limit_by: str('Entity whose requests are counted.', {
      required: true, default: 'consumer', one_of: ['consumer', 'credential', 'ip', 'service', 'header', 'path', 'consumer-group'],
    }),
    header_name: headerName('Header used when limit_by is header.'),
    path: path('Path used when limit_by is path.'),
    policy: str('Where counters are kept.', {
      required: true, default: 'local', len_min: 0, one_of: ['local', 'cluster', 'redis'],
      unsupportedValues: { cluster: 'no Kong database cluster: use local or redis' },
    }),
    fault_tolerant: bool('Proxy requests when the counter store fails.', { required: true, default: true }),
    redis: redisOSS(),
    hide_client_headers: bool('Do not send the RateLimit-* / X-RateLimit-* headers.', { required: true, default: false }),
    error_code: num('Status code returned when the limit is exceeded.', { required: true, default: 429, gt: 0 }),
    error_message: str('Message returned when the limit is exceeded.', { required: true, default: 'API rate limit exceeded' }),
    sync_rate: num('Seconds between counter syncs to redis; -1 updates synchronously.', {
      required: true, default: -1, unsupported: 'redis counters are updated synchronously (as -1)',
    }),
  }, [
    { at_least_one_of: ['second', 'minute', 'hour', 'day', 'month', 'year'] },
    redisNeeds('redis.host'),
    redisNeeds('redis.port'),
    {
      conditional: { if_field: 'limit_by', if_match: { eq: 'header' }, then_field: 'header_name', then_match: { required: true } },
    },
    { conditional: { if_field: 'limit_by', if_match: { eq: 'path' }, then_field: 'path', then_match: { required: true } } },
    {
      custom: 'rate-limiting-periods-order',
      message: 'The limit for <upper>(<n>) cannot be lower than the limit for <lower>(<n>)',
    },
  ]);
}

function ipRestriction() {
  const list = (d) => arr(d, el('string', { len_min: 1 }));
  return pluginConfig('ip-restriction', 990, 'Allows or denies clients by IP address or CIDR range.', {
    allow: list('IPs or CIDR ranges allowed.'),
    deny: list('IPs or CIDR ranges denied.'),
    status: num('Status code of the rejection (default 403).'),
    message: str("Message of the rejection (default 'IP address not allowed')."),
  }, [
    { at_least_one_of: ['allow', 'deny'] },
    { custom: 'ip-or-cidr', message: "'allow' and 'deny' entries must be valid IPs or CIDR ranges" },
  ]);
}

function cors() {
  const METHODS = ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT'];
  return pluginConfig('cors', 2000, 'Adds Cross-Origin Resource Sharing (CORS) headers and answers preflights.', {
    origins: arr("Allowed origins: '*', exact origins or regexes.", el('string')),
    headers: arr('Value of Access-Control-Allow-Headers (default: the request headers).', el('string')),
    exposed_headers: arr('Value of Access-Control-Expose-Headers.', el('string')),
    methods: arr('Value of Access-Control-Allow-Methods.', el('string', { one_of: METHODS }), { default: METHODS }),
    max_age: num('Seconds a preflight result may be cached (Access-Control-Max-Age).'),
    credentials: bool('Send Access-Control-Allow-Credentials: true.', { required: true, default: false }),
    private_network: bool('Send Access-Control-Allow-Private-Network: true on preflights that ask for it.', {
      required: true, default: false,
    }),
    preflight_continue: bool('Proxy OPTIONS preflight requests upstream.', { required: true, default: false }),
    allow_origin_absent: bool('Run the CORS logic when the request has no Origin header.', { required: true, default: true }),
  });
}

function requestSizeLimiting() {
  return pluginConfig('request-size-limiting', 951, 'Rejects requests whose body is larger than a limit.', {
    allowed_payload_size: int('Allowed request payload size, in size_unit.', { required: true, default: 128 }),
    size_unit: str('Unit of allowed_payload_size.', {
      required: true, default: 'megabytes', one_of: ['megabytes', 'kilobytes', 'bytes'],
    }),
    require_content_length: bool('Reject requests without a Content-Length header.', { required: true, default: false }),
  });
}

function requestTransformer() {
  const COLON = '^[^:]+:[\\s\\S]*$';
  const plain = (d) => arr(d, el('string'), { required: true, default: [] });
  const pairs = (d) => arr(d, el('string', { pattern: COLON }), { required: true, default: [] });
  const group = (d, make, extra = {}) => rec(d, {
    body: make('Body parameters (form or JSON).'),
    headers: make('Headers.'),
    querystring: make('Query-string parameters.'),
    ...extra,
  }, { required: true });
  return pluginConfig('request-transformer', 801, 'Transforms the request before proxying: remove, rename, replace, add, append.', {
    http_method: str('Upstream request method override.', { pattern: '^[A-Z]+$' }),
    remove: group('Names to remove.', plain),
    rename: group("Renames as 'old:new'.", pairs),
    replace: group("Replacements as 'name:value' (only when present).", pairs, {
      uri: str('Upstream path override; may use $(uri_captures...) templates.'),
    }),
    add: group("Additions as 'name:value' (only when absent).", pairs),
    append: group("Appended values as 'name:value'.", pairs),
  });
}

function correlationId() {
  return pluginConfig('correlation-id', 100001, 'Adds a unique id to each request in a header.', {
    header_name: str('Header carrying the correlation id.', { default: 'Kong-Request-ID' }),
    generator: str('How the id is generated.', { required: true, default: 'uuid#counter', one_of: ['uuid', 'uuid#counter', 'tracker'] }),
    echo_downstream: bool('Also send the header back to the client.', { required: true, default: false }),
  });
}

function prometheus() {
  const flag = (d) => bool(d, { default: false });
  return pluginConfig('prometheus', 13, 'Exposes metrics in the Prometheus exposition format.', {
    per_consumer: flag('Add the consumer label to the metrics.'),
    status_code_metrics: flag('Export the HTTP status code metrics.'),
    ai_metrics: flag('Export the AI metrics (tokens, cost, latency).'),
    latency_metrics: flag('Export the latency metrics.'),
    bandwidth_metrics: flag('Export the bandwidth metrics.'),
    upstream_health_metrics: flag('Export the upstream health metrics.'),
  });
}

function customFieldsByLua() {
  return map('Lua code producing extra log fields, by field name.', el('string', { len_min: 1 }), { unsupported: LUA });
}

function fileLog() {
  return pluginConfig('file-log', 9, 'Appends request and response data as JSON lines to a file.', {
    path: str('File to append to.', { required: true, pattern: '^[^*&%`]+$' }),
    reopen: bool('Close and reopen the file on every request.', { required: true, default: false }),
    custom_fields_by_lua: customFieldsByLua(),
  });
}

function queue() {
  return rec('Batching queue of the log entries.', {
    max_batch_size: int('Maximum number of entries processed at a time.', { default: 1, min: 1, max: 1000000 }),
    max_coalescing_delay: num('Maximum seconds after the first entry before the queue flushes.', { default: 1, min: 0, max: 3600 }),
    max_entries: int('Maximum number of entries waiting on the queue.', { default: 10000, min: 1, max: 1000000 }),
    max_bytes: int('Maximum number of bytes waiting on the queue (string content only).'),
    max_retry_time: num('Seconds before the queue gives up on a failing batch.', { default: 60 }),
    initial_retry_delay: num('Seconds before the first retry of a failing batch.', { default: 0.01, min: 0.001, max: 1000000 }),
    max_retry_delay: num('Maximum seconds between retries.', { default: 60, min: 0.001, max: 1000000 }),
    concurrency_limit: int('Number of concurrent queue handlers: 1, or -1 for no queue.', { default: 1, one_of: [-1, 1] }),
  });
}

function httpLog() {
  const deprecated = { deprecated: 'use queue.*', unsupported: 'deprecated; use queue.*' };
  return pluginConfig('http-log', 12, 'Sends request and response data as JSON to an HTTP endpoint.', {
    http_endpoint: url('URL the logs are sent to (may embed user info).', { required: true, referenceable: true, secret: true }),
    method: str('HTTP method of the log request.', { default: 'POST', one_of: ['POST', 'PUT', 'PATCH'] }),
    content_type: str('Content-Type of the log request.', {
      default: 'application/json', one_of: ['application/json', 'application/json; charset=utf-8'],
    }),
    timeout: num('Timeout of the log request (ms).', { default: 10000 }),
    keepalive: num('Idle time (ms) of a kept-alive connection.', { default: 60000 }),
    retry_count: int('Deprecated: number of retries.', deprecated),
    queue_size: int('Deprecated: maximum batch size.', deprecated),
    flush_timeout: num('Deprecated: seconds before a batch is flushed.', deprecated),
    headers: map('Headers added to the log request.', el('string', { referenceable: true }), {
      keys: { pattern: "^(?![Hh][Oo][Ss][Tt]$|[Cc][Oo][Nn][Tt][Ee][Nn][Tt]-([Ll][Ee][Nn][Gg][Tt][Hh]|[Tt][Yy][Pp][Ee])$)[A-Za-z0-9!#$%&'*+.^_`|~-]+$" },
    }),
    queue: queue(),
    custom_fields_by_lua: customFieldsByLua(),
  }, [{
    custom: 'http-log-userinfo-authorization',
    message: "specifying both an 'Authorization' header and user info in 'http_endpoint' is not allowed",
  }]);
}

export const CORE_PLUGINS = [
  keyAuth, basicAuth, jwt, acl, rateLimiting, ipRestriction, cors, requestSizeLimiting, requestTransformer,
  correlationId, prometheus, fileLog, httpLog,
];
