// Kong's shared LLM record (kong/llm/schemas/init.lua; EE additions through 3.14) and the EE
// embeddings/vectordb records used by ai-proxy-advanced, ai-semantic-cache and the AI partials.
// Every builder follows the profile being built (dsl.mjs `has`, `enumOf`): a field or value Kong
// added after 3.10 appears in the profiles that have it.
import {
  aheadOf, arr, bool, byVersion, elRec, enumOf, has, host, int, maxRequestBodySize, num, onlySince, pluginConfig, port, profile,
  rec, str, url,
} from './dsl.mjs';
import { redisEE } from './redis.mjs';

export { redisEE } from './redis.mjs';

/** Kong 3.10's providers, in Kong's order. */
const PROVIDERS_3_10 = ['openai', 'azure', 'anthropic', 'cohere', 'mistral', 'llama2', 'gemini', 'bedrock', 'huggingface'];
/**
 * Providers a later Kong added, with the version that added them; aigw serves them all, so older
 * profiles keep them as aigw extensions. Together with PROVIDERS_3_10 this must equal the registry
 * in src/gateway/providers/index.ts (names, order and `since`): a drift test checks it
 * (test/unit/providers/registry-schema.test.ts).
 */
export const LATER_PROVIDERS = {
  deepseek: '3.14', xai: '3.13', vllm: '3.14', ollama: '3.14', cerebras: '3.13', dashscope: '3.13', databricks: '3.14',
};
/** The provider enum of the profile being built. */
export const providerEnum = () => enumOf(PROVIDERS_3_10, LATER_PROVIDERS, Object.keys(LATER_PROVIDERS));
/** Kong 3.10's providers plus the later ones (the 3.10 profile's enum). */
export const PROVIDERS = [...PROVIDERS_3_10, ...Object.keys(LATER_PROVIDERS)];
/** `x-aigw-extension-values` of a 3.10 provider enum: the providers Kong 3.10 rejects. */
export const PROVIDER_EXTENSIONS = Object.fromEntries(Object.entries(LATER_PROVIDERS).map(([p, v]) => [p, `Kong ${v}+; Kong 3.10 rejects it`]));

export const ROUTE_TYPES = ['llm/v1/chat', 'llm/v1/completions', 'preserve'];
export const EMBEDDINGS_ROUTE_TYPE = 'llm/v1/embeddings';
/** Route types Kong added after 3.10 (all in 3.11 but video). */
export const KONG_LATER_ROUTE_TYPES = {
  [EMBEDDINGS_ROUTE_TYPE]: '3.11',
  'llm/v1/responses': '3.11',
  'llm/v1/assistants': '3.11',
  'llm/v1/files': '3.11',
  'llm/v1/batches': '3.11',
  'audio/v1/audio/speech': '3.11',
  'audio/v1/audio/transcriptions': '3.11',
  'audio/v1/audio/translations': '3.11',
  'image/v1/images/generations': '3.11',
  'image/v1/images/edits': '3.11',
  'realtime/v1/realtime': '3.11',
  'video/v1/videos/generations': '3.13',
};
/** The later route types aigw serves ahead of older profiles (aigw extensions there). */
const ROUTE_TYPES_AHEAD = [EMBEDDINGS_ROUTE_TYPE];
/** The route_type enum of the profile being built. */
export const routeTypeEnum = () => enumOf(ROUTE_TYPES, KONG_LATER_ROUTE_TYPES, ROUTE_TYPES_AHEAD);

/** Kept for schema sources written before profiles; prefer `llmFields()` without arguments. */
export const AIGW_ROUTE_TYPES = [...ROUTE_TYPES, EMBEDDINGS_ROUTE_TYPE];
export const EMBEDDINGS_EXT = { extensionValues: { [EMBEDDINGS_ROUTE_TYPE]: 'Kong 3.11+; Kong 3.10 rejects it' } };

const AZURE_MI = 'Azure managed identity (IMDS) is not implemented by the embedded gateway';
const AWS_STS = 'AWS STS role assumption is not implemented by the embedded gateway';

