// ai-azure-content-safety: config schema source (built into schemas/plugins/ai-azure-content-safety.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, arr, bool, el, elRec, int, pluginConfig, since, str } from '../../../../schemas/src/dsl.mjs';
import { guardingMode, logBlockedContent, responseBufferSize, stopOnError, textSource } from '../../../../schemas/src/ai-fields.mjs';

export const name = 'ai-azure-content-safety';
export const priority = 774;
/** The Kong version that added the plugin (Kong EE 3.7). */
export const kongSince = '3.7';

const AZURE_MI = 'Azure managed identity (IMDS) is not implemented by the embedded gateway';

/** The config schema for Kong version `kong`; null before the plugin existed. */
export function schema(kong = KONG_REFERENCE) {
  if (!since(kong, kongSince)) return null;
  const props = {
    content_safety_url: str('Full URL of the Azure AI Content Safety text:analyze operation.', { required: true, referenceable: true }),
    content_safety_key: str('Key of the Content Safety resource (Ocp-Apim-Subscription-Key).', { referenceable: true, secret: true }),
    azure_api_version: str('api-version query argument of the Content Safety API.', { required: true, default: '2023-10-01', len_min: 1 }),
    azure_use_managed_identity: bool('Authenticate with the Azure managed identity instead of a key.', { required: true, default: false, unsupported: AZURE_MI }),
    azure_client_id: str('Client id of a user-assigned Azure identity.', { unsupported: AZURE_MI }),
    azure_client_secret: str('Client secret of a user-assigned Azure identity.', { secret: true, unsupported: AZURE_MI }),
    azure_tenant_id: str('Tenant id of a user-assigned Azure identity.', { unsupported: AZURE_MI }),
    categories: arr('Harm categories checked, each with the severity at which content is rejected.', elRec({
      name: str('Category name (Hate, SelfHarm, Sexual, Violence).', { required: true }),
      rejection_level: int('Severity from which the content is rejected.', { required: true }),
    })),
    blocklist_names: arr('Names of blocklists of the Content Safety resource to check.', el('string')),
    halt_on_blocklist_hit: bool('Stop the analysis at the first blocklist hit.', { required: true, default: true }),
    output_type: str('Severity scale returned by Azure.', { required: true, default: 'FourSeverityLevels', one_of: ['FourSeverityLevels', 'EightSeverityLevels'] }),
    reveal_failure_reason: bool('Tell the client which category or blocklist refused the content.', { required: true, default: true }),
    text_source: textSource(kong),
  };
  if (since(kong, '3.12')) {
    Object.assign(props, { guarding_mode: guardingMode(), response_buffer_size: responseBufferSize(), stop_on_error: stopOnError() });
  }
  if (since(kong, '3.13')) props.ssl_verify = bool('Verify the TLS certificate of the Content Safety service.', { required: true, default: since(kong, '3.14') });
  if (since(kong, '3.14')) props.log_blocked_content = logBlockedContent();
  return pluginConfig(name, priority, 'Checks prompts and responses with Azure AI Content Safety.', props);
}
