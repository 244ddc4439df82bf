// cors: config schema source (built into schemas/plugins/cors.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, arr, bool, el, num, pluginConfig } from '../../../../schemas/src/dsl.mjs';

export const name = 'cors';
export const priority = 2000;

/** The config schema for Kong version `kong`. */
export function schema(_kong = KONG_REFERENCE) {
  const METHODS = ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT'];
  return pluginConfig(name, priority, 'Adds Cross-Origin Resource Sharing (CORS) headers and answers preflights.', {
    origins: arr("Allowed origins: '*', exact origins or regexes.", el('string')),
    headers: arr('Value of Access-Control-Allow-Headers (default: the request headers).', el('string')),
    exposed_headers: arr('Value of Access-Control-Expose-Headers.', el('string')),
    methods: arr('Value of Access-Control-Allow-Methods.', el('string', { one_of: METHODS }), { default: METHODS }),
    max_age: num('Seconds a preflight result may be cached (Access-Control-Max-Age).'),
    credentials: bool('Send Access-Control-Allow-Credentials: true.', { required: true, default: false }),
    private_network: bool('Send Access-Control-Allow-Private-Network: true on preflights that ask for it.', {
      required: true, default: false,
    }),
    preflight_continue: bool('Proxy OPTIONS preflight requests upstream.', { required: true, default: false }),
    allow_origin_absent: bool('Run the CORS logic when the request has no Origin header.', { required: true, default: true }),
  });
}
