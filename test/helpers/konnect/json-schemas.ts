/**
 * The JSON Schemas Konnect serves at `GET …/core-entities/v1/schemas/json/{name}` and validates core
 * entities against (koko generator → santhosh-tekuri/jsonschema; GDR pkg/schema/fetchers.go reads
 * `properties.*.default`, go-kong utils.go flattenJSONSchema).
 *
 * Fields, types, enums, ranges and defaults: control-planes-config/v2 openapi (spec 3.15.0) component
 * schemas Service, RouteJson, Upstream, Target, Consumer, ConsumerGroup, Certificate, CACertificate, SNI,
 * Vault, Key, KeySet, KeyAuth, BasicAuth, HMACAuth, JWT, ACL, MTLSAuth, Partial, Plugin. Patterns and
 * per-field messages ("must be a valid UUID", "must be a valid hostname", "must begin with `/`…"):
 * Kong/koko internal/model/json/validation/typedefs/fields.go. Route protocols default: the spec says
 * `[https]` since it tracked Kong 3.14 (developer.konghq.com commit 7eabcf569, 2026-04-09; `[http, https]`
 * before, and still in GDR's static defaults), so it is a per-server option.
 */
import type { Json, JsonObject } from './wire.js';

export interface JsonSchema {
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';
  description?: string;
  default?: Json;
  enum?: Json[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  pattern?: string;
  /** `pem-encoded-cert` or `pem-encoded-private-key` (koko formats; a `{vault://…}` reference also passes). */
  format?: string;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
  writeOnly?: boolean;
  /** Passed through to the served document only (vault type conditions). */
  allOf?: Json[];
}

const UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
const HOSTNAME = '^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?(\\.[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?)*$'; // koko's, with the dot escaped

const id: JsonSchema = { type: 'string', description: 'must be a valid UUID', pattern: UUID };
const name: JsonSchema = { type: 'string', pattern: '^[0-9a-zA-Z.\\-_~]*$', minLength: 1, maxLength: 128 };
const str = (extra: JsonSchema = {}): JsonSchema => ({ type: 'string', ...extra });
const int = (def?: number, minimum?: number, maximum?: number): JsonSchema => ({ type: 'integer', default: def, minimum, maximum });
const num = (def: number, minimum: number, maximum: number): JsonSchema => ({ type: 'number', default: def, minimum, maximum });
const bool = (def?: boolean): JsonSchema => ({ type: 'boolean', default: def });
const arr = (items: JsonSchema, extra: JsonSchema = {}): JsonSchema => ({ type: 'array', items, ...extra });
const strEnum = (values: string[], def?: string): JsonSchema => ({ type: 'string', enum: values, default: def });
const ref: JsonSchema = { type: 'object', properties: { id }, required: ['id'], additionalProperties: false };
const epoch: JsonSchema = { type: 'integer', minimum: 1 };
const tags = arr(str({ minLength: 1, maxLength: 128 }));
const timeout = int(60000, 1, 2147483646);
const pemCert = str({ format: 'pem-encoded-cert' });
const pemKey = str({ format: 'pem-encoded-private-key' });
const common = { id, tags, created_at: epoch, updated_at: epoch };

const PROTOCOLS = ['grpc', 'grpcs', 'http', 'https', 'tcp', 'tls', 'tls_passthrough', 'udp', 'ws', 'wss'];
const obj = (properties: Record<string, JsonSchema>, required: string[] = [], extra: JsonSchema = {}): JsonSchema => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
  ...extra,
});

/** Fills a record's `default` from its children so the served document carries both, as the spec does. */
function record(properties: Record<string, JsonSchema>): JsonSchema {
  const def: JsonObject = {};
  for (const [k, s] of Object.entries(properties)) if (s.default !== undefined) def[k] = s.default;
  return obj(properties, [], { default: def });
}

const statuses = (codes: number[]): JsonSchema => arr(int(undefined, 100, 999), { default: codes });
const PASSIVE_OK = [200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 306, 307, 308];
const counters = { http_failures: int(0, 0, 255), tcp_failures: int(0, 0, 255), timeouts: int(0, 0, 255) };
const HC_TYPES = ['grpc', 'grpcs', 'http', 'https', 'tcp'];

