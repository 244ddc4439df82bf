// ai-rate-limiting-advanced: config schema source (built into schemas/plugins/ai-rate-limiting-advanced.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import {
  KONG_REFERENCE, arr, bool, el, elRec, has, int, llmFormat, num, onlySince, pluginConfig, str,
} from '../../../../schemas/src/dsl.mjs';
import { LATER_PROVIDERS, PROVIDERS, redisEE } from '../../../../schemas/src/llm.mjs';

export const name = 'ai-rate-limiting-advanced';
export const priority = 905;

const COUNT = ['total_tokens', 'prompt_tokens', 'completion_tokens', 'cost'];

/**
 * Policy-based limits (3.14; Kong's 3.14 schema, developer.konghq.com app/_schemas/gateway/plugins/3.14/AiRateLimitingAdvanced.json):
 * match conditions (AND), limits per window with their own count strategy, sliding or fixed.
 */
function policies() {
  return arr('Policy-based rate limiting. Each policy defines match conditions and limits. Mutually exclusive with `llm_providers`.', elRec({
    id: str('UUID reference to a reusable ai_rate_limiting_policies entity. Mutually exclusive with inline limits.', {
      unsupported: 'aigw has no ai_rate_limiting_policies entities: write the policy\'s match and limits inline',
    }),
    match: arr('Match conditions (AND logic). If omitted, this policy acts as a fallback for unmatched requests.', elRec({
      type: str('The attribute to match against.', {
        required: true, one_of: ['consumer', 'consumer_group', 'header', 'ip', 'model', 'path', 'provider'],
      }),
      key: str('Sub-key for consumer (id|username|custom_id), consumer_group (id|name), or header (header name).'),
      values: arr('Values to match. If omitted, matches any value of this type.', el('string')),
      partition_by: bool('If true, the matched value contributes to the composite rate limit counter key.', { required: true, default: false }),
    })),
    limits: arr('Rate limits to enforce when this policy matches.', elRec({
      limit: num('The rate limit threshold for this window.', { required: true }),
      window_size: int('The window size in seconds.', { required: true }),
      tokens_count_strategy: str('What to count for this limit.', { required: true, default: 'total_tokens', one_of: COUNT }),
    }), { minItems: 1 }),
    window_type: str('The time window type for this policy.', { required: true, default: 'sliding', one_of: ['fixed', 'sliding'] }),
  }));
}

/** `llm_providers[].name`: Kong's 3.10 providers (never the later ones: those use policies), requestPrompt, customCost (3.13). */
function budgetProviderName() {
  const served = Object.keys(LATER_PROVIDERS);
  const extensionValues = Object.fromEntries(served.map((p) => [p, `aigw extension: Kong's llm_providers do not name ${p} (Kong limits it through policies)`]));
  return str("The LLM provider the limit applies to ('requestPrompt' counts request prompts).", {
    required: true, one_of: [...PROVIDERS, 'requestPrompt', ...(has('3.13') ? ['customCost'] : [])], extensionValues,
  });
}

/** The config schema for Kong version `kong`. */
export function schema(_kong = KONG_REFERENCE) {
  const CLUSTER = 'no Kong database cluster: use local or redis';
  return pluginConfig(name, priority, 'Rate-limits LLM tokens (or cost) per provider and window.', {
    llm_providers: arr('Limits per provider: name, limits and window sizes (same number of each); deprecated in 3.14 for policies.', elRec({
      name: budgetProviderName(),
      model: str('Only count requests for this model (request model, e.g. gpt-4o); null counts every model of the provider. Several entries may name one provider with different models.', {
        len_min: 1, extension: "aigw extension: per-model budgets; Kong 3.10 rejects 'model' here",
      }),
      limit: arr('One or more token limits per window.', el('number'), { required: true }),
      window_size: arr('One or more window sizes in seconds.', el('number'), { required: true }),
    }), { required: !has('3.14') }),
    ...onlySince('3.14', { policies: policies() }),
    strategy: str('Where counters are kept.', {
      required: true, default: 'local', one_of: ['local', 'cluster', 'redis'], unsupportedValues: { cluster: CLUSTER },
    }),
    dictionary_name: str('nginx shared dictionary of the counters.', {
      required: true, default: 'kong_rate_limiting_counters', noEffect: 'aigw has no nginx shared dictionaries: the counters live in the process whatever the name',
    }),
    window_type: str('sliding or fixed windows.', { required: true, default: 'sliding', one_of: ['fixed', 'sliding'] }),
    identifier: str('What the rate-limit key is built from.', {
      required: true, default: 'consumer', one_of: ['ip', 'credential', 'consumer', 'service', 'header', 'path', 'consumer-group'],
    }),
    header_name: str('Header used when identifier is header.'),
    path: str('Path used when identifier is path.', { pattern: '^/' }),
    tokens_count_strategy: str('What is counted against the limit.', { required: true, default: 'total_tokens', one_of: COUNT }),
    sync_rate: num('Seconds between counter syncs to the data store (0 synchronous, -1 memory only).', {
      noEffect: 'aigw serve updates the counters on every request (as sync_rate 0), at least as strict as any sync_rate',
    }),
    redis: redisEE('Redis connection of the redis strategy.'),
    hide_client_headers: bool('Do not send the X-AI-RateLimit-* headers.', { required: true, default: false }),
    retry_after_jitter_max: num('Upper bound (s) of the jitter added to Retry-After.', { required: true, default: 0 }),
    error_code: num('Status code returned when the limit is exceeded.', { required: true, default: 429, gt: 0 }),
    error_message: str('Message returned when the limit is exceeded.', {
      required: true, default: 'AI token rate limit exceeded for provider(s): ',
    }),
    error_hide_providers: bool('Do not name the providers in the error message.', { required: true, default: false }),
    disable_penalty: bool('Do not count denied requests (sliding windows, request prompt provider).', {
      required: true, default: false,
    }),
    request_prompt_count_function: str('Lua function counting request prompts.', { unsupported: 'Lua code cannot run in aigw' }),
    ...onlySince('3.11', {
      namespace: str('Counter namespace: plugins with the same namespace share their counters.'),
      decrease_by_fractions_in_redis: bool('Decrease redis counters by fractions (cost strategy).', { required: true, default: false }),
    }),
    ...onlySince('3.13', {
      custom_cost_count_function: str('Lua function computing the cost of a request (customCost provider).', {
        unsupported: 'Lua code cannot run in aigw',
      }),
    }),
    // deprecated in 3.14: no default any more
    llm_format: llmFormat(has('3.14') ? { required: false, default: undefined } : {}),
  }, [
    {
      conditional: { if_field: 'identifier', if_match: { eq: 'header' }, then_field: 'header_name', then_match: { required: true } },
    },
    { conditional: { if_field: 'identifier', if_match: { eq: 'path' }, then_field: 'path', then_match: { required: true } } },
    { custom: 'window-limit-lengths', path: 'llm_providers', message: 'You must provide the same number of windows and limits' },
    ...(has('3.14') ? [{ mutually_exclusive: ['llm_providers', 'policies'] }] : []),
  ]);
}
