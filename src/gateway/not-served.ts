/**
 * THE list of plugin config values that the schemas accept (Kong 3.14 has them) and that
 * `aigw serve` does not run yet. A plugin whose config holds one is refused at startup, with the
 * field and what is missing (runtime.ts); nothing is ignored silently.
 *
 * One row per missing feature. When you implement a feature, delete its row (or the values you
 * now serve) and add the test that proves it works. Paths are relative to the plugin's `config`;
 * `[]` walks every element of an array. Provider and client-format names are never listed here:
 * those rows ask their registries.
 */
import { clientFormat } from './llm/formats/index.js';
import { getProvider } from './providers/index.js';

type Check =
  /** refused when the value is one of these */
  | { values: readonly string[] }
  /** refused when the value is set (not null, not an empty array or record) */
  | { set: true }
  /** refused when `when` holds; `shown` says what was found */
  | { when: (v: unknown) => boolean };

export interface NotServed {
  /** The plugins the row applies to, with the prefix of the record inside their config ('' = the root). */
  at: Readonly<Record<string, string | readonly string[]>>;
  /** The field, relative to each prefix. */
  field: string;
  check: Check;
  /** What is missing in `aigw serve`. */
  why: string;
}

const LLM = {
  'ai-proxy': '', 'ai-proxy-advanced': 'targets[].', 'ai-request-transformer': 'llm.', 'ai-response-transformer': 'llm.',
};
const TRANSFORMER_LLM = { 'ai-request-transformer': 'llm.', 'ai-response-transformer': 'llm.' };
const EMBEDDINGS = { 'ai-proxy-advanced': 'embeddings.', 'ai-semantic-cache': 'embeddings.' };
const LLM_AUTH = { ...LLM, ...EMBEDDINGS };
const REDIS = {
  'rate-limiting': 'redis.', 'rate-limiting-advanced': 'redis.', 'ai-rate-limiting-advanced': 'redis.', 'ai-semantic-cache': 'vectordb.redis.',
  'ai-proxy-advanced': 'vectordb.redis.', 'basic-auth': 'brute_force_protection.redis.',
};
const FORMATS = ['ai-proxy', 'ai-proxy-advanced', 'ai-prompt-decorator', 'ai-prompt-guard', 'ai-prompt-template',
  'ai-rate-limiting-advanced', 'ai-semantic-cache', 'ai-sanitizer'];
