// The whole state file (decK's file.Content subset aigw understands).
import { arr, bool, el, rec, str } from './dsl.mjs';

/** Top-level entity arrays: key → entity schema file. */
export const TOP_LEVEL = {
  services: 'service',
  routes: 'route',
  consumers: 'consumer',
  consumer_groups: 'consumer_group',
  plugins: 'plugin',
  upstreams: 'upstream',
  certificates: 'certificate',
  ca_certificates: 'ca_certificate',
  vaults: 'vault',
  partials: 'partial',
  key_sets: 'key_set',
  keys: 'key',
  filter_chains: 'filter_chain',
};

/** Fields `_info.defaults.<kind>` may not set (decK's restricted fields) or that make no sense as defaults. */
const NOT_DEFAULTABLE = new Set(['id', 'name', 'target', 'created_at', 'updated_at', 'tags', 'url',
  'routes', 'plugins', 'filter_chains', 'targets', 'service', 'upstream']);

/** A closed, all-optional copy of an entity's own fields, for `_info.defaults`. */
function defaultsOf(entitySchema, description) {
  const properties = {};
  for (const [k, v] of Object.entries(entitySchema.properties)) {
    if (!NOT_DEFAULTABLE.has(k)) properties[k] = v;
  }
  return { description, type: ['object', 'null'], properties, additionalProperties: false };
}

export function stateSchema(entities) {
  const info = rec('decK metadata: select tags and per-kind defaults.', {
    select_tags: arr('Tags added to every entity of the file; only entities with all of them are managed.', el('string', { len_min: 1 })),
    defaults: rec('Default field values applied to entities of the file.', {
      service: defaultsOf(entities.service, 'Defaults of services.'),
      route: defaultsOf(entities.route, 'Defaults of routes.'),
      upstream: defaultsOf(entities.upstream, 'Defaults of upstreams.'),
      target: defaultsOf(entities.target, 'Defaults of targets.'),
    }),
    default_lookup_tags: rec('Tags of entities owned by other files: references to them are resolved on the gateway '
      + '(diff/sync read the entities carrying all the tags; they are never created, changed or deleted).', {
      consumers: arr('Tags of consumers to look up.', el('string')),
      consumer_groups: arr('Tags of consumer groups to look up.', el('string')),
      routes: arr('Tags of routes to look up.', el('string')),
      services: arr('Tags of services to look up.', el('string')),
      partials: arr('Tags of partials to look up.', el('string')),
    }),
    skip_hash_for_basic_auth: bool('basic-auth passwords in the file are already hashed as the gateway stores them '
      + '(decK: Konnect only; aigw serve stores them as given; refused against a Kong Admin API).'),
    consumer_group_policy_overrides: bool('decK: consumer_groups[].plugins are rate-limiting-advanced consumer-group '
      + 'overrides (Kong Enterprise before 3.4), and rate-limiting-advanced may set config.consumer_groups.'),
  });
  const props = {
    _format_version: str("State file format version; '3.0' for Kong 3.x.", { required: true, len_min: 1 }),
    _transform: { description: 'decK transform flag; only true is supported.', type: ['boolean', 'null'] },
    _workspace: str('Kong workspace the file targets (Kong EE).', { len_min: 1 }),
    _info: info,
    _konnect: rec('Konnect target (decK).', {
      control_plane_name: str('Konnect control plane name.'),
      runtime_group_name: str('Konnect runtime group name (deprecated alias).'),
    }, { noEffect: 'decK\'s Konnect target: aigw does not sync to Konnect, and aigw serve serves the file' }),
  };
  for (const [key, kind] of Object.entries(TOP_LEVEL)) {
    props[key] = arr(`Top-level ${key}.`, { $ref: `entities/${kind}.json` });
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'kong-state.schema.json',
    title: 'Kong declarative state file (decK format 3.0), as read by aigw',
    ...rec(undefined, props, { required: true, root: true }),
  };
}
