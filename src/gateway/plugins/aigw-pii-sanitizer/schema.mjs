// aigw-pii-sanitizer: config schema source (built into schemas/plugins/aigw-pii-sanitizer.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, arr, bool, el, elRec, int, maxRequestBodySize, pluginConfig, set, str } from '../../../../schemas/src/dsl.mjs';

export const name = 'aigw-pii-sanitizer';
export const priority = 771;

/** The config schema (aigw's own plugin: the same for every Kong version). */
export function schema(_kong = KONG_REFERENCE) {
  const KINDS = ['email', 'phone', 'credit_card', 'iban', 'ip', 'api_key', 'custom'];
  const s = pluginConfig(name, priority, 'Detects PII in prompts and redacts it, replaces it with placeholders, or blocks the request.', {
    anonymize: set('Kinds of sensitive data to detect.', el('string', { one_of: KINDS }), {
      required: true, default: ['email', 'phone', 'credit_card', 'iban', 'ip', 'api_key'], minItems: 1,
    }),
    custom_patterns: arr("Custom detectors, used when anonymize contains 'custom'.", elRec({
      name: str('Name of the pattern, used in placeholders and logs.', { required: true, len_min: 1, pattern: '^[A-Za-z0-9_-]+$' }),
      regex: str('Regex (JavaScript syntax) of the sensitive data.', { required: true, len_min: 1 }),
      placeholder: str('Replacement text; defaults to <NAME_n>.'),
    })),
    mode: str("What to do with detected data: 'redact' (mask), 'placeholder' (reversible token), 'block' (reject).", {
      required: true, default: 'placeholder', one_of: ['redact', 'placeholder', 'block'],
    }),
    restore_response: bool("In 'placeholder' mode, put the original values back into the LLM response.", {
      required: true, default: true,
    }),
    block_status: int("Status code of the rejection in 'block' mode.", { required: true, default: 400, min: 400, max: 499 }),
    block_message: str("Error message of the rejection in 'block' mode.", {
      required: true, default: 'request contains sensitive data',
    }),
    scan_roles: set('Chat roles whose messages are scanned.', el('string', { one_of: ['system', 'user', 'assistant', 'tool'] }), {
      required: true, default: ['user'], minItems: 1,
    }),
    max_request_body_size: maxRequestBodySize(),
  }, [
    {
      conditional: {
        if_field: 'anonymize', if_match: { contains: 'custom' }, then_field: 'custom_patterns', then_match: { required: true },
      },
      message: "must set 'custom_patterns' when 'anonymize' contains 'custom'",
    },
    { custom: 'regex-compiles', path: 'custom_patterns', message: "'custom_patterns[].regex' must be a valid regex" },
  ]);
  s['x-aigw-extension'] = "aigw's own PII plugin (built-in detectors, no external service); a real Kong does not know it: use Kong's ai-sanitizer there";
  return s;
}
