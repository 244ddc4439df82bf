// http-log: config schema source (built into schemas/plugins/http-log.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, bool, byVersion, el, has, int, map, num, onlySince, pluginConfig, rec, str, url, uuid } from '../../../../schemas/src/dsl.mjs';
import { anyProtocols, customFieldsByLua } from '../../../../schemas/src/plugin-fields.mjs';

export const name = 'http-log';
export const priority = 12;
export const protocols = () => anyProtocols();

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
  }, { required: true });
}

/** The config schema for Kong version `kong`. */
export function schema(_kong = KONG_REFERENCE) {
  // Kong (Queue.get_plugin_params) maps queue_size and flush_timeout onto queue.* and ignores retry_count; so does aigw serve
  const deprecated = { deprecated: 'use queue.*' };
  return pluginConfig(name, priority, 'Sends request and response data as JSON to an HTTP endpoint.', {
    http_endpoint: url('URL the logs are sent to (may embed user info).', { required: true, referenceable: true, secret: true }),
    method: str('HTTP method of the log request.', { default: 'POST', one_of: ['POST', 'PUT', 'PATCH'] }),
    content_type: str('Content-Type of the log request.', {
      default: 'application/json', one_of: ['application/json', 'application/json; charset=utf-8'],
    }),
    timeout: num('Timeout of the log request (ms).', { default: 10000 }),
    keepalive: num('Idle time (ms) of a kept-alive connection.', { default: 60000 }),
    retry_count: int('Deprecated: number of retries (ignored by Kong too: use queue.max_retry_time).', {
      ...deprecated, noEffect: 'Kong ignores it too (use queue.initial_retry_delay and queue.max_retry_time)',
    }),
    queue_size: int('Deprecated: maximum batch size (unless 1, it sets queue.max_batch_size).', deprecated),
    flush_timeout: num('Deprecated: seconds before a batch is flushed (unless 2, it sets queue.max_coalescing_delay).', deprecated),
    headers: map('Headers added to the log request.', el('string', { referenceable: true }), {
      keys: { pattern: "^(?![Hh][Oo][Ss][Tt]$|[Cc][Oo][Nn][Tt][Ee][Nn][Tt]-([Ll][Ee][Nn][Gg][Tt][Hh]|[Tt][Yy][Pp][Ee])$)[A-Za-z0-9!#$%&'*+.^_`|~-]+$" },
    }),
    queue: queue(),
    custom_fields_by_lua: customFieldsByLua(),
    ...onlySince('3.13', {
      ssl_verify: bool('Verify the certificate of an https endpoint.', byVersion('3.14', {}, { required: true, default: true })),
    }),
    ...(has('3.15') ? {
      client_certificate: rec('Client certificate (mTLS) presented to an https endpoint.', {
        id: uuid('Id of the certificate.', { required: true }),
      }, { unsupported: 'mTLS client certificates of http-log are not implemented by aigw serve' }),
    } : {}),
  }, [{
    custom: 'http-log-userinfo-authorization',
    message: "specifying both an 'Authorization' header and user info in 'http_endpoint' is not allowed",
  }]);
}
