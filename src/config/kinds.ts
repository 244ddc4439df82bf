/**
 * THE entity-kind table. Nothing else in aigw enumerates entity kinds: loading, nesting,
 * flattening, reference resolution, defaults, equality, ordering, display names, masking and dump
 * are all written once, generically, over these rows.
 */

export type KindName =
  | 'certificates'
  | 'ca_certificates'
  | 'vaults'
  | 'partials'
  | 'key_sets'
  | 'keys'
  | 'consumers'
  | 'consumer_groups'
  | 'services'
  | 'upstreams'
  | 'snis'
  | 'keyauth_credentials'
  | 'basicauth_credentials'
  | 'jwt_secrets'
  | 'hmacauth_credentials'
  | 'oauth2_credentials'
  | 'mtls_auth_credentials'
  | 'acls'
  | 'routes'
  | 'targets'
  | 'consumer_group_consumers'
  | 'consumer_group_plugins'
  | 'plugins'
  | 'filter_chains';

/** A foreign key of a kind: the field that holds `{id}` in wire format. */
export interface ForeignKey {
  /** Field name in wire format, e.g. `service`. */
  field: string;
  /** Kind it points to. */
  kind: KindName;
  /** Whether the entity cannot exist without it. */
  required: boolean;
  /** What deleting the referenced entity does (Admin API): cascade (default) or refuse while referenced. */
  onDelete?: 'cascade' | 'restrict';
}

export interface KindDef {
  /** State key and top-level file key (Kong DAO name). */
  name: KindName;
  /** Singular, as printed: `service`, `plugin`, `key-auth credential`. */
  singular: string;
  /** Admin API collection path (top-level; nested paths are derived from parents). */
  endpoint: string;
  /** Path of the collection when nested under its required parent, e.g. `key-auth` under consumers. */
  nestedEndpoint?: string;
  /** Schema file under schemas/ that describes one entity in file form. */
  schema: string;
  /** Dependency level: parents are created first (decK's levels). */
  level: 1 | 2 | 3 | 4;
  foreignKeys: ForeignKey[];
  /** Where the entity may be nested in a file: parent kind → key. */
  nestedUnder: Partial<Record<KindName, string>>;
  /** May appear at the top level of a state file. */
  topLevel: boolean;
  /**
   * Fields that, together with the foreign keys named in `naturalKeyFks`, identify the entity
   * without its id. The first non-null field wins for kinds with alternatives (consumer).
   */
  naturalKey: string[];
  naturalKeyFks: string[];
  /**
   * Further fields that identify an entity on their own when set (decK matches on them too): a
   * target entity that shares any of them with a current one is that entity, updated in place.
   */
  matchFields?: string[];
  /** Field used to refer to it by name from other entities (routes name their service). */
  refField?: string;
  /**
   * Foreign keys Kong declares `unique`: at most one entity of the kind per referenced entity (one
   * filter chain per service and per route). Its `cache_key` is these fields, so Kong's database
   * refuses a second one with `UNIQUE violation detected on '{…}'`.
   */
  uniqueFks?: string[];
  /** Fields that never take part in comparisons. */
  ignore: string[];
  /** Fields (dotted paths) that are secrets: masked in every printed output. */
  secrets: string[];
  /** `_info.defaults` key that applies to this kind. */
  infoDefaults?: 'service' | 'route' | 'upstream' | 'target';
  /** Kong Admin API `/schemas/{name}` entity name. */
  schemaName: string;
  /** Konnect's name in `/v1/schemas/json/{name}` (GDR KongToKonnectEntitiesMap); absent: Konnect serves none. */
  konnectSchemaName?: string;
  /**
   * A membership (no id of its own on the Admin API): lives at `{parent endpoint}/{p}/{nestedEndpoint}`,
   * is added with `POST {member: idOrName}`, listed as the member entities, removed by member key.
   */
  membership?: { parent: string; member: string };
  /**
   * A legacy consumer-group policy override (Kong EE consumer_group_plugins): nested under its
   * group in the file only with `_info.consumer_group_policy_overrides` (in place of scoped
   * plugins), written with `PUT {parent endpoint}/{g}/{nestedEndpoint}/{name}` (`{config}`),
   * read from `GET {parent endpoint}/{g}` (`plugins`), removed with `DELETE` of the same path.
   */
  policyOverride?: true;
}

const TIMESTAMPS = ['created_at', 'updated_at'];
/** Secret fields of the partial types (redis, vectordb, embeddings and model records). */
const PARTIAL_SECRETS = [
  'config.password', 'config.sentinel_password', 'config.redis.password', 'config.redis.sentinel_password', 'config.pgvector.password',
  ...['header_value', 'param_value', 'aws_secret_access_key', 'aws_access_key_id', 'azure_client_secret', 'gcp_service_account_json']
    .map((f) => `config.auth.${f}`),
];