export function llmAuth() {
  return rec('Authentication for the upstream LLM.', {
    header_name: str('Name of the header carrying the credential (e.g. Authorization).', { referenceable: true }),
    header_value: str("Full value of the 'header_name' header, e.g. 'Bearer key'.", { referenceable: true, secret: true }),
    param_name: str('Name of the query or body parameter carrying the credential.', { referenceable: true }),
    param_value: str("Value of the 'param_name' parameter.", { referenceable: true, secret: true }),
    param_location: str("Where 'param_name' goes: query string or POST form/JSON body.", { one_of: ['query', 'body'] }),
    azure_use_managed_identity: bool('Use the Azure managed identity to authenticate with Azure-provider models.', {
      default: false, unsupported: AZURE_MI,
    }),
    azure_client_id: str('Client ID of the user-assigned Azure identity.', { referenceable: true, unsupported: AZURE_MI }),
    azure_client_secret: str('Client secret of the user-assigned Azure identity.', {
      referenceable: true, secret: true, unsupported: AZURE_MI,
    }),
    azure_tenant_id: str('Tenant ID of the user-assigned Azure identity.', { referenceable: true, unsupported: AZURE_MI }),
    gcp_use_service_account: bool('Use service-account auth for GCP-based providers and models.', { default: false }),
    gcp_service_account_json: str('Full JSON of the GCP service account; falls back to env GCP_SERVICE_ACCOUNT.', {
      referenceable: true, secret: true,
    }),
    ...onlySince('3.14', {
      gcp_metadata_url: str('GCP metadata server URL used to get tokens without a service-account JSON.', { referenceable: true }),
      gcp_oauth_token_url: str('GCP OAuth token endpoint used with the service-account JSON.', { referenceable: true }),
    }),
    aws_access_key_id: str('Static IAM access key id for AWS providers (Bedrock); overrides AWS_ACCESS_KEY_ID.', {
      referenceable: true, secret: true,
    }),
    aws_secret_access_key: str('Static IAM secret key for AWS providers (Bedrock); overrides AWS_SECRET_ACCESS_KEY.', {
      referenceable: true, secret: true,
    }),
    allow_override: bool('When true, a credential sent by the client wins over the configured one.', { default: false }),
  }, { title: 'LLM auth' });
}

function bedrockOptions() {
  return rec('Bedrock-specific options.', {
    aws_region: str('AWS region of Bedrock; overrides AWS_REGION.'),
    aws_assume_role_arn: str('Role to assume after authenticating with the current IAM context.', { unsupported: AWS_STS }),
    aws_role_session_name: str('Session name of the assumed role.', { unsupported: AWS_STS }),
    aws_sts_endpoint_url: str('STS endpoint URL override used when assuming a role.', { unsupported: AWS_STS }),
    ...onlySince('3.11', {
      embeddings_normalize: bool('Normalize the embeddings Bedrock returns.', { default: false }),
      performance_config_latency: str('Bedrock latency performance configuration (e.g. optimized).'),
    }),
    ...onlySince('3.13', { video_output_s3_uri: str('S3 URI where Bedrock writes generated videos.') }),
    ...onlySince('3.14', {
      batch_bucket_prefix: str('S3 prefix of Bedrock batch jobs.'),
      batch_role_arn: str('IAM role of Bedrock batch jobs.'),
    }),
  }, { title: 'Bedrock options' });
}

function geminiOptions(endpointId = true) {
  return rec('Gemini on Vertex options: all three or none.', {
    api_endpoint: str('Regional Vertex API endpoint (hostname only).'),
    project_id: str('Vertex project ID.'),
    location_id: str('Vertex location ID.'),
    ...(endpointId ? onlySince('3.12', { endpoint_id: str('Vertex endpoint ID of a deployed (fine-tuned) model.') }) : {}),
  }, {
    title: endpointId ? 'Gemini options' : 'Gemini embeddings options',
    checks: [{
      mutually_required: ['api_endpoint', 'project_id', 'location_id'],
      message: "all or none of these fields must be set: 'api_endpoint', 'project_id', 'location_id'",
    }],
  });
}

function huggingfaceOptions() {
  return rec('Hugging Face inference API options.', {
    use_cache: bool('Use the cache layer of the inference API.'),
    wait_for_model: bool('Wait for the model if it is not ready.'),
  }, { title: 'Huggingface options' });
}