const asString = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export const NOT_SERVED: readonly NotServed[] = [
  {
    at: { 'ai-proxy-advanced': 'targets[].' }, field: 'route_type', check: { values: ['llm/v1/responses'] },
    why: 'aigw serve runs llm/v1/responses routes with ai-proxy only',
  },
  {
    at: { 'ai-request-transformer': 'llm.', 'ai-response-transformer': 'llm.' }, field: 'route_type',
    check: {
      values: ['llm/v1/responses', 'llm/v1/assistants', 'llm/v1/files', 'llm/v1/batches', 'audio/v1/audio/speech',
        'audio/v1/audio/transcriptions', 'audio/v1/audio/translations', 'image/v1/images/generations', 'image/v1/images/edits',
        'realtime/v1/realtime', 'video/v1/videos/generations'],
    },
    why: 'the transformers call an LLM for text (llm/v1/chat); the other route types run with ai-proxy only',
  },
  {
    at: { 'ai-llm-as-judge': 'llm.' }, field: 'route_type', check: { when: (v) => v !== 'llm/v1/chat' },
    why: 'aigw serve asks the judge LLM over llm/v1/chat only',
  },
  {
    at: { ...LLM, ...EMBEDDINGS }, field: 'model.provider',
    check: { when: (v) => asString(v) !== null && getProvider(v as string) === undefined },
    why: 'no provider of that name in aigw serve (src/gateway/providers/index.ts)',
  },
  {
    at: Object.fromEntries(FORMATS.map((p) => [p, ''])), field: 'llm_format',
    check: { when: (v) => asString(v) !== null && clientFormat(v as string) === undefined },
    why: 'aigw serve speaks the openai and anthropic client formats (src/gateway/llm/formats/index.ts)',
  },
  {
    at: { 'ai-proxy-advanced': '' }, field: 'genai_category',
    check: { values: ['audio/speech', 'audio/transcription', 'image/generation', 'realtime/generation', 'video/generation'] },
    why: 'aigw serve balances text generation and embeddings routes only (ai-proxy serves the others)',
  },
  { at: TRANSFORMER_LLM, field: 'model.model_alias', check: { set: true }, why: 'the transformers send their configured model only; aigw serve reads model_alias in ai-proxy and ai-proxy-advanced' },
  { at: TRANSFORMER_LLM, field: 'metadata', check: { set: true }, why: 'aigw serve carries model metadata into the log for ai-proxy-advanced targets only' },
  { at: LLM, field: 'model.options.gemini.endpoint_id', check: { set: true }, why: 'Vertex endpoints of deployed models are not implemented by aigw serve' },
  {
    at: { ...LLM, ...EMBEDDINGS }, field: 'model.options.bedrock.embeddings_normalize', check: { when: (v) => v === true },
    why: 'Bedrock embeddings normalisation is not implemented by aigw serve',
  },
  {
    at: LLM, field: 'model.options.bedrock.performance_config_latency', check: { set: true },
    why: 'Bedrock performance configuration is not implemented by aigw serve',
  },
  { at: LLM, field: 'model.options.cohere.wait_for_model', check: { when: (v) => v === true }, why: 'Cohere wait_for_model is not implemented by aigw serve' },
  ...['gcp_metadata_url', 'gcp_oauth_token_url'].map((f): NotServed => ({
    at: LLM_AUTH, field: `auth.${f}`, check: { set: true },
    why: 'aigw serve gets GCP tokens from the service-account JSON at Google\'s default endpoints only',
  })),
  {
    at: { 'ai-proxy-advanced': '' }, field: 'balancer.tokens_count_strategy', check: { values: ['llm-accuracy'] },
    why: 'llm-accuracy needs the scores of ai-llm-as-judge, which aigw serve does not run',
  },
  {
    at: { 'ai-semantic-cache': '' }, field: 'vectordb.threshold', check: { when: (v) => v === null },
    why: 'aigw serve needs vectordb.threshold to accept a cached answer',
  },
  { at: REDIS, field: 'cloud_authentication.auth_provider', check: { set: true }, why: 'cloud IAM authentication to Redis is not implemented by aigw serve' },
  {
    at: { 'basic-auth': '' }, field: 'brute_force_protection.strategy', check: { values: ['memory', 'cluster', 'redis'] },
    why: 'brute-force protection is not implemented by aigw serve',
  },
  {
    at: { 'key-auth': '', 'basic-auth': '' }, field: 'principals.enabled', check: { when: (v) => v === true },
    why: 'Kong Identity principals are a Konnect service that aigw serve cannot reach',
  },
  {
    at: { 'key-auth': '' }, field: 'identity_realms[].scope', check: { values: ['realm'] },
    why: 'Konnect identity realms are not implemented by aigw serve: consumers come from the state file',
  },
  { at: { 'http-log': '' }, field: 'ssl_verify', check: { when: (v) => v === false }, why: 'aigw serve always verifies https log endpoints' },
  {
    at: { 'rate-limiting-advanced': '' }, field: 'counter_key', check: { set: true },
    why: 'aigw serve keys consumer counters by consumer id only (Konnect counter_key not implemented)',
  },
  { at: { 'http-log': '' }, field: 'client_certificate', check: { set: true }, why: 'mTLS client certificates of http-log are not implemented by aigw serve' },
];

/** Every (path, value) that `field` (with `[]` steps) reaches in `value`. */
function reach(value: unknown, steps: readonly string[], path: string): Array<[string, unknown]> {
  if (steps.length === 0) return [[path, value]];
  if (value === null || typeof value !== 'object') return [];
  const [step, ...rest] = steps as [string, ...string[]];
  const key = step.endsWith('[]') ? step.slice(0, -2) : step;
  const next = (value as Record<string, unknown>)[key];
  const at = path === '' ? key : `${path}.${key}`;
  if (!step.endsWith('[]')) return reach(next, rest, at);
  if (!Array.isArray(next)) return [];
  return next.flatMap((item, i) => reach(item, rest, `${at}[${i}]`));
}

function refused(check: Check, v: unknown): boolean {
  if ('values' in check) return typeof v === 'string' && check.values.includes(v);
  if ('set' in check) {
    if (v === null || v === undefined) return false;
    if (Array.isArray(v)) return v.length > 0;
    return typeof v !== 'object' || Object.values(v as Record<string, unknown>).some((x) => x !== null && x !== undefined);
  }
  return check.when(v);
}

const shown = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v));

/** What `aigw serve` cannot run in a plugin's config: one sentence per refused value, naming the field. */
export function notServed(plugin: string, config: unknown, rows: readonly NotServed[] = NOT_SERVED): string[] {
  const out: string[] = [];
  for (const row of rows) {
    const prefixes = row.at[plugin];
    if (prefixes === undefined) continue;
    for (const prefix of typeof prefixes === 'string' ? [prefixes] : prefixes) {
      for (const [path, v] of reach(config, `${prefix}${row.field}`.split('.'), '')) {
        if (refused(row.check, v)) out.push(`config.${path} ${shown(v)} is not served: ${row.why}`);
      }
    }
  }
  return out;
}
