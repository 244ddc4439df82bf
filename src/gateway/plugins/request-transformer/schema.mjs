// request-transformer: config schema source (built into schemas/plugins/request-transformer.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, arr, el, pluginConfig, rec, str } from '../../../../schemas/src/dsl.mjs';

export const name = 'request-transformer';
export { anyProtocols as protocols } from '../../../../schemas/src/plugin-fields.mjs';

export const priority = 801;

/** The config schema for Kong version `kong`. */
export function schema(_kong = KONG_REFERENCE) {
  const COLON = '^[^:]+:[\\s\\S]*$';
  const plain = (d) => arr(d, el('string'), { required: true, default: [] });
  const pairs = (d) => arr(d, el('string', { pattern: COLON }), { required: true, default: [] });
  const group = (d, make, extra = {}) => rec(d, {
    body: make('Body parameters (form or JSON).'),
    headers: make('Headers.'),
    querystring: make('Query-string parameters.'),
    ...extra,
  }, { required: true });
  return pluginConfig(name, priority, 'Transforms the request before proxying: remove, rename, replace, add, append.', {
    http_method: str('Upstream request method override.', { pattern: '^[A-Z]+$' }),
    remove: group('Names to remove.', plain),
    rename: group("Renames as 'old:new'.", pairs),
    replace: group("Replacements as 'name:value' (only when present).", pairs, {
      uri: str('Upstream path override; may use $(uri_captures...) templates.'),
    }),
    add: group("Additions as 'name:value' (only when absent).", pairs),
    append: group("Appended values as 'name:value'.", pairs),
  });
}
