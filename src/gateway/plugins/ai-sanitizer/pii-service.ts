/**
 * The client of Kong's AI PII Anonymizer service, by its documented API
 * (developer.konghq.com, api-specs/plugins/ai-sanitizer/openapi.yaml):
 *
 *   POST {scheme}://{host}:{port}/llm/v1/sanitize
 *     {"text": "...", "anonymize": ["phone", ...], "options": {"redact_type": "placeholder"},
 *      "custom_patterns": [{"name", "regex", "score"}]}
 *   200 {"text": "<sanitized>", "identified_pii": [...], "anonymized_pii": [...], ...}
 *   400 {"error": "..."}
 */
import type { Dispatcher } from 'undici';
import { callJson, ServiceCallError } from '../../guardrails/service-call.js';
import { isObject } from '../../llm/wire/openai-types.js';

export interface PiiServiceConfig {
  url: string;
  anonymize: string[];
  redactType: string;
  customPatterns: Array<{ name: string; regex: string; score: number }>;
  timeoutMs: number;
}

export interface Sanitized {
  text: string;
  identified: string[];
  anonymized: string[];
}

function names(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((x) => (typeof x === 'string' ? [x] : isObject(x) && typeof x.type === 'string' ? [x.type] : []));
}

export async function sanitizeText(c: PiiServiceConfig, dispatcher: Dispatcher, text: string): Promise<Sanitized> {
  const body: Record<string, unknown> = { text, anonymize: c.anonymize, options: { redact_type: c.redactType } };
  if (c.customPatterns.length) body.custom_patterns = c.customPatterns;
  let json: unknown;
  try {
    ({ json } = await callJson({ url: c.url, body, timeoutMs: c.timeoutMs, dispatcher }));
  } catch (err) {
    const e = err as ServiceCallError;
    const detail = isObject(e.body) && typeof e.body.error === 'string' ? `: ${e.body.error}` : '';
    throw new ServiceCallError(`${e.message}${detail}`, e.status);
  }
  if (!isObject(json) || typeof json.text !== 'string') throw new ServiceCallError('the PII service answered without a sanitized text');
  return { text: json.text, identified: names(json.identified_pii), anonymized: names(json.anonymized_pii) };
}
