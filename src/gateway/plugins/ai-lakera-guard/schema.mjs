// ai-lakera-guard: config schema source (built into schemas/plugins/ai-lakera-guard.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, bool, pluginConfig, since, str } from '../../../../schemas/src/dsl.mjs';
import { guardingMode, logBlockedContent, responseBufferSize, stopOnError, textSource, timeoutMs } from '../../../../schemas/src/ai-fields.mjs';

export const name = 'ai-lakera-guard';
export const priority = 784;
/** The Kong version that added the plugin. */
export const kongSince = '3.13';

/** The config schema for Kong version `kong`; null before the plugin existed. */
export function schema(kong = KONG_REFERENCE) {
  if (!since(kong, kongSince)) return null;
  const props = {
    api_key: str('Lakera API key (Authorization: Bearer).', { referenceable: true, secret: true }),
    project_id: str('Lakera project whose policy applies.', { referenceable: true }),
    lakera_service_url: str('URL of the Lakera Guard API (v2/guard), SaaS or self-hosted.', {
      required: true, default: 'https://api.lakera.ai/v2/guard', referenceable: true,
    }),
    guarding_mode: guardingMode(),
    text_source: textSource(kong),
    reveal_failure_categories: bool('List the detectors that flagged the content in the refusal.', { required: true, default: false }),
    request_failure_message: str('Message of a refused request.', { required: true, default: 'Request was filtered by Lakera Guard' }),
    response_failure_message: str('Message of a refused response.', { required: true, default: 'Response was filtered by Lakera Guard' }),
    response_buffer_size: responseBufferSize(),
    stop_on_error: stopOnError(),
    timeout: timeoutMs(),
    verify_ssl: bool('Verify the TLS certificate of the Lakera service.', { required: true, default: true }),
  };
  if (since(kong, '3.14')) props.log_blocked_content = logBlockedContent();
  return pluginConfig(name, priority, 'Checks prompts and responses with Lakera Guard.', props);
}
