// Kong's shared LLM records (kong/llm/schemas/init.lua, Kong 3.10) and the EE embeddings/vectordb
// records used by ai-proxy-advanced and ai-semantic-cache.
import { KONG_REFERENCE, arr, bool, elRec, host, int, maxRequestBodySize, num, pluginConfig, port, rec, since, str, timeout, url } from './dsl.mjs';

/** Kong 3.10's providers, in Kong's order. */
const PROVIDERS_3_10 = ['openai', 'azure', 'anthropic', 'cohere', 'mistral', 'llama2', 'gemini', 'bedrock', 'huggingface'];
/**
 * Providers a later Kong added that aigw serves, with that version. Together with PROVIDERS_3_10
 * this must equal the registry in src/gateway/providers/index.ts (names and `since`): a drift test
 * checks it (test/unit/providers/registry-schema.test.ts).
 */
export const LATER_PROVIDERS = {
  deepseek: '3.14', xai: '3.13', vllm: '3.14', ollama: '3.14', cerebras: '3.13', dashscope: '3.13', databricks: '3.14',
};
export const PROVIDERS = [...PROVIDERS_3_10, ...Object.keys(LATER_PROVIDERS)];
/** `x-aigw-extension-values` of a provider enum: the providers Kong 3.10 rejects. */
export const PROVIDER_EXTENSIONS = Object.fromEntries(Object.entries(LATER_PROVIDERS).map(([p, v]) => [p, `Kong ${v}+; Kong 3.10 rejects it`]));
export const ROUTE_TYPES = ['llm/v1/chat', 'llm/v1/completions', 'preserve'];
export const EMBEDDINGS_ROUTE_TYPE = 'llm/v1/embeddings';

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
  }, { title: 'Bedrock options' });
}

