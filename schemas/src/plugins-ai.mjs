// The AI plugins' config schemas (Kong 3.10; EE plugins from Kong's generated 3.10 schemas).
import { arr, bool, el, elRec, host, int, llmFormat, maxRequestBodySize, num, pluginConfig, port, rec, set, str } from './dsl.mjs';
import {
  EMBEDDINGS_ROUTE_TYPE, PROVIDERS, ROUTE_TYPES, embeddings, llmChecks, llmFields, modelNameHeader, redisEE,
  responseStreaming, vectordb,
} from './llm.mjs';

const AIGW_ROUTE_TYPES = [...ROUTE_TYPES, EMBEDDINGS_ROUTE_TYPE];
const EMBEDDINGS_EXT = { extensionValues: { [EMBEDDINGS_ROUTE_TYPE]: 'Kong EE 3.12+; Kong 3.10 rejects it' } };

function aiProxy() {
  return pluginConfig('ai-proxy', 770, 'Proxies requests to an LLM provider, translating to and from the OpenAI format.', {
    ...llmFields(AIGW_ROUTE_TYPES, EMBEDDINGS_EXT),
    response_streaming: responseStreaming(),
    max_request_body_size: maxRequestBodySize(),
    model_name_header: modelNameHeader(),
    llm_format: llmFormat({
      one_of: ['openai', 'bedrock', 'gemini', 'anthropic'],
      extensionValues: { anthropic: 'aigw extension: accept the native Anthropic Messages format; Kong 3.10 rejects it' },
    }),
  }, [
    ...llmChecks(),
    {
      custom: 'llm-format-native',
      message: "a native llm_format (not 'openai') requires route_type 'llm/v1/chat' and the provider of the same name",
    },
  ]);
}

function aiProxyAdvanced() {
  const target = elRec({
    ...llmFields(AIGW_ROUTE_TYPES, EMBEDDINGS_EXT),
    description: str('Description of the target.'),
    weight: int('Weight of the target within the balancer (1-65535).', { required: true, default: 100, min: 1, max: 65535 }),
  }, { checks: llmChecks() });
  const timeoutMs = (d) => int(d, { required: true, default: 60000, min: 1, max: 2147483646 });
  return pluginConfig('ai-proxy-advanced', 770, 'Proxies to several LLM targets with load balancing, failover and semantic routing.', {
    targets: arr('The LLM targets to balance between.', target, { required: true }),
    balancer: rec('Load-balancing settings.', {
      algorithm: str('Load-balancing algorithm.', {
        required: true,
        default: 'round-robin',
        one_of: ['round-robin', 'lowest-latency', 'lowest-usage', 'least-connections', 'consistent-hashing', 'priority', 'semantic'],
        extensionValues: { 'least-connections': 'Kong EE 3.13+; Kong 3.10 rejects it' },
      }),
      tokens_count_strategy: str('Tokens used for usage-based balancing.', {
        required: true, default: 'total-tokens', one_of: ['total-tokens', 'prompt-tokens', 'completion-tokens', 'cost'],
      }),
      latency_strategy: str('Latency metric: tpot (time per output token) or e2e.', {
        required: true, default: 'tpot', one_of: ['tpot', 'e2e'],
      }),
      hash_on_header: str('Header hashed by consistent-hashing.', { required: true, default: 'X-Kong-LLM-Request-ID' }),
      slots: int('Number of slots of the balancer algorithm.', { required: true, default: 10000, min: 10, max: 65536 }),
      retries: int('Retries on failure to proxy.', { required: true, default: 5, min: 0, max: 32767 }),
      connect_timeout: timeoutMs('Connect timeout to a target (ms).'),
      read_timeout: timeoutMs('Read timeout from a target (ms).'),
      write_timeout: timeoutMs('Write timeout to a target (ms).'),
      failover_criteria: arr('Upstream outcomes that fail over to the next target (nginx proxy_next_upstream).', el('string', {
        one_of: ['error', 'timeout', 'invalid_header', 'http_500', 'http_502', 'http_503', 'http_504', 'http_403', 'http_404',
          'http_429', 'non_idempotent'],
      }), { required: true, default: ['error', 'timeout'] }),
    }, { required: true }),
    embeddings: embeddings(),
    vectordb: rec('Vector database of semantic routing.', vectordb()),
    response_streaming: responseStreaming(),
    max_request_body_size: maxRequestBodySize(),
    model_name_header: modelNameHeader(),
    llm_format: llmFormat(),
  }, [
    {
      conditional: {
        if_field: 'balancer.algorithm', if_match: { eq: 'semantic' }, then_field: 'embeddings', then_match: { required: true },
      },
    },
    {
      conditional: {
        if_field: 'balancer.algorithm', if_match: { eq: 'semantic' }, then_field: 'vectordb', then_match: { required: true },
      },
    },
  ]);
}

