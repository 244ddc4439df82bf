// ai-prompt-compressor: config schema source (built into schemas/plugins/ai-prompt-compressor.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, arr, bool, el, elRec, int, num, pluginConfig, since, str } from '../../../../schemas/src/dsl.mjs';

export const name = 'ai-prompt-compressor';
export const priority = 769;
/** The Kong version that added the plugin. */
export const kongSince = '3.11';

/** The config schema for Kong version `kong`; null before the plugin existed. */
export function schema(kong = KONG_REFERENCE) {
  if (!since(kong, kongSince)) return null;
  return pluginConfig(name, priority, 'Compresses prompts with an external LLMLingua compressor service before they reach the LLM.', {
    compression_ranges: arr('Compression by prompt size: a prompt of min_tokens..max_tokens tokens is compressed by value.', elRec({
      min_tokens: int('Smallest prompt size (tokens) of the range.', { required: true }),
      max_tokens: int('Largest prompt size (tokens) of the range.', { required: true }),
      value: num("Compression of the range: a ratio ('rate') or a token count ('target_token').", { required: true }),
    }), { required: true }),
    compressor_type: str("'rate': value is the ratio of tokens kept; 'target_token': value is the token count to reach.", {
      required: true, default: 'rate', one_of: ['rate', 'target_token'],
    }),
    compressor_url: str('Base URL of the compressor service.', { required: true, default: 'http://localhost:8080' }),
    message_type: arr('Roles of the messages compressed.', el('string', { one_of: ['system', 'user', 'assistant'] }), {
      required: true, default: ['user'],
    }),
    stop_on_error: bool('Refuse the request when the compressor service fails; otherwise send it uncompressed.', { required: true, default: true }),
    timeout: num('Timeout of a call to the compressor service (ms).', { required: true, default: 10000 }),
    keepalive_timeout: num('Keep-alive timeout of connections to the compressor service (ms).', { required: true, default: 60000 }),
    log_text_data: bool('Log the original and compressed texts.', { required: true, default: false }),
  });
}