/** The pricing options of Kong 3.14 (cost accounting: cache tokens, context windows, service tiers). */
function pricingOptions() {
  return onlySince('3.14', {
    cache_read_cost: num('Cost per 1M cache-read (cached) prompt tokens.'),
    cache_write_cost: num('Cost per 1M cache-write prompt tokens, when no cache_write_cost_list entry matches.'),
    cache_write_cost_list: arr('Cost per 1M cache-write prompt tokens by cache TTL.', elRec({
      ttl: str("Cache TTL, a number and a unit: '5m', '1h'.", { required: true }),
      cost: num('Cost per 1M cache-write tokens with this TTL.', { required: true }),
    })),
    context_window_factor: arr('Price factors above an input-token threshold.', elRec({
      above: str("Input-token threshold, a number and k or m: '200k', '1m'.", { required: true }),
      input_factor: num('Factor of the input-side cost above the threshold.', { required: true }),
      output_factor: num('Factor of the output-side cost above the threshold.', { required: true }),
    })),
    service_tier_factor: arr('Price factors by the service tier the provider reports.', elRec({
      tier: str('Service tier, matched case-insensitively as a substring of the reported tier.', { required: true, len_min: 1 }),
      factor: num('Factor of the whole cost for this tier.', { required: true }),
    })),
  });
}

export function modelOptions() {
  return rec('Key/value settings for the model.', {
    max_tokens: int('max_tokens for chat or completion models (overrides the client value).'),
    input_cost: num('Cost per 1M prompt tokens.', { gt: 0 }),
    output_cost: num('Cost per 1M completion tokens.', { gt: 0 }),
    ...pricingOptions(),
    temperature: num('Sampling temperature (overrides the client value).', { min: 0, max: 5 }),
    top_p: num('Top-p probability mass (overrides the client value).', { min: 0, max: 1 }),
    top_k: int('Top-k most likely tokens, if supported (overrides the client value).', { min: 0, max: 500 }),
    anthropic_version: str('Anthropic API version (anthropic-version header).'),
    azure_instance: str('Instance name of Azure OpenAI hosted models.'),
    azure_api_version: str("'api-version' for Azure OpenAI instances.", { default: '2023-05-15' }),
    azure_deployment_id: str('Deployment ID of Azure OpenAI instances.'),
    llama2_format: str('Upstream message format of the llama2 provider.', { one_of: ['raw', 'openai', 'ollama'] }),
    mistral_format: str('Upstream message format of the mistral provider.', { one_of: ['openai', 'ollama'] }),
    upstream_url: url('Full URL of the AI operation endpoint (self-hosted models or private endpoints).'),
    upstream_path: str("AI operation path override, e.g. with the 'preserve' route_type (deprecated).", {
      deprecated: 'removed in Kong 4.0',
    }),
    ...onlySince('3.11', {
      embeddings_dimensions: int('Number of dimensions of the embeddings the model returns.'),
    }),
    gemini: geminiOptions(),
    bedrock: bedrockOptions(),
    huggingface: huggingfaceOptions(),
    ...onlySince('3.11', {
      cohere: rec('Cohere-specific options.', {
        embedding_input_type: str('Cohere embeddings input type.', {
          default: 'classification', one_of: ['search_document', 'search_query', 'classification', 'clustering', 'image'],
        }),
        wait_for_model: bool('Wait for the model if it is not ready.'),
      }, { title: 'Cohere options' }),
    }),
    // the options of providers aigw serves ahead of Kong: extensions in older profiles
    dashscope: rec('Alibaba DashScope options.', {
      international: bool("Use DashScope's international endpoint (dashscope-intl.aliyuncs.com) rather than mainland China's.", { default: true }),
    }, { title: 'Dashscope options', ...aheadOf('3.13') }),
    databricks: rec('Databricks options.', {
      workspace_instance_id: str('Workspace instance of the Databricks host ({id}.cloud.databricks.com).'),
    }, { title: 'Databricks options', ...aheadOf('3.14') }),
  }, { title: 'LLM model options' });
}

export function model() {
  return rec('The model to call.', {
    provider: str('AI provider format; Kong translates requests to and from it.', { required: true, ...providerEnum() }),
    name: str('Model name to execute; falls back to the request body model.'),
    ...onlySince('3.14', { model_alias: str('Request model name that selects this model (the alias clients send).') }),
    options: modelOptions(),
  }, { required: true, title: 'LLM model' });
}

