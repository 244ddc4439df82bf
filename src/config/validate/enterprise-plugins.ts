/**
 * Kong Enterprise plugins (Kong's plugin hub, developer.konghq.com/plugins/, Enterprise tier): Kong OSS
 * does not have them. For the ones aigw has no schema for, validate names them as such (instead of "not
 * known") so a decK file written for Kong Enterprise or Konnect says why `aigw serve` cannot run it.
 * openid-connect and kafka-log stay listed but have schemas (src/gateway/plugins/<name>/schema.mjs):
 * they are validated fully, and `aigw serve` refuses them (database mode: stored, served fail closed).
 * The ones aigw runs (rate-limiting-advanced, request-validator, the AI plugins…) are not listed.
 */
export const ENTERPRISE_PLUGINS: ReadonlySet<string> = new Set([
  'application-registration', 'canary', 'confluent', 'confluent-consume', 'datakit', 'degraphql', 'exit-transformer',
  'forward-proxy', 'graphql-proxy-cache-advanced', 'graphql-rate-limiting-advanced', 'header-cert-auth', 'injection-protection',
  'jq', 'json-threat-protection', 'jwe-decrypt', 'jwt-signer', 'kafka-consume', 'kafka-log', 'kafka-upstream', 'key-auth-enc',
  'konnect-application-auth', 'ldap-auth-advanced', 'mocking', 'mtls-auth', 'oas-validation', 'oauth2-introspection', 'opa',
  'openid-connect', 'proxy-cache-advanced', 'request-callout', 'request-transformer-advanced', 'response-transformer-advanced',
  'route-by-header', 'route-transformer-advanced', 'saml', 'service-protection', 'statsd-advanced', 'tls-handshake-modifier',
  'tls-metadata-headers', 'upstream-oauth', 'upstream-timeout', 'vault-auth', 'websocket-size-limit', 'websocket-validator',
  'xml-threat-protection',
]);

/** The AIGW_UNKNOWN_PLUGIN message for a plugin aigw has no schema for (never one of the validated ones). */
export function unknownPluginMessage(name: string): string {
  return ENTERPRISE_PLUGINS.has(name)
    ? `plugin '${name}' is a Kong Enterprise plugin that aigw does not implement: 'aigw serve' cannot run it and its config is not checked (Kong Enterprise and Konnect run it)`
    : `plugin '${name}' is not known to aigw: 'aigw serve' cannot run it and its config is not checked (it may exist on your Kong)`;
}
