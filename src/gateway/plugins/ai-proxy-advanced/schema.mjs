// ai-proxy-advanced: config schema source (built into schemas/plugins/ai-proxy-advanced.json, and per
// profile under schemas/<profile>/plugins/, by `npm run gen:schemas`).
// `priority` is declared here only: the runtime reads it from the built schema (`x-kong-priority`).
import {
  KONG_REFERENCE, arr, el, elRec, enumOf, has, int, llmFormat, maxRequestBodySize, onlySince, pluginConfig, rec, str,
} from '../../../../schemas/src/dsl.mjs';
import {
  embeddings, genaiCategory, llmChecks, llmFields, modelEntryFields, modelNameHeader, responseStreaming, vectordb,
} from '../../../../schemas/src/llm.mjs';

export { protocols } from '../ai-proxy/schema.mjs';

export const name = 'ai-proxy-advanced';
export const priority = 770;

/** Model ACLs (3.14): deny rules block, allow rules (when present) must match. */
function acls() {
  const rules = (d) => arr(d, elRec({
    match: arr('Conditions that must all hold.', elRec({
      type: str('What the condition looks at.', {
        required: true, one_of: ['consumer', 'consumer_group', 'header', 'ip', 'model', 'path', 'provider'],
      }),
      key: str('Helper key: the header name (header), id or username (consumer), id or name (consumer_group).'),
      values: arr('Values of which one must equal the request attribute.', el('string'), { required: true, minItems: 1 }),
    }), { required: true, minItems: 1 }),
  }), { minItems: 1 });
  return rec('Model access rules: a request matching a deny rule is refused; with allow rules, one must match.', {
    allow: rules('Allow rules; when present, a request must match one of them.'),
    deny: rules('Deny rules; a request matching one of them is refused.'),
  });
}

function balancer() {
  const timeoutMs = (d) => int(d, { required: true, default: 60000, min: 1, max: 2147483646 });
  return rec('Load-balancing settings.', {
    algorithm: str('Load-balancing algorithm.', {
      required: true,
      default: 'round-robin',
      ...enumOf(['round-robin', 'lowest-latency', 'lowest-usage', 'consistent-hashing', 'priority', 'semantic'],
        { 'least-connections': '3.13' }, ['least-connections']),
    }),
    tokens_count_strategy: str('Tokens used for usage-based balancing.', {
      required: true, default: 'total-tokens',
      ...enumOf(['total-tokens', 'prompt-tokens', 'completion-tokens', 'cost'], { 'llm-accuracy': '3.12' }),
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
    ...onlySince('3.13', {
      max_fails: int('Failures within fail_timeout after which a target is taken out (circuit breaker); 0 disables it.', {
        required: true, default: 0, min: 0, max: 32767,
      }),
      fail_timeout: int('How long (ms) a target that reached max_fails stays out.', {
        required: true, default: 10000, min: 1, max: 2147483646,
      }),
    }),
  }, { required: true });
}

/** The config schema for Kong version `kong`. */
export function schema(_kong = KONG_REFERENCE) {
  const target = elRec({ ...llmFields(), ...modelEntryFields() }, { checks: llmChecks() });
  return pluginConfig(name, priority, 'Proxies to several LLM targets with load balancing, failover and semantic routing.', {
    targets: arr('The LLM targets to balance between.', target, { required: true }),
    balancer: balancer(),
    embeddings: embeddings(),
    vectordb: rec('Vector database of semantic routing.', vectordb()),
    ...genaiCategory(true),
    ...(has('3.14') ? { acls: acls() } : {}),
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