export function logging() {
  return rec('What the AI plugins write to the log plugins.', {
    log_statistics: bool('Add model usage and token metrics to the log plugins output.', { required: true, default: false }),
    log_payloads: bool('Add the request and response bodies to the log plugins output.', { required: true, default: false }),
  }, { required: true, title: 'LLM logging' });
}

const must = (field, provider) => ({
  conditional_at_least_one_of: {
    if_field: 'model.provider', if_match: { one_of: [provider] }, then_at_least_one_of: [field],
  },
  message: `must set '${field}' for ${provider} provider`,
});

/** Providers without a fixed endpoint: `model.options.upstream_url` is required (vllm and ollama: Kong 3.14, aigw extensions before). */
const SELF_HOSTED = ['llama2', 'vllm', 'ollama'];

/** Kong's entity checks of the LLM record, paths relative to the record holding route_type/auth/model. */
export function llmChecks() {
  return [
    {
      conditional: {
        if_field: 'model.provider', if_match: { one_of: ['bedrock', 'gemini'] },
        then_field: 'auth.allow_override', then_match: { eq: false },
      },
      message: 'bedrock and gemini only support auth.allow_override = false',
    },
    {
      mutually_required: ['auth.header_name', 'auth.header_value'],
      message: "all or none of these fields must be set: 'auth.header_name', 'auth.header_value'",
    },
    {
      mutually_required: ['auth.param_name', 'auth.param_value', 'auth.param_location'],
      message: "all or none of these fields must be set: 'auth.param_name', 'auth.param_value', 'auth.param_location'",
    },
    must('model.options.llama2_format', 'llama2'),
    must('model.options.mistral_format', 'mistral'),
    must('model.options.anthropic_version', 'anthropic'),
    must('model.options.azure_instance', 'azure'),
    must('model.options.azure_api_version', 'azure'),
    must('model.options.azure_deployment_id', 'azure'),
    {
      conditional_at_least_one_of: {
        if_field: 'model.provider', if_match: { one_of: SELF_HOSTED }, then_at_least_one_of: ['model.options.upstream_url'],
      },
      message: "must set 'model.options.upstream_url' for self-hosted providers/models",
    },
    {
      conditional_at_least_one_of: {
        if_field: 'model.provider', if_match: { one_of: ['databricks'] },
        then_at_least_one_of: ['model.options.databricks.workspace_instance_id', 'model.options.upstream_url'],
      },
      message: "must set 'model.options.databricks.workspace_instance_id' (or 'model.options.upstream_url') for databricks provider",
    },
    {
      custom: 'llm-log-statistics-unsupported',
      message: '<provider> does not support statistics when route_type is <route_type> (anthropic + llm/v1/completions)',
    },
  ];
}

/**
 * The LLM record fields: route_type, auth, model, logging. Without arguments the route types are
 * the profile's; `extra` adds the fields of a balancer target or an AI partial (description,
 * weight, metadata).
 */
export function llmFields(routeTypes, routeTypeExtra = {}) {
  const routeTypeOptions = routeTypes === undefined ? routeTypeEnum() : { one_of: routeTypes, ...routeTypeExtra };
  return {
    route_type: str("The model's operation for this provider; 'preserve' passes through without transformation.", {
      required: true, ...routeTypeOptions,
    }),
    auth: llmAuth(),
    model: model(),
    logging: logging(),
  };
}

/** The fields a model (a balancer target, the `model` partial, the transformers' llm from 3.13) adds to the LLM record. */
export function modelEntryFields() {
  return {
    description: str('Description of the model (semantic routing matches prompts against it).'),
    weight: int('Weight of the model within the balancer (1-65535).', { required: true, default: 100, min: 1, max: 65535 }),
    ...onlySince('3.13', { metadata: { description: 'Free-form metadata of the model (for internal use).', type: ['object', 'null'] } }),
  };
}

export function responseStreaming() {
  return str("Whether to optionally 'allow', 'deny', or 'always' (force) streaming answers via server-sent events.", {
    required: true, default: 'allow', one_of: ['allow', 'deny', 'always'],
  });
}

export function modelNameHeader() {
  return bool('Show the selected model name in the X-Kong-LLM-Model response header.', { required: true, default: true });
}

