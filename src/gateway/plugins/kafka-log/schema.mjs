// kafka-log (Kong Enterprise): config schema source (built into schemas/plugins/kafka-log.json by
// `npm run gen:schemas`). aigw validates it but `aigw serve` does not run it (index.ts: refused at startup; stored
// and served fail closed in database mode). `priority` is declared here only.
//
// Fields, types, defaults, enums, required, referenceable and encrypted (x-secret) flags by Kong version, from
// Kong's published schemas (Kong/developer.konghq.com app/_schemas/gateway/plugins/<3.10…3.15>/KafkaLog.json),
// with what that JSON loses from Kong's schema.lua: bootstrap_servers is a set, security.certificate_id a uuid,
// authentication and security are records Kong fills from defaults, and the SASL entity check with Kong's message.
import {
  KONG_REFERENCE, arr, bool, byVersion, el, elRec, enumOf, int, map, num, onlySince, pluginConfig, rec, set, str, uuid,
} from '../../../../schemas/src/dsl.mjs';
import { HTTP_PROTOCOLS, protocolsOf } from '../../../../schemas/src/plugin-fields.mjs';

export const name = 'kafka-log';
export const priority = 5;

/** grpc(s), http(s), ws(s): its default is all of them. */
export const protocols = () => protocolsOf([...HTTP_PROTOCOLS, 'ws', 'wss']);