function aiPromptGuard() {
  const patterns = (d) => arr(d, el('string', { len_min: 1, len_max: 500 }), { maxItems: 10 });
  return pluginConfig('ai-prompt-guard', 771, 'Allows or denies prompts by regex patterns.', {
    allow_patterns: patterns('Regex patterns of valid prompts (from the user role in chat).'),
    deny_patterns: patterns('Regex patterns of invalid prompts (from the user role in chat).'),
    allow_all_conversation_history: bool('When true, only the latest prompt is checked, not the conversation history.', {
      required: true, default: false,
    }),
    match_all_roles: bool("When true, match all roles, not only 'user'.", { required: true, default: false }),
    max_request_body_size: maxRequestBodySize(),
    llm_format: llmFormat(),
  }, [
    { at_least_one_of: ['allow_patterns', 'deny_patterns'] },
    {
      conditional: {
        if_field: 'match_all_roles', if_match: { eq: true },
        then_field: 'allow_all_conversation_history', then_match: { eq: false },
      },
    },
  ]);
}

function aiPromptDecorator() {
  const messages = (d) => arr(d, elRec({
    role: str('Message role.', { required: true, default: 'system', one_of: ['system', 'assistant', 'user'] }),
    content: str('Message content.', { required: true, len_min: 1, len_max: 100000 }),
  }), { maxItems: 15 });
  return pluginConfig('ai-prompt-decorator', 772, 'Prepends and appends messages to chat prompts.', {
    prompts: rec('Messages to add to the conversation.', {
      prepend: messages('Messages inserted before the conversation, in order.'),
      append: messages('Messages appended after the conversation, in order.'),
    }),
    max_request_body_size: maxRequestBodySize(),
    llm_format: llmFormat(),
  }, [{ at_least_one_of: ['prompts.prepend', 'prompts.append'] }]);
}

function aiPromptTemplate() {
  return pluginConfig('ai-prompt-template', 773, 'Renders prompts from named templates with {{placeholders}}.', {
    templates: arr('Named templates requests can refer to as {template://name}.', elRec({
      name: str('Unique name of the template.', { required: true }),
      template: str('The template body: a full JSON request body with {{placeholders}}.', { required: true }),
    }), { required: true }),
    allow_untemplated_requests: bool('Allow requests that do not use a template.', { required: true, default: true }),
    log_original_request: bool('Log the original request under ai.payload.original_request.', { required: true, default: false }),
    max_request_body_size: maxRequestBodySize(),
  });
}

function transformer(name, priority, description, extra) {
  const llmChatOnly = {
    conditional: {
      if_field: 'llm.route_type', if_match: { required: true },
      then_field: 'llm.route_type', then_match: { one_of: ['llm/v1/chat'] },
    },
    message: "'config.llm.route_type' must be 'llm/v1/chat' for AI transformer plugins",
  };
  const prefixed = llmChecks().map((c) => prefixCheck(c, 'llm.'));
  return pluginConfig(name, priority, description, {
    prompt: str('The instructions sent to the LLM as the system prompt.', { required: true }),
    transformation_extract_pattern: str('Regex whose first match in the LLM answer becomes the new body.'),
    http_timeout: int('Timeout of the LLM call (ms).', { required: true, default: 60000 }),
    https_verify: bool('Verify the TLS certificate of the LLM.', { required: true, default: true }),
    max_request_body_size: maxRequestBodySize(),
    http_proxy_host: host('Forward-proxy host for http LLM calls.'),
    http_proxy_port: port('Forward-proxy port for http LLM calls.'),
    https_proxy_host: host('Forward-proxy host for https LLM calls.'),
    https_proxy_port: port('Forward-proxy port for https LLM calls.'),
    ...extra,
    llm: rec('The LLM that performs the transformation.', llmFields(ROUTE_TYPES), { required: true }),
  }, [
    llmChatOnly,
    { mutually_required: ['http_proxy_host', 'http_proxy_port'] },
    { mutually_required: ['https_proxy_host', 'https_proxy_port'] },
    ...prefixed,
  ]);
}

