// ai-sanitizer: config schema source (built into schemas/plugins/ai-sanitizer.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
// Kong's ai-sanitizer is a client of Kong's AI PII Anonymizer service (`host`, `port`, `scheme`).
// aigw's own built-in detector, which used this name before, is now `aigw-pii-sanitizer`; a config
// written for it is refused with a message saying so (`x-aigw-moved`).
import { KONG_REFERENCE, arr, bool, el, elRec, num, pluginConfig, since, str } from '../../../../schemas/src/dsl.mjs';

export const name = 'ai-sanitizer';
export const priority = 776;
/** The Kong version that added the plugin. */
export const kongSince = '3.10';

export const PII_ENTITIES = ['all', 'all_and_credentials', 'bank', 'credentials', 'creditcard', 'crypto', 'custom', 'date', 'domain',
  'driverlicense', 'email', 'general', 'ip', 'medical', 'nationalid', 'nrp', 'passport', 'phone', 'ssn', 'url'];

/** The fields of aigw's former built-in ai-sanitizer, now aigw-pii-sanitizer. */
const MOVED = ['mode', 'scan_roles', 'restore_response', 'block_status', 'block_message', 'max_request_body_size'];

/** The config schema for Kong version `kong`; null before the plugin existed. */
export function schema(kong = KONG_REFERENCE) {
  if (!since(kong, kongSince)) return null;
  const props = {
    scheme: str('Scheme of the PII service.', { required: true, default: 'http' }),
    host: str('Host of the PII service.', { required: true, default: 'localhost' }),
    port: num('Port of the PII service.', { required: true, default: 8080 }),
    timeout: num('Timeout of a call to the PII service (ms).', { required: true, default: 10000 }),
    keepalive_timeout: num('Keep-alive timeout of connections to the PII service (ms).', { required: true, default: 60000 }),
    stop_on_error: bool('Refuse the request when the PII service fails; otherwise send it unsanitized.', { required: true, default: true }),
    anonymize: arr('Kinds of PII to anonymize.', el('string', { one_of: PII_ENTITIES }), { required: true, default: ['all_and_credentials'] }),
    custom_patterns: arr('Custom regex patterns (in the PII service\'s regex syntax), used with anonymize: custom or all.', elRec({
      name: str('Unique name of the pattern.', { required: true }),
      regex: str('The pattern.', { required: true }),
      score: num('Confidence score of a match.', { required: true, default: 0.5, min: 0, max: 1 }),
    }), { minItems: 1 }),
    redact_type: str("'placeholder' (PLACEHOLDER1…) or 'synthetic' (a made-up value of the same kind).", {
      required: true, default: 'placeholder', one_of: ['placeholder', 'synthetic'],
    }),
    recover_redacted: bool('Put the original values back into the response.', { required: true, default: true }),
  };
  if (since(kong, '3.12')) {
    props.sanitization_mode = str('What is sanitized: the request, the response, or both.', { required: true, default: 'INPUT', one_of: ['INPUT', 'OUTPUT', 'BOTH'] });
    props.block_if_detected = bool('Refuse a request holding PII (400) instead of sanitizing it.', { required: true, default: false });
  }
  if (since(kong, '3.13')) props.skip_logging_sanitized_items = bool('Leave the sanitized items (original values) out of the log.', { required: true, default: false });
  if (since(kong, '3.14')) props.allow_all_conversation_history = bool('Sanitize every message of the conversation, not only the last one.', { required: true, default: true });
  const s = pluginConfig(name, priority, 'Anonymizes PII in prompts and responses through Kong\'s AI PII Anonymizer service.', props);
  s['x-aigw-moved'] = {
    fields: MOVED,
    values: { anonymize: ['credit_card', 'iban', 'api_key'] },
    message: "this is a config of aigw's former built-in ai-sanitizer; rename the plugin to 'aigw-pii-sanitizer' (same config). Kong's ai-sanitizer calls an external PII service: host, port, anonymize, redact_type…",
  };
  return s;
}
