/**
 * Plugin schemas in Kong's Lua-schema JSON form, as `GET …/core-entities/schemas/plugins/{name}` serves
 * them (`{"fields":[…]}`, control-planes-config/v2 openapi GetPluginSchemaResponse; koko validates plugin
 * configs with Kong's own Lua schemas, internal/plugin/validators/lua_validator.go).
 *
 * A small, realistic catalog, written from Kong's documented plugin fields (developer.konghq.com
 * `app/_schemas/gateway/plugins/3.14/*.json`): key-auth, basic-auth, acl, rate-limiting,
 * rate-limiting-advanced, request-termination, and ai-proxy (ai-plugin-schemas.ts). Defaults are 3.15's
 * (Konnect runs the newest schema), the 3.14 flips included. Konnect refuses `cluster` as a rate-limiting policy/strategy
 * (koko lua_validator_test.go: config.policy "expected one of: local, redis"; decK
 * validate/konnect_compatibility.go). Plugins in PASSTHROUGH_PLUGINS exist but their config is stored as
 * sent (no validation, no defaults) so that files using them are accepted; anything else is an unknown
 * plugin ("plugin(<name>) does not exist", koko schemas_test.go), which includes what Konnect does not
 * offer (oauth2, key-auth-enc, vault-auth, jwt-signer, application-registration, openwhisk).
 */
import type { Json } from './wire.js';
import { AI_PROXY } from './ai-plugin-schemas.js';

export interface LuaField {
  type: 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'set' | 'map' | 'record' | 'foreign';
  default?: Json;
  required?: boolean;
  one_of?: Json[];
  between?: [number, number];
  gt?: number;
  len_min?: number;
  eq?: null;
  reference?: string;
  elements?: LuaField;
  fields?: LuaFields;
  referenceable?: boolean;
  encrypted?: boolean;
}
export type LuaFields = Array<Record<string, LuaField>>;

export type EntityCheck =
  | { at_least_one_of: string[] }
  | { only_one_of: string[] }
  | { conditional: { if_field: string; if_match: { eq: Json }; then_field: string; then_match: { required: true } } };

export interface PluginSchema {
  fields: LuaFields;
  entity_checks?: EntityCheck[];
  /**
   * Kong's `shorthand_fields`: deprecated config fields translated on write into their new place
   * (`redis_host` → `redis.host`; kong/plugins/rate-limiting/schema.lua), config-relative.
   */
  shorthands?: Record<string, string>;
}

const s = (extra: Partial<LuaField> = {}): LuaField => ({ type: 'string', ...extra });
const b = (def: boolean): LuaField => ({ type: 'boolean', required: true, default: def });
const n = (extra: Partial<LuaField> = {}): LuaField => ({ type: 'number', ...extra });
const i = (extra: Partial<LuaField> = {}): LuaField => ({ type: 'integer', ...extra });
const strings = (extra: Partial<LuaField> = {}): LuaField => ({ type: 'array', elements: s(), ...extra });

export const PLUGIN_PROTOCOLS = ['grpc', 'grpcs', 'http', 'https'];
const ALL_PROTOCOLS = ['grpc', 'grpcs', 'http', 'https', 'tcp', 'tls', 'tls_passthrough', 'udp', 'ws', 'wss'];
const protocols: LuaField = { type: 'set', required: true, default: PLUGIN_PROTOCOLS, elements: s({ one_of: ALL_PROTOCOLS }) };
const noConsumer: LuaField = { type: 'foreign', reference: 'consumers', eq: null };

const redis: LuaField = {
  type: 'record',
  fields: [
    { host: s() },
    { port: i({ default: 6379, between: [0, 65535] }) },
    { username: s({ referenceable: true }) },
    { password: s({ referenceable: true, encrypted: true }) },
    { database: i({ default: 0 }) },
    { timeout: i({ default: 2000, between: [0, 2147483646] }) },
    { ssl: { type: 'boolean', default: false } },
    // true since Kong 3.14 (tls-verify-314: TLS verification on by default)
    { ssl_verify: { type: 'boolean', default: true } },
    { server_name: s() },
  ],
};