function geminiOptions() {
  return rec('Gemini on Vertex options: all three or none.', {
    api_endpoint: str('Regional Vertex API endpoint (hostname only).'),
    project_id: str('Vertex project ID.'),
    location_id: str('Vertex location ID.'),
  }, {
    title: 'Gemini options',
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

/** Options of the providers a later Kong added, for profile `kong`. */
function laterProviderOptions(kong) {
  return {
    ...(since(kong, '3.13') ? {
      dashscope: rec('Alibaba DashScope options.', {
        international: bool("Use DashScope's international endpoint (dashscope-intl.aliyuncs.com) rather than mainland China's.", { default: true }),
      }, { title: 'Dashscope options' }),
    } : {}),
    ...(since(kong, '3.14') ? {
      databricks: rec('Databricks options.', {
        workspace_instance_id: str('Workspace instance of the Databricks host ({id}.cloud.databricks.com).'),
      }, { title: 'Databricks options' }),
    } : {}),
  };
}

export function modelOptions(kong = KONG_REFERENCE) {
  return rec('Key/value settings for the model.', {
    max_tokens: int('max_tokens for chat or completion models (overrides the client value).'),
    input_cost: num('Cost per 1M prompt tokens.', { gt: 0 }),
    output_cost: num('Cost per 1M completion tokens.', { gt: 0 }),
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
    gemini: geminiOptions(),
    bedrock: bedrockOptions(),
    huggingface: huggingfaceOptions(),
    ...laterProviderOptions(kong),
  }, { title: 'LLM model options' });
}

export function model(providers = PROVIDERS) {
  return rec('The model to call.', {
    provider: str('AI provider format; Kong translates requests to and from it.', {
      required: true, one_of: providers, extensionValues: PROVIDER_EXTENSIONS,
    }),
    name: str('Model name to execute; falls back to the request body model.'),
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
        if_field: 'model.provider', if_match: { one_of: ['llama2', 'vllm', 'ollama'] }, then_at_least_one_of: ['model.options.upstream_url'],
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

/** The LLM record fields: route_type, auth, model, logging. */
export function llmFields(routeTypes = ROUTE_TYPES, routeTypeExtra = {}) {
  return {
    route_type: str("The model's operation for this provider; 'preserve' passes through without transformation.", {
      required: true, one_of: routeTypes, ...routeTypeExtra,
    }),
    auth: llmAuth(),
    model: model(),
    logging: logging(),
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

// ---- embeddings / vectordb (EE) --------------------------------------------------------------

export function embeddings(o = {}) {
  return rec('The embeddings model used to vectorize prompts.', {
    auth: llmAuth(),
    model: rec('The embeddings model.', {
      provider: str('AI provider format to use for the embeddings API.', {
        required: true, one_of: ['openai', 'azure', 'mistral', 'gemini', 'bedrock', 'huggingface'],
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
        gemini: geminiOptions(),
        huggingface: huggingfaceOptions(),
      }),
    }, { required: true }),
  }, { title: 'Embeddings', ...o });
}

/** Kong EE's Redis record (kong/enterprise_edition/tools/redis/v2), used by the AI EE plugins. */
export function redisEE(description) {
  const node = (hostKey) => elRec({
    [hostKey]: host('A string representing a host name, such as example.com.', { required: true, default: '127.0.0.1' }),
    port: port('Port number between 0 and 65535.', { required: true, default: 6379 }),
  });
  return rec(description, {
    host: host('Redis host.', { default: '127.0.0.1' }),
    port: port('Redis port.', { default: 6379 }),
    connect_timeout: timeout('Connect timeout (ms).', { default: 2000 }),
    send_timeout: timeout('Send timeout (ms).', { default: 2000 }),
    read_timeout: timeout('Read timeout (ms).', { default: 2000 }),
    username: str('Redis ACL username (Redis 6+).', { referenceable: true }),
    password: str('Redis password; no AUTH is sent when unset.', { referenceable: true, secret: true }),
    sentinel_username: str('Redis Sentinel ACL username.', { referenceable: true }),
    sentinel_password: str('Redis Sentinel password.', { referenceable: true, secret: true }),
    database: int('Redis database number.', { default: 0 }),
    keepalive_pool_size: int('Connection pool size per worker.', { default: 256, min: 1, max: 2147483646 }),
    keepalive_backlog: int('Connection pool backlog.', { min: 0, max: 2147483646 }),
    sentinel_master: str('Redis Sentinel master name; implies Sentinel.'),
    sentinel_role: str('Redis Sentinel role.', { one_of: ['master', 'slave', 'any'] }),
    sentinel_nodes: arr('Redis Sentinel nodes; implies Sentinel.', node('host'), { minItems: 1 }),
    cluster_nodes: arr('Redis Cluster nodes; implies Redis Cluster.', node('ip'), { minItems: 1 }),
    ssl: bool('Connect to Redis over TLS.', { default: false }),
    ssl_verify: bool('Verify the Redis server certificate.', { default: false }),
    server_name: str('SNI server name for TLS.'),
    cluster_max_redirections: int('Maximum retry attempts for Redis Cluster redirections.', { default: 5 }),
    connection_is_proxied: bool('Connection to Redis goes through a proxy (e.g. Envoy).', { default: false }),
  }, { title: 'Enterprise redis' });
}

const PGVECTOR = 'pgvector is not implemented by the embedded gateway (use memory or redis)';

export function vectordb(strategyDefault) {
  const strategyOpts = {
    required: true,
    one_of: ['memory', 'redis', 'pgvector'],
    unsupportedValues: { pgvector: PGVECTOR },
    extensionValues: { memory: 'aigw in-process vector store; Kong 3.10 rejects it' },
  };
  if (strategyDefault !== undefined) strategyOpts.default = strategyDefault;
  return {
    strategy: str('Which vector database driver to use.', strategyOpts),
    dimensions: int('Dimensionality of the vectors.', { required: true }),
    distance_metric: str('Distance metric of vector searches.', { required: true, one_of: ['cosine', 'euclidean'] }),
    threshold: num('Default similarity threshold for accepting semantic search results.', { required: true }),
    redis: redisEE('Redis connection of the redis strategy.'),
    pgvector: rec('pgvector connection of the pgvector strategy.', {
      host: str('pgvector host.', { default: '127.0.0.1' }),
      port: int('pgvector port.', { default: 5432 }),
      database: str('pgvector database.', { default: 'kong-pgvector' }),
      user: str('pgvector user.', { default: 'postgres', referenceable: true }),
      password: str('pgvector password.', { referenceable: true, secret: true }),
      ssl: bool('Use TLS.', { default: false }),
      ssl_required: bool('Require TLS.', { default: false }),
      ssl_verify: bool('Verify the server certificate.', { default: false }),
      ssl_version: str('TLS version.', { default: 'tlsv1_2', one_of: ['tlsv1_2', 'tlsv1_3', 'any'] }),
      ssl_cert: str('Path of the client TLS certificate.'),
      ssl_cert_key: str('Path of the client TLS key.'),
      timeout: num('Timeout (ms).', { default: 5000 }),
    }, { unsupported: PGVECTOR }),
  };
}

// ---- shared by several AI plugins' schema sources ----

/**
 * The API route types Kong 3.11–3.13 added (kong-3.14.md §1a), with the version; aigw serves them as
 * pass-through calls (src/gateway/llm/wire/api-routes.ts) or refuses the route at startup.
 */
export const API_ROUTE_TYPES = {
  'image/v1/images/generations': '3.11', 'image/v1/images/edits': '3.11', 'audio/v1/audio/speech': '3.11',
  'audio/v1/audio/transcriptions': '3.11', 'audio/v1/audio/translations': '3.11', 'llm/v1/files': '3.11',
  'llm/v1/batches': '3.11', 'llm/v1/assistants': '3.11', 'realtime/v1/realtime': '3.11', 'video/v1/videos/generations': '3.13',
};

export const AIGW_ROUTE_TYPES = [...ROUTE_TYPES, EMBEDDINGS_ROUTE_TYPE, ...Object.keys(API_ROUTE_TYPES)];

export const EMBEDDINGS_EXT = {
  extensionValues: {
    [EMBEDDINGS_ROUTE_TYPE]: 'Kong EE 3.12+; Kong 3.10 rejects it',
    ...Object.fromEntries(Object.entries(API_ROUTE_TYPES).map(([rt, v]) => [rt, `Kong ${v}+; Kong 3.10 rejects it`])),
  },
};

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
    llm: rec('The LLM that performs the transformation.', llmFields(ROUTE_TYPES), { required: true }),
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
