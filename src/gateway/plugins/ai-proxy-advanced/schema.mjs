// ai-proxy-advanced: config schema source (built into schemas/plugins/ai-proxy-advanced.json by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import { KONG_REFERENCE, arr, el, elRec, int, llmFormat, maxRequestBodySize, pluginConfig, rec, str } from '../../../../schemas/src/dsl.mjs';
import { AIGW_ROUTE_TYPES, EMBEDDINGS_EXT, embeddings, llmChecks, llmFields, modelNameHeader, responseStreaming, vectordb } from '../../../../schemas/src/llm.mjs';

export const name = 'ai-proxy-advanced';
export const priority = 770;

/** The config schema for Kong version `_kong` (one schema serves every version today). */
export function schema(_kong = KONG_REFERENCE) {
  const target = elRec({
    ...llmFields(AIGW_ROUTE_TYPES, EMBEDDINGS_EXT),
    description: str('Description of the target.'),
    weight: int('Weight of the target within the balancer (1-65535).', { required: true, default: 100, min: 1, max: 65535 }),
  }, { checks: llmChecks() });
  const timeoutMs = (d) => int(d, { required: true, default: 60000, min: 1, max: 2147483646 });
  return pluginConfig(name, priority, 'Proxies to several LLM targets with load balancing, failover and semantic routing.', {
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