const healthchecks = record({
  active: record({
    concurrency: int(10, 1, 2147483648),
    headers: { type: 'object' },
    healthy: record({ http_statuses: statuses([200, 302]), interval: num(0, 0, 65535), successes: int(0, 0, 255) }),
    http_path: str({ default: '/' }),
    https_sni: str(),
    https_verify_certificate: bool(true),
    timeout: num(1, 0, 65535),
    type: strEnum(HC_TYPES, 'http'),
    unhealthy: record({ ...counters, http_statuses: statuses([429, 404, 500, 501, 502, 503, 504, 505]), interval: num(0, 0, 65535) }),
  }),
  passive: record({
    healthy: record({ http_statuses: statuses(PASSIVE_OK), successes: int(0, 0, 255) }),
    type: strEnum(HC_TYPES, 'http'),
    unhealthy: record({ ...counters, http_statuses: statuses([429, 500, 503]) }),
  }),
  threshold: num(0, 0, 100),
});

const HASH_ON = ['consumer', 'cookie', 'header', 'ip', 'none', 'path', 'query_arg', 'uri_capture'];
const consumerRef = { consumer: ref };

export interface SchemaOptions {
  routeProtocols: string[];
}

/** Every core-entity JSON Schema, keyed by the name used in `/v1/schemas/json/{name}`. */
export function entitySchemas(opts: SchemaOptions): Record<string, JsonSchema> {
  return { ...proxySchemas(opts), upstream: upstreamSchema(), ...identitySchemas(), ...keyingSchemas() };
}

function proxySchemas(opts: SchemaOptions): Record<string, JsonSchema> {
  return {
    service: obj(
      {
        ...common,
        name,
        protocol: strEnum(['grpc', 'grpcs', 'http', 'https', 'tcp', 'tls', 'tls_passthrough', 'udp', 'ws', 'wss'], 'http'),
        host: str({ description: 'must be a valid hostname', maxLength: 256, pattern: HOSTNAME }),
        port: int(80, 0, 65535),
        path: str({ description: 'must begin with `/`', pattern: '^/', maxLength: 1024 }),
        retries: int(5, 0, 32767),
        connect_timeout: timeout,
        read_timeout: timeout,
        write_timeout: timeout,
        client_certificate: ref,
        tls_verify: bool(),
        tls_verify_depth: int(undefined, 0, 64),
        ca_certificates: arr(str({ pattern: UUID })),
        tls_sans: obj({ dnsnames: arr(str()), uris: arr(str()) }),
        enabled: bool(true),
        url: str({ writeOnly: true }),
      },
      ['host'],
    ),
    route: obj({
      ...common,
      name,
      protocols: arr(strEnum(PROTOCOLS), { default: opts.routeProtocols }),
      methods: arr(str({ pattern: '^[A-Z]+$' }), { maxItems: 16 }),
      hosts: arr(str({ description: "must be a valid hostname with a wildcard prefix '*' or without", maxLength: 256 }), { maxItems: 16 }),
      paths: arr(str({ description: 'must begin with `/` (prefix path) or `~/` (regex path)', pattern: '^/.*|^~/.*' }), { maxItems: 16 }),
      headers: { type: 'object' },
      https_redirect_status_code: { type: 'integer', enum: [426, 301, 302, 307, 308], default: 426 },
      regex_priority: int(0),
      strip_path: bool(true),
      path_handling: strEnum(['v0', 'v1'], 'v0'),
      preserve_host: bool(false),
      request_buffering: bool(true),
      response_buffering: bool(true),
      snis: arr(str(), { maxItems: 16 }),
      sources: arr({ type: 'object' }, { maxItems: 16 }),
      destinations: arr({ type: 'object' }, { maxItems: 16 }),
      service: ref,
      expression: str(),
      priority: int(),
    }),
  };
}

function upstreamSchema(): JsonSchema {
  return obj(
    {
      ...common,
      name: str({ maxLength: 256 }),
      algorithm: strEnum(['consistent-hashing', 'latency', 'least-connections', 'round-robin', 'sticky-sessions'], 'round-robin'),
      hash_on: strEnum(HASH_ON, 'none'),
      hash_fallback: strEnum(HASH_ON, 'none'),
      hash_on_header: str(),
      hash_fallback_header: str(),
      hash_on_cookie: str(),
      hash_on_cookie_path: str({ default: '/' }),
      hash_on_query_arg: str({ minLength: 1 }),
      hash_fallback_query_arg: str({ minLength: 1 }),
      hash_on_uri_capture: str({ minLength: 1 }),
      hash_fallback_uri_capture: str({ minLength: 1 }),
      healthchecks,
      slots: int(10000, 10, 65536),
      host_header: str(),
      client_certificate: ref,
      use_srv_name: bool(false),
      sticky_sessions_cookie: str(),
      sticky_sessions_cookie_path: str({ default: '/' }),
    },
    ['name'],
  );
}

