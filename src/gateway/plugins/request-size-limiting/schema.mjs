// request-size-limiting: config schema source (built into schemas/plugins/request-size-limiting.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, bool, int, pluginConfig, str } from '../../../../schemas/src/dsl.mjs';

export const name = 'request-size-limiting';
export const priority = 951;

/** The config schema for Kong version `kong`. */
export function schema(_kong = KONG_REFERENCE) {
  return pluginConfig(name, priority, 'Rejects requests whose body is larger than a limit.', {
    allowed_payload_size: int('Allowed request payload size, in size_unit.', { required: true, default: 128 }),
    size_unit: str('Unit of allowed_payload_size.', {
      required: true, default: 'megabytes', one_of: ['megabytes', 'kilobytes', 'bytes'],
    }),
    require_content_length: bool('Reject requests without a Content-Length header.', { required: true, default: false }),
  });
}
