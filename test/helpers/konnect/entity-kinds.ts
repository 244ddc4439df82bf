/**
 * The one list of core-entity kinds this server knows: URL collection, JSON-schema name, URL key,
 * uniqueness, foreign keys, which methods the top-level collection has, and the nested collections.
 *
 * Paths and methods: control-planes-config/v2 openapi `paths` (top-level targets and credentials are
 * read-only; their writes go through `/upstreams/{u}/targets` and `/consumers/{c}/{key-auth|…}`).
 * "by ID or name/username/target/prefix": the same spec's operation descriptions. Foreign-key deletes
 * cascade as koko does (deleting a service deletes its routes and plugins: koko service_test.go);
 * client certificates and CA certificates in use are protected. Names decK sends to
 * `/schemas/{entity}/validate`: decK validate/validate.go EntityMap.
 */
export interface ForeignKey {
  field: string;
  kind: string;
  onDelete: 'cascade' | 'restrict';
}

export interface KindSpec {
  /** URL collection, e.g. `services`. */
  kind: string;
  /** Name in `/v1/schemas/json/{name}` and in entitySchemas(). */
  schema: string;
  /** Alternate URL key besides the id. */
  endpointKey?: string;
  /** Fields unique on their own. */
  unique: string[];
  foreign: ForeignKey[];
  /** `rw`: GET/POST list, GET/PUT/DELETE item; `ro`: GET list and item; `list`: GET list only. */
  topLevel: 'rw' | 'ro' | 'list';
  /** Names accepted by `POST /schemas/{name}/validate`. */
  validateAs: string[];
}

const fk = (field: string, kind: string, onDelete: ForeignKey['onDelete'] = 'cascade'): ForeignKey => ({ field, kind, onDelete });
const consumerFk = [fk('consumer', 'consumers')];

export const KINDS: KindSpec[] = [
  {
    kind: 'services',
    schema: 'service',
    endpointKey: 'name',
    unique: ['name'],
    foreign: [fk('client_certificate', 'certificates', 'restrict')],
    topLevel: 'rw',
    validateAs: ['services'],
  },
  { kind: 'routes', schema: 'route', endpointKey: 'name', unique: ['name'], foreign: [fk('service', 'services')], topLevel: 'rw', validateAs: ['routes'] },
  {
    kind: 'plugins',
    schema: 'plugin',
    unique: [],
    foreign: [fk('service', 'services'), fk('route', 'routes'), fk('consumer', 'consumers'), fk('consumer_group', 'consumer_groups')],
    topLevel: 'rw',
    validateAs: ['plugins'],
  },
  { kind: 'consumers', schema: 'consumer', endpointKey: 'username', unique: ['username', 'custom_id'], foreign: [], topLevel: 'rw', validateAs: ['consumers'] },
  { kind: 'consumer_groups', schema: 'consumer_group', endpointKey: 'name', unique: ['name'], foreign: [], topLevel: 'rw', validateAs: ['consumer_groups'] },
  {
    kind: 'upstreams',
    schema: 'upstream',
    endpointKey: 'name',
    unique: ['name'],
    foreign: [fk('client_certificate', 'certificates', 'restrict')],
    topLevel: 'rw',
    validateAs: ['upstreams'],
  },
  { kind: 'targets', schema: 'target', endpointKey: 'target', unique: [], foreign: [fk('upstream', 'upstreams')], topLevel: 'list', validateAs: ['targets'] },
  { kind: 'certificates', schema: 'certificate', unique: [], foreign: [], topLevel: 'rw', validateAs: ['certificates'] },
  { kind: 'snis', schema: 'sni', endpointKey: 'name', unique: ['name'], foreign: [fk('certificate', 'certificates')], topLevel: 'rw', validateAs: ['snis'] },
  { kind: 'ca_certificates', schema: 'ca_certificate', unique: ['cert_digest'], foreign: [], topLevel: 'rw', validateAs: ['ca_certificates'] },
  { kind: 'vaults', schema: 'vault', endpointKey: 'prefix', unique: ['prefix'], foreign: [], topLevel: 'rw', validateAs: ['vaults'] },
  { kind: 'keys', schema: 'key', endpointKey: 'name', unique: ['name'], foreign: [fk('set', 'key-sets')], topLevel: 'rw', validateAs: ['keys'] },
  { kind: 'key-sets', schema: 'key-set', endpointKey: 'name', unique: ['name'], foreign: [], topLevel: 'rw', validateAs: ['key_sets', 'key-sets'] },
  { kind: 'partials', schema: 'partial', unique: ['name'], foreign: [], topLevel: 'rw', validateAs: ['partials'] },
  { kind: 'key-auths', schema: 'key-auth', unique: ['key'], foreign: consumerFk, topLevel: 'ro', validateAs: ['keyauth_credentials'] },
  { kind: 'basic-auths', schema: 'basic-auth', unique: ['username'], foreign: consumerFk, topLevel: 'ro', validateAs: ['basicauth_credentials'] },
  { kind: 'hmac-auths', schema: 'hmac-auth', unique: ['username'], foreign: consumerFk, topLevel: 'ro', validateAs: ['hmacauth_credentials'] },
  { kind: 'jwts', schema: 'jwt', unique: ['key'], foreign: consumerFk, topLevel: 'ro', validateAs: ['jwt_secrets'] },
  { kind: 'acls', schema: 'acl', unique: [], foreign: consumerFk, topLevel: 'ro', validateAs: ['acls'] },
  {
    kind: 'mtls-auths',
    schema: 'mtls-auth',
    unique: [],
    foreign: [...consumerFk, fk('ca_certificate', 'ca_certificates', 'restrict')],
    topLevel: 'ro',
    validateAs: ['mtls_auth_credentials'],
  },
];

export interface Nested {
  parent: string;
  segment: string;
  child: string;
  /** The child's foreign-key field pointing at the parent. */
  field: string;
}

const n = (parent: string, segment: string, child: string, field: string): Nested => ({ parent, segment, child, field });

export const NESTED: Nested[] = [
  n('services', 'routes', 'routes', 'service'),
  n('services', 'plugins', 'plugins', 'service'),
  n('routes', 'plugins', 'plugins', 'route'),
  n('consumers', 'plugins', 'plugins', 'consumer'),
  n('consumer_groups', 'plugins', 'plugins', 'consumer_group'),
  n('upstreams', 'targets', 'targets', 'upstream'),
  n('certificates', 'snis', 'snis', 'certificate'),
  n('key-sets', 'keys', 'keys', 'set'),
  n('consumers', 'key-auth', 'key-auths', 'consumer'),
  n('consumers', 'basic-auth', 'basic-auths', 'consumer'),
  n('consumers', 'hmac-auth', 'hmac-auths', 'consumer'),
  n('consumers', 'jwt', 'jwts', 'consumer'),
  n('consumers', 'acls', 'acls', 'consumer'),
  n('consumers', 'mtls-auth', 'mtls-auths', 'consumer'),
];

export const kindSpec = (kind: string): KindSpec | undefined => KINDS.find((k) => k.kind === kind);
export const nestedSpec = (parent: string, segment: string): Nested | undefined => NESTED.find((x) => x.parent === parent && x.segment === segment);
export const kindForValidate = (name: string): KindSpec | undefined => KINDS.find((k) => k.validateAs.includes(name) || k.schema === name);

/** The konnect-managed tags (GDR pkg/konnect KonnectManagedTag / KonnectManagedPluginTag). */
export const KONNECT_MANAGED_TAG = 'konnect-managed';
export const KONNECT_MANAGED_PLUGIN_TAG = 'konnect-managed-plugin';