export const KINDS: readonly KindDef[] = [
  {
    name: 'certificates', singular: 'certificate', endpoint: '/certificates', schema: 'entities/certificate.json', level: 1,
    foreignKeys: [], nestedUnder: {}, topLevel: true, naturalKey: ['id'], naturalKeyFks: [], matchFields: ['cert'], ignore: TIMESTAMPS,
    secrets: ['key', 'key_alt'], schemaName: 'certificates', konnectSchemaName: 'certificate',
  },
  {
    name: 'ca_certificates', singular: 'ca_certificate', endpoint: '/ca_certificates', schema: 'entities/ca_certificate.json', level: 1,
    foreignKeys: [], nestedUnder: {}, topLevel: true, naturalKey: ['id'], naturalKeyFks: [], matchFields: ['cert'], ignore: TIMESTAMPS,
    secrets: [], schemaName: 'ca_certificates', konnectSchemaName: 'ca_certificate',
  },
  {
    name: 'vaults', singular: 'vault', endpoint: '/vaults', schema: 'entities/vault.json', level: 1,
    foreignKeys: [], nestedUnder: {}, topLevel: true, naturalKey: ['prefix'], naturalKeyFks: [], refField: 'prefix', ignore: TIMESTAMPS,
    secrets: [], schemaName: 'vaults', konnectSchemaName: 'vault',
  },
  {
    // Kong Enterprise: typed config records that plugins link (`plugins[].partials`)
    name: 'partials', singular: 'partial', endpoint: '/partials', schema: 'entities/partial.json', level: 1,
    foreignKeys: [], nestedUnder: {}, topLevel: true, naturalKey: ['name'], naturalKeyFks: [], refField: 'name', ignore: TIMESTAMPS,
    secrets: PARTIAL_SECRETS, schemaName: 'partials',
  },
  {
    name: 'key_sets', singular: 'key_set', endpoint: '/key-sets', schema: 'entities/key_set.json', level: 1,
    foreignKeys: [], nestedUnder: {}, topLevel: true, naturalKey: ['name'], naturalKeyFks: [], refField: 'name', ignore: TIMESTAMPS,
    secrets: [], schemaName: 'key_sets', konnectSchemaName: 'key-set',
  },
  {
    name: 'keys', singular: 'key', endpoint: '/keys', nestedEndpoint: 'keys', schema: 'entities/key.json', level: 2,
    foreignKeys: [{ field: 'set', kind: 'key_sets', required: false }], nestedUnder: {}, topLevel: true, naturalKey: ['name'],
    naturalKeyFks: [], refField: 'name', ignore: TIMESTAMPS, secrets: ['jwk', 'pem.private_key'], schemaName: 'keys', konnectSchemaName: 'key',
  },
  {
    name: 'consumers', singular: 'consumer', endpoint: '/consumers', schema: 'entities/consumer.json', level: 1,
    foreignKeys: [], nestedUnder: {}, topLevel: true, naturalKey: ['username', 'custom_id'], naturalKeyFks: [], refField: 'username',
    ignore: TIMESTAMPS, secrets: [], schemaName: 'consumers', konnectSchemaName: 'consumer',
  },
  {
    name: 'consumer_groups', singular: 'consumer_group', endpoint: '/consumer_groups', schema: 'entities/consumer_group.json', level: 2,
    foreignKeys: [], nestedUnder: {}, topLevel: true, naturalKey: ['name'], naturalKeyFks: [], refField: 'name', ignore: TIMESTAMPS,
    secrets: [], schemaName: 'consumer_groups', konnectSchemaName: 'consumer_group',
  },
  {
    name: 'services', singular: 'service', endpoint: '/services', schema: 'entities/service.json', level: 2,
    foreignKeys: [], nestedUnder: {}, topLevel: true, naturalKey: ['name'], naturalKeyFks: [], refField: 'name', ignore: TIMESTAMPS,
    secrets: [], infoDefaults: 'service', schemaName: 'services', konnectSchemaName: 'service',
  },
  {
    name: 'upstreams', singular: 'upstream', endpoint: '/upstreams', schema: 'entities/upstream.json', level: 2,
    foreignKeys: [], nestedUnder: {}, topLevel: true, naturalKey: ['name'], naturalKeyFks: [], refField: 'name', ignore: TIMESTAMPS,
    secrets: [], infoDefaults: 'upstream', schemaName: 'upstreams', konnectSchemaName: 'upstream',
  },
  {
    name: 'snis', singular: 'sni', endpoint: '/snis', nestedEndpoint: 'snis', schema: 'entities/sni.json', level: 2,
    foreignKeys: [{ field: 'certificate', kind: 'certificates', required: true }], nestedUnder: { certificates: 'snis' }, topLevel: false,
    naturalKey: ['name'], naturalKeyFks: [], refField: 'name', ignore: TIMESTAMPS, secrets: [], schemaName: 'snis', konnectSchemaName: 'sni',
  },
  {
    name: 'keyauth_credentials', singular: 'key-auth', endpoint: '/key-auths', nestedEndpoint: 'key-auth', schema: 'entities/keyauth_credential.json', level: 2,
    foreignKeys: [{ field: 'consumer', kind: 'consumers', required: true }], nestedUnder: { consumers: 'keyauth_credentials' }, topLevel: false,
    naturalKey: ['key'], naturalKeyFks: [], ignore: TIMESTAMPS, secrets: ['key'], schemaName: 'keyauth_credentials',
  },
  {
    name: 'basicauth_credentials', singular: 'basic-auth', endpoint: '/basic-auths', nestedEndpoint: 'basic-auth', schema: 'entities/basicauth_credential.json', level: 2,
    foreignKeys: [{ field: 'consumer', kind: 'consumers', required: true }], nestedUnder: { consumers: 'basicauth_credentials' }, topLevel: false,
    naturalKey: ['username'], naturalKeyFks: [], ignore: TIMESTAMPS, secrets: ['password'], schemaName: 'basicauth_credentials', konnectSchemaName: 'basic-auth',
  },
  {
    name: 'jwt_secrets', singular: 'jwt', endpoint: '/jwts', nestedEndpoint: 'jwt', schema: 'entities/jwt_secret.json', level: 2,
    foreignKeys: [{ field: 'consumer', kind: 'consumers', required: true }], nestedUnder: { consumers: 'jwt_secrets' }, topLevel: false,
    naturalKey: ['key'], naturalKeyFks: [], ignore: TIMESTAMPS, secrets: ['secret'], schemaName: 'jwt_secrets', konnectSchemaName: 'jwt',
  },
  {
    name: 'hmacauth_credentials', singular: 'hmac-auth', endpoint: '/hmac-auths', nestedEndpoint: 'hmac-auth', schema: 'entities/hmacauth_credential.json', level: 2,
    foreignKeys: [{ field: 'consumer', kind: 'consumers', required: true }], nestedUnder: { consumers: 'hmacauth_credentials' }, topLevel: false,
    naturalKey: ['username'], naturalKeyFks: [], ignore: TIMESTAMPS, secrets: ['secret'], schemaName: 'hmacauth_credentials', konnectSchemaName: 'hmac-auth',
  },
  {
    // Konnect has no oauth2 (decK's konnect_compatibility.go): no Konnect schema
    name: 'oauth2_credentials', singular: 'oauth2', endpoint: '/oauth2', nestedEndpoint: 'oauth2', schema: 'entities/oauth2_credential.json', level: 2,
    foreignKeys: [{ field: 'consumer', kind: 'consumers', required: true }], nestedUnder: { consumers: 'oauth2_credentials' }, topLevel: false,
    naturalKey: ['client_id'], naturalKeyFks: [], ignore: TIMESTAMPS, secrets: ['client_secret'], schemaName: 'oauth2_credentials',
  },
  {
    // Kong Enterprise mtls-auth: no unique field but the id, which decK requires (GDR builder.go ingestMTLSAuths)
    name: 'mtls_auth_credentials', singular: 'mtls-auth', endpoint: '/mtls-auths', nestedEndpoint: 'mtls-auth', schema: 'entities/mtls_auth_credential.json', level: 2,
    foreignKeys: [{ field: 'consumer', kind: 'consumers', required: true }], nestedUnder: { consumers: 'mtls_auth_credentials' }, topLevel: false,
    naturalKey: ['id'], naturalKeyFks: [], ignore: TIMESTAMPS, secrets: [], schemaName: 'mtls_auth_credentials', konnectSchemaName: 'mtls-auth',
  },
  {
    name: 'acls', singular: 'acl', endpoint: '/acls', nestedEndpoint: 'acls', schema: 'entities/acl.json', level: 2,
    foreignKeys: [{ field: 'consumer', kind: 'consumers', required: true }], nestedUnder: { consumers: 'acls' }, topLevel: false,
    naturalKey: ['group'], naturalKeyFks: ['consumer'], ignore: TIMESTAMPS, secrets: [], schemaName: 'acls',
  },
  {
    name: 'routes', singular: 'route', endpoint: '/routes', nestedEndpoint: 'routes', schema: 'entities/route.json', level: 3,
    foreignKeys: [{ field: 'service', kind: 'services', required: false, onDelete: 'restrict' }], nestedUnder: { services: 'routes' }, topLevel: true,
    naturalKey: ['name'], naturalKeyFks: [], refField: 'name', ignore: TIMESTAMPS, secrets: [], infoDefaults: 'route', schemaName: 'routes', konnectSchemaName: 'route',
  },
  {
    name: 'targets', singular: 'target', endpoint: '/targets', nestedEndpoint: 'targets', schema: 'entities/target.json', level: 3,
    foreignKeys: [{ field: 'upstream', kind: 'upstreams', required: true }], nestedUnder: { upstreams: 'targets' }, topLevel: false,
    naturalKey: ['target'], naturalKeyFks: ['upstream'], ignore: TIMESTAMPS, secrets: [], infoDefaults: 'target', schemaName: 'targets', konnectSchemaName: 'target',
  },
  {
    name: 'consumer_group_consumers', singular: 'consumer_group membership', endpoint: '/consumer_groups', nestedEndpoint: 'consumers',
    schema: 'entities/consumer_group_consumer.json', level: 3,
    foreignKeys: [
      { field: 'consumer_group', kind: 'consumer_groups', required: true },
      { field: 'consumer', kind: 'consumers', required: true },
    ],
    nestedUnder: { consumers: 'groups' }, topLevel: false, naturalKey: [], naturalKeyFks: ['consumer_group', 'consumer'],
    ignore: TIMESTAMPS, secrets: [], schemaName: 'consumer_group_consumers', membership: { parent: 'consumer_group', member: 'consumer' },
  },
  {
    // Kong Enterprise's legacy consumer-group overrides (decK _info.consumer_group_policy_overrides)
    name: 'consumer_group_plugins', singular: 'consumer_group policy override', endpoint: '/consumer_groups', nestedEndpoint: 'overrides/plugins',
    schema: 'entities/consumer_group_plugin.json', level: 3,
    foreignKeys: [{ field: 'consumer_group', kind: 'consumer_groups', required: true }],
    nestedUnder: { consumer_groups: 'plugins' }, topLevel: false, naturalKey: ['name'], naturalKeyFks: ['consumer_group'],
    ignore: TIMESTAMPS, secrets: [], schemaName: 'consumer_group_plugins', policyOverride: true,
  },
  {
    name: 'plugins', singular: 'plugin', endpoint: '/plugins', nestedEndpoint: 'plugins', schema: 'entities/plugin.json', level: 4,
    foreignKeys: [
      { field: 'service', kind: 'services', required: false },
      { field: 'route', kind: 'routes', required: false },
      { field: 'consumer', kind: 'consumers', required: false },
      { field: 'consumer_group', kind: 'consumer_groups', required: false },
    ],
    nestedUnder: { services: 'plugins', routes: 'plugins', consumers: 'plugins', consumer_groups: 'plugins' }, topLevel: true,
    naturalKey: ['name'], naturalKeyFks: ['service', 'route', 'consumer', 'consumer_group'], matchFields: ['instance_name'], ignore: TIMESTAMPS,
    secrets: [], schemaName: 'plugins',
  },
  {
    // Kong 3.4+ Proxy-Wasm filter chains: one per service or route (Kong: unique foreign keys)
    name: 'filter_chains', singular: 'filter_chain', endpoint: '/filter-chains', nestedEndpoint: 'filter-chains', schema: 'entities/filter_chain.json',
    level: 4,
    foreignKeys: [{ field: 'service', kind: 'services', required: false }, { field: 'route', kind: 'routes', required: false }],
    nestedUnder: { services: 'filter_chains', routes: 'filter_chains' }, topLevel: true, naturalKey: ['name'], naturalKeyFks: [], refField: 'name',
    uniqueFks: ['route', 'service'], ignore: TIMESTAMPS, secrets: [], schemaName: 'filter_chains',
  },
];

export const KIND_BY_NAME: Readonly<Record<KindName, KindDef>> = Object.fromEntries(KINDS.map((k) => [k.name, k])) as Record<KindName, KindDef>;

export const KIND_NAMES: readonly KindName[] = KINDS.map((k) => k.name);

/**
 * Kinds that nest under `parent` in a file, with the key they nest under. `consumer_groups[].plugins`
 * holds policy overrides with decK's `consumer_group_policy_overrides`, else scoped plugins.
 */
export function childrenOf(parent: KindName, policyOverrides = false): Array<{ kind: KindDef; key: string }> {
  const out: Array<{ kind: KindDef; key: string }> = [];
  for (const k of KINDS) {
    const key = k.nestedUnder[parent];
    if (parent === 'consumer_groups' && key === 'plugins' && (k.policyOverride === true) !== policyOverrides) continue;
    if (key !== undefined) out.push({ kind: k, key });
  }
  return out;
}

/** The foreign key of `child` that points at `parent` (the one nesting fills in). */
export function fkTo(child: KindDef, parent: KindName): ForeignKey | undefined {
  return child.foreignKeys.find((f) => f.kind === parent);
}