/** Kong Enterprise's Redis record (rate-limiting-advanced, the `redis-ee` partial): the OSS fields, cluster and sentinel. */
const nodes: LuaField = { type: 'array', elements: { type: 'record', fields: [{ ip: s() }, { host: s() }, { port: i() }] } };
const redisEE: LuaField = {
  type: 'record',
  fields: [
    ...(redis.fields ?? []),
    { connect_timeout: i({ default: 2000 }) },
    { send_timeout: i({ default: 2000 }) },
    { read_timeout: i({ default: 2000 }) },
    { keepalive_pool_size: i({ default: 256 }) },
    { keepalive_backlog: i() },
    { connection_is_proxied: { type: 'boolean', default: false } },
    { redis_proxy_type: s() },
    { cluster_nodes: nodes },
    { cluster_addresses: strings() },
    { cluster_max_redirections: i({ default: 5 }) },
    { sentinel_master: s() },
    { sentinel_role: s({ one_of: ['master', 'slave', 'any'] }) },
    { sentinel_nodes: nodes },
    { sentinel_addresses: strings() },
    { sentinel_username: s({ referenceable: true }) },
    { sentinel_password: s({ referenceable: true, encrypted: true }) },
    // Kong 3.15: cloud IAM authentication to a managed Redis (decK dump/002 expected-no-skip_konnect)
    {
      cloud_authentication: {
        type: 'record',
        default: null,
        fields: [
          { auth_provider: s({ one_of: ['aws', 'azure', 'gcp'] }) },
          ...['aws_access_key_id', 'aws_secret_access_key', 'aws_assume_role_arn', 'aws_role_session_name', 'azure_client_id', 'azure_client_secret', 'azure_tenant_id', 'gcp_service_account_json']
            .map((f) => ({ [f]: s({ referenceable: true, encrypted: true }) })),
          { aws_cache_name: s({ referenceable: true }) },
          { aws_region: s({ referenceable: true }) },
          { aws_is_serverless: { type: 'boolean', default: true } },
        ],
      },
    },
  ],
};

const plugin = (config: LuaFields, extra: { consumer?: LuaField; entity_checks?: EntityCheck[]; shorthands?: Record<string, string> } = {}): PluginSchema => ({
  fields: [...(extra.consumer ? [{ consumer: extra.consumer }] : []), { protocols }, { config: { type: 'record', required: true, fields: config } }],
  ...(extra.entity_checks ? { entity_checks: extra.entity_checks } : {}),
  ...(extra.shorthands ? { shorthands: extra.shorthands } : {}),
});

/** rate-limiting's deprecated `redis_*` fields (Kong 3.7+ shorthand_fields). */
const REDIS_SHORTHANDS: Record<string, string> = Object.fromEntries(
  ['host', 'port', 'password', 'username', 'ssl', 'ssl_verify', 'server_name', 'timeout', 'database'].map((f) => [`redis_${f}`, `redis.${f}`]),
);

const PERIODS = ['second', 'minute', 'hour', 'day', 'month', 'year'];

