// ai-rate-limiting-advanced: config schema source (built into schemas/plugins/ai-rate-limiting-advanced.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, arr, bool, el, elRec, int, llmFormat, num, pluginConfig, since, str } from '../../../../schemas/src/dsl.mjs';
import { PROVIDER_EXTENSIONS, PROVIDERS, redisEE } from '../../../../schemas/src/llm.mjs';

export const name = 'ai-rate-limiting-advanced';
export const priority = 905;

const COUNT_STRATEGIES = ['total_tokens', 'prompt_tokens', 'completion_tokens', 'cost'];
const LUA = 'Lua code cannot run in aigw; aigw serve refuses a plugin that sets it';
const POLICIES = 'policy-based limits are not implemented by aigw serve yet (it refuses a plugin that sets them): use llm_providers';

/** Kong 3.14's `policies[]`: limits for the requests that match every condition (none: every request). */
function policies() {
  return arr('Policy-based limits (Kong 3.14): each policy limits the requests that match all its conditions.', elRec({
    id: str('Name of the policy (used in the X-AI-RateLimit-* headers).'),
    match: arr('Conditions, all of which must hold; a policy without conditions matches every request.', elRec({
      type: str('What is matched.', { required: true, one_of: ['consumer', 'consumer_group', 'header', 'ip', 'model', 'path', 'provider'] }),
      key: str('Header name (type header).'),
      values: arr('Values that match; empty: any value.', el('string')),
      partition_by: bool('Count separately per distinct value.', { required: true, default: false }),
    })),
    limits: arr('Limits of the policy.', elRec({
      limit: num('Tokens (or cost) allowed per window.', { required: true }),
      window_size: int('Window size in seconds.', { required: true }),
      tokens_count_strategy: str('What is counted against the limit.', { required: true, default: 'total_tokens', one_of: COUNT_STRATEGIES }),
    }), { minItems: 1 }),
    window_type: str('sliding or fixed windows.', { required: true, default: 'sliding', one_of: ['fixed', 'sliding'] }),
  }), { unsupported: POLICIES });
}

/** The config schema for Kong version `kong`. */
export function schema(kong = KONG_REFERENCE) {
  const CLUSTER = 'no Kong database cluster: use local or redis';
  const providerNames = [...PROVIDERS, 'requestPrompt', ...(since(kong, '3.13') ? ['customCost'] : [])];
  const props = {
    llm_providers: arr('Limits per provider: name, limits and window sizes (same number of each).', elRec({
      name: str("The LLM provider the limit applies to ('requestPrompt' counts request prompts).", {
        required: true, one_of: providerNames, extensionValues: PROVIDER_EXTENSIONS,
      }),
      model: str('Only count requests for this model (request model, e.g. gpt-4o); null counts every model of the provider. Several entries may name one provider with different models.', {
        len_min: 1, extension: "aigw extension: per-model budgets; Kong 3.10 rejects 'model' here",
      }),
      limit: arr('One or more token limits per window.', el('number'), { required: true }),
      window_size: arr('One or more window sizes in seconds.', el('number'), { required: true }),
    }), since(kong, '3.14') ? { deprecated: 'use policies (Kong 3.14); existing configurations still work' } : { required: true }),
    strategy: str('Where counters are kept.', {
      required: true, default: 'local', one_of: ['local', 'cluster', 'redis'], unsupportedValues: { cluster: CLUSTER },
    }),
    dictionary_name: str('nginx shared dictionary of the counters.', {
      required: true, default: 'kong_rate_limiting_counters', unsupported: 'no nginx shared dictionaries; counters are in-process',
    }),
    window_type: str('sliding or fixed windows.', { required: true, default: 'sliding', one_of: ['fixed', 'sliding'] }),
    identifier: str('What the rate-limit key is built from.', {
      required: true, default: 'consumer', one_of: ['ip', 'credential', 'consumer', 'service', 'header', 'path', 'consumer-group'],
    }),
    header_name: str('Header used when identifier is header.'),
    path: str('Path used when identifier is path.', { pattern: '^/' }),
    tokens_count_strategy: str('What is counted against the limit.', { required: true, default: 'total_tokens', one_of: COUNT_STRATEGIES }),
    sync_rate: num('Seconds between counter syncs to the data store (0 synchronous, -1 memory only).', {
      unsupported: 'redis counters are updated synchronously',
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
    llm_format: llmFormat(),
  };
  if (since(kong, '3.11')) {
    props.namespace = str('Counters namespace: plugin instances with the same namespace share their counters (redis strategy).');
    props.decrease_by_fractions_in_redis = bool('Keep fractional counts (cost) in Redis.', { required: true, default: false, unsupported: "aigw's Redis counters always keep fractions" });
  }
  if (since(kong, '3.13')) props.custom_cost_count_function = str('Lua function computing the cost of a request (provider customCost).', { unsupported: LUA });
  if (since(kong, '3.14')) props.policies = policies();
  return pluginConfig(name, priority, 'Rate-limits LLM tokens (or cost) per provider and window.', props, [
    {
      conditional: { if_field: 'identifier', if_match: { eq: 'header' }, then_field: 'header_name', then_match: { required: true } },
    },
    { conditional: { if_field: 'identifier', if_match: { eq: 'path' }, then_field: 'path', then_match: { required: true } } },
    { custom: 'window-limit-lengths', path: 'llm_providers', message: 'You must provide the same number of windows and limits' },
  ]);
}
