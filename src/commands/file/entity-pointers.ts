/**
 * Where each kind of entity can sit in a decK file (go-apiops deckformat/entitypointers.go): the
 * default selectors of the tag commands (every tag owner) and of namespace (every route).
 */
export const ENTITY_POINTERS: Record<string, string[]> = {
  acls: ['$.acls[*]', '$.consumers[*].acls[*]'],
  basicauth_credentials: ['$.basicauth_credentials[*]', '$.consumers[*].basicauth_credentials[*]'],
  ca_certificates: ['$.ca_certificates[*]'],
  certificates: ['$.certificates[*]'],
  consumer_group_consumers: ['$.consumer_group_consumers[*]'],
  consumer_group_plugins: ['$.consumer_group_plugins[*]', '$.consumer_groups[*].consumer_group_plugins[*]'],
  consumer_groups: ['$.consumer_groups[*]'],
  consumers: ['$.consumers[*]'],
  document_objects: ['$.document_objects[*]', '$.services[*].document_objects[*]'],
  hmacauth_credentials: ['$.hmacauth_credentials[*]', '$.consumers[*].hmacauth_credentials[*]'],
  jwt_secrets: ['$.jwt_secrets[*]', '$.consumers[*].jwt_secrets[*]'],
  keyauth_credentials: ['$.keyauth_credentials[*]', '$.consumers[*].keyauth_credentials[*]'],
  mtls_auth_credentials: ['$.mtls_auth_credentials[*]', '$.consumers[*].mtls_auth_credentials[*]', '$.ca_certificates[*].mtls_auth_credentials[*]'],
  oauth2_credentials: ['$.oauth2_credentials[*]', '$.consumers[*].oauth2_credentials[*]'],
  plugins: [
    '$.plugins[*]', '$.routes[*].plugins[*]', '$.services[*].plugins[*]', '$.services[*].routes[*].plugins[*]', '$.consumers[*].plugins[*]',
    '$.consumer_group_plugins[*]', '$.consumer_groups[*].consumer_group_plugins[*]', '$.consumer_groups[*].plugins[*]',
  ],
  rbac_role_endpoints: ['$.rbac_role_endpoints[*]', '$.rbac_roles[*].rbac_role_endpoints[*]'],
  rbac_role_entities: ['$.rbac_role_entities[*]', '$.rbac_roles[*].rbac_role_entities[*]'],
  rbac_roles: ['$.rbac_roles[*]'],
  routes: ['$.routes[*]', '$.services[*].routes[*]'],
  services: ['$.services[*]'],
  snis: ['$.snis[*]', '$.certificates[*].snis[*]'],
  targets: ['$.targets[*]', '$.upstreams[*].targets[*]', '$.certificates[*].upstreams[*].targets[*]'],
  upstreams: ['$.upstreams[*]', '$.certificates[*].upstreams[*]'],
  vaults: ['$.vaults[*]'],
};

/** Every entity that can hold `tags`. */
export const TAG_OWNERS: string[] = Object.values(ENTITY_POINTERS).flat();
