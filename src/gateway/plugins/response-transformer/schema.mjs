// response-transformer: config schema source (built into schemas/plugins/response-transformer.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, arr, el, pluginConfig, rec } from '../../../../schemas/src/dsl.mjs';

export const name = 'response-transformer';
export const priority = 800;

/** The config schema for Kong version `_kong` (no change 3.10 → 3.15; kong/plugins/response-transformer/schema.lua). */
export function schema(_kong = KONG_REFERENCE) {
  const COLON = '^[^:]+:[\\s\\S]*$';
  const plain = (d) => arr(d, el('string'), { required: true, default: [] });
  const pairs = (d) => arr(d, el('string', { pattern: COLON }), { required: true, default: [] });
  const types = () => arr('JSON types of the values, by position: boolean, number or string (default).', el('string', {
    one_of: ['boolean', 'number', 'string'],
  }), { required: true, default: [] });
  const typed = (d) => rec(d, {
    json: pairs("Top-level JSON body properties as 'name:value'."),
    json_types: types(),
    headers: pairs("Headers as 'name:value'."),
  }, { required: true });
  return pluginConfig(name, priority, 'Transforms the response before it reaches the client: remove, rename, replace, add, append headers and top-level JSON properties.', {
    remove: rec('Headers and JSON properties to remove.', {
      json: plain('Top-level JSON body properties to remove.'),
      headers: plain('Headers to remove.'),
    }, { required: true }),
    rename: rec("Renames as 'old:new'.", {
      json: pairs("Top-level JSON body properties as 'old:new'."),
      headers: pairs("Headers as 'old:new'."),
    }, { required: true }),
    replace: typed('Replacements (only of what is present).'),
    add: typed('Additions (only of what is absent).'),
    append: typed('Appended values (the property becomes an array).'),
  }, [{ custom: 'header-pairs', path: 'rename.headers', message: "'<name>' is not a valid header" }]);
}
