// request-termination: config schema source (built into schemas/plugins/request-termination.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, bool, headerName, int, pluginConfig, str } from '../../../../schemas/src/dsl.mjs';

export const name = 'request-termination';
export const priority = 2;

/** The config schema for Kong version `_kong` (no change 3.10 → 3.15). */
export function schema(_kong = KONG_REFERENCE) {
  return pluginConfig(name, priority, 'Answers requests itself with a fixed status and message or body (maintenance, debugging with echo).', {
    status_code: int('The response code to send (100..599).', { required: true, default: 503, min: 100, max: 599 }),
    message: str('The message to send with the default response body ({"message": ...}).'),
    content_type: str('Content type of the raw response configured with body.'),
    body: str('The raw response body to send (excludes message).'),
    echo: bool('Echo a copy of the request back to the client (debugging); can be combined with trigger.', {
      required: true, default: false,
    }),
    trigger: headerName('Header or query argument name: when set, the plugin only terminates requests that carry it.'),
  }, [{ custom: 'request-termination', message: 'message cannot be used with content_type or body' }]);
}
