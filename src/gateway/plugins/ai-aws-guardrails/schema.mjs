// ai-aws-guardrails: config schema source (built into schemas/plugins/ai-aws-guardrails.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, bool, pluginConfig, since, str } from '../../../../schemas/src/dsl.mjs';
import { guardingMode, logBlockedContent, responseBufferSize, stopOnError, textSource, timeoutMs } from '../../../../schemas/src/ai-fields.mjs';

export const name = 'ai-aws-guardrails';
export const priority = 781;
/** The Kong version that added the plugin. */
export const kongSince = '3.11';

const AWS_STS = 'AWS STS role assumption is not implemented by the embedded gateway';

/** The config schema for Kong version `kong`; null before the plugin existed. */
export function schema(kong = KONG_REFERENCE) {
  if (!since(kong, kongSince)) return null;
  const props = {
    guardrails_id: str('Identifier of the Bedrock guardrail.', { required: true }),
    guardrails_version: str('Version of the guardrail (a number or DRAFT).', { required: true }),
    aws_region: str('AWS region of the guardrail.', { required: true }),
    aws_access_key_id: str('AWS access key id; falls back to AWS_ACCESS_KEY_ID.', { referenceable: true, secret: true }),
    aws_secret_access_key: str('AWS secret access key; falls back to AWS_SECRET_ACCESS_KEY.', { referenceable: true, secret: true }),
    guarding_mode: guardingMode(),
    text_source: textSource(kong),
    response_buffer_size: responseBufferSize(),
    stop_on_error: stopOnError(),
    timeout: timeoutMs(),
  };
  if (since(kong, '3.12')) {
    Object.assign(props, {
      aws_assume_role_arn: str('Role assumed through STS before calling the guardrail.', { unsupported: AWS_STS }),
      aws_role_session_name: str('Session name of the assumed role.', { unsupported: AWS_STS }),
      aws_sts_endpoint_url: str('STS endpoint override.', { unsupported: AWS_STS }),
    });
  }
  if (since(kong, '3.13')) {
    props.allow_masking = bool('Let the guardrail mask content (ANONYMIZED) instead of blocking it.', { required: true, default: false });
    props.ssl_verify = bool('Verify the TLS certificate of the Bedrock endpoint.', since(kong, '3.14') ? { required: true, default: true } : {});
  }
  if (since(kong, '3.14')) props.log_blocked_content = logBlockedContent();
  return pluginConfig(name, priority, 'Checks prompts and responses with an AWS Bedrock guardrail (ApplyGuardrail).', props);
}