/** Kong's generative-AI category (3.11); `realtime` adds realtime/generation (ai-proxy-advanced, ai-prompt-guard). */
export function genaiCategory(realtime = false) {
  return onlySince('3.11', {
    genai_category: str('Generative AI category of the request (drives the analytics of the route).', {
      required: true, default: 'text/generation',
      ...enumOf(['text/generation', 'text/embeddings', 'audio/speech', 'audio/transcription', 'image/generation',
        ...(realtime ? ['realtime/generation'] : [])], { 'video/generation': '3.13' }),
    }),
  });
}

// ---- embeddings / vectordb (EE) --------------------------------------------------------------

export function embeddings(o = {}) {
  return rec('The embeddings model used to vectorize prompts.', {
    auth: llmAuth(),
    model: rec('The embeddings model.', {
      provider: str('AI provider format to use for the embeddings API.', {
        required: true, ...enumOf(['openai', 'azure', 'mistral', 'gemini', 'bedrock', 'huggingface'], { ollama: '3.14' }, ['ollama']),
      }),
      name: str('Embeddings model name.', { required: true }),
      options: rec('Key/value settings for the embeddings model.', {
        upstream_url: url('Upstream URL of the embeddings endpoint.'),
        azure: rec('Azure OpenAI options.', {
          instance: str('Instance name of Azure OpenAI hosted models.'),
          api_version: str("'api-version' for Azure OpenAI instances.", { default: '2023-05-15' }),
          deployment_id: str('Deployment ID of Azure OpenAI instances.'),
        }),
        bedrock: bedrockOptions(),
        gemini: geminiOptions(false),
        huggingface: huggingfaceOptions(),
      }),
    }, { required: true }),
  }, { title: 'Embeddings', ...o });
}

const PGVECTOR = 'pgvector is not implemented by the embedded gateway (use memory or redis)';

/** The vectordb record's fields. `strategyDefault`: aigw's default strategy (ai-semantic-cache: memory). */
export function vectordb(strategyDefault) {
  const strategyOpts = {
    required: true,
    one_of: ['memory', 'redis', 'pgvector'],
    unsupportedValues: { pgvector: PGVECTOR },
    extensionValues: { memory: `aigw in-process vector store; Kong ${profile()} rejects it` },
  };
  if (strategyDefault !== undefined) strategyOpts.default = strategyDefault;
  return {
    strategy: str('Which vector database driver to use.', strategyOpts),
    dimensions: int('Dimensionality of the vectors.', { required: true }),
    distance_metric: str('Distance metric of vector searches.', { required: true, one_of: ['cosine', 'euclidean'] }),
    // required until 3.13 (Kong then made the record's threshold optional)
    threshold: num('Default similarity threshold for accepting semantic search results.', { required: !has('3.13') }),
    redis: redisEE('Redis connection of the redis strategy.'),
    pgvector: rec('pgvector connection of the pgvector strategy.', {
      host: str('pgvector host.', { default: '127.0.0.1' }),
      port: int('pgvector port.', { default: 5432 }),
      database: str('pgvector database.', { default: 'kong-pgvector' }),
      user: str('pgvector user.', { default: 'postgres', referenceable: true }),
      password: str('pgvector password.', { referenceable: true, secret: true }),
      ssl: bool('Use TLS.', { default: false }),
      ssl_required: bool('Require TLS.', { default: false }),
      ssl_verify: bool('Verify the server certificate.', { default: byVersion('3.14', false, true) }),
      ssl_version: str('TLS version.', { default: 'tlsv1_2', one_of: ['tlsv1_2', 'tlsv1_3', 'any'] }),
      ssl_cert: str('Path of the client TLS certificate.'),
      ssl_cert_key: str('Path of the client TLS key.'),
      timeout: num('Timeout (ms).', { default: 5000 }),
    }, { required: true, unsupported: PGVECTOR }),
  };
}

// ---- shared by several AI plugins' schema sources ----

export function transformer(name, priority, description, extra) {
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
    llm: rec('The LLM that performs the transformation.', {
      ...llmFields(),
      ...(has('3.13') ? modelEntryFields() : {}),
    }, { required: true }),
  }, [
    llmChatOnly,
    { mutually_required: ['http_proxy_host', 'http_proxy_port'] },
    { mutually_required: ['https_proxy_host', 'https_proxy_port'] },
    ...prefixed,
  ]);
}

/** Re-roots an LLM entity check under `prefix` (the transformers nest the LLM record under `llm`). */
export function prefixCheck(check, prefix) {
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