function identitySchemas(): Record<string, JsonSchema> {
  return {
    target: obj({ ...common, target: str({ maxLength: 1024 }), weight: int(100, 0, 65535), failover: bool(false), upstream: ref }, ['target']),
    consumer: obj({ ...common, username: str({ maxLength: 128 }), custom_id: str({ maxLength: 128 }) }),
    consumer_group: obj({ ...common, name }, ['name']),
  };
}

function keyingSchemas(): Record<string, JsonSchema> {
  return {
    certificate: obj({ ...common, cert: pemCert, key: pemKey, cert_alt: pemCert, key_alt: pemKey, snis: arr(str()) }, ['cert', 'key']),
    ca_certificate: obj({ ...common, cert: pemCert, cert_digest: str() }, ['cert']),
    sni: obj({ ...common, name: str({ maxLength: 256 }), certificate: ref }, ['name', 'certificate']),
    vault: obj(
      { ...common, name: str(), prefix: str({ pattern: '^[a-z][a-z0-9-]*[a-z0-9]+$' }), description: str(), config: { type: 'object' } },
      ['name', 'prefix'],
      {
        allOf: [
          {
            if: { properties: { name: { const: 'env' } } },
            then: { properties: { config: { properties: { env: { type: 'object', properties: { prefix: { type: 'string' } } } } } } },
          },
        ],
      },
    ),
    key: obj({ ...common, name, kid: str(), jwk: str(), pem: obj({ private_key: str(), public_key: str() }), set: ref, x5t: str() }, ['kid']),
    'key-set': obj({ ...common, name }),
    'key-auth': obj({ ...common, ...consumerRef, key: str(), ttl: int() }),
    'basic-auth': obj({ ...common, ...consumerRef, username: str(), password: str() }, ['username', 'password']),
    'hmac-auth': obj({ ...common, ...consumerRef, username: str(), secret: str() }, ['username']),
    jwt: obj({
      ...common,
      ...consumerRef,
      algorithm: strEnum(['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'EdDSA'], 'HS256'),
      key: str(),
      secret: str(),
      rsa_public_key: str(),
    }),
    acl: obj({ ...common, ...consumerRef, group: str() }, ['group']),
    'mtls-auth': obj({ ...common, ...consumerRef, subject_name: str(), ca_certificate: ref }, ['subject_name']),
    partial: obj({ ...common, name, type: str(), config: { type: 'object' } }, ['type']),
    plugin: obj(
      {
        ...common,
        name: str({ minLength: 1 }),
        instance_name: str(),
        config: { type: 'object' },
        enabled: bool(true),
        protocols: arr(strEnum(PROTOCOLS)),
        service: ref,
        route: ref,
        consumer: ref,
        consumer_group: ref,
        ordering: { type: 'object' },
        partials: arr({ type: 'object' }),
        condition: str({ maxLength: 1024 }),
      },
      ['name'],
    ),
  };
}

/** The names `GET /v1/schemas/json/{name}` answers (GDR KongToKonnectEntitiesMap, plus plugin for the UI's validate path). */
export const SERVED_JSON_SCHEMAS = [
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
  'plugin',
] as const;

/** The document served: a JSON Schema object, without internal-only keys. */
export function servedSchema(s: JsonSchema, omitZeroDefaults: boolean): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(s)) {
    if (v === undefined) continue;
    if (k === 'properties') {
      const props: JsonObject = {};
      for (const [pk, ps] of Object.entries(v as Record<string, JsonSchema>)) props[pk] = servedSchema(ps, omitZeroDefaults);
      out.properties = props;
    } else if (k === 'items') out.items = servedSchema(v as JsonSchema, omitZeroDefaults);
    else if (k === 'default' && omitZeroDefaults && (v === false || v === 0 || v === '')) continue;
    else out[k] = v as Json;
  }
  return out;
}