/** Re-roots an LLM entity check under `prefix` (the transformers nest the LLM record under `llm`). */
function prefixCheck(check, prefix) {
  const p = (f) => prefix + f;
  const c = structuredClone(check);
  if (c.mutually_required) c.mutually_required = c.mutually_required.map(p);
  for (const k of ['conditional', 'conditional_at_least_one_of']) {
    if (!c[k]) continue;
    c[k].if_field = p(c[k].if_field);
    if (c[k].then_field) c[k].then_field = p(c[k].then_field);
    if (c[k].then_at_least_one_of) c[k].then_at_least_one_of = c[k].then_at_least_one_of.map(p);
  }
  if (c.custom) c.path = prefix.slice(0, -1);
  return c;
}

function aiRateLimitingAdvanced() {
  const CLUSTER = 'no Kong database cluster: use local or redis';
  return pluginConfig('ai-rate-limiting-advanced', 905, 'Rate-limits LLM tokens (or cost) per provider and window.', {
    llm_providers: arr('Limits per provider: name, limits and window sizes (same number of each).', elRec({
      name: str("The LLM provider the limit applies to ('requestPrompt' counts request prompts).", {
        required: true, one_of: [...PROVIDERS, 'requestPrompt'],
      }),
      model: str('Only count requests for this model (request model, e.g. gpt-4o); null counts every model of the provider. Several entries may name one provider with different models.', {
        len_min: 1, extension: "aigw extension: per-model budgets; Kong 3.10 rejects 'model' here",
      }),
      limit: arr('One or more token limits per window.', el('number'), { required: true }),
      window_size: arr('One or more window sizes in seconds.', el('number'), { required: true }),
    }), { required: true }),
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
    tokens_count_strategy: str('What is counted against the limit.', {
      required: true, default: 'total_tokens', one_of: ['total_tokens', 'prompt_tokens', 'completion_tokens', 'cost'],
    }),
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
  }, [
    {
      conditional: { if_field: 'identifier', if_match: { eq: 'header' }, then_field: 'header_name', then_match: { required: true } },
    },
    { conditional: { if_field: 'identifier', if_match: { eq: 'path' }, then_field: 'path', then_match: { required: true } } },
    { custom: 'window-limit-lengths', path: 'llm_providers', message: 'You must provide the same number of windows and limits' },
  ]);
}

function aiSemanticCache() {
  return pluginConfig('ai-semantic-cache', 765, 'Caches LLM responses by semantic similarity of prompts.', {
    embeddings: embeddings({ required: true }),
    vectordb: rec('Vector database of the cache.', vectordb('memory'), { required: true }),
    cache_ttl: int('TTL (s) of cache entries.', { required: true, default: 300, gt: 0 }),
    cache_control: bool('Respect the Cache-Control behaviours of RFC 7234.', { required: true, default: false }),
    exact_caching: bool('First look up an exact match of the query.', { required: true, default: false }),
    message_countback: num('Number of chat-history messages to vectorize/cache.', { required: true, default: 1, min: 1, max: 1000 }),
    ignore_system_prompts: bool('Ignore system prompts when vectorizing.', { required: true, default: false }),
    ignore_assistant_prompts: bool('Ignore assistant prompts when vectorizing.', { required: true, default: false }),
    ignore_tool_prompts: bool('Ignore tool prompts when vectorizing.', { required: true, default: false }),
    stop_on_failure: bool('Fail the request when the cache fails.', { required: true, default: false }),
    llm_format: llmFormat(),
  });
}

function aiSanitizer() {
  const KINDS = ['email', 'phone', 'credit_card', 'iban', 'ip', 'api_key', 'custom'];
  const s = pluginConfig('ai-sanitizer', 771, 'Detects PII in prompts and redacts it, replaces it with placeholders, or blocks the request.', {
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
  s['x-aigw-extension'] = "aigw's own PII plugin; Kong EE's ai-sanitizer has the same name but a different config (external PII service)";
  return s;
}

export const AI_PLUGINS = [
  aiProxy, aiProxyAdvanced, aiPromptGuard, aiPromptDecorator, aiPromptTemplate,
  () => transformer('ai-request-transformer', 777, 'Transforms the request body with an LLM before proxying.', {}),
  () => transformer('ai-response-transformer', 768, 'Transforms the upstream response body with an LLM.', {
    parse_llm_response_json_instructions: bool('Read the LLM answer as {status, headers, body} instructions.', {
      required: true, default: false,
    }),
  }),
  aiRateLimitingAdvanced, aiSemanticCache, aiSanitizer,
];
