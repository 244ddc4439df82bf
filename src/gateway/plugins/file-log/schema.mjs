// file-log: config schema source (built into schemas/plugins/file-log.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, bool, pluginConfig, str } from '../../../../schemas/src/dsl.mjs';
import { customFieldsByLua } from '../../../../schemas/src/plugin-fields.mjs';

export const name = 'file-log';
export { anyProtocols as protocols } from '../../../../schemas/src/plugin-fields.mjs';

export const priority = 9;

/** The config schema for Kong version `kong`. */
export function schema(_kong = KONG_REFERENCE) {
  return pluginConfig(name, priority, 'Appends request and response data as JSON lines to a file.', {
    path: str('File to append to.', { required: true, pattern: '^[^*&%`]+$' }),
    reopen: bool('Close and reopen the file on every request.', { required: true, default: false }),
    custom_fields_by_lua: customFieldsByLua(),
  });
}