export const PLUGIN_SCHEMAS: Record<string, PluginSchema> = {
  'key-auth': plugin(
    [
      { key_names: strings({ required: true, default: ['apikey'], len_min: 1 }) },
      // true since Kong 3.14 (breaking-changes 3.14.0.0); Konnect runs the 3.15 schema
      { hide_credentials: b(true) },
      { anonymous: s() },
      { key_in_header: b(true) },
      { key_in_query: b(true) },
      { key_in_body: b(false) },
      { run_on_preflight: b(true) },
      { realm: s() },
      // Kong 3.15 (Konnect runs it): consumers from an identity directory (decK dump/012 expected315)
      { principals: { type: 'record', required: true, fields: [{ enabled: b(false) }, { directory: s({ default: 'default' }) }, { error_on_miss: b(true) }] } },
      // Konnect identity realms the consumers may come from (decK dump/012 expected-konnect)
      { identity_realms: { type: 'array', default: [{ scope: 'cp', id: null, region: null }], elements: { type: 'record', fields: [{ id: s() }, { region: s() }, { scope: s({ default: 'cp', one_of: ['cp', 'realm'] }) }] } } },
    ],
    { consumer: noConsumer },
  ),
  'basic-auth': plugin([{ anonymous: s() }, { hide_credentials: b(true) }, { realm: s({ required: true, default: 'service' }) }], { consumer: noConsumer }),
  acl: plugin(
    [
      { allow: { type: 'set', elements: s() } },
      { deny: { type: 'set', elements: s() } },
      { hide_groups_header: b(false) },
      { include_consumer_groups: b(false) },
      { always_use_authenticated_groups: b(false) },
    ],
    { consumer: noConsumer, entity_checks: [{ only_one_of: ['config.allow', 'config.deny'] }, { at_least_one_of: ['config.allow', 'config.deny'] }] },
  ),
  'rate-limiting': plugin(
    [
      ...PERIODS.map((p) => ({ [p]: n({ gt: 0 }) })),
      { limit_by: s({ required: true, default: 'consumer', one_of: ['consumer', 'credential', 'ip', 'service', 'header', 'path', 'consumer-group'] }) },
      { header_name: s() },
      { path: s() },
      { policy: s({ required: true, default: 'local', one_of: ['local', 'redis'] }) },
      { fault_tolerant: b(true) },
      { redis },
      { hide_client_headers: b(false) },
      { error_code: n({ default: 429, gt: 0 }) },
      { error_message: s({ default: 'API rate limit exceeded' }) },
      { sync_rate: n({ required: true, default: -1 }) },
    ],
    {
      entity_checks: [
        { at_least_one_of: PERIODS.map((p) => `config.${p}`) },
        { conditional: { if_field: 'config.policy', if_match: { eq: 'redis' }, then_field: 'config.redis.host', then_match: { required: true } } },
      ],
      shorthands: REDIS_SHORTHANDS,
    },
  ),
  'rate-limiting-advanced': plugin(
    [
      { limit: { type: 'array', required: true, elements: n() } },
      { window_size: { type: 'array', required: true, elements: n() } },
      { window_type: s({ required: true, default: 'sliding', one_of: ['fixed', 'sliding'] }) },
      { identifier: s({ required: true, default: 'consumer', one_of: ['ip', 'credential', 'consumer', 'service', 'header', 'path', 'consumer-group'] }) },
      { header_name: s() },
      { path: s() },
      { strategy: s({ required: true, default: 'local', one_of: ['local', 'redis'] }) },
      { dictionary_name: s({ required: true, default: 'kong_rate_limiting_counters' }) },
      { sync_rate: n() },
      { namespace: s() },
      { hide_client_headers: b(false) },
      { retry_after_jitter_max: n({ required: true, default: 0 }) },
      { error_code: n({ default: 429, gt: 0 }) },
      { error_message: s({ default: 'API rate limit exceeded' }) },
      { disable_penalty: { type: 'boolean', default: false } },
      { compound_identifier: { type: 'array', elements: s() } },
      { consumer_groups: { type: 'array', elements: s() } },
      { enforce_consumer_groups: { type: 'boolean', default: false } },
      { lock_dictionary_name: s({ required: true, default: 'kong_locks' }) },
      // optional records without a default: Kong leaves them null when absent (decK's dumps: throttling: null)
      { throttling: { type: 'record', default: null, fields: [{ enabled: { type: 'boolean', default: false } }, { interval: n() }, { retry_times: i() }, { queue_limit: i() }] } },
      { redis: redisEE },
      // Kong 3.15 (Konnect runs it): the consumer attribute counters are keyed by (decK dump/002 expected-no-skip_konnect)
      { counter_key: s({ one_of: ['consumer.custom_id', 'consumer.id', 'consumer.username'] }) },
    ],
    {
      entity_checks: [
        { conditional: { if_field: 'config.strategy', if_match: { eq: 'redis' }, then_field: 'config.redis.host', then_match: { required: true } } },
      ],
    },
  ),
  'ai-proxy': AI_PROXY,
  'request-termination': plugin([
    { status_code: i({ default: 503, between: [100, 599] }) },
    { message: s() },
    { content_type: s() },
    { body: s() },
    { echo: { type: 'boolean', default: false } },
    { trigger: s() },
  ]),
};

/** Plugins that exist on Konnect but whose configs this server does not model: stored as sent. */
export const PASSTHROUGH_PLUGINS = [
  'ai-proxy-advanced',
  'ai-prompt-decorator',
  'ai-prompt-guard',
  'ai-prompt-template',
  'ai-request-transformer',
  'ai-response-transformer',
  'ai-rate-limiting-advanced',
  'ai-semantic-cache',
  'ai-semantic-prompt-guard',
  'ai-sanitizer',
  'ai-rag-injector',
  'ai-mcp-proxy',
  'ai-aws-guardrails',
  'ai-azure-content-safety',
  'cors',
  'correlation-id',
  'file-log',
  'http-log',
  'ip-restriction',
  'jwt',
  'openid-connect',
  'opentelemetry',
  'prometheus',
  'proxy-cache',
  'request-size-limiting',
  'request-transformer',
  'request-validator',
  'response-transformer',
  'konnect-application-auth',
];

/** The document served for a passthrough plugin: its protocols, and a config record with no fields. */
export const passthroughSchema = (): PluginSchema => ({ fields: [{ protocols }, { config: { type: 'record', required: true, fields: [] } }] });
