// ai-custom-guardrail: config schema source (built into schemas/plugins/ai-custom-guardrail.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, bool, el, map, pluginConfig, rec, since, str } from '../../../../schemas/src/dsl.mjs';
import { guardingMode, responseBufferSize, stopOnError, textSource, timeoutMs } from '../../../../schemas/src/ai-fields.mjs';

export const name = 'ai-custom-guardrail';
export const priority = 785;
/** The Kong version that added the plugin. */
export const kongSince = '3.14';

const LUA_FUNCTIONS = "Lua functions cannot run in aigw; aigw serve refuses a plugin that defines them";

/** The config schema for Kong version `kong`; null before the plugin existed. */
export function schema(kong = KONG_REFERENCE) {
  if (!since(kong, kongSince)) return null;
  const refMap = (d) => map(d, el('string', { referenceable: true }));
  return pluginConfig(name, priority, 'Checks prompts and responses with any HTTP guardrail service, described declaratively.', {
    params: map('Parameters, usable in the request as $(conf.params.NAME).', el('string', { referenceable: true })),
    functions: map('Lua functions, by name, callable from expressions.', el('string'), { unsupported: LUA_FUNCTIONS }),
    request: rec('The request sent to the guardrail service.', {
      url: str('URL of the guardrail service.', { required: true }),
      headers: refMap('Request headers.'),
      queries: refMap('Query arguments.'),
      body: refMap('Fields of the JSON body.'),
      auth: rec('Credential of the guardrail service.', {
        location: str('Where the credential goes.', { required: true, default: 'header', one_of: ['header', 'query', 'body'] }),
        name: str('Name of the header, query argument or body field.', { referenceable: true }),
        value: str('The credential.', { referenceable: true, secret: true }),
      }),
    }, { required: true }),
    response: rec('How the guardrail service\'s answer is read.', {
      block: str('Whether to block: an expression such as $(resp.flagged), or a literal.', { required: true }),
      block_message: str('Message of a refusal: an expression such as $(resp.reason), or a literal.', { required: true }),
    }, { required: true }),
    metrics: rec('Values logged under ai.proxy.custom-guardrail.', {
      block_reason: str('Why the content was blocked.'),
      block_detail: str('More detail about the block.'),
      masked: str('Whether content was masked.'),
    }),
    custom_metrics: map('More values logged, by name.', el('string')),
    guarding_mode: guardingMode(),
    text_source: textSource(kong, 'last_message'),
    allow_masking: bool('Let the guardrail service mask content instead of blocking it.', { required: true, default: false }),
    response_buffer_size: responseBufferSize(),
    stop_on_error: stopOnError(),
    timeout: timeoutMs(),
    ssl_verify: bool('Verify the TLS certificate of the guardrail service.', { required: true, default: true }),
  });
}
