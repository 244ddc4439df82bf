// ai-gcp-model-armor: config schema source (built into schemas/plugins/ai-gcp-model-armor.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, bool, pluginConfig, since, str } from '../../../../schemas/src/dsl.mjs';
import { guardingMode, logBlockedContent, responseBufferSize, stopOnError, textSource, timeoutMs } from '../../../../schemas/src/ai-fields.mjs';

export const name = 'ai-gcp-model-armor';
export const priority = 783;
/** The Kong version that added the plugin. */
export const kongSince = '3.12';

/** The config schema for Kong version `kong`; null before the plugin existed. */
export function schema(kong = KONG_REFERENCE) {
  if (!since(kong, kongSince)) return null;
  const props = {
    project_id: str('GCP project of the Model Armor template.', { required: true }),
    location_id: str('GCP location of the Model Armor template (e.g. us-central1).', { required: true }),
    template_id: str('Model Armor template applied to every inspection.', { required: true }),
    gcp_use_service_account: bool('Authenticate with gcp_service_account_json (or GCP_SERVICE_ACCOUNT).', { required: true, default: false }),
    gcp_service_account_json: str('Full JSON of the GCP service account; falls back to env GCP_SERVICE_ACCOUNT.', { referenceable: true, secret: true }),
    guarding_mode: guardingMode(),
    text_source: textSource(kong, 'last_message'),
    reveal_failure_categories: bool('List the filters that matched in the refusal.', { required: true, default: false }),
    request_failure_message: str('Message of a refused request.', { required: true, default: 'Request was filtered by GCP Model Armor' }),
    response_failure_message: str('Message of a refused response.', { required: true, default: 'Response was filtered by GCP Model Armor' }),
    enable_multi_language_detection: bool('Ask Model Armor to detect the language of the content.', { required: true, default: false }),
    source_language: str('Language of the content (BCP-47) when not detected.'),
    response_buffer_size: responseBufferSize(),
    stop_on_error: stopOnError(),
    timeout: timeoutMs(),
  };
  if (since(kong, '3.14')) {
    Object.assign(props, {
      gcp_metadata_url: str('GCP metadata server URL (for credentials from the environment).', { referenceable: true }),
      gcp_oauth_token_url: str('OAuth token URL of the service-account exchange.', { referenceable: true }),
      log_blocked_content: logBlockedContent(),
    });
  }
  return pluginConfig(name, priority, 'Checks prompts and responses with Google Cloud Model Armor.', props);
}