/** The config schema for Kong version `kong` (the profile being built: `onlySince`, `byVersion`). */
export function schema(_kong = KONG_REFERENCE) {
  return pluginConfig(name, priority, 'Publishes request and response logs to a Kafka topic (Kong Enterprise; validated, not run by aigw serve).', {
    authentication: rec('SASL authentication to the Kafka brokers.', {
      mechanism: str('The SASL authentication mechanism. Supported options: `PLAIN`, `SCRAM-SHA-256`, `SCRAM-SHA-512`, or `OAUTHBEARER`.', { ...enumOf(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'], {'OAUTHBEARER': '3.15'}) }),
      ...onlySince('3.15', { oauthbearer: rec('Options for SASL OAUTHBEARER authentication. Required when `mechanism` is `OAUTHBEARER`.', {
        client_id: str('The OAuth2 client ID.', { referenceable: true }),
        client_secret: str('The OAuth2 client secret.', { referenceable: true, secret: true }),
        extensions: map('Key-value pairs sent as extensions in the OAUTHBEARER SASL handshake (e.g. logicalCluster, identityPoolId).', el('string')),
        scopes: arr('List of OAuth2 scopes to request.', el('string')),
        token_endpoint_tls_verify: bool('Whether to verify the TLS certificate of the token endpoint.', { default: true }),
        token_endpoint_url: str('The URL of the OAuth2 token endpoint.', { referenceable: true }),
      }) }),
      password: str('Password for SASL authentication.', { referenceable: true, secret: true }),
      strategy: str('The authentication strategy for the plugin, the only option for the value is `sasl`.', { one_of: ['sasl'] }),
      tokenauth: bool('Enable this to indicate `DelegationToken` authentication.'),
      user: str('Username for SASL authentication.', { referenceable: true, secret: true }),
    }, { required: true }),
    bootstrap_servers: set('Set of bootstrap brokers in a `{host: host, port: port}` list format.', elRec({
      host: str('A string representing a host name, such as example.com.', { required: true }),
      port: int('An integer representing a port number between 0 and 65535, inclusive.', { required: true, min: 0, max: 65535 }),
    })),
    cluster_name: str('An identifier for the Kafka cluster.'),
    custom_fields_by_lua: map('Lua code as a key-value map.', el('string')),
    keepalive: int('Keepalive timeout (ms) of the broker connections.', { default: 60000 }),
    keepalive_enabled: bool('Keep broker connections alive between log batches.', { default: false }),
    ...onlySince('3.11', { key_query_arg: str('The request query parameter name that contains the Kafka message key.') }),
    producer_async: bool('Flag to enable asynchronous mode.', { default: true }),
    producer_async_buffering_limits_messages_in_memory: int('Maximum number of messages that can be buffered in memory in asynchronous mode.', { default: 50000 }),
    producer_async_flush_timeout: int('Maximum time interval in milliseconds between buffer flushes in asynchronous mode.', { default: 1000 }),
    producer_request_acks: int('The number of acknowledgments the producer requires the leader to have received before considering a request complete.', { default: 1, one_of: [-1, 0, 1] }),
    producer_request_limits_bytes_per_request: int('Maximum size of a Produce request in bytes.', { default: 1048576 }),
    producer_request_limits_messages_per_request: int('Maximum number of messages to include into a single Produce request.', { default: 200 }),
    producer_request_retries_backoff_timeout: int('Backoff interval between retry attempts in milliseconds.', { default: 100 }),
    producer_request_retries_max_attempts: int('Maximum number of retry attempts per single Produce request.', { default: 10 }),
    producer_request_timeout: int('Time to wait for a Produce response in milliseconds.', { default: 2000 }),
    ...onlySince('3.11', { schema_registry: rec('The plugin-global schema registry configuration. This can be overwritten by the topic configuration.', {
      confluent: rec('Confluent Schema Registry: messages are serialized with the registry\'s schema.', {
        authentication: rec('Authentication to the schema registry.', {
          basic: rec('Basic authentication to the schema registry.', {
            password: str('Password of the basic authentication.', { required: true, referenceable: true, secret: true }),
            username: str('Username of the basic authentication.', { required: true, referenceable: true, secret: true }),
          }),
          mode: str('Authentication mode to use with the schema registry.', { default: 'none', ...enumOf(['none', 'basic'], {'oauth2': '3.12'}) }),
          ...onlySince('3.12', { oauth2: rec('OAuth2 authentication to the schema registry.', {
            audience: arr('List of audiences passed to the IdP when obtaining a new token.', el('string'), { default: [] }),
            client_id: str('The client ID for the application registration in the IdP.', { referenceable: true, secret: true }),
            client_secret: str('The client secret for the application registration in the IdP.', { referenceable: true, secret: true }),
            grant_type: str('The OAuth grant type to be used.', { default: 'client_credentials', one_of: ['password', 'client_credentials'] }),
            password: str('The password to use if `config.oauth.grant_type` is set to `password`.', { referenceable: true, secret: true }),
            scopes: arr('List of scopes to request from the IdP when obtaining a new token.', el('string'), { default: ['openid'] }),
            token_endpoint: str('The token endpoint URI.', { required: true }),
            token_headers: map('Extra headers to be passed in the token endpoint request.', el('string', { referenceable: true })),
            token_post_args: map('Extra post arguments to be passed in the token endpoint request.', el('string', { referenceable: true })),
            username: str('The username to use if `config.oauth.grant_type` is set to `password`.', { referenceable: true, secret: true }),
          }) }),
          ...onlySince('3.12', { oauth2_client: rec('HTTP client settings of the OAuth2 token requests.', {
            auth_method: str('The authentication method used in client requests to the IdP.', { default: 'client_secret_post', one_of: ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'none'] }),
            client_secret_jwt_alg: str('The algorithm to use with JWT when using `client_secret_jwt` authentication.', { default: 'HS512', one_of: ['HS256', 'HS512'] }),
            http_proxy: str('The proxy to use when making HTTP requests to the IdP.'),
            http_proxy_authorization: str('The `Proxy-Authorization` header value to be used with `http_proxy`.'),
            http_version: num('The HTTP version used for requests made by this plugin. Supported values: `1.1` for HTTP 1.1 and `1.0` for HTTP 1.0.', { default: 1.1 }),
            https_proxy: str('The proxy to use when making HTTPS requests to the IdP.'),
            https_proxy_authorization: str('The `Proxy-Authorization` header value to be used with `https_proxy`.'),
            keep_alive: bool('Whether to use keepalive connections to the IdP.', { default: true }),
            no_proxy: str('A comma-separated list of hosts that should not be proxied.'),
            ssl_verify: bool('Whether to verify the certificate presented by the IdP when using HTTPS.', { default: byVersion('3.14', false, true) }),
            timeout: int('Network I/O timeout for requests to the IdP in milliseconds.', { default: 10000, min: 0, max: 2147483646 }),
          }) }),
        }, { required: true }),
        key_schema: rec('Schema of the message key.', {
          schema_version: str('The schema version to use for serialization/deserialization. Use \'latest\' to always fetch the most recent version.'),
          subject_name: str('The name of the subject.'),
        }, { required: true }),
        ssl_verify: bool('Set to false to disable SSL certificate verification when connecting to the schema registry.', { default: true }),
        ttl: num('The TTL in seconds for the schema registry cache.', { min: 0, max: 3600 }),
        url: str('The URL of the schema registry.'),
        value_schema: rec('Schema of the message value.', {
          schema_version: str('The schema version to use for serialization/deserialization. Use \'latest\' to always fetch the most recent version.'),
          subject_name: str('The name of the subject.'),
        }, { required: true }),
      }, { required: true }),
    }, { required: true }) }),
    security: rec('TLS to the Kafka brokers.', {
      certificate_id: uuid('Id of the Certificate entity used as the client certificate (mTLS).'),
      ssl: bool('Enables TLS.'),
      ...onlySince('3.13', { ssl_verify: bool('When using TLS, this option enables verification of the certificate presented by the server.', { default: byVersion('3.14', false, true) }) }),
    }, { required: true }),
    timeout: int('Socket timeout in milliseconds.', { default: 10000 }),
    topic: str('The Kafka topic to publish to.', { required: true }),
  }, [
    { custom: 'kafka-sasl-credentials', message: 'if authentication strategy is SASL and mechanism is PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, you have to set user and password' },
  ]);
}
